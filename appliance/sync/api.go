package sync

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"preau/appliance/auth"
	"preau/appliance/store"
	"preau/appliance/web"
)

// decode reads a JSON body, gzip-compressed or not, bounded in size, and
// answers 400 or 413 itself with the reason when it cannot.
func decode(s *web.Server, w http.ResponseWriter, r *http.Request, v any) bool {
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			s.Error(w, r, http.StatusBadRequest, "lot illisible : compression gzip invalide")
			return false
		}
		defer zr.Close()
		body = zr
	}
	lr := &io.LimitedReader{R: body, N: maxBatchBytes + 1}
	err := web.ReadJSON(lr, v)
	switch {
	case lr.N <= 0:
		s.Error(w, r, http.StatusRequestEntityTooLarge, "sync.err.too_large_unzipped")
	case web.TooLarge(err):
		s.Error(w, r, http.StatusRequestEntityTooLarge, "sync.err.too_large")
	case err != nil:
		s.Error(w, r, http.StatusBadRequest, "lot illisible : "+err.Error())
	default:
		return true
	}
	return false
}

// registerCentral wires central's endpoints for school nodes and the DSI.
func registerCentral(s *web.Server, c *Central) {
	h := &centralHandlers{s: s, c: c}
	s.Handle("POST /api/v1/schools", web.Only(auth.DSI), h.apiAddSchool)
	s.Handle("POST /api/v1/sync/enroll", web.Public(), h.enroll)
	s.Handle("POST /api/v1/sync/push", web.Public(), h.push)
	s.Handle("POST /api/v1/sync/pull", web.Public(), h.pull)
	s.Handle("POST /api/v1/sync/wait", web.Public(), h.wait)
	s.Handle("GET /api/v1/sync/blobs/{hash}", web.Public(), h.getBlob)
	s.Handle("GET /api/v1/sync/blobs/{hash}/etat", web.Public(), h.blobState)
	s.Handle("PUT /api/v1/sync/blobs/{hash}", web.Public(), h.putBlob)
}

type centralHandlers struct {
	s *web.Server
	c *Central
}

func (h *centralHandlers) apiAddSchool(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	if !h.s.DecodeJSON(w, r, &in) {
		return
	}
	token, err := h.c.AddSchool(r.Context(), strings.TrimSpace(in.ID), in.Name)
	if err != nil {
		h.s.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, map[string]string{"enrollment_token": token})
}

func (h *centralHandlers) enroll(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Token   string `json:"token"`
		Node    string `json:"node"`
		Version string `json:"version"`
	}
	if !decode(h.s, w, r, &in) {
		return
	}
	if in.Node == "" {
		h.s.Error(w, r, http.StatusBadRequest, "sync.err.no_node")
		return
	}
	e, err := h.c.Enroll(r.Context(), in.Token, in.Node, in.Version)
	if errors.Is(err, ErrBadToken) {
		h.s.Error(w, r, http.StatusForbidden, "sync.err.bad_token")
		return
	}
	if err != nil {
		h.s.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, e)
}

// nodeOf authenticates a school node from "Authorization: Node school:key".
func (h *centralHandlers) nodeOf(w http.ResponseWriter, r *http.Request) (node, bool) {
	creds, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Node ")
	if !ok {
		h.s.Error(w, r, http.StatusUnauthorized, "sync.err.node_required")
		return node{}, false
	}
	n, err := h.c.Authenticate(r.Context(), creds)
	if err != nil {
		h.s.Error(w, r, http.StatusUnauthorized, err.Error())
		return n, false
	}
	return n, true
}

func version(r *http.Request) string {
	v, _ := strings.CutPrefix(r.UserAgent(), "preau/")
	return v
}

func (h *centralHandlers) push(w http.ResponseWriter, r *http.Request) {
	n, ok := h.nodeOf(w, r)
	if !ok {
		return
	}
	var b Batch
	if !decode(h.s, w, r, &b) {
		return
	}
	cursor, err := h.c.Push(r.Context(), n, b, version(r))
	var gap *GapError
	switch {
	case errors.As(err, &gap):
		web.JSON(w, http.StatusConflict, map[string]any{"error": web.ErrText(r, gap), "cursor": gap.Cursor})
	case errors.Is(err, ErrOutOfScope), errors.Is(err, store.ErrRefusedRow):
		h.s.Error(w, r, http.StatusForbidden, "sync.err.as_is", "Error", err)
	case errors.Is(err, ErrClockAhead):
		h.s.Error(w, r, http.StatusUnprocessableEntity, "sync.err.set_clock", "Error", err)
	case errors.Is(err, ErrBadBatch):
		h.s.Error(w, r, http.StatusBadRequest, "sync.err.as_is", "Error", err)
	case err != nil:
		h.s.Fail(w, r, err)
	default:
		web.JSON(w, http.StatusOK, map[string]int64{"cursor": cursor})
	}
}

func (h *centralHandlers) pull(w http.ResponseWriter, r *http.Request) {
	n, ok := h.nodeOf(w, r)
	if !ok {
		return
	}
	var req PullRequest
	if !decode(h.s, w, r, &req) {
		return
	}
	b, err := h.c.Pull(r.Context(), n, req, version(r))
	if err != nil {
		h.s.Fail(w, r, err)
		return
	}
	writeJSON(w, r, b)
}

// wait hands a school's live request over to the hub (hub.go), with its
// connection: no goroutine waits with it. The headers go at once, so that
// the school knows the link works; then a blank line every few seconds, so
// that it notices when the link stops working; then the answer.
func (h *centralHandlers) wait(w http.ResponseWriter, r *http.Request) {
	n, ok := h.nodeOf(w, r)
	if !ok {
		return
	}
	var req WaitRequest
	if !decode(h.s, w, r, &req) {
		return
	}
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// HTTP/2, which the schools do not speak to central: as a central
		// without live requests, for the school to sync on its interval.
		h.s.Error(w, r, http.StatusNotFound, "sync.err.no_live")
		return
	}
	conn.SetDeadline(time.Time{}) // the server's deadlines were for the request
	h.c.Hold(conn, n, req)
}

// writeJSON answers 200 with v, gzip-compressed when the peer accepts it:
// batches are large and the link is the bottleneck.
func writeJSON(w http.ResponseWriter, r *http.Request, v any) {
	if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		web.JSON(w, http.StatusOK, v)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Encoding", "gzip")
	w.Header().Set("Cache-Control", "no-store")
	zw := gzip.NewWriter(w)
	json.NewEncoder(zw).Encode(v)
	zw.Close()
}
