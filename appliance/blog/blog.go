// Package blog is the class blog (cahier de vie): what a class did, told
// by its teacher (and its pupils, when the teacher lets them, after
// approval) with text, photos and short videos, for the class's families
// and staff or for the whole school. Families comment when the class
// allows it, held for approval by default, and download a post's photos.
// Photos of pupils are the most sensitive data here: they are served
// under an unguessable URL and checked against the reader on every
// request.
//
// It imports auth, notify, store, text, web and feature (the register
// through feature.Register); no other feature.
package blog

import (
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/store"
	"preau/appliance/text"
	"preau/appliance/web"
)

// Feature is the class blog.
var Feature = feature.Feature{Name: "blog", Personal: feature.Personal{Export: personalExport}, Schema: Schema, Routes: routes, Tiles: tiles, Panels: panels,
	Search: []feature.SearchSource{searchSource}, Demo: feature.Demo{Seed: demo}}

// Path is the class blog's page, for every profile of a school.
const Path = "/cahier-de-vie"

// MediaPrefix is where its photos and videos are served, each under its
// token.
const MediaPrefix = text.MediaPath + "blog/"

type handlers struct {
	*feature.Env
	s *Service
}

var (
	readers = web.Only(auth.Pupil, auth.Parent, auth.Teacher, auth.Director)
	writers = web.Only(auth.Pupil, auth.Teacher, auth.Director)
	staff   = web.Only(auth.Teacher, auth.Director)
	talkers = web.Only(auth.Parent, auth.Teacher, auth.Director)
)

// maxForm is a post's form with its files.
const maxForm = 200 << 20

func serviceOf(env *feature.Env) *Service {
	return NewService(env.DB, env.Register, env.Auth, env.Notify)
}

func routes(env *feature.Env) {
	h := &handlers{Env: env, s: serviceOf(env)}
	env.Handle("GET "+Path, readers, h.list)
	env.Handle("GET "+Path+"/nouveau", writers, h.newPage)
	env.Handle("POST "+Path, writers, h.publish)
	env.AllowBody("POST "+Path, maxForm)
	env.Handle("GET "+Path+"/validation", staff, h.heldPage)
	env.Handle("GET "+Path+"/reglages", staff, h.settingsPage)
	env.Handle("POST "+Path+"/reglages", staff, h.saveSettings)
	env.Handle("GET "+Path+"/{id}", readers, h.post)
	env.Handle("GET "+Path+"/{id}/photos.zip", readers, h.zip)
	env.Handle("GET "+Path+"/{id}/modifier", writers, h.editPage)
	env.Handle("POST "+Path+"/{id}/modifier", writers, h.edit)
	env.Handle("POST "+Path+"/{id}/photos", writers, h.addFiles)
	env.Handle("POST "+Path+"/{id}/photos/{media}/supprimer", writers, h.removeMedia)
	env.AllowBody("POST "+Path+"/{id}/photos", maxForm)
	env.Handle("POST "+Path+"/{id}/publier", staff, h.approve)
	env.Handle("POST "+Path+"/{id}/supprimer", writers, h.remove)
	env.Handle("POST "+Path+"/{id}/commentaires", talkers, h.comment)
	env.Handle("POST "+Path+"/commentaires/{id}/accepter", staff, h.approveComment)
	env.Handle("POST "+Path+"/commentaires/{id}/supprimer", staff, h.removeComment)
	env.Handle("GET "+MediaPrefix+"{token}", readers, h.media)

	env.Handle("GET /api/v1/blog", readers, h.apiList)
	env.Handle("POST /api/v1/blog", writers, h.apiPublish)
	env.Handle("GET /api/v1/blog/{id}", readers, h.apiPost)
	env.Handle("POST /api/v1/blog/{id}/photos", writers, h.apiPhotos)
	env.Handle("PATCH /api/v1/blog/{id}", writers, h.apiEdit)
	env.Handle("DELETE /api/v1/blog/{id}/photos/{media}", writers, h.apiRemoveMedia)
	env.AllowBody("POST /api/v1/blog/{id}/photos", MaxVideo+1<<20)
	env.Handle("POST /api/v1/blog/{id}/comments", talkers, h.apiComment)
	env.Handle("POST /api/v1/blog/comments/{id}/approve", staff, h.apiApproveComment)
}

// tiles: the class blog on every school profile's home page; the staff's
// counts what waits for approval.
func tiles(env *feature.Env) []web.Tile {
	s := serviceOf(env)
	held := func(r *http.Request) (string, error) {
		n, err := s.HeldCount(r.Context(), web.CurrentUser(r))
		if err != nil || n == 0 {
			return "", err
		}
		return web.N(r, "blog.badge.held", n), nil
	}
	return []web.Tile{
		{Profile: auth.Pupil, Label: "blog.tile.pupil", Href: Path, Icon: "images", Picture: "icons/images", Order: 25},
		{Profile: auth.Parent, Label: "blog.tile.title", Href: Path, Icon: "images", Order: 15, Hint: "blog.tile.parent_hint"},
		{Profile: auth.Teacher, Label: "blog.tile.title", Href: Path, Icon: "images", Order: 35, Hint: "blog.tile.staff_hint", Badge: held},
		{Profile: auth.Director, Label: "blog.tile.title", Href: Path, Icon: "images", Order: 45, Hint: "blog.tile.staff_hint", Badge: held},
	}
}

// panels: the class's latest post with its photos, on the home pages of
// the families, who open Préau for it first.
func panels(env *feature.Env) []web.Panel {
	s := serviceOf(env)
	latest := func(r *http.Request) (any, error) {
		entries, err := s.For(r.Context(), web.CurrentUser(r), "", 1)
		if err != nil || len(entries) == 0 {
			return nil, err
		}
		e := entries[0]
		e.Photos = e.Photos[:min(len(e.Photos), 4)]
		return e, nil
	}
	return []web.Panel{
		{Profile: auth.Parent, Order: 15, Page: "blog/panel", Data: latest},
		{Profile: auth.Pupil, Order: 25, Page: "blog/panel", Data: latest},
	}
}

// listPage is the posts a person sees, with their classes to narrow to
// and a way to post for those who do.
type listPage struct {
	Entries []Entry
	Classes []auth.Class
	ClassID string
	Writer  bool
	Staff   bool
}

func (h *handlers) list(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	classID := r.URL.Query().Get("classe")
	entries, err := h.s.For(r.Context(), u, classID, 0)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	classes, err := feature.ReadableClasses(r.Context(), h.Register, u)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	writable, err := h.s.Writable(r.Context(), u)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Render(w, r, "blog/list", web.T(r, "blog.title"), listPage{Entries: entries, Classes: classes, ClassID: classID,
		Writer: len(writable) > 0, Staff: u.Profile == auth.Teacher || u.Profile == auth.Director})
}

// form is the posting form: the classes offered, and what was typed;
// or, with Post set, the form changing that post's words.
type form struct {
	Draft
	Classes []auth.Class
	Pupil   bool
	Post    *Post
	Staff   bool // may choose the audience
}

func (h *handlers) newPage(w http.ResponseWriter, r *http.Request) {
	h.renderForm(w, r, http.StatusOK, Draft{ClassID: r.URL.Query().Get("classe")}, "")
}

func (h *handlers) renderForm(w http.ResponseWriter, r *http.Request, status int, d Draft, errMsg string) {
	u := web.CurrentUser(r)
	classes, err := h.s.Writable(r.Context(), u)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if len(classes) == 0 {
		h.Error(w, r, http.StatusForbidden, "blog.err.pupils_not_allowed")
		return
	}
	d.Files = nil
	h.RenderStatus(w, r, status, "blog/edit", web.T(r, "blog.new_title"), form{Draft: d, Classes: classes, Pupil: u.Profile == auth.Pupil}, errMsg)
}

func (h *handlers) publish(w http.ResponseWriter, r *http.Request) {
	files, err := web.Uploads(r, "photos")
	d := Draft{ClassID: r.FormValue("classe"), Title: r.FormValue("titre"), Body: r.FormValue("texte"), Audience: r.FormValue("pour"), Files: files}
	var id string
	if err == nil {
		id, err = h.s.Publish(r.Context(), web.CurrentUser(r), d)
	}
	if err != nil {
		if status := web.ErrStatus(err); status < http.StatusInternalServerError {
			h.renderForm(w, r, status, d, web.ErrText(r, err))
			return
		}
		h.Fail(w, r, err)
		return
	}
	if web.CurrentUser(r).Profile == auth.Pupil {
		h.Redirect(w, r, Path+"/"+id, "blog.flash.submitted", "Title", d.Title)
		return
	}
	h.Redirect(w, r, Path+"/"+id, "blog.flash.published", "Title", d.Title)
}

// editPage is the form changing a post's words, for those who may.
func (h *handlers) editPage(w http.ResponseWriter, r *http.Request) {
	e, err := h.s.Entry(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err == nil && !e.CanAdd {
		err = apperr.New(apperr.ErrForbidden, "blog.err.not_yours")
	}
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.renderEdit(w, r, http.StatusOK, e, Draft{Title: e.Title, Body: e.Body, Audience: e.Audience}, "")
}

func (h *handlers) renderEdit(w http.ResponseWriter, r *http.Request, status int, e Entry, d Draft, errMsg string) {
	h.RenderStatus(w, r, status, "blog/edit", web.T(r, "blog.edit_title"),
		form{Draft: d, Post: &e.Post, Staff: e.Staff, Pupil: web.CurrentUser(r).Profile == auth.Pupil}, errMsg)
}

func (h *handlers) edit(w http.ResponseWriter, r *http.Request) {
	u, id := web.CurrentUser(r), r.PathValue("id")
	d := Draft{Title: r.FormValue("titre"), Body: r.FormValue("texte"), Audience: r.FormValue("pour")}
	p, err := h.s.Edit(r.Context(), u, id, d)
	if err != nil {
		status := web.ErrStatus(err)
		if e, lerr := h.s.Entry(r.Context(), u, id); lerr == nil && status < http.StatusInternalServerError && status != http.StatusForbidden {
			h.renderEdit(w, r, status, e, d, web.ErrText(r, err))
			return
		}
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, Path+"/"+p.ID, "blog.flash.saved", "Title", p.Title)
}

func (h *handlers) post(w http.ResponseWriter, r *http.Request) {
	e, err := h.s.Entry(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Render(w, r, "blog/post", e.Title, e)
}

// addFiles adds photos or videos to a post from its page.
func (h *handlers) addFiles(w http.ResponseWriter, r *http.Request) {
	u, id := web.CurrentUser(r), r.PathValue("id")
	files, err := web.Uploads(r, "photos")
	if err == nil {
		err = h.s.AddFiles(r.Context(), u, id, files)
	}
	if err != nil {
		h.failOnPost(w, r, id, err)
		return
	}
	h.Redirect(w, r, Path+"/"+id, "blog.flash.files_added")
}

// failOnPost shows a refusal on the post's page, where the form was; a
// post the reader does not see is not found.
func (h *handlers) failOnPost(w http.ResponseWriter, r *http.Request, id string, err error) {
	if status := web.ErrStatus(err); status < http.StatusInternalServerError && status != http.StatusNotFound {
		if e, lerr := h.s.Entry(r.Context(), web.CurrentUser(r), id); lerr == nil {
			h.RenderStatus(w, r, status, "blog/post", e.Title, e, web.ErrText(r, err))
			return
		}
	}
	h.Fail(w, r, err)
}

func (h *handlers) approve(w http.ResponseWriter, r *http.Request) {
	p, err := h.s.Approve(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, Path+"/"+p.ID, "blog.flash.approved", "Title", p.Title)
}

func (h *handlers) remove(w http.ResponseWriter, r *http.Request) {
	p, err := h.s.Delete(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, Path, "blog.flash.deleted", "Title", p.Title)
}

func (h *handlers) removeMedia(w http.ResponseWriter, r *http.Request) {
	p, err := h.s.RemoveMedia(r.Context(), web.CurrentUser(r), r.PathValue("id"), r.PathValue("media"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, Path+"/"+p.ID, "blog.flash.media_removed")
}

func (h *handlers) comment(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	c, err := h.s.AddComment(r.Context(), web.CurrentUser(r), id, r.FormValue("texte"))
	if err != nil {
		h.failOnPost(w, r, id, err)
		return
	}
	key := "blog.flash.commented"
	if c.Status == Pending {
		key = "blog.flash.comment_held"
	}
	h.Redirect(w, r, Path+"/"+id+"#commentaires", key)
}

func (h *handlers) approveComment(w http.ResponseWriter, r *http.Request) {
	if _, err := h.s.ApproveComment(r.Context(), web.CurrentUser(r), r.PathValue("id")); err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Audited(r, "moderation.approve", "blog/"+r.PathValue("id"))
	h.Redirect(w, r, back(r), "blog.flash.comment_approved")
}

func (h *handlers) removeComment(w http.ResponseWriter, r *http.Request) {
	if _, err := h.s.RemoveComment(r.Context(), web.CurrentUser(r), r.PathValue("id")); err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Audited(r, "moderation.remove", "blog/"+r.PathValue("id"))
	h.Redirect(w, r, back(r), "blog.flash.comment_removed")
}

// back is where a moderation form returns: the post it came from, or the
// queue.
func back(r *http.Request) string {
	if id := r.FormValue("billet"); id != "" && strings.Trim(id, "0123456789abcdef-") == "" {
		return Path + "/" + id + "#commentaires"
	}
	return Path + "/validation"
}

func (h *handlers) heldPage(w http.ResponseWriter, r *http.Request) {
	held, err := h.s.Held(r.Context(), web.CurrentUser(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Render(w, r, "blog/held", web.T(r, "blog.held_title"), held)
}

// settingsForm is a class's choices, with the classes of its staff.
type settingsForm struct {
	Settings
	Classes []auth.Class
}

func (h *handlers) settingsPage(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	classes, err := feature.StaffClasses(r.Context(), h.Register, u)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	classID := r.URL.Query().Get("classe")
	if classID == "" && len(classes) > 0 {
		classID = classes[0].ID
	}
	f := settingsForm{Classes: classes}
	if classID != "" {
		if f.Settings, err = h.s.Settings(r.Context(), u, classID); err != nil {
			h.Fail(w, r, err)
			return
		}
	}
	h.Render(w, r, "blog/settings", web.T(r, "blog.settings_title"), f)
}

func (h *handlers) saveSettings(w http.ResponseWriter, r *http.Request) {
	st := Settings{ClassID: r.FormValue("classe"), PupilsPost: r.FormValue("eleves") == "1", Comments: r.FormValue("commentaires") == "1",
		Moderated: r.FormValue("validation") == "1"}
	if err := h.s.SetSettings(r.Context(), web.CurrentUser(r), st); err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, Path+"/reglages?classe="+st.ClassID, "blog.flash.settings_saved")
}

// media sends a photo (its copy for phones; ?taille=vignette for the
// gallery's thumbnail, ?taille=originale as taken) or a video, with
// ranges, to someone who sees its post. Private caching only: a shared
// cache must never keep a pupil's photo.
func (h *handlers) media(w http.ResponseWriter, r *http.Request) {
	u, token := web.CurrentUser(r), r.PathValue("token")
	size := r.URL.Query().Get("taille")
	w.Header().Set("Cache-Control", "private, max-age=86400")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if size != "originale" {
		m, err := h.s.mediaByToken(r.Context(), token)
		if err == nil && m.Kind == Photo {
			px := store.PhoneSize
			if size == "vignette" {
				px = 0
			}
			b, err := h.s.Resized(r.Context(), u, token, px)
			if err != nil {
				h.Fail(w, r, err)
				return
			}
			w.Header().Set("Content-Type", "image/jpeg")
			w.Header().Set("Content-Length", strconv.Itoa(len(b)))
			w.Write(b)
			return
		}
	}
	m, f, err := h.s.OpenMedia(r.Context(), u, token)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	defer f.Close()
	web.FileHeaders(w, m.Name, m.Type, size == "originale")
	http.ServeContent(w, r, "", time.Time{}, f)
}

// zip streams a post's photos as taken.
func (h *handlers) zip(w http.ResponseWriter, r *http.Request) {
	err := h.s.WriteZip(r.Context(), web.CurrentUser(r), r.PathValue("id"), func(p Post) io.Writer {
		w.Header().Set("Content-Type", "application/zip")
		w.Header().Set("Cache-Control", "private, no-store")
		w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": zipName(p)}))
		return w
	})
	if err != nil {
		if w.Header().Get("Content-Type") == "application/zip" {
			h.Log.Warn("blog: photo archive cut", "post", r.PathValue("id"), "err", err)
			return
		}
		h.Fail(w, r, err)
	}
}

// zipName names a post's archive by its day and title.
func zipName(p Post) string {
	return p.CreatedAt.In(feature.Zone).Format("2006-01-02") + " " + text.Short(p.Title) + ".zip"
}
