package documents

import (
	"io"
	"net/http"
	"net/url"
	"time"

	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/web"
)

// The city's library's pages and API: its documents for every profile of
// a school they are meant for, the DSI's publishing on central, and the
// director's view of the school's cache.

// LibraryPath is the city's library's page.
const LibraryPath = Path + "/ville"

var everyone = web.Only(auth.Pupil, auth.Parent, auth.Teacher, auth.Director, auth.DSI)

func libraryRoutes(env *feature.Env, h *handlers) {
	env.Handle("GET "+LibraryPath, everyone, h.libraryPage)
	env.Handle("POST "+LibraryPath, web.Only(auth.DSI), h.publish)
	env.Handle("GET "+LibraryPath+"/cache", web.Only(auth.Director), h.cachePage)
	env.Handle("GET "+LibraryPath+"/{id}/fichier", everyone, h.download)
	env.Handle("POST "+LibraryPath+"/{id}/supprimer", web.Only(auth.DSI), h.unpublish)
	env.Handle("GET /api/v1/library", everyone, h.apiLibrary)
	env.Handle("POST /api/v1/library", web.Only(auth.DSI), h.apiPublish)
	env.Handle("GET /api/v1/library/cache", web.Only(auth.Director), h.apiCache)
	env.AllowBody("POST /api/v1/library", env.Config.DocMaxFile+1<<20)
	env.AllowBody("POST "+LibraryPath, env.Config.DocMaxFile+1<<20)
}

// libraryPage is what the library's page shows.
type libraryPage struct {
	Documents []Document
	Away      map[string]bool // the documents whose file this school's cache does not hold now
	Refused   map[string]bool // the documents whose file the city did not sign: never served here
	Central   bool            // the DSI publishes here
	Schools   []auth.School   // the DSI's choice of schools
	Director  bool
	MaxFile   int64
	Pupil     bool
	Classes   []auth.Class // a teacher's or director's, to copy a document into
}

func (h *handlers) libraryPage(w http.ResponseWriter, r *http.Request) {
	h.renderLibrary(w, r, http.StatusOK, "")
}

func (h *handlers) renderLibrary(w http.ResponseWriter, r *http.Request, status int, errMsg string) {
	u := web.CurrentUser(r)
	docs, err := h.s.City(r.Context(), u)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	p := libraryPage{Documents: docs, Away: map[string]bool{}, Central: h.s.central && u.Profile == auth.DSI,
		Director: u.Profile == auth.Director && h.s.libraryOf() != nil, MaxFile: h.s.limits.MaxFile, Pupil: u.Profile == auth.Pupil}
	refused := map[string]bool{}
	if lib := h.s.libraryOf(); lib != nil {
		if refused, err = lib.Refused(r.Context()); err != nil {
			h.Fail(w, r, err)
			return
		}
	}
	p.Refused = map[string]bool{}
	for _, d := range docs {
		p.Away[d.ID], p.Refused[d.ID] = !h.DB.Blobs().Has(d.Blob), refused[d.Blob]
	}
	if p.Central {
		p.Schools, err = h.Register.Schools(r.Context())
	} else {
		p.Classes, err = feature.StaffClasses(r.Context(), h.Register, u)
	}
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.RenderStatus(w, r, status, "documents/library", web.T(r, "documents.library.title"), p, errMsg)
}

// publish: the DSI's form, files and the schools ticked (none: all).
func (h *handlers) publish(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	shared := 0
	_, err := web.StreamFiles(r, "fichiers", func(f url.Values, name string, body io.Reader) error {
		_, _, err := h.s.ShareCity(r.Context(), u, Upload{Folder: f.Get("dossier"), Name: name, Size: -1, Content: body}, f["ecoles"])
		if err == nil {
			shared++
		}
		return err
	})
	switch {
	case err == nil && shared == 0:
		h.renderLibrary(w, r, http.StatusBadRequest, web.T(r, "documents.err.no_file"))
	case err == nil:
		h.Redirect(w, r, LibraryPath, "documents.flash.shared", "Count", shared)
	case web.ErrStatus(err) < http.StatusInternalServerError:
		h.renderLibrary(w, r, web.ErrStatus(err), web.ErrText(r, err))
	default:
		h.Fail(w, r, err)
	}
}

func (h *handlers) unpublish(w http.ResponseWriter, r *http.Request) {
	d, err := h.s.Delete(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, LibraryPath, "documents.flash.deleted", "Name", d.Name)
}

// cacheView is the director's page of the school's cache.
type cacheView struct {
	Usage feature.CacheUsage
	Files []cachedDocument
}

// cachedDocument is a file of the library with the documents that share it.
type cachedDocument struct {
	feature.CachedFile
	Names []string
}

func (h *handlers) cachePage(w http.ResponseWriter, r *http.Request) {
	usage, docs, err := h.s.CacheUsage(r.Context(), web.CurrentUser(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	v := cacheView{Usage: usage}
	for _, f := range usage.Files {
		c := cachedDocument{CachedFile: f}
		for _, d := range docs {
			if d.Blob == f.Hash {
				c.Names = append(c.Names, d.Name)
			}
		}
		v.Files = append(v.Files, c)
	}
	h.Render(w, r, "documents/cache", web.T(r, "documents.cache.title"), v)
}

// libraryJSON is a city document as the API gives it.
type libraryJSON struct {
	documentJSON
	Schools []string `json:"schools"`
	Here    bool     `json:"here"` // its file is on this node now
}

// apiLibrary: GET /api/v1/library → the city's documents the caller reads.
func (h *handlers) apiLibrary(w http.ResponseWriter, r *http.Request) {
	docs, err := h.s.City(r.Context(), web.CurrentUser(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	out := []libraryJSON{}
	for _, d := range docs {
		out = append(out, libraryJSON{documentJSON: asJSON(d), Schools: append([]string{}, d.Schools...), Here: h.DB.Blobs().Has(d.Blob)})
	}
	web.JSON(w, http.StatusOK, out)
}

// apiPublish: POST /api/v1/library, multipart (schools, folder, then
// file) → 201 {"id", "sha256", "size"}.
func (h *handlers) apiPublish(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	h.apiReceive(w, r, func(f url.Values, name string, body io.Reader) (Document, bool, error) {
		return h.s.ShareCity(r.Context(), u, Upload{Folder: f.Get("folder"), Name: name, Size: -1, Content: body}, f["schools"])
	})
}

// apiCache: GET /api/v1/library/cache → the school's cache, for its director.
func (h *handlers) apiCache(w http.ResponseWriter, r *http.Request) {
	usage, _, err := h.s.CacheUsage(r.Context(), web.CurrentUser(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	type file struct {
		Name    string `json:"name"` // a document's name, a release's version
		SHA256  string `json:"sha256"`
		Size    int64  `json:"size"`
		Here    bool   `json:"here"`
		Refused bool   `json:"refused"` // the city did not sign it: never fetched nor served
		UsedAt  string `json:"used_at"` // "" when never opened here
	}
	out := struct {
		Max   int64  `json:"max"`
		Used  int64  `json:"used"`
		Files []file `json:"files"`
	}{Max: usage.Max, Used: usage.Used, Files: []file{}}
	for _, f := range usage.Files {
		at := ""
		if (cachedDocument{CachedFile: f}).Opened() {
			at = f.UsedAt.UTC().Format(time.RFC3339)
		}
		out.Files = append(out.Files, file{Name: f.Name, SHA256: f.Hash, Size: f.Size, Here: f.Here, Refused: f.Refused, UsedAt: at})
	}
	web.JSON(w, http.StatusOK, out)
}

// Opened reports whether the file was opened here since it came (a file
// the cache fetched ahead has never been).
func (c cachedDocument) Opened() bool { return c.UsedAt.After(time.Unix(0, 0)) }
