package roster

import (
	"net/http"

	"preau/appliance/auth"
	"preau/appliance/web"
)

// apiNewUser is the body of POST /api/v1/users.
type apiNewUser struct {
	Login       string   `json:"login"`
	DisplayName string   `json:"display_name"`
	FirstName   string   `json:"first_name"`
	LastName    string   `json:"last_name"`
	Profile     string   `json:"profile"`
	Password    string   `json:"password"`
	SchoolID    string   `json:"school_id"`
	ClassIDs    []string `json:"class_ids"`
	ChildIDs    []string `json:"child_ids"`
	Email       string   `json:"email"`
	MustChange  bool     `json:"must_change"`
}

// apiCreate creates an account: a director in their school (the default
// school_id), the DSI in any. The register holds the rules, the page's too.
func (h *handlers) apiCreate(w http.ResponseWriter, r *http.Request) {
	var in apiNewUser
	if !h.DecodeJSON(w, r, &in) {
		return
	}
	actor := web.CurrentUser(r)
	if in.SchoolID == "" && actor.Profile == auth.Director {
		in.SchoolID = actor.SchoolID
	}
	n := NewUser{NewUser: auth.NewUser{Login: in.Login, FirstName: in.FirstName, LastName: in.LastName, Display: in.DisplayName,
		Profile: auth.Profile(in.Profile), SchoolID: in.SchoolID, Email: in.Email, Password: in.Password,
		MustChange: in.MustChange}, ClassIDs: in.ClassIDs, ChildIDs: in.ChildIDs}
	u, err := h.reg.Add(r.Context(), actor, n)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Audited(r, "account.create", u.Login)
	web.JSON(w, http.StatusCreated, map[string]string{"id": u.ID, "login": u.Login})
}

// apiUser is one account in GET /api/v1/users.
type apiUser struct {
	ID          string       `json:"id"`
	Login       string       `json:"login"`
	DisplayName string       `json:"display_name"`
	Profile     auth.Profile `json:"profile"`
	SchoolID    string       `json:"school_id"`
	Disabled    bool         `json:"disabled"`
}

// apiList lists the accounts the caller administers; ?profile= filters, and
// the DSI may narrow to one school with ?school_id=.
func (h *handlers) apiList(w http.ResponseWriter, r *http.Request) {
	users, _, err := h.administered(r.Context(), web.CurrentUser(r), r.FormValue("school_id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	profile := r.FormValue("profile")
	out := make([]apiUser, 0, len(users))
	for _, u := range users {
		if profile == "" || string(u.Profile) == profile {
			out = append(out, listed(u))
		}
	}
	web.JSON(w, http.StatusOK, out)
}

func listed(u auth.User) apiUser {
	return apiUser{ID: u.ID, Login: u.Login, DisplayName: u.DisplayName, Profile: u.Profile, SchoolID: u.SchoolID, Disabled: u.Disabled}
}

// apiUserChange is the body of PATCH /api/v1/users/{id}: the fields to
// change, the others left out.
type apiUserChange struct {
	Disabled    *bool   `json:"disabled"`
	DisplayName *string `json:"display_name"`
	FirstName   *string `json:"first_name"`
	LastName    *string `json:"last_name"`
	Email       *string `json:"email"`
}

// apiChange changes an account the caller administers: names, e-mail,
// disabled or not. Same checks as the pages; it answers the account as
// GET /api/v1/users lists it.
func (h *handlers) apiChange(w http.ResponseWriter, r *http.Request) {
	u, ok := h.target(w, r)
	if !ok {
		return
	}
	var in apiUserChange
	if !h.DecodeJSON(w, r, &in) {
		return
	}
	c := auth.UserChange{FirstName: in.FirstName, LastName: in.LastName, Display: in.DisplayName, Email: in.Email, Disabled: in.Disabled}
	u, err := h.reg.ChangeAccount(r.Context(), web.CurrentUser(r), u, c)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Audited(r, changeAction(in), u.Login)
	web.JSON(w, http.StatusOK, listed(u))
}

// changeAction names a PATCH in the audit log: a change of the disabled
// flag alone is a disabling or an enabling, anything else an update.
func changeAction(in apiUserChange) string {
	names := in.DisplayName != nil || in.FirstName != nil || in.LastName != nil || in.Email != nil
	switch {
	case in.Disabled != nil && !names && *in.Disabled:
		return "account.disable"
	case in.Disabled != nil && !names:
		return "account.enable"
	}
	return "account.update"
}

// apiSetPassword sets the password of an account the caller administers;
// its sessions end.
func (h *handlers) apiSetPassword(w http.ResponseWriter, r *http.Request) {
	u, ok := h.target(w, r)
	if !ok {
		return
	}
	var in struct {
		Password   string `json:"password"`
		MustChange bool   `json:"must_change"`
	}
	if !h.DecodeJSON(w, r, &in) {
		return
	}
	if err := h.reg.SetAccountPassword(r.Context(), web.CurrentUser(r), u, in.Password, in.MustChange); err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Audited(r, "account.password_reset", u.Login) // never the password
	web.JSON(w, http.StatusOK, map[string]any{"id": u.ID, "must_change": in.MustChange})
}

// apiClasses lists the classes the caller may see: a pupil's and a
// teacher's own, a parent's children's, the director's school's, every
// school's for the DSI. → [{"id", "name", "level"}].
func (h *handlers) apiClasses(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	ctx := r.Context()
	var classes []auth.Class
	var err error
	switch u.Profile {
	case auth.Pupil, auth.Teacher:
		classes, err = h.reg.UserClasses(ctx, u.ID)
	case auth.Director:
		classes, err = h.reg.SchoolClasses(ctx, u.SchoolID)
	case auth.Parent:
		var children []auth.User
		if children, err = h.reg.Children(ctx, u.ID); err == nil {
			seen := map[string]bool{}
			for _, c := range children {
				cs, e := h.reg.UserClasses(ctx, c.ID)
				if e != nil {
					err = e
					break
				}
				for _, cl := range cs {
					if !seen[cl.ID] {
						seen[cl.ID] = true
						classes = append(classes, cl)
					}
				}
			}
		}
	case auth.DSI:
		var schools []auth.School
		if schools, err = h.reg.Schools(ctx); err == nil {
			for _, s := range schools {
				cs, e := h.reg.SchoolClasses(ctx, s.ID)
				if e != nil {
					err = e
					break
				}
				classes = append(classes, cs...)
			}
		}
	}
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	type class struct {
		ID    string `json:"id"`
		Name  string `json:"name"`
		Level string `json:"level"`
	}
	out := make([]class, 0, len(classes))
	for _, c := range classes {
		out = append(out, class{c.ID, c.Name, c.Level})
	}
	web.JSON(w, http.StatusOK, out)
}
