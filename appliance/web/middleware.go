package web

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"preau/appliance/auth"
	"preau/appliance/i18n"
)

// SessionCookie names the session cookie.
const SessionCookie = "preau_session"

type ctxKey int

const (
	sessionKey ctxKey = iota
	langKey
)

// LangCookie remembers the language someone chose before logging in (or
// on this browser): it outranks what the browser asks for, not the
// account's own choice.
const LangCookie = "preau_lang"

// Lang is the language the request's reader is spoken to in: their
// account's choice, else the language cookie, else what their browser asks
// for (Accept-Language), else i18n.default_language. Anything Préau does
// not speak, anywhere along the way, is passed over without error.
func Lang(r *http.Request) i18n.Lang {
	if l, ok := r.Context().Value(langKey).(i18n.Lang); ok {
		return l
	}
	return i18n.FR
}

// language decides the request's language before anything can answer it;
// loadSession puts the account's choice first once it knows the account.
func (s *Server) language(next http.Handler) http.Handler {
	def, ok := i18n.Parse(s.Config.DefaultLanguage)
	if !ok {
		def = i18n.FR
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lang := def
		if c, err := r.Cookie(LangCookie); err == nil {
			if l, ok := i18n.Parse(c.Value); ok {
				lang = l
			} else if l, ok := i18n.Negotiate(r.Header.Get("Accept-Language")); ok {
				lang = l
			}
		} else if l, ok := i18n.Negotiate(r.Header.Get("Accept-Language")); ok {
			lang = l
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), langKey, lang)))
	})
}

// SetLangCookie remembers lang on this browser for a year.
func (s *Server) SetLangCookie(w http.ResponseWriter, lang i18n.Lang) {
	http.SetCookie(w, &http.Cookie{Name: LangCookie, Value: string(lang), Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: s.Config.TLS(), SameSite: http.SameSiteLaxMode})
}

// CurrentSession returns the request's session, or nil when anonymous.
func CurrentSession(r *http.Request) *auth.Session {
	s, _ := r.Context().Value(sessionKey).(*auth.Session)
	return s
}

// CurrentUser returns the logged-in user; routes that are not Public always
// have one.
func CurrentUser(r *http.Request) auth.User {
	if s := CurrentSession(r); s != nil {
		return s.User
	}
	return auth.User{Profile: auth.Anonymous}
}

// Token is the session token the request carries: a bearer token or the cookie.
func Token(r *http.Request) string {
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		return strings.TrimSpace(strings.TrimPrefix(h, "Bearer "))
	}
	if c, err := r.Cookie(SessionCookie); err == nil {
		return c.Value
	}
	return ""
}

// ClientIP is the peer address, for throttling and logs.
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Server) loadSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/assets/") {
			next.ServeHTTP(w, r)
			return
		}
		if tok := Token(r); tok != "" {
			if sess, err := s.Auth.Session(r.Context(), tok); err == nil {
				ctx := context.WithValue(r.Context(), sessionKey, &sess)
				if l, ok := i18n.Parse(sess.User.Language); ok {
					ctx = context.WithValue(ctx, langKey, l)
				}
				r = r.WithContext(ctx)
			} else if !IsAPI(r) {
				s.ClearSessionCookie(w) // a stale cookie would show as logged in forever
			}
		}
		next.ServeHTTP(w, r)
	})
}

// authorize enforces a route's Access before its handler runs.
func (s *Server) authorize(a Access, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := CurrentUser(r)
		browser := !IsAPI(r) && !a.program
		if a.Allows(u.Profile) {
			if u.MustChange && !a.public && browser && r.URL.Path != PasswordPath && r.URL.Path != LogoutPath {
				http.Redirect(w, r, PasswordPath, http.StatusSeeOther)
				return
			}
			h.ServeHTTP(w, r)
			return
		}
		if u.Profile == auth.Anonymous {
			if !browser || r.Method != http.MethodGet {
				s.Error(w, r, http.StatusUnauthorized, "error.login_required")
				return
			}
			http.Redirect(w, r, LoginPath+"?suite="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		s.Error(w, r, http.StatusForbidden, "error.page_forbidden")
	})
}

// Paths other packages and the middleware agree on.
const (
	LoginPath    = "/connexion"
	LogoutPath   = "/deconnexion"
	PasswordPath = "/mot-de-passe"
	HomePath     = "/accueil"
	// LinkRequestsPath is where a parent answers the schools asking to link
	// them to a child (central only); sign-in sends them there first.
	LinkRequestsPath = "/rattachements"
)

// limitBody refuses bodies over http.max_body; handlers see a clear error.
func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := s.Config.MaxBodySize
		if len(s.bodies) > 0 && r.Body != http.NoBody {
			if _, pattern := s.mux.Handler(r); s.bodies[pattern] > 0 {
				limit = s.bodies[pattern]
			}
		}
		if r.ContentLength > limit {
			s.Error(w, r, http.StatusRequestEntityTooLarge, "error.too_large_max", "Max", int(limit>>20))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

// AllowBody lets the route pattern (as given to Handle) receive a body of
// up to max bytes rather than http.max_body: where files are uploaded.
func (s *Server) AllowBody(pattern string, max int64) {
	if s.bodies == nil {
		s.bodies = make(map[string]int64)
	}
	s.bodies[pattern] = max
}

// TooLarge reports whether reading the body failed on the size limit.
func TooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

// SecureHeaders sets what every response carries, whoever writes it (pages,
// JSON, assets, files, error pages, redirects, http.Error, a websocket
// refused): browsers must not guess a type other than the one declared,
// nor show Préau in another site's frame, nor tell other sites which page
// a link was followed from, nor lend a page the camera, the microphone or
// the location (no feature asks for them: a photo is taken through a file
// input, which needs no permission); and over TLS, they must come back
// over TLS only. The Content-Security-Policy depends on what is sent:
// decided when the handler writes its header (see policyWriter).
func SecureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Permissions-Policy", PermissionsPolicy)
		if r.TLS != nil {
			// A year; no includeSubDomains: a school's box answers on its
			// own name only, and its parent domain is the city's.
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(&policyWriter{ResponseWriter: w}, r)
	})
}

// PermissionsPolicy refuses every powerful feature to every page.
const PermissionsPolicy = "accelerometer=(), autoplay=(), bluetooth=(), camera=(), display-capture=(), geolocation=(), " +
	"gyroscope=(), hid=(), magnetometer=(), microphone=(), midi=(), payment=(), serial=(), usb=(), xr-spatial-tracking=()"

// PageCSP lets a page load only Préau's own files, with no inline script
// or style, in no frame, and send its forms only to Préau: HTML that
// slipped into a page can neither run a script nor make a form post a
// password elsewhere.
const PageCSP = "default-src 'self'; img-src 'self' data:; object-src 'none'; " +
	"frame-ancestors 'none'; base-uri 'self'; form-action 'self'"

// FileCSP is the policy of everything that is not one of Préau's pages
// (JSON, a file, a picture, a feed): it may load nothing and run nothing,
// should a browser open it as a page, and shows in no frame.
const FileCSP = "default-src 'none'; frame-ancestors 'none'"

// PDFCSP is a PDF's: browsers show it in their own viewer, a page they
// build around it with inline styles and a plugin that default-src 'none'
// refuses (Chrome then shows a blank or a cut page, crbug.com/271452).
// A PDF's own scripts run in the viewer's sandbox, not on Préau's origin.
const PDFCSP = "frame-ancestors 'none'"

// policyWriter sets the Content-Security-Policy a response's type calls
// for when its header is written, unless its handler chose one (a
// forum's file is also sandboxed).
type policyWriter struct {
	http.ResponseWriter
	done bool
}

func (w *policyWriter) WriteHeader(code int) {
	if !w.done {
		w.done = true
		h := w.Header()
		if h.Get("Content-Security-Policy") == "" {
			mt, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
			switch mt {
			case "text/html":
				h.Set("Content-Security-Policy", PageCSP)
			case "application/pdf":
				h.Set("Content-Security-Policy", PDFCSP)
			default:
				// No type declared yet is held to the strictest: net/http
				// would name it from its first bytes.
				h.Set("Content-Security-Policy", FileCSP)
			}
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *policyWriter) Write(b []byte) (int, error) {
	if !w.done {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

func (w *policyWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Hijack hands the connection to a websocket: gorilla asks for an
// http.Hijacker.
func (w *policyWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.done = true
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.Log.Error("panic serving request", "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				s.Error(w, r, http.StatusInternalServerError, "error.internal")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// recorder captures the status for logs and metrics.
type recorder struct {
	http.ResponseWriter
	status int
}

func (w *recorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Hijack hands the connection over to a websocket (the notifications' live
// channel), which the request log counts as switching protocols.
func (w *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.status = http.StatusSwitchingProtocols
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// observe logs each request by its route (never its path, query or body,
// which may hold secrets) and feeds the metrics.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		elapsed := time.Since(start)
		_, pattern := s.mux.Handler(r)
		if pattern == "" {
			pattern = "unmatched"
		}
		s.metrics.observe(pattern, rec.status, elapsed)
		// The route, not the path: a path may carry a secret (a login card's).
		s.Log.Debug("request", "route", pattern, "status", rec.status, "ms", elapsed.Milliseconds())
	})
}

// SetSessionCookie stores the session token in the browser.
func (s *Server) SetSessionCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", HttpOnly: true,
		Secure: s.Config.TLS(), SameSite: http.SameSiteLaxMode, MaxAge: int(s.Config.SessionTTL.Seconds())})
}

// ClearSessionCookie removes it.
func (s *Server) ClearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true,
		Secure: s.Config.TLS(), SameSite: http.SameSiteLaxMode, MaxAge: -1})
}
