package signin

import (
	"net/http"

	"preau/appliance/i18n"
	"preau/appliance/web"
)

// AccountPath is a person's own page: who they are, their language, the
// way to their password. The top bar's account menu leads there.
const AccountPath = "/mon-compte"

func (h *handlers) accountPage(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	school := ""
	if u.SchoolID != "" {
		if sc, err := h.Register.School(r.Context(), u.SchoolID); err == nil {
			school = sc.Name
		}
	}
	h.Render(w, r, "signin/account", web.T(r, "account.title"), map[string]any{"School": school})
}

// saveLanguage records the language chosen on the account page on the
// account (it follows the person to central and every device) and on this
// browser (the login page speaks it after logout).
func (h *handlers) saveLanguage(w http.ResponseWriter, r *http.Request) {
	lang := r.PostFormValue("language")
	if err := h.Auth.SetLanguage(r.Context(), web.CurrentUser(r).ID, lang); err != nil {
		h.Fail(w, r, err)
		return
	}
	l, _ := i18n.Parse(lang)
	h.SetLangCookie(w, l)
	// The flash is said in the new language: this request still speaks the old.
	h.RedirectText(w, r, AccountPath, i18n.For(l).T("account.language_saved"))
}

// chooseLanguage is the login page's language switch: a link, no script.
// It remembers the choice on this browser and goes back where it was; an
// unknown language changes nothing.
func (h *handlers) chooseLanguage(w http.ResponseWriter, r *http.Request) {
	if l, ok := i18n.Parse(r.PathValue("lang")); ok {
		h.SetLangCookie(w, l)
	}
	next := safeNext(r.FormValue("suite"))
	if r.FormValue("suite") == web.LoginPath {
		next = web.LoginPath // safeNext sends a login page home; this one is the login page
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}
