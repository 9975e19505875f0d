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
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/web"
)

// Feature is the lesson documents.
var Feature = feature.Feature{Name: "documents", Schema: Schema, Routes: routes, Tiles: tiles, Demo: feature.Demo{Seed: demo}}

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
	// Files are larger than other requests: one file through the API, the
	// page's form several at once, up to what a person may share.
	c := env.Config
	env.AllowBody("POST /api/v1/documents", c.DocMaxFile+1<<20)
	env.AllowBody("POST "+Path, max(c.DocMaxFile, min(c.DocUserQuota, c.DocSchoolQuota))+1<<20)
}

// tiles: the documents of the class, for every profile that reads them.
func tiles(*feature.Env) []web.Tile {
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
	h.render(w, r, http.StatusOK, "")
}

// render draws the page of the class asked (?classe=, or a parent's
// ?enfant=), with a form's problem.
func (h *handlers) render(w http.ResponseWriter, r *http.Request, status int, errMsg string) {
	u := web.CurrentUser(r)
	p := classPage{Folder: r.FormValue("dossier"), Me: u.ID, Director: u.Profile == auth.Director, MaxFile: h.s.limits.MaxFile}
	var err error
	if u.Profile == auth.Parent {
		if p.Children, err = h.Register.Children(r.Context(), u.ID); err != nil {
			h.Fail(w, r, err)
			return
		}
		if len(p.Children) > 0 {
			p.Child = p.Children[0]
			if i := slices.IndexFunc(p.Children, func(c auth.User) bool { return c.ID == r.FormValue("enfant") }); i >= 0 {
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
		if i := slices.IndexFunc(p.Classes, func(c auth.Class) bool { return c.ID == r.FormValue("classe") }); i >= 0 {
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
	var shared []Document
	fields, err := eachFile(r, "fichiers", func(f fields, name string, body io.Reader) error {
		d, _, err := h.s.Share(r.Context(), u, Upload{ClassID: f["classe"], Folder: f["dossier"], Name: name, Size: -1, Content: body})
		if err == nil {
			shared = append(shared, d)
		}
		return err
	})
	back := ClassURL(fields["classe"], fields["dossier"])
	switch {
	case err != nil && web.ErrStatus(err) < http.StatusInternalServerError:
		r.Form = url.Values{"classe": {fields["classe"]}, "dossier": {fields["dossier"]}}
		h.render(w, r, web.ErrStatus(err), web.ErrText(r, err))
	case err != nil:
		h.Fail(w, r, err)
	case len(shared) == 0:
		r.Form = url.Values{"classe": {fields["classe"]}}
		h.render(w, r, http.StatusBadRequest, web.T(r, "documents.err.no_file"))
	default:
		h.Redirect(w, r, back, "documents.flash.shared", "Count", len(shared))
	}
}

// fields are a multipart form's text fields.
type fields map[string]string

// eachFile reads a multipart form as it arrives: its text fields, and each
// file of the field named file, handed to share with the fields read
// before it (a form's fields come before its files). The first error
// stops it. A form that is not multipart has fields and no file.
func eachFile(r *http.Request, file string, share func(f fields, name string, body io.Reader) error) (fields, error) {
	f := fields{}
	mr, err := r.MultipartReader()
	if err != nil {
		r.ParseForm()
		for k := range r.PostForm {
			f[k] = r.PostForm.Get(k)
		}
		return f, nil
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return f, nil
		}
		if err != nil {
			return f, unreadable(err)
		}
		err = readPart(part, file, f, share)
		part.Close()
		if err != nil {
			return f, err
		}
	}
}

func readPart(part *multipart.Part, file string, f fields, share func(f fields, name string, body io.Reader) error) error {
	if part.FormName() == file {
		if part.FileName() == "" {
			return nil // the input left empty
		}
		return share(f, part.FileName(), part)
	}
	if part.FileName() != "" {
		return nil
	}
	b, err := io.ReadAll(io.LimitReader(part, 4<<10))
	if err != nil {
		return unreadable(err)
	}
	f[part.FormName()] = string(b)
	return nil
}

// unreadable is a form that could not be read to its end: too large, or
// cut.
func unreadable(err error) error {
	if web.TooLarge(err) {
		return apperr.New(apperr.ErrTooLarge, "upload.too_big")
	}
	return apperr.New(apperr.ErrInvalid, "upload.unreadable")
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
	disposition := "attachment"
	if d.Inline() {
		disposition = "inline"
	}
	w.Header().Set("Content-Type", d.Type)
	w.Header().Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": d.Name}))
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
