package roster

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"preau/appliance/auth"
	"preau/appliance/web"
)

// perPage is how many accounts one page of the list shows: a school's few
// hundred accounts are a handful of pages, and a phone scrolls through one
// in a few swipes.
const perPage = 50

type option struct{ Value, Label string }

type accountRow struct {
	User     auth.User
	School   string
	Classes  []auth.Class
	Children []auth.User
	// Foreign: a parent of one of the school's pupils whose account belongs
	// to another school, which administers it; listed, not managed here.
	Foreign bool
}

// profileTab is one profile filter of the list, with the number of
// accounts it would show.
type profileTab struct {
	Label, Href string
	Count       int
	Current     bool
}

type accountsPage struct {
	Rows           []accountRow
	Profile, Query string
	Tabs           []profileTab
	DSI            bool
	Ecole          string
	Schools        []auth.School
	web.Pager      // the page of Rows among the accounts matching the filters
}

// accounts lists the accounts the user administers, filtered by profile and
// by a search on name or login, one page at a time.
func (h *handlers) accounts(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := web.CurrentUser(r)
	page := accountsPage{Profile: r.FormValue("profil"), Query: strings.TrimSpace(r.FormValue("q")), DSI: u.Profile == auth.DSI}
	users, schoolID, err := h.administered(ctx, u, r.FormValue("ecole"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if page.DSI {
		page.Ecole = schoolID
		if page.Schools, err = h.reg.Schools(ctx); err != nil {
			h.Fail(w, r, err)
			return
		}
	}
	members, err := h.reg.Memberships(ctx, schoolID)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	guardians, err := h.reg.Guardianships(ctx, schoolID)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	byID := make(map[string]auth.User, len(users))
	counts := map[string]int{}
	var found []auth.User
	for _, x := range users {
		byID[x.ID] = x
		if !matches(x, "", page.Query) {
			continue
		}
		counts[""]++
		counts[string(x.Profile)]++
		if page.Profile == "" || string(x.Profile) == page.Profile {
			found = append(found, x)
		}
	}
	link := func(profile string, n int) string { return accountsURL(page.Ecole, profile, page.Query, n) }
	for _, o := range listProfiles(u) {
		page.Tabs = append(page.Tabs, profileTab{Label: web.T(r, o.Label), Href: link(o.Value, 1), Count: counts[o.Value], Current: o.Value == page.Profile})
	}
	page.Pager = web.Paginate(len(found), perPage, r.FormValue("page"), func(n int) string { return link(page.Profile, n) })
	names := schoolNames(page.Schools)
	from, to := page.Window()
	for _, x := range found[from:to] {
		row := accountRow{User: x, School: names[x.SchoolID], Classes: members[x.ID], Foreign: !page.DSI && x.SchoolID != u.SchoolID}
		for _, id := range guardians[x.ID] {
			row.Children = append(row.Children, byID[id])
		}
		page.Rows = append(page.Rows, row)
	}
	h.Render(w, r, "roster/accounts", "Comptes", page)
}

// accountsURL is the list's address with its filters; page 1 and empty
// filters are left out.
func accountsURL(ecole, profile, query string, page int) string {
	v := url.Values{}
	for k, x := range map[string]string{"ecole": ecole, "profil": profile, "q": query} {
		if x != "" {
			v.Set(k, x)
		}
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return "/comptes"
	}
	return "/comptes?" + v.Encode()
}

// administered lists the accounts u manages: a director's school, or for the
// DSI every account, or one school's when ecole names one.
func (h *handlers) administered(ctx context.Context, u auth.User, ecole string) ([]auth.User, string, error) {
	switch {
	case u.Profile == auth.Director:
		users, err := h.reg.SchoolUsers(ctx, u.SchoolID)
		return users, u.SchoolID, err
	case ecole != "":
		users, err := h.reg.SchoolUsers(ctx, ecole)
		return users, ecole, err
	}
	users, err := h.Auth.AllUsers(ctx)
	return users, "", err
}

func listProfiles(u auth.User) []option {
	// Labels are catalogue keys.
	out := []option{{"", "roster.tab.all"}, {"pupil", "roster.tab.pupils"}, {"parent", "roster.tab.parents"},
		{"teacher", "roster.tab.teachers"}, {"director", "roster.tab.directors"}}
	if u.Profile == auth.DSI {
		out = append(out, option{"dsi", "roster.tab.dsi"})
	}
	return out
}

func schoolNames(schools []auth.School) map[string]string {
	out := map[string]string{}
	for _, s := range schools {
		out[s.ID] = s.Name
	}
	return out
}

// matches reports whether an account passes the filters: its profile, and
// the search within its name or login, whatever the case and accents.
func matches(u auth.User, profile, query string) bool {
	if profile != "" && string(u.Profile) != profile {
		return false
	}
	q := fold(query)
	return q == "" || strings.Contains(fold(u.DisplayName), q) || strings.Contains(fold(u.FirstName+" "+u.LastName), q) ||
		strings.Contains(u.Login, strings.ToLower(query))
}

type accountPage struct {
	User              auth.User
	School            auth.School
	Classes           []auth.Class
	Children, Parents []auth.User
	Self              bool
	Manages           map[string]bool // the linked accounts the viewer may open
}

// account shows one account with its links and the actions on it.
func (h *handlers) account(w http.ResponseWriter, r *http.Request) {
	u, ok := h.target(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	p := accountPage{User: u, Self: u.ID == web.CurrentUser(r).ID}
	var err error
	if u.SchoolID != "" {
		p.School, err = h.reg.School(ctx, u.SchoolID)
	}
	if err == nil {
		p.Classes, err = h.reg.UserClasses(ctx, u.ID)
	}
	if err == nil {
		p.Children, err = h.reg.Children(ctx, u.ID)
	}
	if err == nil {
		p.Parents, err = h.reg.Parents(ctx, u.ID)
	}
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	// A director sees nothing of another school: not a parent's children
	// there, nor the way into a parent's account that school administers.
	viewer := web.CurrentUser(r)
	p.Manages = map[string]bool{}
	children := p.Children[:0:0]
	for _, c := range p.Children {
		if viewer.Profile == auth.DSI || c.SchoolID == viewer.SchoolID {
			children = append(children, c)
		}
	}
	p.Children = children
	for _, x := range append(p.Children, p.Parents...) {
		p.Manages[x.ID], _ = h.reg.CanAdminister(ctx, viewer, x)
	}
	h.Render(w, r, "roster/account", u.DisplayName, p)
}

type accountForm struct {
	First, Last, Profile, Login, Email string
	Classes, Children                  map[string]bool
}

type classPupils struct {
	Class  auth.Class
	Pupils []auth.User
}

type newAccountPage struct {
	scope
	Profiles []option
	Classes  []classPupils
	Form     accountForm
}

// newAccount is the form to create one account.
func (h *handlers) newAccount(w http.ResponseWriter, r *http.Request) {
	sc, ok := h.school(w, r)
	if !ok {
		return
	}
	h.renderNewAccount(w, r, sc, accountForm{Profile: string(auth.Pupil)}, http.StatusOK, "")
}

func (h *handlers) renderNewAccount(w http.ResponseWriter, r *http.Request, sc scope, f accountForm, status int, msg string) {
	classes, err := h.pupilsByClass(r.Context(), sc.School.ID)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	var profiles []option
	for _, p := range creatable(web.CurrentUser(r)) {
		if p != auth.DSI { // a DSI account belongs to no school: the API or the CLI creates it
			profiles = append(profiles, option{string(p), web.T(r, "profile."+string(p))})
		}
	}
	h.RenderStatus(w, r, status, "roster/account_new", web.T(r, "roster.new.title"),
		newAccountPage{scope: sc, Profiles: profiles, Classes: classes, Form: f}, msg)
}

// pupilsByClass lists the school's classes with their pupils, for choosing a
// parent's children.
func (h *handlers) pupilsByClass(ctx context.Context, schoolID string) ([]classPupils, error) {
	classes, err := h.reg.SchoolClasses(ctx, schoolID)
	if err != nil {
		return nil, err
	}
	users, members, err := h.usersAndClasses(ctx, schoolID)
	if err != nil {
		return nil, err
	}
	index := map[string]int{}
	out := make([]classPupils, len(classes))
	for i, c := range classes {
		out[i], index[c.ID] = classPupils{Class: c}, i
	}
	for _, u := range users {
		if u.Profile != auth.Pupil {
			continue
		}
		for _, c := range members[u.ID] {
			out[index[c.ID]].Pupils = append(out[index[c.ID]].Pupils, u)
		}
	}
	return out, nil
}

// usersAndClasses reads a school's accounts and, by account, their classes:
// two queries for the whole school, where pages need both.
func (h *handlers) usersAndClasses(ctx context.Context, schoolID string) ([]auth.User, map[string][]auth.Class, error) {
	users, err := h.reg.SchoolUsers(ctx, schoolID)
	if err != nil {
		return nil, nil, err
	}
	members, err := h.reg.Memberships(ctx, schoolID)
	return users, members, err
}

// createAccount creates one account with a generated first password, shown
// once on the page it answers with.
func (h *handlers) createAccount(w http.ResponseWriter, r *http.Request) {
	sc, ok := h.school(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	f := accountForm{First: r.PostFormValue("first_name"), Last: r.PostFormValue("last_name"), Profile: r.PostFormValue("profile"),
		Login: r.PostFormValue("login"), Email: strings.TrimSpace(r.PostFormValue("email")), Classes: set(r.PostForm["class"]),
		Children: set(r.PostForm["child"])}
	n := NewUser{NewUser: auth.NewUser{Login: f.Login, FirstName: f.First, LastName: f.Last, Profile: auth.Profile(f.Profile),
		SchoolID: sc.School.ID, Email: f.Email}, ClassIDs: r.PostForm["class"], ChildIDs: r.PostForm["child"]}
	// One form serves every profile: what does not apply to the chosen
	// one is left over from another choice, not a mistake.
	if n.Profile == auth.Parent {
		n.ClassIDs = nil
	} else {
		n.ChildIDs = nil
	}
	u, c, err := h.reg.AddWithSecrets(ctx, web.CurrentUser(r), n)
	if err == nil {
		h.Audited(r, "account.create", u.Login)
		h.renderCredentials(w, r, credentialsPage{Heading: web.T(r, "roster.cred.created"), School: sc.School.Name, Sheets: []sheet{{Cards: []Credential{c}}},
			Back: "/comptes/" + u.ID, BackLabel: web.T(r, "roster.cred.see_account")})
		return
	}
	if status := web.ErrStatus(err); status < http.StatusInternalServerError {
		h.renderNewAccount(w, r, sc, f, status, web.ErrText(r, err))
		return
	}
	h.Fail(w, r, err)
}

func set(values []string) map[string]bool {
	out := map[string]bool{}
	for _, v := range values {
		out[v] = true
	}
	return out
}

// resetPassword gives an account a new generated password, shown once; the
// person must change it at next login and their open sessions end.
func (h *handlers) resetPassword(w http.ResponseWriter, r *http.Request) {
	u, ok := h.target(w, r)
	if !ok {
		return
	}
	c, err := h.reg.ResetPassword(r.Context(), web.CurrentUser(r), u)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Audited(r, "account.password_reset", u.Login)
	h.renderCredentials(w, r, credentialsPage{Heading: web.T(r, "roster.account.new_password"), Sheets: []sheet{{Cards: []Credential{c}}},
		Intro: web.T(r, "roster.cred.reset_intro"),
		Back:  "/comptes/" + u.ID, BackLabel: web.T(r, "roster.cred.back_account")})
}

func (h *handlers) disable(w http.ResponseWriter, r *http.Request) { h.setDisabled(w, r, true) }
func (h *handlers) enable(w http.ResponseWriter, r *http.Request)  { h.setDisabled(w, r, false) }

// setDisabled disables or re-enables an account; nobody disables their own.
func (h *handlers) setDisabled(w http.ResponseWriter, r *http.Request, disabled bool) {
	u, ok := h.target(w, r)
	if !ok {
		return
	}
	if _, err := h.reg.ChangeAccount(r.Context(), web.CurrentUser(r), u, auth.UserChange{Disabled: &disabled}); err != nil {
		h.Fail(w, r, err)
		return
	}
	key, action := "roster.account.enabled", "account.enable"
	if disabled {
		key, action = "roster.account.disabled", "account.disable"
	}
	h.Audited(r, action, u.Login)
	h.Redirect(w, r, "/comptes/"+u.ID, key, "Name", u.DisplayName)
}
