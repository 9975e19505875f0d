package roster

import (
	"net/http"

	"preau/appliance/auth"
	"preau/appliance/web"
)

// registerLinkRequests wires the parent's answers. Only central serves them:
// a school could forge a parent's answer written on its own server, so the
// answer is given where no school writes.
func (h *handlers) registerLinkRequests() {
	h.Handle("GET "+web.LinkRequestsPath, web.Only(auth.Parent), h.linkRequests)
	h.Handle("POST "+web.LinkRequestsPath+"/{id}", web.Only(auth.Parent), h.answerLinkRequest)
	h.Handle("GET /api/v1/me/link-requests", web.Only(auth.Parent), h.apiLinkRequests)
	h.Handle("POST /api/v1/me/link-requests/{id}", web.Only(auth.Parent), h.apiAnswerLinkRequest)
}

func (h *handlers) linkRequests(w http.ResponseWriter, r *http.Request) {
	reqs, err := h.reg.LinkRequests(r.Context(), web.CurrentUser(r).ID)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Render(w, r, "roster/link_requests", web.T(r, "roster.links.title"), reqs)
}

func (h *handlers) answerLinkRequest(w http.ResponseWriter, r *http.Request) {
	accept, ok := answer(r.PostFormValue("reponse"))
	if !ok {
		h.Error(w, r, http.StatusBadRequest, "roster.links.answer")
		return
	}
	if err := h.reg.AnswerLinkRequest(r.Context(), web.CurrentUser(r).ID, r.PathValue("id"), accept); err != nil {
		h.Fail(w, r, err)
		return
	}
	flash := "roster.links.refused"
	if accept {
		flash = "roster.links.accepted"
	}
	h.Redirect(w, r, web.LinkRequestsPath, flash)
}

func answer(v string) (accept, ok bool) {
	switch v {
	case "accepter", "accept":
		return true, true
	case "refuser", "refuse":
		return false, true
	}
	return false, false
}

type linkRequestJSON struct {
	ID        string `json:"id"`
	ChildID   string `json:"child_id"`
	ChildName string `json:"child_name"`
	SchoolID  string `json:"school_id"`
	School    string `json:"school_name"`
	Status    string `json:"status"`
	CreatedAt string `json:"created_at"`
}

func (h *handlers) apiLinkRequests(w http.ResponseWriter, r *http.Request) {
	reqs, err := h.reg.LinkRequests(r.Context(), web.CurrentUser(r).ID)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	out := make([]linkRequestJSON, len(reqs))
	for i, q := range reqs {
		out[i] = linkRequestJSON{ID: q.ID, ChildID: q.Child.ID, ChildName: q.Child.DisplayName, SchoolID: q.School.ID,
			School: q.School.Name, Status: q.Status, CreatedAt: q.CreatedAt.UTC().Format("2006-01-02T15:04:05Z")}
	}
	web.JSON(w, http.StatusOK, map[string]any{"requests": out})
}

func (h *handlers) apiAnswerLinkRequest(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Answer string `json:"answer"`
	}
	if !h.DecodeJSON(w, r, &in) {
		return
	}
	accept, ok := answer(in.Answer)
	if !ok {
		h.Error(w, r, http.StatusBadRequest, `"answer" doit valoir "accept" ou "refuse"`)
		return
	}
	if err := h.reg.AnswerLinkRequest(r.Context(), web.CurrentUser(r).ID, r.PathValue("id"), accept); err != nil {
		h.Fail(w, r, err)
		return
	}
	status := LinkRefused
	if accept {
		status = LinkAccepted
	}
	web.JSON(w, http.StatusOK, map[string]string{"id": r.PathValue("id"), "status": status})
}
