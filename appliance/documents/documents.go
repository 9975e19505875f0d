// Package documents is the lesson documents: a class's teachers share
// files with it, in folders one level deep; its pupils and their parents
// open and download them. Each file is a blob stored once by its SHA-256,
// however many classes it is shared with, and follows sync as blobs do;
// pictures get thumbnails. Quotas per person and per school come from the
// configuration (documents.*).
//
// It imports auth, store, text, web, notify and feature; no other feature.
package documents

import (
	"io"
	"net/http"
	"net/url"
	"slices"
	"time"

	"preau/appliance/auth"
	"preau/appliance/config"
	"preau/appliance/feature"
	"preau/appliance/web"
)

// Feature is the lesson documents.
var Feature = feature.Feature{Name: "documents", Personal: feature.Personal{Export: personalExport}, Search: []feature.SearchSource{searchSource}, Schema: Schema, Routes: routes, Tiles: tiles, Demo: feature.Demo{Seed: demo}}

// Path is the documents' page, for every profile that reads them.
const Path = "/documents"

// ClassURL is the page of a class's documents, at a folder ("" for all).
func ClassURL(classID, folder string) string {
	q := url.Values{"classe": {classID}}
	if folder != "" {
		q.Set("dossier", folder)
	}
	return Path + "?" + q.Encode()
}

type handlers struct {
	*feature.Env
	s *Service
}

var (
	writers = web.Only(auth.Teacher, auth.Director)
	readers = web.Only(auth.Pupil, auth.Parent, auth.Teacher, auth.Director)
)

// serviceOf is the node's service, with the configured limits, telling
// through its hub.
func serviceOf(env *feature.Env) *Service {
	c := env.Config
	s := NewService(env.DB, env.Register, Limits{MaxFile: c.DocMaxFile, UserQuota: c.DocUserQuota, SchoolQuota: c.DocSchoolQuota})
	s.hub = env.Notify
	s.central = c.Role == config.RoleCentral
	s.library = func() feature.Library { return env.Library } // sync sets it after this feature registers
	return s
}

func routes(env *feature.Env) {
	h := &handlers{Env: env, s: serviceOf(env)}
	env.Handle("GET "+Path, readers, h.page)
	env.Handle("POST "+Path, writers, h.upload)
	env.Handle("GET "+Path+"/occupation", web.Only(auth.Director), h.usagePage)
	env.Handle("GET "+Path+"/{id}/fichier", readers, h.download)
	env.Handle("GET "+Path+"/{id}/vignette", readers, h.thumbnail)
	env.Handle("POST "+Path+"/{id}/dossier", writers, h.move)
	env.Handle("POST "+Path+"/{id}/copier", writers, h.copy)
	env.Handle("POST "+Path+"/{id}/supprimer", writers, h.remove)
	env.Handle("GET /api/v1/documents", readers, h.apiList)
	env.Handle("POST /api/v1/documents", writers, h.apiUpload)
	env.Handle("GET /api/v1/documents/usage", web.Only(auth.Director), h.apiUsage)
	env.Handle("GET /api/v1/documents/{id}/content", readers, h.download)
	env.Handle("DELETE /api/v1/documents/{id}", writers, h.apiDelete)
	libraryRoutes(env, h)
	// Files are larger than other requests: one file through the API, the
	// page's form several at once, up to what a person may share.
	c := env.Config
	env.AllowBody("POST /api/v1/documents", c.DocMaxFile+1<<20)
	env.AllowBody("POST "+Path, max(c.DocMaxFile, min(c.DocUserQuota, c.DocSchoolQuota))+1<<20)
}

// tiles: the documents of the class, for every profile that reads them;
// on central, the city's library for its DSI.
func tiles(env *feature.Env) []web.Tile {
	if env.Config.Role == config.RoleCentral {
		return []web.Tile{{Profile: auth.DSI, Label: "documents.tile.dsi", Href: LibraryPath, Icon: "bibliotheque", Order: 45, Hint: "documents.tile.dsi_hint"}}
	}
	return []web.Tile{
		{Profile: auth.Pupil, Label: "documents.tile.pupil", Href: Path, Icon: "documents", Picture: "icons/documents", Order: 30},
		{Profile: auth.Parent, Label: "documents.tile.title", Href: Path, Icon: "documents", Order: 30, Hint: "documents.tile.parent_hint"},
		{Profile: auth.Teacher, Label: "documents.tile.title", Href: Path, Icon: "documents", Order: 25, Hint: "documents.tile.teacher_hint"},
		{Profile: auth.Director, Label: "documents.tile.title", Href: Path, Icon: "documents", Order: 45, Hint: "documents.tile.director_hint"},
	}
}

// classPage is a class's documents as its page shows them.
type classPage struct {
	Classes   []auth.Class // the classes u reads (or a parent's children's)
	Children  []auth.User  // a parent's
	Child     auth.User
	Class     auth.Class
	Folders   []string
	Folder    string // the one shown, "" for all
	Documents []Document
	Staff     bool  // u shares documents with the class
	Room      int64 // what u may still share
	MaxFile   int64
	Me        string
	Director  bool
}

func (h *handlers) page(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, place{class: r.FormValue("classe"), folder: r.FormValue("dossier"), child: r.FormValue("enfant")}, "")
}

// place is what a documents page shows: a class ("" for the first), a
// folder ("" for all), a parent's child ("" for the first).
type place struct{ class, folder, child string }

// render draws the documents of a place, with a form's problem.
func (h *handlers) render(w http.ResponseWriter, r *http.Request, status int, at place, errMsg string) {
	u := web.CurrentUser(r)
	p := classPage{Folder: at.folder, Me: u.ID, Director: u.Profile == auth.Director, MaxFile: h.s.limits.MaxFile}
	var err error
	if u.Profile == auth.Parent {
		if p.Children, err = h.Register.Children(r.Context(), u.ID); err != nil {
			h.Fail(w, r, err)
			return
		}
		if len(p.Children) > 0 {
			p.Child = p.Children[0]
			if i := slices.IndexFunc(p.Children, func(c auth.User) bool { return c.ID == at.child }); i >= 0 {
				p.Child = p.Children[i]
			}
			p.Classes, err = h.Register.UserClasses(r.Context(), p.Child.ID)
		}
	} else {
		p.Classes, err = h.s.ReadableClasses(r.Context(), u)
	}
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if len(p.Classes) > 0 {
		p.Class = p.Classes[0]
		if i := slices.IndexFunc(p.Classes, func(c auth.Class) bool { return c.ID == at.class }); i >= 0 {
			p.Class = p.Classes[i]
		}
		all, err := h.s.List(r.Context(), u, p.Class.ID)
		if err != nil {
			h.Fail(w, r, err)
			return
		}
		p.Folders = Folders(all)
		for _, d := range all {
			if p.Folder == "" || d.Folder == p.Folder {
				p.Documents = append(p.Documents, d)
			}
		}
		if _, staff, err := feature.ClassStaff(r.Context(), h.Register, u, p.Class.ID); err == nil && staff {
			p.Staff = true
			if p.Room, err = h.s.Room(r.Context(), u); err != nil {
				h.Fail(w, r, err)
				return
			}
		}
	}
	name := "documents/class"
	if u.Profile == auth.Pupil {
		name = "documents/pupil"
	}
	h.RenderStatus(w, r, status, name, web.T(r, "documents.title"), p, errMsg)
}

// upload shares the files of the page's form, one after the other as they
// arrive: none is kept whole in memory or in a temporary file first.
func (h *handlers) upload(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	shared := 0
	f, err := web.StreamFiles(r, "fichiers", func(f url.Values, name string, body io.Reader) error {
		_, _, err := h.s.Share(r.Context(), u, Upload{ClassID: f.Get("classe"), Folder: f.Get("dossier"), Name: name, Size: -1, Content: body})
		if err == nil {
			shared++
		}
		return err
	})
	at := place{class: f.Get("classe"), folder: f.Get("dossier")}
	switch {
	case err == nil && shared == 0:
		h.render(w, r, http.StatusBadRequest, at, web.T(r, "documents.err.no_file"))
	case err == nil:
		h.Redirect(w, r, ClassURL(at.class, at.folder), "documents.flash.shared", "Count", shared)
	case web.ErrStatus(err) < http.StatusInternalServerError:
		h.render(w, r, web.ErrStatus(err), at, web.ErrText(r, err))
	default:
		h.Fail(w, r, err)
	}
}

// download sends a document's file: shown in the browser when its type
// runs nothing (a PDF, a picture, a sound), saved otherwise.
func (h *handlers) download(w http.ResponseWriter, r *http.Request) {
	d, content, err := h.s.Open(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	defer content.Close()
	web.FileHeaders(w, d.Name, d.Type, false)
	w.Header().Set("Cache-Control", "private, max-age=3600")
	w.Header().Set("ETag", `"`+d.Blob+`"`)
	http.ServeContent(w, r, "", time.Time{}, content)
}

func (h *handlers) thumbnail(w http.ResponseWriter, r *http.Request) {
	b, err := h.s.Thumbnail(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "private, max-age=86400")
	w.Write(b)
}

// formDone answers a form on one document: back to its class's page with
// a message, or its problem.
func (h *handlers) formDone(w http.ResponseWriter, r *http.Request, d Document, err error, flash string) {
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, ClassURL(d.ClassID, d.Folder), flash, "Name", d.Name)
}

func (h *handlers) move(w http.ResponseWriter, r *http.Request) {
	d, err := h.s.Move(r.Context(), web.CurrentUser(r), r.PathValue("id"), r.PostFormValue("dossier"))
	h.formDone(w, r, d, err, "documents.flash.moved")
}

func (h *handlers) copy(w http.ResponseWriter, r *http.Request) {
	d, err := h.s.Copy(r.Context(), web.CurrentUser(r), r.PathValue("id"), r.PostFormValue("classe"))
	h.formDone(w, r, d, err, "documents.flash.copied")
}

func (h *handlers) remove(w http.ResponseWriter, r *http.Request) {
	d, err := h.s.Delete(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	h.formDone(w, r, d, err, "documents.flash.deleted")
}

func (h *handlers) usagePage(w http.ResponseWriter, r *http.Request) {
	usage, err := h.s.Usage(r.Context(), web.CurrentUser(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Render(w, r, "documents/usage", web.T(r, "documents.usage.title"), usage)
}
