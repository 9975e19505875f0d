package documents

import (
	"io"
	"net/http"
	"net/url"

	"preau/appliance/apperr"
	"preau/appliance/web"
)

// documentJSON is a document as the API gives it.
type documentJSON struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Size    int64  `json:"size"`
	SHA256  string `json:"sha256"`
	Folder  string `json:"folder"`
	ClassID string `json:"class_id"`
	Type    string `json:"type"`
	Created string `json:"created"`
}

func asJSON(d Document) documentJSON {
	return documentJSON{ID: d.ID, Name: d.Name, Size: d.Size, SHA256: d.Blob, Folder: d.Folder, ClassID: d.ClassID, Type: d.Type,
		Created: d.CreatedAt.UTC().Format("2006-01-02T15:04:05Z")}
}

// apiList: GET /api/v1/documents?class_id= → a class's documents; without
// class_id, those of every class the caller reads.
func (h *handlers) apiList(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	ids := []string{r.FormValue("class_id")}
	if ids[0] == "" {
		classes, err := h.s.ReadableClasses(r.Context(), u)
		if err != nil {
			h.Fail(w, r, err)
			return
		}
		ids = ids[:0]
		for _, c := range classes {
			ids = append(ids, c.ID)
		}
	}
	out := []documentJSON{}
	for _, id := range ids {
		ds, err := h.s.List(r.Context(), u, id)
		if err != nil {
			h.Fail(w, r, err)
			return
		}
		for _, d := range ds {
			out = append(out, asJSON(d))
		}
	}
	web.JSON(w, http.StatusOK, out)
}

// apiUpload: POST /api/v1/documents, multipart (class_id, folder, then
// file) → 201 {"id", "sha256", "size"}; the same file sent again to the
// same place answers 200 with the document already there.
func (h *handlers) apiUpload(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	h.apiReceive(w, r, func(f url.Values, name string, body io.Reader) (Document, bool, error) {
		return h.s.Share(r.Context(), u, Upload{ClassID: f.Get("class_id"), Folder: f.Get("folder"), Name: name, Size: -1, Content: body})
	})
}

// apiReceive answers an API upload of one file (multipart, its fields
// first, then "file"), stored by share: 201 for a new document, 200 for
// the same file sent again to the same place.
func (h *handlers) apiReceive(w http.ResponseWriter, r *http.Request, share func(f url.Values, name string, body io.Reader) (Document, bool, error)) {
	var doc *Document
	var again bool
	_, err := web.StreamFiles(r, "file", func(f url.Values, name string, body io.Reader) error {
		if doc != nil {
			return apperr.New(apperr.ErrInvalid, "documents.err.one_file")
		}
		d, created, err := share(f, name, body)
		if err == nil {
			doc, again = &d, !created
		}
		return err
	})
	if err == nil && doc == nil {
		err = apperr.New(apperr.ErrInvalid, "documents.err.no_file")
	}
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	status := http.StatusCreated
	if again {
		status = http.StatusOK
	}
	web.JSON(w, status, map[string]any{"id": doc.ID, "sha256": doc.Blob, "size": doc.Size})
}

// apiDelete: DELETE /api/v1/documents/{id}, by whoever shared it or the
// director.
func (h *handlers) apiDelete(w http.ResponseWriter, r *http.Request) {
	if _, err := h.s.Delete(r.Context(), web.CurrentUser(r), r.PathValue("id")); err != nil {
		h.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, map[string]bool{"deleted": true})
}

// apiUsage: GET /api/v1/documents/usage → what the school's documents
// take, for its director.
func (h *handlers) apiUsage(w http.ResponseWriter, r *http.Request) {
	usage, err := h.s.Usage(r.Context(), web.CurrentUser(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	type author struct {
		ID    string `json:"id"`
		Name  string `json:"name"`
		Size  int64  `json:"size"`
		Files int    `json:"files"`
	}
	out := struct {
		Size       int64    `json:"size"`
		Quota      int64    `json:"quota"`
		Files      int      `json:"files"`
		UserQuota  int64    `json:"user_quota"`
		ByTeachers []author `json:"by_author"`
	}{Size: usage.Total, Quota: usage.Quota, Files: usage.Files, UserQuota: h.s.limits.UserQuota, ByTeachers: []author{}}
	for _, a := range usage.Authors {
		out.ByTeachers = append(out.ByTeachers, author{ID: a.AuthorID, Name: a.Name, Size: a.Size, Files: a.Files})
	}
	web.JSON(w, http.StatusOK, out)
}
