package sync

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"preau/appliance/store"
	"preau/appliance/web"
)

// Files follow their rows: a row is applied at once, and the file it
// references is queued and transferred afterwards, in resumable chunks
// verified by hash, so a large file never holds back the rows behind it.

const (
	chunkSize   = 4 << 20
	maxBlobSize = 4 << 30
)

// queueBlobs records the files rows reference that must travel: up, every
// file of rows we sent (central checks what it lacks); down, the files of
// received rows that we lack.
func queueBlobs(ctx context.Context, db *store.DB, tx *store.Tx, rows []store.Row, direction string) error {
	for _, r := range rows {
		col := db.BlobColumn(r.Table)
		if col == "" {
			continue
		}
		hash, _ := r.Values[col].(string)
		if !store.ValidHash(hash) || (direction == "down" && db.Blobs().Has(hash)) {
			continue
		}
		if _, cached := db.Cached(r.Table); cached && direction == "down" && r.Scope() == "global" {
			continue // the city's library: the cache fetches it (cache.go)
		}
		if _, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO blob_queue(hash, direction) VALUES (?, ?)", hash, direction); err != nil {
			return err
		}
	}
	return nil
}

// PendingBlobs counts files waiting to be transferred.
func (c *Client) PendingBlobs(ctx context.Context) (int64, error) {
	var n int64
	err := c.db.Reader().QueryRowContext(ctx, "SELECT count(*) FROM blob_queue").Scan(&n)
	return n, err
}

// TransferBlobs moves every queued file; one failing file does not stop
// the others. It returns the first error met.
func (c *Client) TransferBlobs(ctx context.Context) error {
	link, err := c.Link(ctx)
	if err != nil {
		return err
	}
	rows, err := c.db.Reader().QueryContext(ctx, "SELECT hash, direction FROM blob_queue ORDER BY attempts, rowid")
	if err != nil {
		return err
	}
	type item struct{ hash, dir string }
	var items []item
	for rows.Next() {
		var it item
		if err := rows.Scan(&it.hash, &it.dir); err != nil {
			rows.Close()
			return err
		}
		items = append(items, it)
	}
	rows.Close()
	var first error
	for _, it := range items {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var err error
		if it.dir == "up" {
			err = c.upload(ctx, link, it.hash)
		} else {
			err = c.download(ctx, link, it.hash)
		}
		if werr := c.db.Write(ctx, func(tx *store.Tx) error {
			if err == nil {
				_, e := tx.ExecContext(ctx, "DELETE FROM blob_queue WHERE hash = ? AND direction = ?", it.hash, it.dir)
				return e
			}
			_, e := tx.ExecContext(ctx, "UPDATE blob_queue SET attempts = attempts + 1, last_error = ? WHERE hash = ? AND direction = ?",
				err.Error(), it.hash, it.dir)
			return e
		}); werr != nil {
			return werr
		}
		if err != nil && first == nil {
			first = fmt.Errorf("fichier %s : %w", it.hash[:12], err)
		}
	}
	return first
}

// blobState is what central holds of a file.
type blobState struct {
	Complete bool  `json:"complete"`
	Received int64 `json:"received"`
}

func (c *Client) blobRequest(ctx context.Context, link Link, method, path string, body io.Reader, hdr map[string]string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, link.CentralURL+"/api/v1/sync/blobs/"+path, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Node "+c.credentials(link))
	req.Header.Set("User-Agent", "preau/"+c.version)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return c.do(req, c.stall, c.stall)
}

func decodeReply(resp *http.Response, out any) error {
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		json.Unmarshal(data, &e)
		return fmt.Errorf("%s (HTTP %d)", e.Error, resp.StatusCode)
	}
	return json.Unmarshal(data, out)
}

// upload sends a file to central from where central's copy stops.
func (c *Client) upload(ctx context.Context, link Link, hash string) error {
	f, err := c.db.Blobs().Open(hash)
	if err != nil {
		return err // a file we no longer hold: the row's sender must resend it
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	resp, err := c.blobRequest(ctx, link, http.MethodGet, hash+"/etat", nil, nil)
	if err != nil {
		return err
	}
	var st blobState
	if err := decodeReply(resp, &st); err != nil {
		return err
	}
	for offset := st.Received; !st.Complete; {
		n := min(chunkSize, fi.Size()-offset)
		final := offset+n == fi.Size()
		q := hash + "?offset=" + strconv.FormatInt(offset, 10)
		if final {
			q += "&final=1"
		}
		resp, err := c.blobRequest(ctx, link, http.MethodPut, q, io.NewSectionReader(f, offset, n), nil)
		if err != nil {
			return err
		}
		if err := decodeReply(resp, &st); err != nil {
			return err
		}
		if st.Received <= offset && !st.Complete {
			return errors.New("central does not move forward")
		}
		offset = st.Received
	}
	return nil
}

// download fetches a file from central, resuming what already arrived.
func (c *Client) download(ctx context.Context, link Link, hash string) error {
	blobs := c.db.Blobs()
	if blobs.Has(hash) {
		return nil
	}
	offset := blobs.Received(hash)
	resp, err := c.blobRequest(ctx, link, http.MethodGet, hash, nil, map[string]string{"Range": fmt.Sprintf("bytes=%d-", offset)})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusPartialContent:
	case http.StatusOK:
		if offset > 0 {
			return errors.New("central cannot resume this file")
		}
	case http.StatusRequestedRangeNotSatisfiable:
		// Everything arrived already; verify below.
	default:
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	if resp.StatusCode != http.StatusRequestedRangeNotSatisfiable {
		if _, err := blobs.Append(hash, offset, resp.Body, maxBlobSize); err != nil {
			return err
		}
	}
	return blobs.Complete(hash)
}

// Central's file endpoints, for enrolled nodes.
func (h *centralHandlers) getBlob(w http.ResponseWriter, r *http.Request) {
	n, ok := h.nodeOf(w, r)
	if !ok {
		return
	}
	hash := r.PathValue("hash")
	may, err := h.c.mayFetch(r.Context(), n.School, hash)
	if err != nil {
		h.s.Fail(w, r, err)
		return
	}
	f, err := h.c.db.Blobs().Open(hash)
	if !may || err != nil {
		h.s.Error(w, r, http.StatusNotFound, "sync.err.no_file")
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "application/octet-stream")
	http.ServeContent(w, r, "", time.Time{}, f)
}

func (h *centralHandlers) blobState(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.nodeOf(w, r); !ok {
		return
	}
	hash := r.PathValue("hash")
	if !store.ValidHash(hash) {
		h.s.Error(w, r, http.StatusBadRequest, "sync.err.bad_hash")
		return
	}
	blobs := h.c.db.Blobs()
	web.JSON(w, http.StatusOK, blobState{Complete: blobs.Has(hash), Received: blobs.Received(hash)})
}

func (h *centralHandlers) putBlob(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.nodeOf(w, r); !ok {
		return
	}
	hash := r.PathValue("hash")
	blobs := h.c.db.Blobs()
	if !store.ValidHash(hash) {
		h.s.Error(w, r, http.StatusBadRequest, "sync.err.bad_hash")
		return
	}
	if blobs.Has(hash) {
		web.JSON(w, http.StatusOK, blobState{Complete: true})
		return
	}
	offset, err := strconv.ParseInt(r.URL.Query().Get("offset"), 10, 64)
	if err != nil || offset < 0 || offset > maxBlobSize {
		h.s.Error(w, r, http.StatusBadRequest, "sync.err.bad_offset")
		return
	}
	received, err := blobs.Append(hash, offset, r.Body, chunkSize)
	if err != nil {
		h.s.Error(w, r, http.StatusConflict, err.Error())
		return
	}
	st := blobState{Received: received}
	if r.URL.Query().Get("final") == "1" {
		if err := blobs.Complete(hash); err != nil {
			h.s.Error(w, r, http.StatusUnprocessableEntity, err.Error())
			return
		}
		st.Complete = true
	}
	web.JSON(w, http.StatusOK, st)
}

// mayFetch reports whether a school may fetch a file from central: one
// that a row it receives references (its scope, the city's, its
// audience), and, of the city's library, one meant for it (the rule's
// Targets): every school holds the library's rows, but a file the DSI
// put there for some schools stays theirs. A school that knows another
// school's file by its SHA-256 gets the same 404 as for a file that does
// not exist.
func (c *Central) mayFetch(ctx context.Context, school, hash string) (bool, error) {
	if !store.ValidHash(hash) {
		return false, nil
	}
	for _, tbl := range c.db.Replicated() {
		col := c.db.BlobColumn(tbl)
		if col == "" {
			continue
		}
		var one int
		cond := c.audience(tbl)
		if rule, ok := c.db.Cached(tbl); ok && rule.Targets != "" {
			cond = "(" + cond + ") AND (scope != 'global' OR " + targeted(rule.Targets, ":school") + ")"
		}
		err := c.db.Reader().QueryRowContext(ctx, "SELECT 1 FROM "+tbl+" WHERE "+col+" = :hash AND ("+cond+") LIMIT 1",
			sql.Named("hash", hash), sql.Named("school", school)).Scan(&one)
		switch {
		case err == nil:
			return true, nil
		case !errors.Is(err, sql.ErrNoRows):
			return false, err
		}
	}
	return false, nil
}
