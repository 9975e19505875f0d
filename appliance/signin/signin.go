// Package signin is how people get in and out: the login page for adults
// (login and password), picture passwords and QR login cards for young
// pupils, logout, changing one's own password, and the session endpoints of
// the JSON API.
//
// It imports auth, web and feature (the register through feature.Register);
// no other feature.
package signin

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/config"
	"preau/appliance/feature"
	"preau/appliance/web"
)

// Feature is how people get in and out.
var Feature = feature.Feature{Name: "signin", Personal: feature.Personal{Export: personalExport}, Routes: routes}

type handlers struct{ *feature.Env }

func routes(env *feature.Env) {
	h := &handlers{env}
	env.Handle("GET /{$}", web.Public(), h.root)
	env.Handle("GET "+web.LoginPath, web.Public(), h.loginPage)
	env.Handle("POST "+web.LoginPath, web.Public(), h.loginPassword)
	env.Handle("POST "+web.LogoutPath, web.Public(), h.logout)
	env.Handle("GET "+web.PasswordPath, web.LoggedIn(), h.passwordPage)
	env.Handle("POST "+web.PasswordPath, web.LoggedIn(), h.changePassword)
	env.Handle("POST /identifiant/vu", web.LoggedIn(), h.acknowledgeLogin)
	env.Handle("GET /langue/{lang}", web.Public(), h.chooseLanguage)
	env.Handle("GET "+AccountPath, web.LoggedIn(), h.accountPage)
	env.Handle("POST "+AccountPath+"/langue", web.LoggedIn(), h.saveLanguage)
	if env.Config.Role == config.RoleSchool {
		// Picture passwords list a class's first names: only on the school LAN.
		env.Handle("GET /connexion/images", web.Public(), h.pictureClasses)
		env.Handle("GET /connexion/images/{class}", web.Public(), h.picturePupils)
		env.Handle("GET /connexion/images/eleve/{user}", web.Public(), h.pictureGrid)
		env.Handle("POST /connexion/images/eleve/{user}", web.Public(), h.picturePick)
	}
	env.Handle("GET /connexion/carte", web.Public(), h.cardPage)
	env.Handle("POST /connexion/carte", web.Public(), h.cardLogin)
	env.Handle("GET /carte/{secret}", web.Public(), h.cardConfirm)
	env.Handle("POST /carte/{secret}", web.Public(), h.cardLogin)
	registerAPI(h)
}

func (h *handlers) root(w http.ResponseWriter, r *http.Request) {
	if web.CurrentSession(r) != nil {
		http.Redirect(w, r, web.HomePath, http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, web.LoginPath, http.StatusSeeOther)
}

type loginData struct {
	Login        string
	Next         string
	Pictures     bool // picture login offered (school LAN)
	DemoAccounts []feature.DemoAccount
	DemoPassword string
	DemoSequence []string // the demo pupil's picture password, by picture key
}

func (h *handlers) loginData(r *http.Request, login string) loginData {
	d := loginData{Login: login, Next: safeNext(r.FormValue("suite")), Pictures: h.Config.Role == config.RoleSchool}
	if len(h.DemoAccounts) > 0 {
		d.DemoAccounts, d.DemoPassword = h.DemoAccounts, feature.DemoPassword
		for _, a := range h.DemoAccounts {
			for _, i := range a.Pictures {
				d.DemoSequence = append(d.DemoSequence, auth.Pictures[i].Key)
			}
			if len(a.Pictures) > 0 {
				break
			}
		}
	}
	return d
}

func (h *handlers) loginPage(w http.ResponseWriter, r *http.Request) {
	if web.CurrentSession(r) != nil {
		http.Redirect(w, r, web.HomePath, http.StatusSeeOther)
		return
	}
	h.Render(w, r, "signin/login", web.T(r, "signin.title"), h.loginData(r, ""))
}

func (h *handlers) loginPassword(w http.ResponseWriter, r *http.Request) {
	login := r.PostFormValue("login")
	u, err := h.Auth.LoginPassword(r.Context(), login, r.PostFormValue("password"), web.ClientIP(r))
	if err != nil {
		h.RenderStatus(w, r, loginStatus(err), "signin/login", web.T(r, "signin.title"), h.loginData(r, login), h.loginError(w, r, err))
		return
	}
	h.startSession(w, r, u)
}

// loginError is what the reader is told of a failed login; unexpected
// errors are logged, never shown.
func (h *handlers) loginError(w http.ResponseWriter, r *http.Request, err error) string {
	if loginStatus(err) == http.StatusInternalServerError {
		h.Log.Error("login", "err", err)
		return web.T(r, "signin.internal")
	}
	return web.ErrText(r, err)
}

func loginStatus(err error) int {
	var te *auth.ThrottledError
	switch {
	case errors.As(err, &te):
		return http.StatusTooManyRequests
	case errors.Is(err, auth.ErrBadCredentials), errors.Is(err, auth.ErrBadPicture), errors.Is(err, auth.ErrBadCard):
		return http.StatusUnauthorized
	case errors.Is(err, auth.ErrDisabled):
		return http.StatusForbidden
	}
	return http.StatusInternalServerError
}

// startSession opens the session, sets the cookie and goes on.
func (h *handlers) startSession(w http.ResponseWriter, r *http.Request, u auth.User) {
	tok, err := h.Auth.NewSession(r.Context(), u, web.ClientIP(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.SetSessionCookie(w, tok)
	next := safeNext(r.FormValue("suite"))
	if u.Profile == auth.Parent && h.Config.Role == config.RoleCentral {
		// A school asked to link this parent to a child: answering comes first.
		if asked, err := h.Register.AskedToLink(r.Context(), u.ID); err == nil && asked {
			next = web.LinkRequestsPath
		}
	}
	if u.MustChange {
		next = web.PasswordPath
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// safeNext keeps a post-login target on this site.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if next == "" || err != nil || u.IsAbs() || u.Host != "" || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(next, "//") ||
		strings.Contains(next, "\\") || u.Path == web.LoginPath {
		return web.HomePath
	}
	return u.RequestURI()
}

func (h *handlers) logout(w http.ResponseWriter, r *http.Request) {
	if tok := web.Token(r); tok != "" {
		if err := h.Auth.EndSession(r.Context(), tok); err != nil {
			h.Fail(w, r, err)
			return
		}
	}
	h.ClearSessionCookie(w)
	h.Redirect(w, r, web.LoginPath, "signin.logged_out")
}

func (h *handlers) passwordPage(w http.ResponseWriter, r *http.Request) {
	h.Render(w, r, "signin/password", web.T(r, "signin.pw.title"), nil)
}

func (h *handlers) changePassword(w http.ResponseWriter, r *http.Request) {
	next, confirm := r.PostFormValue("new"), r.PostFormValue("confirm")
	var err error
	if next != confirm {
		err = apperr.New(apperr.ErrInvalid, "signin.pw.mismatch")
	} else {
		err = h.Auth.ChangePassword(r.Context(), *web.CurrentSession(r), r.PostFormValue("current"), next, web.ClientIP(r))
	}
	if err != nil {
		status := passwordStatus(err)
		msg := web.ErrText(r, err)
		if next != confirm {
			status = http.StatusBadRequest
		} else if status == http.StatusInternalServerError {
			h.Log.Error("change password", "err", err)
			msg = web.T(r, "signin.internal")
		}
		h.RenderStatus(w, r, status, "signin/password", web.T(r, "signin.pw.title"), nil, msg)
		return
	}
	h.Redirect(w, r, web.HomePath, "signin.pw.changed")
}

// passwordStatus is the status of a refused password change: guesses at
// the current password are throttled like logins.
func passwordStatus(err error) int {
	var te *auth.ThrottledError
	if errors.As(err, &te) {
		return http.StatusTooManyRequests
	}
	return web.ErrStatus(err)
}

// acknowledgeLogin hides the notice that sync renamed the user's login.
func (h *handlers) acknowledgeLogin(w http.ResponseWriter, r *http.Request) {
	if err := h.Auth.AcknowledgeLogin(r.Context(), web.CurrentUser(r).ID); err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, web.HomePath, "")
}

// Picture login: class → name → three pictures, one page each, without
// JavaScript: the sequence so far travels in the form.

func (h *handlers) pictureClasses(w http.ResponseWriter, r *http.Request) {
	classes, err := h.Register.SchoolClasses(r.Context(), h.Config.SchoolID)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Render(w, r, "signin/picture_classes", web.T(r, "signin.pic.title"), classes)
}

type pupilChoice struct {
	ID, Name string
}

func (h *handlers) picturePupils(w http.ResponseWriter, r *http.Request) {
	c, err := h.Register.Class(r.Context(), r.PathValue("class"))
	if err != nil || c.SchoolID != h.Config.SchoolID {
		h.Error(w, r, http.StatusNotFound, "signin.pic.no_class_found")
		return
	}
	pupils, err := h.Register.ClassPupils(r.Context(), c.ID)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	var list []pupilChoice
	for _, p := range pupils {
		if p.HasPicture && !p.Disabled {
			list = append(list, pupilChoice{p.ID, shortName(p)})
		}
	}
	h.Render(w, r, "signin/picture_pupils", web.T(r, "signin.pic.who"), map[string]any{"Class": c, "Pupils": list})
}

// shortName is the first name and the initial of the last name: enough for
// a child to find themself, little for a stranger on the LAN.
func shortName(u auth.User) string {
	if u.FirstName == "" {
		return u.DisplayName
	}
	if u.LastName == "" {
		return u.FirstName
	}
	return u.FirstName + " " + string([]rune(u.LastName)[0]) + "."
}

type gridData struct {
	Pupil    pupilChoice
	ClassID  string
	Chosen   []int
	Sequence string
	Pictures any
}

// pupilForPictures finds a pupil of this school who has a picture password.
func (h *handlers) pupilForPictures(r *http.Request) (auth.User, string, bool) {
	u, err := h.Auth.User(r.Context(), r.PathValue("user"))
	if err != nil || u.Profile != auth.Pupil || !u.HasPicture || u.SchoolID != h.Config.SchoolID {
		return u, "", false
	}
	classID := ""
	if cs, err := h.Register.UserClasses(r.Context(), u.ID); err == nil && len(cs) > 0 {
		classID = cs[0].ID
	}
	return u, classID, true
}

func (h *handlers) pictureGrid(w http.ResponseWriter, r *http.Request) {
	u, classID, ok := h.pupilForPictures(r)
	if !ok {
		h.Error(w, r, http.StatusNotFound, "signin.pic.no_pictures")
		return
	}
	h.Render(w, r, "signin/picture_grid", web.T(r, "signin.my_pictures"), gridData{Pupil: pupilChoice{u.ID, shortName(u)}, ClassID: classID, Pictures: auth.Pictures})
}

func (h *handlers) picturePick(w http.ResponseWriter, r *http.Request) {
	u, classID, ok := h.pupilForPictures(r)
	if !ok {
		h.Error(w, r, http.StatusNotFound, "signin.pic.no_pictures")
		return
	}
	seq := parseSequence(r.PostFormValue("seq"))
	if pick, err := strconv.Atoi(r.PostFormValue("pick")); err == nil && pick >= 0 && pick < len(auth.Pictures) && len(seq) < auth.PictureLength {
		seq = append(seq, pick)
	}
	if r.PostFormValue("reset") != "" {
		seq = nil
	}
	d := gridData{Pupil: pupilChoice{u.ID, shortName(u)}, ClassID: classID, Chosen: seq, Sequence: formatSequence(seq), Pictures: auth.Pictures}
	if len(seq) < auth.PictureLength {
		h.Render(w, r, "signin/picture_grid", web.T(r, "signin.my_pictures"), d)
		return
	}
	user, err := h.Auth.LoginPicture(r.Context(), u.ID, seq, web.ClientIP(r))
	if err != nil {
		d.Chosen, d.Sequence = nil, ""
		h.RenderStatus(w, r, loginStatus(err), "signin/picture_grid", web.T(r, "signin.my_pictures"), d, h.loginError(w, r, err))
		return
	}
	h.startSession(w, r, user)
}

func parseSequence(s string) []int {
	var seq []int
	for _, p := range strings.Split(s, ",") {
		if n, err := strconv.Atoi(p); err == nil && n >= 0 && n < len(auth.Pictures) && len(seq) < auth.PictureLength {
			seq = append(seq, n)
		}
	}
	return seq
}

func formatSequence(seq []int) string {
	parts := make([]string, len(seq))
	for i, n := range seq {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ",")
}

// QR login cards: the card's QR code opens /carte/<secret>; a USB scanner
// can also type the code into /connexion/carte.

func (h *handlers) cardPage(w http.ResponseWriter, r *http.Request) {
	h.Render(w, r, "signin/card", web.T(r, "signin.my_card"), map[string]any{"Secret": ""})
}

func (h *handlers) cardConfirm(w http.ResponseWriter, r *http.Request) {
	h.Render(w, r, "signin/card", web.T(r, "signin.my_card"), map[string]any{"Secret": r.PathValue("secret")})
}

func (h *handlers) cardLogin(w http.ResponseWriter, r *http.Request) {
	secret := r.PathValue("secret")
	if secret == "" {
		secret = r.PostFormValue("code")
	}
	u, err := h.Auth.LoginCard(r.Context(), secret, web.ClientIP(r))
	if err != nil {
		h.RenderStatus(w, r, loginStatus(err), "signin/card", web.T(r, "signin.my_card"), map[string]any{"Secret": ""}, h.loginError(w, r, err))
		return
	}
	h.startSession(w, r, u)
}
