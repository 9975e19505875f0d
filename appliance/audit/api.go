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
// and action, actor, school, offset) → [{"at", "actor", "action",
// "target", "address"}], newest first.
func (h *handlers) apiList(w http.ResponseWriter, r *http.Request) {
	f, err := filterOf(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	entries, err := h.s.List(r.Context(), web.CurrentUser(r), f)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	out := make([]entryJSON, len(entries))
	for i, e := range entries {
		out[i] = entryJSON{At: e.At, Actor: e.ActorName, Action: e.Action, Target: e.Target, Address: e.Address, School: e.SchoolID}
	}
	web.JSON(w, http.StatusOK, out)
}

// filterOf reads a Filter from the API's query: from and to are days in
// the schools' zone, both included.
func filterOf(r *http.Request) (Filter, error) {
	q := r.URL.Query()
	f, err := filterFrom(q.Get("from"), q.Get("to"), q.Get("offset"))
	f.Action, f.Actor, f.School = q.Get("action"), q.Get("actor"), q.Get("school")
	return f, err
}
