package roster

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"preau/appliance/auth"
	"preau/appliance/web"
)

// The import pages: upload, preview (nothing written), confirmation (all in
// one transaction) and the printable credentials.

// templateRows is the example shown on the import page and in the
// downloadable template, so that both agree: data in the file format,
// French like the school's own files (i18n:data).
var templateRows = [][]string{
	{"élève", "Léa", "Martin", "CE1", "", "", ""},
	{"élève", "Tom", "Martin", "CM2", "", "", ""},
	{"parent", "Sophie", "Martin", "", "Léa Martin|Tom Martin", "sophie.martin@exemple.fr", ""},
	{"enseignant", "Hélène", "Roux", "CP", "", "helene.roux@exemple.fr", "helene.roux"},
}

func templateCSV() string {
	var b strings.Builder
	b.WriteString(strings.Join(ImportColumns, ";") + "\r\n")
	for _, r := range templateRows {
		b.WriteString(strings.Join(r, ";") + "\r\n")
	}
	return b.String()
}

type importPage struct {
	scope
	Classes  []auth.Class
	Example  string
	MaxLines int
}

func (h *handlers) importForm(w http.ResponseWriter, r *http.Request) {
	sc, ok := h.school(w, r)
	if !ok {
		return
	}
	h.renderImportForm(w, r, sc, http.StatusOK, "")
}

func (h *handlers) renderImportForm(w http.ResponseWriter, r *http.Request, sc scope, status int, msg string) {
	classes, err := h.reg.SchoolClasses(r.Context(), sc.School.ID)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.RenderStatus(w, r, status, "roster/import", web.T(r, "roster.import.short_title"), importPage{scope: sc, Classes: classes,
		Example: templateCSV(), MaxLines: MaxImportLines}, msg)
}

// importTemplate downloads the example file, with a BOM so that Excel reads
// its accents right.
func (h *handlers) importTemplate(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="modele-import-preau.csv"`)
	io.WriteString(w, "\uFEFF"+templateCSV())
}

type previewPage struct {
	scope
	Plan Plan
	Text string // the file, sent back with the confirmation
}

// Status is the preview row's CSS class.
func (l Line) Status() string {
	switch l.Outcome {
	case Invalid:
		return "bad"
	case Present:
		return "skip"
	case Update:
		return "update"
	}
	return "new"
}

// importPreview checks an uploaded file and shows what importing it would
// do, line by line. It writes nothing.
func (h *handlers) importPreview(w http.ResponseWriter, r *http.Request) {
	data, uploadErr := readUpload(w, r)
	sc, ok := h.school(w, r)
	if !ok {
		return
	}
	if uploadErr != nil {
		h.importFailed(w, r, sc, uploadErr)
		return
	}
	plan, err := h.reg.Check(r.Context(), sc.School.ID, data)
	if err != nil {
		h.importFailed(w, r, sc, err)
		return
	}
	h.Render(w, r, "roster/import_preview", web.T(r, "roster.import.preview_title"), previewPage{scope: sc, Plan: plan, Text: plan.Text})
}

// importFailed shows the upload form again with a problem of the whole
// file; other errors are internal.
func (h *handlers) importFailed(w http.ResponseWriter, r *http.Request, sc scope, err error) {
	var fe *FileError
	if errors.As(err, &fe) {
		h.renderImportForm(w, r, sc, http.StatusBadRequest, web.ErrText(r, fe))
		return
	}
	h.Fail(w, r, err)
}

// uploadLimit leaves room for the form around a file of MaxImportSize.
const uploadLimit = MaxImportSize + 64<<10

// readUpload returns the uploaded file, or the pasted content.
func readUpload(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	r.Body = http.MaxBytesReader(w, r.Body, uploadLimit)
	media, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if media == "multipart/form-data" {
		if err := r.ParseMultipartForm(uploadLimit); err != nil {
			if web.TooLarge(err) || errors.Is(err, multipart.ErrMessageTooLarge) {
				return nil, fileError("roster.import.too_big", "Max", MaxImportSize>>20)
			}
			return nil, fileError("roster.import.bad_upload")
		}
		f, _, err := r.FormFile("fichier")
		if err == nil {
			defer f.Close()
			return io.ReadAll(io.LimitReader(f, MaxImportSize+1))
		}
		if !errors.Is(err, http.ErrMissingFile) {
			return nil, fileError("roster.import.bad_upload")
		}
	} else if err := r.ParseForm(); err != nil {
		if web.TooLarge(err) {
			return nil, fileError("roster.import.too_big", "Max", MaxImportSize>>20)
		}
		return nil, fileError("roster.import.bad_upload")
	}
	if text := r.PostFormValue("contenu"); strings.TrimSpace(text) != "" {
		return []byte(text), nil
	}
	return nil, fileError("roster.import.nothing_sent")
}

// importConfirm checks the file again, against the school as it is now, and
// imports it all in one transaction; then shows the credentials to print.
func (h *handlers) importConfirm(w http.ResponseWriter, r *http.Request) {
	sc, ok := h.school(w, r)
	if !ok {
		return
	}
	h.importing.Lock()
	defer h.importing.Unlock()
	plan, err := h.reg.Check(r.Context(), sc.School.ID, []byte(r.PostFormValue("contenu")))
	if err != nil {
		h.importFailed(w, r, sc, err)
		return
	}
	if !plan.OK() {
		w.Header().Set("Cache-Control", "no-store")
		h.RenderStatus(w, r, http.StatusBadRequest, "roster/import_preview", web.T(r, "roster.import.preview_title"),
			previewPage{scope: sc, Plan: plan, Text: plan.Text}, web.T(r, "roster.import.refused"))
		return
	}
	creds, err := h.reg.Apply(r.Context(), sc.School.ID, web.CurrentUser(r).ID, plan)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Audited(r, "import.apply", sc.School.ID+" ("+strconv.Itoa(creds.Created())+")")
	h.renderCredentials(w, r, importedPage(r, creds, plan, sc))
}

// importedPage lays out an import's credentials: one sheet per class (a page
// each when printed), then the parents, then the teachers.
func importedPage(r *http.Request, c Credentials, plan Plan, sc scope) credentialsPage {
	p := credentialsPage{Heading: web.T(r, "roster.import.done"), School: sc.School.Name, Back: withEcole("/comptes", sc.Ecole),
		BackLabel: web.T(r, "roster.import.see_accounts")}
	parts := []string{web.N(r, "roster.import.created", c.Created())}
	if plan.Update > 0 {
		parts = append(parts, web.N(r, "roster.import.completed", plan.Update))
	}
	if plan.Present > 0 {
		parts = append(parts, web.N(r, "roster.import.skipped", plan.Present))
	}
	p.Intro = web.T(r, "roster.import.intro", "List", strings.Join(parts, web.T(r, "roster.import.list_sep")))
	for _, s := range c.Classes {
		p.Sheets = append(p.Sheets, sheet{ID: "classe-" + s.Class.ID, Title: web.T(r, "card.class", "Name", s.Class.Name), Cards: s.Cards})
	}
	if len(c.Parents) > 0 {
		p.Sheets = append(p.Sheets, sheet{ID: "parents", Title: web.T(r, "roster.account.parents"), Cards: c.Parents})
	}
	if len(c.Teachers) > 0 {
		p.Sheets = append(p.Sheets, sheet{ID: "enseignants", Title: web.T(r, "roster.teachers"), Cards: c.Teachers})
	}
	return p
}

// credentialsPage shows first-login secrets, once.
type credentialsPage struct {
	Heading, Intro  string
	School          string // printed on every sheet
	Sheets          []sheet
	Back, BackLabel string
}

type sheet struct {
	ID, Title string
	Cards     []Credential
}

// renderCredentials shows secrets that exist nowhere else: the page must not
// stay in a cache.
func (h *handlers) renderCredentials(w http.ResponseWriter, r *http.Request, p credentialsPage) {
	w.Header().Set("Cache-Control", "no-store")
	h.Render(w, r, "roster/credentials", p.Heading, p)
}
