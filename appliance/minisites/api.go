package minisites

import (
	"net/http"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/web"
)

// The JSON API, over the same service as the pages (docs/api.md).

var (
	errNoPage  = apperr.New(apperr.ErrNotFound, "minisites.err.no_page")
	errNoImage = apperr.New(apperr.ErrNotFound, "minisites.err.no_image")
	errNoFile  = apperr.New(apperr.ErrInvalid, "minisites.err.no_file")
)

type apiSite struct {
	ID          string    `json:"id"`
	ClassID     string    `json:"class_id"`
	Title       string    `json:"title"`
	Theme       string    `json:"theme"`
	Status      string    `json:"status"`
	Audience    string    `json:"audience"`
	URL         string    `json:"url,omitempty"` // where it is read once published
	Comment     string    `json:"comment,omitempty"`
	Pupils      []string  `json:"pupils,omitempty"`
	UpdatedAt   time.Time `json:"updated_at"`
	PublishedAt string    `json:"published_at,omitempty"`
}

type apiPage struct {
	ID       string   `json:"id"`
	ParentID string   `json:"parent_id"`
	Title    string   `json:"title"`
	HTML     string   `json:"html"`
	Images   []string `json:"images"`
}

func toAPI(s Site, withPupils bool) apiSite {
	out := apiSite{ID: s.ID, ClassID: s.ClassID, Title: s.Title, Theme: s.Theme, Status: s.Status, Audience: s.Audience,
		Comment: s.Comment, UpdatedAt: s.UpdatedAt}
	if withPupils {
		out.Pupils = s.Pupils
	}
	if s.Audience != "" {
		out.PublishedAt = s.PublishedAt.UTC().Format(time.RFC3339)
		out.URL = Path + "/" + s.ID + "/lire"
		if s.Audience == Public {
			out.URL = PublicPath + s.Slug
		}
	}
	return out
}

// apiList: the sites the caller works on and those published to them.
func (h *handlers) apiList(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	mine, published, err := h.s.For(r.Context(), u)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	out := []apiSite{}
	for _, s := range mine {
		out = append(out, toAPI(s, u.Profile != auth.Pupil))
	}
	for _, s := range published {
		out = append(out, toAPI(s, false))
	}
	web.JSON(w, http.StatusOK, out)
}

// apiCreate: {"title", "class_id", "pupils", "theme"} → 201 {"id"}.
func (h *handlers) apiCreate(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Title   string   `json:"title"`
		ClassID string   `json:"class_id"`
		Pupils  []string `json:"pupils"`
		Theme   string   `json:"theme"`
	}
	if !h.DecodeJSON(w, r, &in) {
		return
	}
	id, err := h.s.Create(r.Context(), web.CurrentUser(r), New{Title: in.Title, ClassID: in.ClassID, Pupils: in.Pupils, Theme: in.Theme})
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, map[string]string{"id": id})
}

// apiGet: the site with its live pages, in menu order (children after
// their parent), each with its sanitized html.
func (h *handlers) apiGet(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	v, err := h.s.Get(r.Context(), u, r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	pages := []apiPage{}
	add := func(p Page) {
		ap := apiPage{ID: p.ID, ParentID: p.ParentID, Title: p.Title, HTML: p.HTML, Images: []string{}}
		for _, im := range v.Images[p.ID] {
			ap.Images = append(ap.Images, MediaPrefix+im.Token)
		}
		pages = append(pages, ap)
	}
	for _, p := range v.Menu {
		add(p)
		for _, c := range p.Children {
			add(c)
		}
	}
	web.JSON(w, http.StatusOK, struct {
		apiSite
		Pages []apiPage `json:"pages"`
	}{toAPI(v.Site, true), pages})
}

func (h *handlers) apiSubmit(w http.ResponseWriter, r *http.Request) {
	h.apiAct(w, r, func(u auth.User, id string) error { return h.s.Submit(r.Context(), u, id) })
}

// apiPublish: {"audience"}: class, parents, school or public.
func (h *handlers) apiPublish(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Audience string `json:"audience"`
	}
	if !h.DecodeJSON(w, r, &in) {
		return
	}
	h.apiAct(w, r, func(u auth.User, id string) error {
		return h.audited(r, "moderation.publish", id, h.s.Publish(r.Context(), u, id, in.Audience))
	})
}

func (h *handlers) apiUnpublish(w http.ResponseWriter, r *http.Request) {
	h.apiAct(w, r, func(u auth.User, id string) error {
		return h.audited(r, "moderation.unpublish", id, h.s.Unpublish(r.Context(), u, id))
	})
}

// apiAct runs an action on the site {id} and answers the site as it is
// then.
func (h *handlers) apiAct(w http.ResponseWriter, r *http.Request, do func(u auth.User, id string) error) {
	u, id := web.CurrentUser(r), r.PathValue("id")
	if err := do(u, id); err != nil {
		h.Fail(w, r, err)
		return
	}
	v, err := h.s.Get(r.Context(), u, id)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, toAPI(v.Site, true))
}
