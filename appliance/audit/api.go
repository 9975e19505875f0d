package audit

import (
	"net/http"
	"time"

	"preau/appliance/web"
)

// entryJSON is an entry as the API lists it.
type entryJSON struct {
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`
	Action  string    `json:"action"`
	Target  string    `json:"target"`
	Address string    `json:"address"`
	School  string    `json:"school"`
}

// apiList: GET /api/v1/audit?from=&to= (days, YYYY-MM-DD, to included;
// and action, actor, school, limit, offset) → [{"at", "actor", "action",
// "target", "address"}], newest first; the total in X-Total-Count, the
// next window in a Link header.
func (h *handlers) apiList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, err := filterFrom(q.Get("from"), q.Get("to"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	win, err := web.APIWindowOf(q)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	f.Action, f.Actor, f.School, f.Limit, f.Offset = q.Get("action"), q.Get("actor"), q.Get("school"), win.Limit, win.Offset
	u := web.CurrentUser(r)
	total, err := h.s.Count(r.Context(), u, f)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	entries, err := h.s.List(r.Context(), u, f)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	out := make([]entryJSON, len(entries))
	for i, e := range entries {
		out[i] = entryJSON{At: e.At, Actor: e.ActorName, Action: e.Action, Target: e.Target, Address: e.Address, School: e.SchoolID}
	}
	win.Announce(w, r, total)
	web.JSON(w, http.StatusOK, out)
}
