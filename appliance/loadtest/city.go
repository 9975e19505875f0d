package loadtest

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"time"

	"preau/appliance/auth"
	"preau/appliance/roster"
	"preau/appliance/store"
	psync "preau/appliance/sync"
)

// A city for central to serve: schools enrolled as sync nodes, some of them
// with a school's worth of accounts, and simulated school nodes that sync
// with it over HTTP the way sync.Client does, from bodies built beforehand
// so that the load generator costs little next to the server.

// CitySchoolID names the i-th school of the simulated city.
func CitySchoolID(i int) string { return fmt.Sprintf("ecole-%04d", i) }

var (
	firstNames = []string{"Léa", "Tom", "Inès", "Hugo", "Chloé", "Nathan", "Manon", "Louis", "Jade", "Gabriel", "Emma",
		"Raphaël", "Louise", "Arthur", "Alice", "Jules", "Lina", "Adam", "Rose", "Maël", "Ambre", "Noé", "Anna", "Sacha"}
	lastNames = []string{"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
		"Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard"}
	levels = []string{"CP", "CE1", "CE2", "CM1", "CM2"}
)

// SeedSchoolAccounts gives a school what a primary school holds: ten
// classes, a director, a teacher per class, 200 pupils in the classes and
// 30 parents each linked to a pupil, 241 accounts. No passwords: hashing
// them would only slow the seeding down.
func SeedSchoolAccounts(ctx context.Context, a *roster.Service, school string, r *rand.Rand) error {
	var classes []string
	for i := range 10 {
		c, err := a.CreateClass(ctx, school, fmt.Sprintf("%s %c", levels[i%5], 'A'+i/5), levels[i%5])
		if err != nil {
			return err
		}
		classes = append(classes, c.ID)
	}
	person := func(login string, p auth.Profile, classes ...string) roster.NewUser {
		return roster.NewUser{NewUser: auth.NewUser{Login: login, FirstName: firstNames[r.IntN(len(firstNames))],
			LastName: lastNames[r.IntN(len(lastNames))], Profile: p, SchoolID: school}, ClassIDs: classes}
	}
	users := []roster.NewUser{person(school+".direction", auth.Director)}
	for i, c := range classes {
		users = append(users, person(fmt.Sprintf("%s.prof%02d", school, i), auth.Teacher, c))
	}
	for i := range 200 {
		users = append(users, person(fmt.Sprintf("%s.eleve%03d", school, i), auth.Pupil, classes[i%len(classes)]))
	}
	ids, err := a.CreateUsers(ctx, users)
	if err != nil {
		return err
	}
	pupils := ids[1+len(classes):]
	var parents []roster.NewUser
	for i := range 30 {
		p := person(fmt.Sprintf("%s.parent%02d", school, i), auth.Parent)
		p.ChildIDs = []string{pupils[r.IntN(len(pupils))]}
		parents = append(parents, p)
	}
	_, err = a.CreateUsers(ctx, parents)
	return err
}

// SimSchool is a simulated school node: its credentials, its cursors both
// ways, and the accounts it wrote, which it may edit again.
type SimSchool struct {
	ID, NodeID, Epoch, Key string
	pushed                 int64 // its own log's last seq
	since                  int64 // central's log, applied up to
	centralEpoch           string
	hlc                    int64
	rows                   []store.Row
}

// EnrollSchool adds a school on central and enrolls a simulated node for
// it, as the DSI and the school's appliance do. The node then stands as if
// it had done its first sync at cursor head of central's log: the first
// download of a new school is the backlog benchmark's business, not the
// steady state's.
func EnrollSchool(ctx context.Context, db *store.DB, c *psync.Central, id string) (*SimSchool, error) {
	token, err := c.AddSchool(ctx, id, "École "+id)
	if err != nil {
		return nil, err
	}
	s := &SimSchool{ID: id, NodeID: store.NewID(), Epoch: store.NewID(), centralEpoch: db.Node().Epoch}
	e, err := c.Enroll(ctx, token, s.NodeID, "bench")
	if err != nil {
		return nil, err
	}
	s.Key = e.NodeKey
	return s, nil
}

// Settle records every node as having pulled central's whole log under its
// epoch, directly in sync_nodes.
func Settle(ctx context.Context, db *store.DB, schools []*SimSchool) error {
	var head int64
	if err := db.Reader().QueryRowContext(ctx, "SELECT coalesce(max(seq), 0) FROM changes").Scan(&head); err != nil {
		return err
	}
	return db.Write(ctx, func(tx *store.Tx) error {
		for _, s := range schools {
			s.since = head
			if _, err := tx.ExecContext(ctx, "UPDATE sync_nodes SET node_epoch = ?, pull_seq = ? WHERE school_id = ?",
				s.Epoch, head, s.ID); err != nil {
				return err
			}
		}
		return nil
	})
}

// Own adds accounts of central's store to those the school may edit.
func (s *SimSchool) Own(rows ...store.Row) { s.rows = append(s.rows, rows...) }

func (s *SimSchool) clock() int64 {
	s.hlc = max(s.hlc+1, store.MakeHLC(time.Now(), 0))
	return s.hlc
}

// Push is a batch a school will send: its body as the client sends it
// (gzip-compressed JSON; nil for none) and the cursor central should
// acknowledge.
type Push struct {
	Body []byte
	To   int64
}

// NextPush builds the school's next push of k rows of its accounts (half
// new pupils, half edits of accounts it holds); none when k is 0, as the
// client then sends nothing. template is any users row of central, for the
// table's columns.
func (s *SimSchool) NextPush(k int, template store.Row, r *rand.Rand) (Push, error) {
	if k == 0 {
		return Push{To: s.pushed}, nil
	}
	b := psync.Batch{Node: s.NodeID, Epoch: s.Epoch, From: s.pushed, To: s.pushed + int64(k)}
	held := len(s.rows) // a batch carries each row once: edits are of rows held before it
	for range k {
		var row store.Row
		if held > 0 && r.IntN(2) == 0 {
			row = copyRow(s.rows[r.IntN(held)])
			row.Values["display_name"] = firstNames[r.IntN(len(firstNames))] + " " + lastNames[r.IntN(len(lastNames))]
		} else {
			row = copyRow(template)
			first, last := firstNames[r.IntN(len(firstNames))], lastNames[r.IntN(len(lastNames))]
			for k, v := range map[string]any{"id": store.NewID(), "scope": s.ID, "school_id": s.ID, "deleted": int64(0),
				"login": fmt.Sprintf("%s.n%05d", s.ID, len(s.rows)), "first_name": first, "last_name": last,
				"display_name": first + " " + last, "profile": string(auth.Pupil), "email": "", "password_hash": "",
				"picture_hash": "", "qr_hash": "", "must_change": int64(0), "disabled": int64(0),
				"created_at": time.Now().UTC().Format(time.RFC3339)} {
				row.Values[k] = v
			}
			s.rows = append(s.rows, row)
		}
		row.Values["hlc"], row.Values["origin"] = s.clock(), s.NodeID
		b.Rows = append(b.Rows, row)
	}
	s.pushed = b.To
	var body bytes.Buffer
	zw := gzip.NewWriter(&body)
	if err := json.NewEncoder(zw).Encode(b); err != nil {
		return Push{}, err
	}
	if err := zw.Close(); err != nil {
		return Push{}, err
	}
	return Push{Body: body.Bytes(), To: b.To}, nil
}

func copyRow(r store.Row) store.Row {
	c := store.Row{Table: r.Table, Values: make(map[string]any, len(r.Values))}
	for k, v := range r.Values {
		c.Values[k] = v
	}
	return c
}

// Session is one sync of the school: its push if it has one, then pulls
// until central has nothing more for it. It returns how many entries of
// central's log the pulls went through.
func (s *SimSchool) Session(ctx context.Context, client *http.Client, base string, p Push) (int64, error) {
	if p.Body != nil {
		var out struct{ Cursor int64 }
		if err := s.post(ctx, client, base+"/api/v1/sync/push", p.Body, true, &out); err != nil {
			return 0, fmt.Errorf("push: %w", err)
		}
		if out.Cursor != p.To {
			return 0, fmt.Errorf("push: central acknowledged %d, want %d", out.Cursor, p.To)
		}
	}
	from := s.since
	for {
		req, _ := json.Marshal(psync.PullRequest{NodeEpoch: s.Epoch, Epoch: s.centralEpoch, Since: s.since, Clock: s.clock()})
		var b struct {
			Epoch    string
			From, To int64
			More     bool
		}
		if err := s.post(ctx, client, base+"/api/v1/sync/pull", req, false, &b); err != nil {
			return s.since - from, fmt.Errorf("pull: %w", err)
		}
		if b.From != s.since || b.Epoch != s.centralEpoch {
			return s.since - from, fmt.Errorf("pull: batch from %d of epoch %s, want %d of %s", b.From, b.Epoch, s.since, s.centralEpoch)
		}
		s.since = b.To
		if !b.More {
			return s.since - from, nil
		}
	}
}

// WaitRequestNow is the school's next live request, to central's log of
// epoch (the one it settled in).
func (s *SimSchool) WaitRequestNow(epoch string, hold, beat time.Duration) psync.WaitRequest {
	return psync.WaitRequest{NodeEpoch: s.Epoch, Epoch: epoch, Since: s.since, HoldMs: hold.Milliseconds(), BeatMs: beat.Milliseconds()}
}

// Wait holds the school's live request as sync.Client does, and returns
// central's answer; opened runs once central's headers arrive (the request
// is then held). An answer with nothing for the school moves its cursor,
// as an empty pull would.
func (s *SimSchool) Wait(ctx context.Context, client *http.Client, base string, hold, beat time.Duration, opened func()) (psync.WaitAnswer, error) {
	var ans psync.WaitAnswer
	body, _ := json.Marshal(s.WaitRequestNow(s.centralEpoch, hold, beat))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/sync/wait", bytes.NewReader(body))
	if err != nil {
		return ans, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "preau/bench")
	req.Header.Set("Authorization", "Node "+s.ID+":"+s.Key)
	resp, err := client.Do(req)
	if err != nil {
		return ans, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		data, _ := io.ReadAll(resp.Body)
		return ans, fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, data)
	}
	if opened != nil {
		opened()
	}
	if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil {
		return ans, err
	}
	io.Copy(io.Discard, resp.Body)
	if ans.Pending == 0 && ans.Epoch == s.centralEpoch {
		s.since = max(s.since, ans.To)
	}
	return ans, nil
}

func (s *SimSchool) post(ctx context.Context, client *http.Client, url string, body []byte, gzipped bool, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if gzipped {
		req.Header.Set("Content-Encoding", "gzip")
	}
	req.Header.Set("User-Agent", "preau/bench")
	req.Header.Set("Authorization", "Node "+s.ID+":"+s.Key)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, data)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return errors.New("answer unreadable: " + err.Error())
	}
	return nil
}
