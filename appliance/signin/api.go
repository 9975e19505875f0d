package signin

import (
	"net/http"

	"preau/appliance/auth"
	"preau/appliance/i18n"
	"preau/appliance/web"
)

func registerAPI(h *handlers) {
	h.Handle("POST /api/v1/session", web.Public(), h.apiLogin)
	h.Handle("DELETE /api/v1/session", web.LoggedIn(), h.apiLogout)
	h.Handle("GET /api/v1/me", web.LoggedIn(), h.apiMe)
	h.Handle("PATCH /api/v1/me", web.LoggedIn(), h.apiPatchMe)
	h.Handle("POST /api/v1/me/password", web.LoggedIn(), h.apiPassword)
}

// apiLogin: {"login","password"} → {"token"}, and the session cookie.
func (h *handlers) apiLogin(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Login    string `json:"login"`
		Password string `json:"password"`
	}
	if !h.DecodeJSON(w, r, &in) {
		return
	}
	u, err := h.Auth.LoginPassword(r.Context(), in.Login, in.Password, web.ClientIP(r))
	if err != nil {
		status := loginStatus(err)
		web.JSON(w, status, map[string]string{"error": h.loginError(w, r, err)})
		return
	}
	tok, err := h.Auth.NewSession(r.Context(), u, web.ClientIP(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.SetSessionCookie(w, tok)
	web.JSON(w, http.StatusOK, map[string]string{"token": tok})
}

func (h *handlers) apiLogout(w http.ResponseWriter, r *http.Request) {
	if err := h.Auth.EndSession(r.Context(), web.Token(r)); err != nil {
		h.Fail(w, r, err)
		return
	}
	h.ClearSessionCookie(w)
	w.WriteHeader(http.StatusNoContent)
}

// Me is the API's view of the logged-in account.
type Me struct {
	ID          string       `json:"id"`
	Login       string       `json:"login"`
	DisplayName string       `json:"display_name"`
	Profile     auth.Profile `json:"profile"`
	SchoolID    string       `json:"school_id"`
	Email       string       `json:"email"` // <login>@<mail.domain>
	// Language is the account's choice, or i18n.default_language while
	// they have not chosen.
	Language i18n.Lang `json:"language"`
}

func (h *handlers) me(u auth.User) Me {
	lang, ok := i18n.Parse(u.Language)
	if !ok {
		lang, _ = i18n.Parse(h.Config.DefaultLanguage)
	}
	return Me{ID: u.ID, Login: u.Login, DisplayName: u.DisplayName, Profile: u.Profile, SchoolID: u.SchoolID, Language: lang,
		Email: u.Login + "@" + h.Config.MailDomain}
}

func (h *handlers) apiMe(w http.ResponseWriter, r *http.Request) {
	web.JSON(w, http.StatusOK, h.me(web.CurrentUser(r)))
}

// apiPatchMe: {"language": "ar"} → the account as GET /api/v1/me shows it.
// Only the language is a person's own to change here: their names are the
// school's register's.
func (h *handlers) apiPatchMe(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Language *string `json:"language"`
	}
	if !h.DecodeJSON(w, r, &in) {
		return
	}
	u := web.CurrentUser(r)
	if in.Language != nil {
		if err := h.Auth.SetLanguage(r.Context(), u.ID, *in.Language); err != nil {
			h.Fail(w, r, err)
			return
		}
		u.Language = *in.Language
	}
	web.JSON(w, http.StatusOK, h.me(u))
}

// apiPassword: {"current","new"} → the account as GET /api/v1/me shows it.
// The caller's other sessions end; this one stays.
func (h *handlers) apiPassword(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Current string `json:"current"`
		New     string `json:"new"`
	}
	if !h.DecodeJSON(w, r, &in) {
		return
	}
	err := h.Auth.ChangePassword(r.Context(), *web.CurrentSession(r), in.Current, in.New, web.ClientIP(r))
	if err != nil {
		if status := passwordStatus(err); status == http.StatusTooManyRequests {
			web.JSON(w, status, map[string]string{"error": web.ErrText(r, err)})
		} else {
			h.Fail(w, r, err) // 400 with the reason, or a logged 500
		}
		return
	}
	h.apiMe(w, r)
}
