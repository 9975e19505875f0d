// Package privacy is what the RGPD gives people over their data, beside
// the per-person export: the erasure of an account on the director's
// order (each feature's part walked through feature.Env.Erasers), the
// retention rules of privacy.retention.* applied by a daily job, and the
// privacy page (/confidentialite), which every profile and a visitor who
// is not signed in may read.
//
// It imports auth, store, apperr, config, web and feature; no other
// feature: each feature's part of an erasure is its own Personal.Erase,
// and the rules it follows are named in its erase.go.
package privacy

import (
	"net/http"
	"time"

	"preau/appliance/auth"
	"preau/appliance/config"
	"preau/appliance/feature"
	"preau/appliance/web"
)

// Feature is the erasure, the retention and the privacy page.
var Feature = feature.Feature{Name: "privacy", Routes: routes}

// Path is the privacy page's; the login page and every page's footer
// link to it.
const Path = "/confidentialite"

// actionErase is the audit log's name of an erasure (audit.EraseUser).
const actionErase = "account.erase"

var directors = web.Only(auth.Director)

type handlers struct {
	*feature.Env
	s *Service
}

func routes(env *feature.Env) {
	s := NewService(env)
	h := &handlers{Env: env, s: s}
	env.Handle("GET "+Path, web.Public(), h.page)
	env.Handle("GET /comptes/{id}/effacer", directors, h.confirm)
	env.Handle("POST /comptes/{id}/effacer", directors, h.erase)
	env.Handle("POST /api/v1/users/{id}/erase", directors, h.apiErase)
	env.Services = append(env.Services, s.run)
	env.Provide(serviceKey{}, s)
}

type serviceKey struct{}

// Of is the privacy service a node's features were given, for the tests
// that drive its retention job; nil without the feature.
func Of(env *feature.Env) *Service {
	s, _ := env.Provided(serviceKey{}).(*Service)
	return s
}

// Removed and Kept are what an erasure removes and what it keeps, as the
// privacy page and the confirmation page say them: the catalogue keys of
// the rules each feature's erase.go names.
var (
	Removed = []string{"privacy.removed.account", "privacy.removed.links", "privacy.removed.mail", "privacy.removed.agenda",
		"privacy.removed.ticks", "privacy.removed.notifications", "privacy.removed.reads"}
	Kept = []string{"privacy.kept.attendance", "privacy.kept.homework", "privacy.kept.liaison", "privacy.kept.forum",
		"privacy.kept.pages", "privacy.kept.requests", "privacy.kept.audit"}
)

// policyPage is the privacy page: the retention read from the
// configuration, so that the page says what the node does.
type policyPage struct {
	Retention     retentionDays
	SessionDays   int
	DPOName       string
	DPOEmail      string
	School        string
	Directors     []string
	Central       bool
	Removed, Kept []string
	LoggedIn      bool
}

type retentionDays struct{ DepartedAccounts, Mail, ConnectionLogs, Audit int }

func inDays(d time.Duration) int { return int(d / (24 * time.Hour)) }

func (h *handlers) page(w http.ResponseWriter, r *http.Request) {
	c := h.Config
	u := web.CurrentUser(r)
	p := policyPage{
		Retention: retentionDays{inDays(c.Retention.DepartedAccounts), inDays(c.Retention.Mail),
			inDays(c.Retention.ConnectionLogs), inDays(max(c.Retention.Audit, config.MinAuditRetention))},
		SessionDays: max(1, inDays(c.SessionTTL)), DPOName: c.DPOName, DPOEmail: c.DPOEmail,
		Central: c.Role == config.RoleCentral, Removed: Removed, Kept: Kept, LoggedIn: u.ID != "",
	}
	school := c.SchoolID
	if p.Central {
		school = u.SchoolID
	}
	if school != "" {
		if err := h.contacts(r, school, &p); err != nil {
			h.Fail(w, r, err)
			return
		}
	}
	h.Render(w, r, "privacy/page", web.T(r, "privacy.title"), p)
}

// contacts fills in the school's name and its directors', whom the page
// names for the people's rights.
func (h *handlers) contacts(r *http.Request, schoolID string, p *policyPage) error {
	sc, err := h.Register.School(r.Context(), schoolID)
	if err != nil {
		return err
	}
	p.School = sc.Name
	people, err := h.Register.SchoolUsers(r.Context(), schoolID)
	if err != nil {
		return err
	}
	for _, x := range people {
		if x.Profile == auth.Director && x.SchoolID == schoolID && !x.Disabled {
			p.Directors = append(p.Directors, x.DisplayName)
		}
	}
	return nil
}

// erasePage is the confirmation of an erasure: whom, and what goes and
// what stays.
type erasePage struct {
	User          auth.User
	Removed, Kept []string
}

func (h *handlers) confirm(w http.ResponseWriter, r *http.Request) {
	u, err := h.s.Erasable(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Render(w, r, "privacy/erase", web.T(r, "privacy.erase.title"), erasePage{User: u, Removed: Removed, Kept: Kept})
}

func (h *handlers) erase(w http.ResponseWriter, r *http.Request) {
	u, err := h.s.Erase(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Audited(r, actionErase, u.ID)
	h.Redirect(w, r, "/comptes?ecole="+u.SchoolID, "privacy.flash.erased")
}

// apiErase: POST /api/v1/users/{id}/erase → 200 {"id", "erased": true}.
func (h *handlers) apiErase(w http.ResponseWriter, r *http.Request) {
	u, err := h.s.Erase(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Audited(r, actionErase, u.ID)
	web.JSON(w, http.StatusOK, map[string]any{"id": u.ID, "erased": true})
}
