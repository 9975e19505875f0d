package crashtest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"preau/appliance/store"
)

// liveKeys is, per table, the query listing the keys of its live rows: a
// tick and an acknowledgement are known by what they are about.
var liveKeys = map[string]string{
	"homework":       "SELECT id FROM homework WHERE deleted = 0",
	"homework_ticks": "SELECT homework_id || '|' || pupil_id FROM homework_ticks WHERE deleted = 0 AND done = 1",
	"liaison_notes":  "SELECT id FROM liaison_notes WHERE deleted = 0",
	"liaison_acks":   "SELECT note_id || '|' || pupil_id FROM liaison_acks WHERE deleted = 0",
	"mail_copies":    "SELECT id FROM mail_copies WHERE deleted = 0",
	"forum_threads":  "SELECT id FROM forum_threads WHERE deleted = 0",
	"forum_posts":    "SELECT id FROM forum_posts WHERE deleted = 0",
	"pages":          "SELECT id FROM pages WHERE deleted = 0",
	"page_updates":   "SELECT page_id || '|' || lower(hex(data)) FROM page_updates WHERE deleted = 0",
	"documents":      "SELECT id || '|' || blob FROM documents WHERE deleted = 0",
}

// blobRefs lists the blobs live rows reference, each with its row. The
// city's library (documents of scope global, from central) is left out: a
// school fetches those files when someone opens them, into its cache.
const blobRefs = `SELECT blob || ' (document ' || id || ')' FROM documents WHERE deleted = 0 AND scope != 'global'
	UNION SELECT blob || ' (message ' || id || ')' FROM mail_messages WHERE deleted = 0 AND blob != ''`

// openRO opens a stopped server's database read-only, so that the check
// changes nothing of what the next start recovers from (the WAL stays).
func openRO(dataDir string) (*sql.DB, error) {
	return sql.Open("sqlite", "file:"+filepath.Join(dataDir, store.DBFile)+"?mode=ro&_pragma=busy_timeout(5000)")
}

// verified remembers the blobs already hashed, by name, size and time:
// a stored blob never changes, so each is read once however many kills.
var verified = map[string]string{}

// checkDataDir checks a killed server's data directory: the database
// passes PRAGMA integrity_check, every acknowledged write has its row,
// every blob's content matches its name, and every blob a row references
// is there.
func checkDataDir(dataDir string, l *ledger) error {
	db, err := openRO(dataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	var result []string
	if err := queryStrings(db, "PRAGMA integrity_check", &result); err != nil {
		return fmt.Errorf("integrity_check: %w", err)
	}
	if !slices.Equal(result, []string{"ok"}) {
		return fmt.Errorf("integrity_check: %q", result)
	}
	live := map[string]map[string]bool{}
	for table, q := range liveKeys {
		var keys []string
		if err := queryStrings(db, q, &keys); err != nil {
			return fmt.Errorf("%s: %w", table, err)
		}
		live[table] = map[string]bool{}
		for _, k := range keys {
			live[table][k] = true
		}
	}
	var lost []string
	for _, w := range l.all() {
		key := w.key
		if w.kind == "upload" {
			key += "|" + w.hash
		}
		if !live[w.table][key] {
			lost = append(lost, w.kind+" "+key)
		}
	}
	if len(lost) > 0 {
		return fmt.Errorf("%d acknowledged writes lost: %s", len(lost), strings.Join(lost[:min(len(lost), 10)], ", "))
	}
	return checkBlobs(db, dataDir)
}

func checkBlobs(db *sql.DB, dataDir string) error {
	root := filepath.Join(dataDir, store.BlobsDir)
	stored := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && path == root {
			return fs.SkipAll
		}
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "partial" { // transfers and uploads under way: not blobs yet
				return fs.SkipDir
			}
			return nil
		}
		name := d.Name()
		if !store.ValidHash(name) || filepath.Base(filepath.Dir(path)) != name[:2] {
			return nil // the store's own files beside the blobs
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		stamp := fmt.Sprint(info.Size(), info.ModTime().UnixNano())
		if verified[name] != stamp {
			sum, err := hashFile(path)
			if err != nil {
				return err
			}
			if sum != name {
				return fmt.Errorf("blob %s is corrupt: its content hashes to %s (%d bytes)", name, sum, info.Size())
			}
			verified[name] = stamp
		}
		stored[name] = true
		return nil
	})
	if err != nil {
		return err
	}
	var refs []string
	if err := queryStrings(db, blobRefs, &refs); err != nil {
		return err
	}
	for _, ref := range refs {
		if h, row, _ := strings.Cut(ref, " "); !stored[h] {
			return fmt.Errorf("blob %s referenced by a row %s is missing", h, row)
		}
	}
	return nil
}

func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func queryStrings(db *sql.DB, q string, out *[]string) error {
	rows, err := db.Query(q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return err
		}
		*out = append(*out, s)
	}
	return rows.Err()
}

// readBack reads every acknowledged write through the running server's
// API: lists show each entry (a forum's shows only its latest threads, so
// each thread is opened), each message and page opens, and each
// document's content is what was sent.
func (w *world) readBack(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	seen := func(c *client, path string) map[string]bool {
		var list []struct {
			ID           string
			Done         bool
			Acknowledged bool
		}
		if status, err := c.call(ctx, "GET", path, nil, &list); status != 200 {
			t.Fatalf("GET %s: %d %v", path, status, err)
		}
		ids := map[string]bool{}
		for _, x := range list {
			ids[x.ID] = true
			if x.Done || x.Acknowledged { // the pupil's ticks, the parent's signatures
				ids[x.ID+"|"+w.ids.pupil] = true
			}
		}
		return ids
	}
	lists := map[string]map[string]bool{
		"homework": seen(w.teacher, "/api/v1/homework"),
		"tick":     seen(w.pupil, "/api/v1/homework"),
		"note":     seen(w.teacher, "/api/v1/liaison"),
		"ack":      seen(w.parent, "/api/v1/liaison"),
		"upload":   seen(w.teacher, "/api/v1/documents?class_id="+w.ids.class),
		"post":     {},
	}
	opens := map[string]func(string) string{
		"thread": func(id string) string { return "/api/v1/threads/" + id },
		"mail":   func(id string) string { return "/api/v1/mail/messages/" + id },
		"page":   func(id string) string { return "/api/v1/pages/" + id },
	}
	writes := w.acked.all()
	for _, wr := range writes {
		if wr.kind != "thread" {
			continue
		}
		var th struct{ Posts []struct{ ID string } }
		if status, err := w.teacher.call(ctx, "GET", opens["thread"](wr.key), nil, &th); status != 200 {
			t.Fatalf("thread %s: %d %v", wr.key, status, err)
		}
		for _, p := range th.Posts {
			lists["post"][p.ID] = true
		}
	}
	for _, wr := range writes {
		switch {
		// A page's text is its editors' to render (the API serves the
		// rendering they last sent); an edit's row is checked in the data
		// directory after every kill, and at the end on central.
		case wr.kind == "thread", wr.kind == "edit":
		case opens[wr.kind] != nil:
			if status, err := w.teacher.call(ctx, "GET", opens[wr.kind](wr.key), nil, nil); status != 200 {
				t.Errorf("acknowledged %s %s: GET answers %d %v", wr.kind, wr.key, status, err)
			}
		case !lists[wr.kind][wr.key]:
			t.Errorf("acknowledged %s %s is not listed by the API", wr.kind, wr.key)
		}
		if wr.kind == "upload" {
			var content []byte
			if status, err := w.teacher.call(ctx, "GET", "/api/v1/documents/"+wr.key+"/content", nil, &content); status != 200 {
				t.Fatalf("document %s: %d %v", wr.key, status, err)
			}
			if sum := sha256.Sum256(content); hex.EncodeToString(sum[:]) != wr.hash {
				t.Errorf("document %s reads back other bytes than were sent", wr.key)
			}
		}
	}
	t.Logf("%d acknowledged writes read back through the API", len(writes))
}

// converged are the replicated tables compared between the school and
// central once the kills are over.
var converged = []string{"homework", "homework_ticks", "liaison_notes", "liaison_acks", "mail_messages", "mail_copies",
	"forum_threads", "forum_posts", "pages", "page_updates", "documents"}

// converge waits until central holds every row of the school's in the
// compared tables, at the same version, and the school every row central
// holds in the school's scopes; the signatures made at home included.
func converge(t *testing.T, schoolData, centralData string, home *ledger, timeout time.Duration) (rows int) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		diff, rows, err := difference(schoolData, centralData, home)
		if err == nil && diff == "" {
			return rows
		}
		if time.Now().After(deadline) {
			t.Fatalf("school and central did not converge in %s: %s %v", timeout, diff, err)
		}
		time.Sleep(time.Second)
	}
}

// difference names the first row that differs between the two nodes, ""
// when none does, and counts the rows compared.
func difference(schoolData, centralData string, home *ledger) (diff string, rows int, err error) {
	sdb, err := openRO(schoolData)
	if err != nil {
		return "", rows, err
	}
	defer sdb.Close()
	cdb, err := openRO(centralData)
	if err != nil {
		return "", rows, err
	}
	defer cdb.Close()
	for _, table := range converged {
		school, err := versions(sdb, table)
		if err != nil {
			return "", rows, err
		}
		scopes := map[string]bool{}
		for _, v := range school {
			scopes[v.scope] = true
		}
		central, err := versions(cdb, table)
		if err != nil {
			return "", rows, err
		}
		rows += len(school)
		for id, v := range school {
			if c, ok := central[id]; !ok || c != v {
				return fmt.Sprintf("%s %s: school %+v, central %+v", table, id, v, c), rows, nil
			}
		}
		for id, c := range central {
			if scopes[c.scope] && school[id] != c {
				return fmt.Sprintf("%s %s: central %+v, school %+v", table, id, c, school[id]), rows, nil
			}
		}
	}
	var acks []string
	if err := queryStrings(sdb, liveKeys["liaison_acks"], &acks); err != nil {
		return "", rows, err
	}
	for _, w := range home.all() {
		if !slices.Contains(acks, w.key) {
			return "signature made at home " + w.key + " not at the school", rows, nil
		}
	}
	return "", rows, nil
}

type version struct {
	scope   string
	hlc     int64
	deleted bool
}

func versions(db *sql.DB, table string) (map[string]version, error) {
	rows, err := db.Query("SELECT id, scope, hlc, deleted FROM " + table)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", table, err)
	}
	defer rows.Close()
	out := map[string]version{}
	for rows.Next() {
		var id string
		var v version
		if err := rows.Scan(&id, &v.scope, &v.hlc, &v.deleted); err != nil {
			return nil, err
		}
		out[id] = v
	}
	return out, rows.Err()
}
