// Package news is the actualités: what the school's director and teachers
// publish for the whole school, a class, the parents or the staff, with a
// picture, and what the city's DSI publishes on central for every school.
// Each profile's home page shows the latest news for them.
//
// It imports auth, store, text, web and feature (the register through
// feature.Register); no other feature.
package news

import (
	"net/http"
	"time"

	"preau/appliance/auth"
	"preau/appliance/config"
	"preau/appliance/feature"
	"preau/appliance/store"
	"preau/appliance/web"
)

// Feature is the news.
var Feature = feature.Feature{Name: "news", Personal: feature.Personal{Export: personalExport}, Search: []feature.SearchSource{searchSource}, Schema: Schema, Routes: routes, Tiles: tiles, Panels: panels,
	Demo: feature.Demo{Seed: demo}}

// Path is the news' page, for every profile.
const Path = "/actualites"

type handlers struct {
	*feature.Env
	s *Service
}

var (
	readers    = web.Only(auth.Pupil, auth.Parent, auth.Teacher, auth.Director, auth.DSI)
	publishers = web.Only(Publishers...)
)

func newService(env *feature.Env) *Service {
	s := NewService(env.DB, env.Register)
	if env.Config.Role == config.RoleCentral {
		s = NewCentralService(env.DB, env.Register)
	}
	s.hub = env.Notify
	return s
}

func routes(env *feature.Env) {
	h := &handlers{Env: env, s: newService(env)}
	env.Handle("GET "+Path, readers, h.list)
	env.Handle("POST "+Path, publishers, h.publish)
	env.Handle("GET "+Path+"/nouvelle", publishers, h.newPage)
	env.Handle("GET "+Path+"/{id}", readers, h.article)
	env.Handle("GET "+Path+"/{id}/image", readers, h.image)
	env.Handle("GET "+Path+"/{id}/modifier", publishers, h.editPage)
	env.Handle("POST "+Path+"/{id}", publishers, h.save)
	env.Handle("POST "+Path+"/{id}/supprimer", publishers, h.remove)
	env.Handle("GET /api/v1/news", readers, h.apiList)
	env.Handle("POST /api/v1/news", publishers, h.apiPublish)
}

// tiles: everyone's news; the pupil's with its picture.
func tiles(env *feature.Env) []web.Tile {
	return []web.Tile{
		{Profile: auth.Pupil, Label: "news.tile.pupil", Href: Path, Icon: "journal", Picture: "icons/journal", Order: 30},
		{Profile: auth.Parent, Label: "news.tile.title", Href: Path, Icon: "journal", Order: 30, Hint: "news.tile.parent_hint"},
		{Profile: auth.Teacher, Label: "news.tile.title", Href: Path, Icon: "journal", Order: 40, Hint: "news.tile.staff_hint"},
		{Profile: auth.Director, Label: "news.tile.title", Href: Path, Icon: "journal", Order: 50, Hint: "news.tile.staff_hint"},
		{Profile: auth.DSI, Label: "news.tile.title", Href: Path, Icon: "journal", Order: 40, Hint: "news.tile.dsi_hint"},
	}
}

// panels: the latest news on every home page.
func panels(env *feature.Env) []web.Panel {
	s := newService(env)
	latest := func(r *http.Request) (any, error) {
		items, err := s.For(r.Context(), web.CurrentUser(r), 3)
		if err != nil || len(items) == 0 {
			return nil, err
		}
		return items, nil
	}
	var out []web.Panel
	for _, p := range []auth.Profile{auth.Pupil, auth.Parent, auth.Teacher, auth.Director, auth.DSI} {
		out = append(out, web.Panel{Profile: p, Order: 50, Page: "news/panel", Data: latest})
	}
	return out
}

// listPage is the news a person sees, with a way to publish for those who
// do.
type listPage struct {
	Items     []Item
	Publisher bool
}

// form is the publishing form: the audiences and classes offered, and
// what was typed.
type form struct {
	Draft
	ID        string // the piece being changed, "" for a new one
	Audiences []string
	Classes   []auth.Class
	HasImage  bool
}

func (h *handlers) formFor(r *http.Request, d Draft) (form, error) {
	u := web.CurrentUser(r)
	f := form{Draft: d, Audiences: Audiences}
	if d.Audience == "" {
		f.Audience = School
	}
	if u.Profile == auth.DSI {
		f.Audiences = []string{School, Parents, Staff}
		return f, nil
	}
	var err error
	f.Classes, err = feature.StaffClasses(r.Context(), h.Register, u)
	return f, err
}

func (h *handlers) list(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	items, err := h.s.For(r.Context(), u, 0)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Render(w, r, "news/list", web.T(r, "news.title"), listPage{Items: items, Publisher: h.s.publishes(u)})
}

func (h *handlers) newPage(w http.ResponseWriter, r *http.Request) {
	if !h.s.publishes(web.CurrentUser(r)) {
		h.Error(w, r, http.StatusForbidden, "news.err.city_on_central")
		return
	}
	h.renderEdit(w, r, http.StatusOK, Item{}, Draft{}, "")
}

// draftOf reads the publishing form, with its picture.
func draftOf(r *http.Request) (Draft, error) {
	files, err := web.Uploads(r, "image")
	d := Draft{Title: r.FormValue("titre"), Body: r.FormValue("texte"), Audience: r.FormValue("pour"), ClassID: r.FormValue("classe")}
	if len(files) > 0 {
		d.Image = &files[0]
	}
	return d, err
}

func (h *handlers) publish(w http.ResponseWriter, r *http.Request) {
	d, err := draftOf(r)
	if err == nil {
		_, err = h.s.Publish(r.Context(), web.CurrentUser(r), d)
	}
	if err != nil {
		if status := web.ErrStatus(err); status < http.StatusInternalServerError {
			d.Image = nil
			h.renderEdit(w, r, status, Item{}, d, web.ErrText(r, err))
			return
		}
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, Path, "news.flash.published", "Title", d.Title)
}

func (h *handlers) article(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	it, err := h.s.Readable(r.Context(), u, r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	_, editErr := h.s.Editable(r.Context(), u, it.ID)
	h.Render(w, r, "news/article", it.Title, map[string]any{"Item": it, "Editable": editErr == nil})
}

// image sends a piece of news' picture, checked as a picture when it was
// published, so it may show in the page.
func (h *handlers) image(w http.ResponseWriter, r *http.Request) {
	it, f, err := h.s.OpenImage(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	defer f.Close()
	// A row from sync could name any type: only a picture shows.
	web.FileHeaders(w, "", it.ImageType, !store.IsPicture(it.ImageType))
	w.Header().Set("Cache-Control", "private, max-age=86400")
	http.ServeContent(w, r, "", time.Time{}, f)
}

func (h *handlers) editPage(w http.ResponseWriter, r *http.Request) {
	it, err := h.s.Editable(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.renderEdit(w, r, http.StatusOK, it, Draft{Title: it.Title, Body: it.Body, Audience: it.Audience, ClassID: it.ClassID}, "")
}

func (h *handlers) renderEdit(w http.ResponseWriter, r *http.Request, status int, it Item, d Draft, errMsg string) {
	f, err := h.formFor(r, d)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	f.ID, f.HasImage = it.ID, it.Image != ""
	title := web.T(r, "news.new_title")
	if it.ID != "" {
		title = web.T(r, "news.edit_title")
	}
	h.RenderStatus(w, r, status, "news/edit", title, f, errMsg)
}

func (h *handlers) save(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	it, err := h.s.Editable(r.Context(), u, r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	d, err := draftOf(r)
	if err == nil {
		err = h.s.Update(r.Context(), u, it.ID, d)
	}
	if err != nil {
		if status := web.ErrStatus(err); status < http.StatusInternalServerError {
			d.Image = nil
			h.renderEdit(w, r, status, it, d, web.ErrText(r, err))
			return
		}
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, Path+"/"+it.ID, "news.flash.saved", "Title", d.Title)
}

func (h *handlers) remove(w http.ResponseWriter, r *http.Request) {
	it, err := h.s.Delete(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, Path, "news.flash.deleted", "Title", it.Title)
}
