package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/config"
	"preau/appliance/i18n"
)

// views parses ui/ templates: every page file is parsed together with the
// layout files (ui/layout/*.html) and the shared partials. In dev mode they
// are parsed again on each render so a template edit shows on reload.
//
// Each page is parsed once and cloned for each language, the clone's
// template functions (t, tn, date…) speaking that language: a template
// says {{t "key"}} and the request's language picks the clone.
type views struct {
	fsys  fs.FS
	dev   bool
	funcs func(*i18n.Localizer) template.FuncMap
	mu    sync.Mutex
	pages map[i18n.Lang]map[string]*template.Template
	// layouts are the layout files alone, per language: their partials
	// are drawn ({{drawn}}) the same on every page.
	layouts map[i18n.Lang]*template.Template
	drawn   drawings
}

func newViews(fsys fs.FS, dev bool, funcs func(*i18n.Localizer) template.FuncMap) (*views, error) {
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
	pages := make(map[i18n.Lang]map[string]*template.Template)
	partials := make(map[i18n.Lang]*template.Template)
	for _, l := range i18n.Langs {
		pages[l] = make(map[string]*template.Template)
		if partials[l], err = v.parse(i18n.For(l), "", layouts); err != nil {
			return fmt.Errorf("templates: %w", err)
		}
	}
	err = fs.WalkDir(v.fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") || strings.HasPrefix(p, "layout/") {
			return err
		}
		name := strings.TrimSuffix(p, ".html")
		for _, l := range i18n.Langs {
			t, err := v.parse(i18n.For(l), name, append([]string{p}, layouts...))
			if err != nil {
				return fmt.Errorf("template %s: %w", p, err)
			}
			pages[l][name] = t
		}
		return nil
	})
	if err != nil {
		return err
	}
	v.mu.Lock()
	v.pages, v.layouts = pages, partials
	v.mu.Unlock()
	v.drawn.forget()
	return nil
}

// parse parses files (the page, then the layouts; or the layouts alone,
// page "") for one language. A plain
// {{t "key"}} (no argument) is put into words once, here, as escaped text:
// it is the same on every page view, and most of a page's sentences are
// such, so rendering does not pay a function call for each.
func (v *views) parse(l *i18n.Localizer, page string, files []string) (*template.Template, error) {
	var t *template.Template
	for _, f := range files {
		src, err := fs.ReadFile(v.fsys, f)
		if err != nil {
			return nil, err
		}
		text := plainKey.ReplaceAllStringFunc(string(src), func(action string) string {
			return html.EscapeString(l.T(plainKey.FindStringSubmatch(action)[1]))
		})
		if t == nil {
			t = template.New(path.Base(f)).Funcs(v.funcs(l)).Funcs(template.FuncMap{
				// drawn is a partial drawn with a value, kept by value (drawn.go).
				"drawn": func(name string, data any) (template.HTML, error) { return v.draw(l.Lang, page, name, data) },
			})
		} else {
			t = t.New(path.Base(f))
		}
		if _, err := t.Parse(text); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
	}
	return t.Lookup(path.Base(files[0])), nil
}

// plainKey is a {{t "key"}} action with no argument.
var plainKey = regexp.MustCompile(`\{\{\s*t\s+"([a-z][a-z0-9_.]*)"\s*\}\}`)

func (v *views) lookup(name string, lang i18n.Lang) (*template.Template, error) {
	if v.dev {
		if err := v.parseAll(); err != nil {
			return nil, err
		}
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	t, ok := v.pages[lang][name]
	if !ok {
		return nil, fmt.Errorf("template %q not found", name)
	}
	return t, nil
}

// Page is what every template receives: the page's own data under .Data and
// what the layout needs.
type Page struct {
	Lang    i18n.Lang
	Title   string
	User    auth.User
	Session *auth.Session
	Profile auth.Profile
	Path    string
	Flash   string
	Error   string
	Demo    bool
	Central bool
	// Bell shows the top bar's notifications, Unread of them not read
	// yet (see SetUnread).
	Bell   bool
	Unread int
	Data   any
	Theme  auth.Profile // the colours: the profile's, the pupils' on their sign-in pages
	Bar    TopBar
}

// TopBar is what the layout's top bar shows (the partial "topbar"), in
// plain values: it is drawn once for each of them ({{drawn}}), since it is
// on every page.
type TopBar struct {
	SignedIn               bool
	Profile                auth.Profile
	Name, FirstName, Login string
	Initials               string // their avatar
	Role                   string // the profile's name in the reader's language
	RoleTag                string // Role beside their name, "" when it is their name ("Direction")
	Here                   Here
	Bell                   bool
	Unread                 int
}

// SearchPath is the search's page, where the top bar's search box goes
// (the search feature serves it).
const SearchPath = "/recherche"

// Here marks the top bar's link to the page shown (aria-current).
type Here struct{ Home, Bell, Account, Password, Search bool }

// Render writes a page with status 200. title is already in the reader's
// language (web.T).
func (s *Server) Render(w http.ResponseWriter, r *http.Request, name, title string, data any) {
	s.RenderStatus(w, r, http.StatusOK, name, title, data, "")
}

// RenderStatus writes a page with a status and an optional error message
// shown above its content (a form sent back with its problem), both in the
// reader's language (web.T, web.ErrText).
func (s *Server) RenderStatus(w http.ResponseWriter, r *http.Request, status int, name, title string, data any, errMsg string) {
	lang := Lang(r)
	t, err := s.views.lookup(name, lang)
	if err != nil {
		s.Log.Error("render", "template", name, "err", err)
		http.Error(w, T(r, "error.internal"), http.StatusInternalServerError)
		return
	}
	p := s.page(r, data)
	p.Title, p.Flash, p.Error = title, s.takeFlash(w, r), errMsg
	if p.User.ID != "" && s.unread != nil {
		p.Bell = true
		n, err := s.unread(r)
		if err != nil {
			s.Log.Warn("unread notifications", "err", err)
		}
		p.Unread = n
	}
	p.Bar = topBar(r, p.User, p.Path, p.Bell, p.Unread)
	buf := renderBuffers.Get().(*bytes.Buffer)
	defer putRenderBuffer(buf)
	if err := t.ExecuteTemplate(buf, "base", p); err != nil {
		s.Log.Error("render", "template", name, "err", err)
		http.Error(w, T(r, "error.internal"), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8") // and so PageCSP (SecureHeaders)
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// page is what every template is given about the request, with data.
func (s *Server) page(r *http.Request, data any) Page {
	u := CurrentUser(r)
	return Page{Lang: Lang(r), User: u, Session: CurrentSession(r), Profile: u.Profile, Path: r.URL.Path, Demo: s.Config.Demo,
		Central: s.Config.Role == config.RoleCentral, Data: data, Theme: theme(u.Profile, r.URL.Path)}
}

// theme is a page's colours: the profile's, except on the pages where
// young pupils sign in, which already speak to them in their orange.
func theme(p auth.Profile, path string) auth.Profile {
	for _, signIn := range []string{"/connexion/images", "/connexion/carte", "/carte"} {
		if path == signIn || strings.HasPrefix(path, signIn+"/") {
			return auth.Pupil
		}
	}
	return p
}

// topBar is the top bar of a page at path for u, with unread
// notifications when bell.
func topBar(r *http.Request, u auth.User, path string, bell bool, unread int) TopBar {
	if u.ID == "" {
		return TopBar{}
	}
	b := TopBar{SignedIn: true, Profile: u.Profile, Name: u.DisplayName, FirstName: u.FirstName, Login: u.Login,
		Initials: Initials(u.DisplayName), Role: T(r, "profile."+string(u.Profile)), Bell: bell, Unread: unread,
		Here: Here{Home: path == HomePath, Bell: path == "/notifications", Account: path == "/mon-compte", Password: path == "/mot-de-passe", Search: path == SearchPath}}
	if b.Role != b.Name {
		b.RoleTag = b.Role
	}
	return b
}

// panel draws the "content" of a page template alone, for a home page's
// panel, with data as .Data and the user's profile as .Profile: all a
// panel may read, so that it is drawn again only when they differ
// ({{drawn}}).
func (s *Server) panel(r *http.Request, name string, data any) (template.HTML, error) {
	return s.views.draw(Lang(r), name, "content", panelView{Profile: CurrentUser(r).Profile, Data: data})
}

// panelView is what a panel's template is given.
type panelView struct {
	Profile auth.Profile
	Data    any
}

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
// page otherwise. The message is the catalogue's key with its arguments
// (name, value pairs), said in the reader's language.
func (s *Server) Error(w http.ResponseWriter, r *http.Request, status int, key string, args ...any) {
	s.errorText(w, r, status, T(r, key, args...))
}

func (s *Server) errorText(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if IsAPI(r) {
		JSON(w, status, map[string]string{"error": msg})
		return
	}
	s.RenderStatus(w, r, status, "error", T(r, "error.title"), map[string]any{"Status": status, "Message": msg}, "")
}

// Fail answers with the status and message a service error deserves, and
// logs the unexpected ones without their details reaching the user.
func (s *Server) Fail(w http.ResponseWriter, r *http.Request, err error) {
	status := ErrStatus(err)
	if status == http.StatusInternalServerError {
		s.Log.Error("request failed", "path", r.URL.Path, "err", err)
		s.Error(w, r, status, "error.internal")
		return
	}
	s.errorText(w, r, status, ErrText(r, err))
}

// T is the catalogue's message key in the request's language, with name,
// value pairs as arguments.
func T(r *http.Request, key string, args ...any) string {
	return i18n.For(Lang(r)).T(key, args...)
}

// N is the catalogue's counting message key for n in the request's language.
func N(r *http.Request, key string, n int, args ...any) string {
	return i18n.For(Lang(r)).N(key, n, args...)
}

// ErrText is what the request's reader is told of a service error.
func ErrText(r *http.Request, err error) string { return i18n.ErrorText(err, Lang(r)) }

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
			s.Error(w, r, http.StatusRequestEntityTooLarge, "error.too_large")
		} else {
			s.Error(w, r, http.StatusBadRequest, "error.json.invalid", "Reason", ErrText(r, err))
		}
		return false
	}
	return true
}

// ReadJSON decodes exactly one JSON object from body into v. Unknown fields
// and anything but white space after the object are refused: a client whose
// request says more than we read must not believe it was all applied. The
// error is a phrase saying what to send (an apperr of kind ErrInvalid, in
// the reader's language through ErrText), to follow "requête JSON
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
		return apperr.New(apperr.ErrInvalid, "error.json.one_object")
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
		return apperr.New(apperr.ErrInvalid, "error.json.empty")
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return apperr.New(apperr.ErrInvalid, "error.json.field_type", "Field", typeErr.Field, "Kind", jsonKind(typeErr.Type))
	}
	// DisallowUnknownFields' error has no type of its own, only this text.
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if n, err := strconv.Unquote(name); err == nil {
			name = n
		}
		return apperr.New(apperr.ErrInvalid, "error.json.unknown_field", "Field", name)
	}
	return apperr.New(apperr.ErrInvalid, "error.json.malformed")
}

// jsonKind names, for a user, the JSON a Go type is read from.
func jsonKind(t reflect.Type) i18n.Message {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return i18n.M("error.json.kind_string")
	case reflect.Bool:
		return i18n.M("error.json.kind_bool")
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return i18n.M("error.json.kind_number")
	case reflect.Slice, reflect.Array:
		return i18n.M("error.json.kind_list")
	}
	return i18n.M("error.json.kind_object")
}

const flashCookie = "preau_flash"

// Redirect sends the browser to target after a form, with a message shown
// once on the next page: the catalogue's key with its arguments (name, value
// pairs), put into words now, for the person who sent the form; "" for none.
func (s *Server) Redirect(w http.ResponseWriter, r *http.Request, target, key string, args ...any) {
	flash := ""
	if key != "" {
		flash = T(r, key, args...)
	}
	s.RedirectText(w, r, target, flash)
}

// RedirectText is Redirect with a message already in words ("" for none):
// for a message in another language than the request's, such as the one
// that confirms a change of language.
func (s *Server) RedirectText(w http.ResponseWriter, r *http.Request, target, flash string) {
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
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.Config.TLS(), SameSite: http.SameSiteLaxMode})
	msg, _ := url.QueryUnescape(c.Value)
	return msg
}

// toInt reads a count a template passes, whatever integer type the page's
// data has.
func toInt(n any) int {
	switch v := n.(type) {
	case int:
		return v
	case int64:
		return int(v)
	case int32:
		return int(v)
	case uint:
		return int(v)
	}
	return 0
}

// Initials are a name's first two initials, in capitals: an avatar's.
func Initials(name string) string {
	var out []rune
	for _, f := range strings.Fields(name) {
		out = append(out, []rune(f)[0])
		if len(out) == 2 {
			break
		}
	}
	return strings.ToUpper(string(out))
}

// funcs are the template functions of one language: t and tn put the
// catalogue's messages into words, date/datetime/time/num write values as
// the language does, lang and dir are for <html>.
func (s *Server) funcs(l *i18n.Localizer) template.FuncMap {
	return template.FuncMap{
		"t": l.T,
		"tn": func(key string, n any, args ...any) string {
			return l.N(key, toInt(n), args...)
		},
		"tem":      func(key string, args ...any) template.HTML { return template.HTML(l.Emphasis(key, args...)) },
		"lang":     func() i18n.Lang { return l.Lang },
		"dir":      l.Dir,
		"date":     l.Date,
		"datetime": l.DateTime,
		"time":     l.Time,
		"num":      func(n any) string { return l.Number(toInt(n)) },
		// size writes a file's size: « 12 Ko », « 3.4 Mo » (i18n.Size).
		"size":  func(n any) string { return i18n.Size(int64(toInt(n))).In(l.Lang) },
		"langs": func() []i18n.Lang { return i18n.Langs },
		"today": func() time.Time { return time.Now() },
		// dayTime reads a day stored as YYYY-MM-DD, for date to write it.
		"dayTime":  func(s string) time.Time { t, _ := time.ParseInLocation("2006-01-02", s, time.Local); return t },
		"pictures": func() any { return auth.Pictures },
		"slotsLeft": func(chosen int) []int {
			return make([]int, max(0, auth.PictureLength-chosen))
		},
		"pictureName": func(key string) string { return l.T("picture." + key) },
		"profileLabel": func(p auth.Profile) string {
			return l.T("profile." + string(p))
		},
		"initials": Initials,
		"active": func(current, href string) bool {
			return current == href || (href != "/" && strings.HasPrefix(current, href+"/"))
		},
		"add": func(a, b int) int { return a + b },
		// has says whether a list holds a value: a ticked box sent back.
		"has": func(list []string, v string) bool { return slices.Contains(list, v) },
		"mul": func(a, b int) int { return a * b },
	}
}
