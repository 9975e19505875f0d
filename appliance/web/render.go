package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"preau/appliance/auth"
	"preau/appliance/config"
)

// views parses ui/ templates: every page file is parsed together with the
// layout files (ui/layout/*.html) and the shared partials. In dev mode they
// are parsed again on each render so a template edit shows on reload.
type views struct {
	fsys  fs.FS
	dev   bool
	funcs template.FuncMap
	mu    sync.Mutex
	pages map[string]*template.Template
}

func newViews(fsys fs.FS, dev bool, funcs template.FuncMap) (*views, error) {
	v := &views{fsys: fsys, dev: dev, funcs: funcs}
	if err := v.parseAll(); err != nil {
		return nil, err
	}
	return v, nil
}

func (v *views) parseAll() error {
	layouts, err := fs.Glob(v.fsys, "layout/*.html")
	if err != nil || len(layouts) == 0 {
		return fmt.Errorf("templates: no layout in ui/layout (%v)", err)
	}
	pages := make(map[string]*template.Template)
	err = fs.WalkDir(v.fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") || strings.HasPrefix(p, "layout/") {
			return err
		}
		t, err := template.New(path.Base(p)).Funcs(v.funcs).ParseFS(v.fsys, append([]string{p}, layouts...)...)
		if err != nil {
			return fmt.Errorf("template %s: %w", p, err)
		}
		pages[strings.TrimSuffix(p, ".html")] = t
		return nil
	})
	if err != nil {
		return err
	}
	v.mu.Lock()
	v.pages = pages
	v.mu.Unlock()
	return nil
}

func (v *views) lookup(name string) (*template.Template, error) {
	if v.dev {
		if err := v.parseAll(); err != nil {
			return nil, err
		}
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	t, ok := v.pages[name]
	if !ok {
		return nil, fmt.Errorf("template %q not found", name)
	}
	return t, nil
}

// Page is what every template receives: the page's own data under .Data and
// what the layout needs.
type Page struct {
	Title   string
	User    auth.User
	Session *auth.Session
	Profile auth.Profile
	Path    string
	Flash   string
	Error   string
	Demo    bool
	Central bool
	Data    any
}

// Render writes a page with status 200.
func (s *Server) Render(w http.ResponseWriter, r *http.Request, name, title string, data any) {
	s.RenderStatus(w, r, http.StatusOK, name, title, data, "")
}

// RenderStatus writes a page with a status and an optional error message
// shown above its content (a form sent back with its problem).
func (s *Server) RenderStatus(w http.ResponseWriter, r *http.Request, status int, name, title string, data any, errMsg string) {
	t, err := s.views.lookup(name)
	if err != nil {
		s.Log.Error("render", "template", name, "err", err)
		http.Error(w, "erreur interne", http.StatusInternalServerError)
		return
	}
	u := CurrentUser(r)
	p := Page{Title: title, User: u, Session: CurrentSession(r), Profile: u.Profile,
		Path: r.URL.Path, Flash: s.takeFlash(w, r), Error: errMsg, Demo: s.Config.Demo,
		Central: s.Config.Role == config.RoleCentral, Data: data}
	buf := renderBuffers.Get().(*bytes.Buffer)
	defer putRenderBuffer(buf)
	if err := t.ExecuteTemplate(buf, "base", p); err != nil {
		s.Log.Error("render", "template", name, "err", err)
		http.Error(w, "erreur interne", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Referrer-Policy", "same-origin")
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Content-Security-Policy", contentSecurityPolicy)
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// contentSecurityPolicy lets a page load only Préau's own files, with no
// inline script, in no frame, and send its forms only to Préau: HTML that
// slipped into a page can neither run a script nor make a form post a
// password elsewhere.
const contentSecurityPolicy = "default-src 'self'; img-src 'self' data:; object-src 'none'; " +
	"frame-ancestors 'none'; base-uri 'self'; form-action 'self'"

// renderBuffers recycles the buffers pages are built in (whole, so that a
// template error can still become a 500): growing a new one to a page's
// size made a quarter of the bytes a dashboard page allocated.
var renderBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func putRenderBuffer(b *bytes.Buffer) {
	if b.Cap() > 1<<20 { // a rare huge page should not stay resident
		return
	}
	b.Reset()
	renderBuffers.Put(b)
}

// Error answers with an error: JSON {"error": msg} for the API, an error
// page otherwise. msg is French and shown to the user.
func (s *Server) Error(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if IsAPI(r) {
		JSON(w, status, map[string]string{"error": msg})
		return
	}
	s.RenderStatus(w, r, status, "error", "Erreur", map[string]any{"Status": status, "Message": msg}, "")
}

// Fail answers with the status and message a service error deserves, and
// logs the unexpected ones without their details reaching the user.
func (s *Server) Fail(w http.ResponseWriter, r *http.Request, err error) {
	status := ErrStatus(err)
	msg := err.Error()
	if status == http.StatusInternalServerError {
		s.Log.Error("request failed", "path", r.URL.Path, "err", err)
		msg = "erreur interne : l'incident a été enregistré"
	}
	s.Error(w, r, status, msg)
}

// JSON writes v as JSON.
func JSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// DecodeJSON reads a JSON body into v (see ReadJSON) and answers the client
// itself when it cannot: the handler just returns on false.
func (s *Server) DecodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := ReadJSON(r.Body, v); err != nil {
		if TooLarge(err) {
			s.Error(w, r, http.StatusRequestEntityTooLarge, "envoi trop volumineux")
		} else {
			s.Error(w, r, http.StatusBadRequest, "requête JSON invalide : "+err.Error())
		}
		return false
	}
	return true
}

// ReadJSON decodes exactly one JSON object from body into v. Unknown fields
// and anything but white space after the object are refused: a client whose
// request says more than we read must not believe it was all applied. The
// error is a French phrase saying what to send, to follow "requête JSON
// invalide : " or the like; a body over the size limit gives the reader's
// error, which TooLarge recognizes.
func ReadJSON(body io.Reader, v any) error {
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonProblem(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		if TooLarge(err) {
			return err
		}
		return errors.New("envoyez un seul objet JSON, sans rien après lui")
	}
	return nil
}

// jsonProblem turns a decoding error into what to do about it: Go's text
// would tell a user about Go.
func jsonProblem(err error) error {
	var typeErr *json.UnmarshalTypeError
	switch {
	case TooLarge(err):
		return err
	case errors.Is(err, io.EOF):
		return errors.New("corps vide, un objet JSON est attendu")
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return fmt.Errorf("le champ « %s » doit être %s", typeErr.Field, jsonKind(typeErr.Type))
	}
	// DisallowUnknownFields' error has no type of its own, only this text.
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if n, err := strconv.Unquote(name); err == nil {
			name = n
		}
		return fmt.Errorf("champ « %s » inconnu, retirez-le", name)
	}
	return errors.New("corps attendu sous forme d'un objet JSON bien formé")
}

// jsonKind names, for a user, the JSON a Go type is read from.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "du texte entre guillemets"
	case reflect.Bool:
		return "true ou false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "un nombre"
	case reflect.Slice, reflect.Array:
		return "une liste"
	}
	return "un objet"
}

const flashCookie = "preau_flash"

// Redirect sends the browser to target after a form, with a message shown
// once on the next page.
func (s *Server) Redirect(w http.ResponseWriter, r *http.Request, target, flash string) {
	if flash != "" {
		http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(flash), Path: "/", HttpOnly: true,
			Secure: s.Config.TLS(), SameSite: http.SameSiteLaxMode, MaxAge: 60})
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

func (s *Server) takeFlash(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Path: "/", MaxAge: -1, HttpOnly: true})
	msg, _ := url.QueryUnescape(c.Value)
	return msg
}

var frenchDays = []string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}
var frenchMonths = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
	"septembre", "octobre", "novembre", "décembre"}

// FrenchDate writes "lundi 3 novembre 2026".
func FrenchDate(t time.Time) string {
	return fmt.Sprintf("%s %d %s %d", frenchDays[t.Weekday()], t.Day(), frenchMonths[t.Month()-1], t.Year())
}

func (s *Server) funcs() template.FuncMap {
	return template.FuncMap{
		"frenchDate": FrenchDate,
		"today":      func() time.Time { return time.Now() },
		"pictures":   func() any { return auth.Pictures },
		"slotsLeft": func(chosen int) []int {
			return make([]int, max(0, auth.PictureLength-chosen))
		},
		"profileLabel": func(p auth.Profile) string {
			return p.Label()
		},
		"initials": func(name string) string {
			var out []rune
			for _, f := range strings.Fields(name) {
				out = append(out, []rune(f)[0])
				if len(out) == 2 {
					break
				}
			}
			return strings.ToUpper(string(out))
		},
		"active": func(current, href string) bool {
			return current == href || (href != "/" && strings.HasPrefix(current, href+"/"))
		},
		"add": func(a, b int) int { return a + b },
		"mul": func(a, b int) int { return a * b },
		"plural": func(n any, one, many string) string {
			// French: 0 and 1 take the singular.
			if v := fmt.Sprint(n); v == "0" || v == "1" {
				return v + " " + one
			}
			return fmt.Sprintf("%v %s", n, many)
		},
	}
}
