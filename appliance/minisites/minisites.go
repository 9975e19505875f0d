// Package minisites is the pupils' mini-sites: a class's teacher starts a
// small site for a group of pupils (a title, a theme), the group writes
// its pages together live with the class pages' editor (its pages are
// class pages the site holds: feature.OwnedPages, feature.PageOwner), in
// a menu one level deep, with pictures; the group submits it, and the
// teacher sends it back with a comment or publishes it, as it stands, to
// the class, the parents of the class, the school or the public — public
// sites are read on central at /public/mini-sites/{slug}, with no login.
// Everything published is the pages' sanitized HTML, sanitized again as
// it is shown; readers see the group's first names only.
//
// It imports auth, store, text, web and feature; no other feature.
package minisites

import (
	"html/template"
	"net/http"
	"net/url"
	"time"

	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/store"
	"preau/appliance/text"
	"preau/appliance/web"
)

// Feature is the mini-sites.
var Feature = feature.Feature{Name: "minisites", Personal: feature.Personal{Export: personalExport}, Schema: Schema, Routes: routes, Tiles: tiles,
	Demo: feature.Demo{Seed: demo}, Search: []feature.SearchSource{searchSource}}

// Path is the mini-sites' list; PublicPath where public sites are read.
const (
	Path       = "/mini-sites"
	PublicPath = "/public/mini-sites/"
	// MediaPrefix is where pictures are served, each under its token.
	MediaPrefix = text.MediaPath + "mini-sites/"
)

var (
	listers = web.Only(auth.Pupil, auth.Parent, auth.Teacher, auth.Director)
	writers = web.Only(auth.Pupil, auth.Teacher, auth.Director)
	staffs  = web.Only(auth.Teacher, auth.Director)
)

type handlers struct {
	*feature.Env
	s *Service
}

func newService(env *feature.Env) *Service {
	return NewService(env.DB, env.Register, func() feature.OwnedPages { return env.Pages }, env.Notify)
}

func routes(env *feature.Env) {
	h := &handlers{Env: env, s: newService(env)}
	env.PageOwner = h.s
	env.Handle("GET "+Path, listers, h.list)
	env.Handle("POST "+Path, staffs, h.create)
	env.Handle("GET "+Path+"/{id}", writers, h.workspace)
	env.Handle("GET "+Path+"/{id}/apercu", writers, h.preview)
	env.Handle("GET "+Path+"/{id}/lire", web.Public(), h.read)
	env.Handle("POST "+Path+"/{id}/reglages", writers, h.settings)
	env.Handle("POST "+Path+"/{id}/groupe", staffs, h.group)
	env.Handle("POST "+Path+"/{id}/pages", writers, h.addPage)
	env.Handle("POST "+Path+"/{id}/pages/{page}/renommer", writers, h.renamePage)
	env.Handle("POST "+Path+"/{id}/pages/{page}/deplacer", writers, h.movePage)
	env.Handle("POST "+Path+"/{id}/pages/{page}/supprimer", writers, h.removePage)
	env.Handle("POST "+Path+"/{id}/pages/{page}/images", writers, h.addImage)
	env.Handle("POST "+Path+"/{id}/images/{image}/supprimer", writers, h.removeImage)
	env.Handle("POST "+Path+"/{id}/soumettre", writers, h.submit)
	env.Handle("POST "+Path+"/{id}/renvoyer", staffs, h.sendBack)
	env.Handle("POST "+Path+"/{id}/publier", staffs, h.publish)
	env.Handle("POST "+Path+"/{id}/depublier", staffs, h.unpublish)
	env.Handle("POST "+Path+"/{id}/supprimer", staffs, h.remove)
	env.Handle("GET "+PublicPath+"{slug}", web.Public(), h.public)
	env.Handle("GET "+MediaPrefix+"{token}", web.Public(), h.media)
	env.Handle("GET /api/v1/minisites", listers, h.apiList)
	env.Handle("POST /api/v1/minisites", staffs, h.apiCreate)
	env.Handle("GET /api/v1/minisites/{id}", writers, h.apiGet)
	env.Handle("POST /api/v1/minisites/{id}/submit", writers, h.apiSubmit)
	env.Handle("POST /api/v1/minisites/{id}/publish", staffs, h.apiPublish)
	env.Handle("POST /api/v1/minisites/{id}/unpublish", staffs, h.apiUnpublish)
}

func tiles(env *feature.Env) []web.Tile {
	return []web.Tile{
		{Profile: auth.Pupil, Label: "minisites.tile.pupil", Href: Path, Icon: "globe", Picture: "icons/globe", Order: 46},
		{Profile: auth.Teacher, Label: "minisites.tile.title", Href: Path, Icon: "globe", Order: 46, Hint: "minisites.tile.staff_hint"},
		{Profile: auth.Director, Label: "minisites.tile.title", Href: Path, Icon: "globe", Order: 61, Hint: "minisites.tile.staff_hint"},
		{Profile: auth.Parent, Label: "minisites.tile.title", Href: Path, Icon: "globe", Order: 46, Hint: "minisites.tile.parent_hint"},
	}
}

func (h *handlers) list(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	mine, published, err := h.s.For(r.Context(), u)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	classes, err := h.s.creatable(r.Context(), u)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Render(w, r, "minisites/list", web.T(r, "minisites.title"), map[string]any{"Mine": mine, "Published": published,
		"Classes": classes, "Themes": Themes})
}

func (h *handlers) create(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		h.Fail(w, r, err)
		return
	}
	id, err := h.s.Create(r.Context(), web.CurrentUser(r), New{Title: r.FormValue("titre"), ClassID: r.FormValue("classe"),
		Theme: r.FormValue("theme"), Pupils: r.Form["eleves"]})
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, Path+"/"+id, http.StatusSeeOther)
}

func (h *handlers) workspace(w http.ResponseWriter, r *http.Request) {
	v, err := h.s.Get(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Render(w, r, "minisites/site", v.Site.Title, map[string]any{"V": v, "Themes": Themes, "Audiences": Audiences,
		"MaxImage": MaxImage >> 20})
}

// siteView is what the template that draws a site (preview, reading,
// public) is given.
type siteView struct {
	Site    Site
	Menu    []Page
	Current Page
	Base    string // the site's address, ?page=… added
	Preview bool
	Body    template.HTML
}

// show draws a site's page ?page= (its first when none) with its theme.
func (h *handlers) show(w http.ResponseWriter, r *http.Request, site Site, menu []Page, base string, preview bool) {
	cur, ok := pick(menu, r.URL.Query().Get("page"))
	if !ok {
		h.Fail(w, r, errNoPage)
		return
	}
	// Sanitized again as it is shown: a row that came by sync is not
	// trusted to hold what our sanitizer made.
	safe, _ := text.SafeHTML(cur.HTML)
	h.Render(w, r, "minisites/view", site.Title, siteView{Site: site, Menu: menu, Current: cur, Base: base, Preview: preview,
		Body: template.HTML(safe)})
}

func (h *handlers) preview(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	v, err := h.s.Get(r.Context(), u, r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	menu := withImages(v.Menu, v.Images)
	h.show(w, r, v.Site, menu, Path+"/"+v.Site.ID+"/apercu", true)
}

// read is a published site for its audience. Someone not logged in who
// follows a link to it is sent to its public address when it has one,
// and to the login page otherwise, as for any page behind it.
func (h *handlers) read(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	rd, err := h.s.Published(r.Context(), u, r.PathValue("id"))
	if u.Profile == auth.Anonymous {
		if err == nil {
			http.Redirect(w, r, PublicPath+rd.Site.Slug, http.StatusSeeOther)
		} else {
			http.Redirect(w, r, web.LoginPath+"?suite="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		}
		return
	}
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.show(w, r, rd.Site, rd.Menu, Path+"/"+rd.Site.ID+"/lire", false)
}

// public is a site published to the public, for anyone, with no login.
func (h *handlers) public(w http.ResponseWriter, r *http.Request) {
	rd, err := h.s.PublicBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=60")
	// The page around the site speaks the reader's language: a cache keeps
	// one copy per language, or an Arabic reader gets the French one.
	w.Header().Set("Vary", "Accept-Language, Cookie")
	h.show(w, r, rd.Site, rd.Menu, PublicPath+rd.Site.Slug, false)
}

func (h *handlers) settings(w http.ResponseWriter, r *http.Request) {
	h.act(w, r, "minisites.flash.saved", func(u auth.User, id string) error {
		return h.s.Update(r.Context(), u, id, r.FormValue("titre"), r.FormValue("theme"))
	})
}

func (h *handlers) group(w http.ResponseWriter, r *http.Request) {
	h.act(w, r, "minisites.flash.saved", func(u auth.User, id string) error {
		if err := r.ParseForm(); err != nil {
			return err
		}
		return h.s.SetGroup(r.Context(), u, id, r.Form["eleves"])
	})
}

func (h *handlers) addPage(w http.ResponseWriter, r *http.Request) {
	h.act(w, r, "minisites.flash.page_added", func(u auth.User, id string) error {
		_, err := h.s.AddPage(r.Context(), u, id, r.FormValue("titre"), r.FormValue("parent"))
		return err
	})
}

func (h *handlers) renamePage(w http.ResponseWriter, r *http.Request) {
	h.act(w, r, "minisites.flash.saved", func(u auth.User, id string) error {
		return h.s.RenamePage(r.Context(), u, id, r.PathValue("page"), r.FormValue("titre"))
	})
}

func (h *handlers) movePage(w http.ResponseWriter, r *http.Request) {
	h.act(w, r, "minisites.flash.saved", func(u auth.User, id string) error {
		return h.s.MovePage(r.Context(), u, id, r.PathValue("page"), r.FormValue("sens"), r.FormValue("parent"))
	})
}

func (h *handlers) removePage(w http.ResponseWriter, r *http.Request) {
	h.act(w, r, "minisites.flash.page_removed", func(u auth.User, id string) error {
		return h.s.RemovePage(r.Context(), u, id, r.PathValue("page"))
	})
}

func (h *handlers) addImage(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxImage+1<<20)
	h.act(w, r, "minisites.flash.image_added", func(u auth.User, id string) error {
		files, err := web.Uploads(r, "image")
		if err != nil {
			return err
		}
		if len(files) != 1 {
			return errNoFile
		}
		return h.s.AddImage(r.Context(), u, id, r.PathValue("page"), files[0])
	})
}

func (h *handlers) removeImage(w http.ResponseWriter, r *http.Request) {
	h.act(w, r, "minisites.flash.image_removed", func(u auth.User, id string) error {
		return h.s.RemoveImage(r.Context(), u, id, r.PathValue("image"))
	})
}

func (h *handlers) submit(w http.ResponseWriter, r *http.Request) {
	h.act(w, r, "minisites.flash.submitted", func(u auth.User, id string) error { return h.s.Submit(r.Context(), u, id) })
}

func (h *handlers) sendBack(w http.ResponseWriter, r *http.Request) {
	h.act(w, r, "minisites.flash.sent_back", func(u auth.User, id string) error {
		return h.s.SendBack(r.Context(), u, id, r.FormValue("commentaire"))
	})
}

func (h *handlers) publish(w http.ResponseWriter, r *http.Request) {
	h.act(w, r, "minisites.flash.published", func(u auth.User, id string) error {
		return h.audited(r, "moderation.publish", id, h.s.Publish(r.Context(), u, id, r.FormValue("public")))
	})
}

func (h *handlers) unpublish(w http.ResponseWriter, r *http.Request) {
	h.act(w, r, "minisites.flash.unpublished", func(u auth.User, id string) error {
		return h.audited(r, "moderation.unpublish", id, h.s.Unpublish(r.Context(), u, id))
	})
}

func (h *handlers) remove(w http.ResponseWriter, r *http.Request) {
	site, err := h.s.Delete(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, Path, "minisites.flash.deleted", "Title", site.Title)
}

// act runs a form's action on the site {id} and goes back to the site
// with flash said.
func (h *handlers) act(w http.ResponseWriter, r *http.Request, flash string, do func(u auth.User, id string) error) {
	id := r.PathValue("id")
	if err := do(web.CurrentUser(r), id); err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, Path+"/"+id, flash)
}

// audited records a teacher's decision on the site id in the audit log
// when it was done (err nil), and passes err on.
func (h *handlers) audited(r *http.Request, action, id string, err error) error {
	if err == nil {
		h.Audited(r, action, "mini-site/"+id)
	}
	return err
}

// media sends a picture to who may see it; public sites' pictures to
// anyone.
func (h *handlers) media(w http.ResponseWriter, r *http.Request) {
	im, err := h.s.Image(r.Context(), web.CurrentUser(r), r.PathValue("token"))
	if err == nil && !store.IsPicture(im.Type) {
		err = errNoImage // a row that came by sync is not trusted to say a picture's type
	}
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	f, err := h.DB.Blobs().Open(im.Hash)
	if err != nil {
		h.Fail(w, r, errNoImage)
		return
	}
	defer f.Close()
	web.FileHeaders(w, "", im.Type, false)
	w.Header().Set("Content-Security-Policy", web.FileCSP+"; sandbox")
	w.Header().Set("Cache-Control", "private, max-age=86400")
	http.ServeContent(w, r, "", time.Time{}, f)
}

// pick finds a page of the menu, the first when id is empty.
func pick(menu []Page, id string) (Page, bool) {
	for _, p := range menu {
		if id == "" || p.ID == id {
			return p, true
		}
		for _, c := range p.Children {
			if c.ID == id {
				return c, true
			}
		}
	}
	return Page{}, false
}

// withImages gives each live page its pictures' tokens.
func withImages(menu []Page, ims map[string][]Image) []Page {
	out := make([]Page, len(menu))
	for i, p := range menu {
		for _, im := range ims[p.ID] {
			p.Images = append(p.Images, im.Token)
		}
		p.Children = withImages(p.Children, ims)
		out[i] = p
	}
	return out
}
