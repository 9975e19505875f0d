// Package export is a person's export of their data (RGPD, droit d'accès
// et à la portabilité): one zip of everything Préau holds written by them
// or about them, as JSON plus their files, with a README in their
// language. Each feature says what it holds of a person through its
// feature.Personal.Export; this package walks them all (env.Exports),
// streams the zip and serves it: to the person themselves, to a director
// for an account of their school (a pupil's family asks the school), to
// the DSI for anyone.
//
// Every feature of appliance.Features was weighed. Those with no export
// hold nothing of one person: dashboard and classroom have no table of
// their own (a pupil's login card is the account's, which sign-in
// mentions); search is an index of what the other features export
// themselves; update and sync hold nodes and releases, not people.
// Statistics export only the day an account was first used: their
// counts are of everyone, their visitors keyed hashes.
//
// It imports auth, store, i18n, web and feature; no other feature.
package export

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/i18n"
	"preau/appliance/web"
)

// Feature is the export of a person's data.
var Feature = feature.Feature{Name: "export", Routes: routes}

// Action is the audit log's name of an export (audit.ExportUser).
const Action = "export.user"

// Readme is the name of the file that says what the zip holds.
const Readme = "README.txt"

// Service writes a person's export.
type Service struct {
	env *feature.Env
	now func() time.Time
}

// NewService is the export over the features env holds.
func NewService(env *feature.Env) *Service { return &Service{env: env, now: time.Now} }

// Person is the account id names, if actor may export it: a director an
// account of their school (its pupils' parents too), the DSI anyone.
func (s *Service) Person(ctx context.Context, actor auth.User, id string) (auth.User, error) {
	if _, err := uuid.Parse(id); err != nil || len(id) != 36 {
		return auth.User{}, apperr.New(apperr.ErrInvalid, "export.err.bad_id", "Value", id)
	}
	u, err := s.env.Auth.User(ctx, id)
	if err != nil {
		return u, err
	}
	switch actor.Profile {
	case auth.DSI:
		return u, nil
	case auth.Director:
		people, err := s.env.Register.SchoolUsers(ctx, actor.SchoolID)
		if err != nil {
			return auth.User{}, err
		}
		if slices.ContainsFunc(people, func(p auth.User) bool { return p.ID == u.ID }) {
			return u, nil
		}
	}
	return auth.User{}, apperr.New(apperr.ErrForbidden, "export.err.not_yours")
}

// Write streams u's export to w as a zip: every feature's folder, then the
// README saying what each holds, in lang.
func (s *Service) Write(ctx context.Context, u auth.User, lang i18n.Lang, w io.Writer) error {
	a := newArchive(w, s.env.DB.Blobs(), s.now())
	for _, e := range s.env.Exports {
		if err := e.Export(s.env, ctx, u, a.folder(e.Feature)); err != nil {
			return fmt.Errorf("export of %s: %w", e.Feature, err)
		}
	}
	if err := a.readme(u, lang); err != nil {
		return err
	}
	return a.Close()
}

// FileName is the name the zip is saved under.
func (s *Service) FileName(u auth.User) string {
	return "preau-" + clean(u.Login) + "-" + s.now().In(feature.Zone).Format("2006-01-02") + ".zip"
}

// readme writes what the archive holds, folder by folder, in lang.
func (a *archive) readme(u auth.User, lang i18n.Lang) error {
	l := i18n.For(lang)
	var b strings.Builder
	b.WriteString(l.T("export.readme.title", "Name", u.DisplayName) + "\n\n")
	b.WriteString(l.T("export.readme.intro", "Name", u.DisplayName, "Login", u.Login, "Date", l.Date(a.at.In(feature.Zone))) + "\n\n")
	b.WriteString(l.T("export.readme.folders") + "\n")
	for _, f := range a.folders {
		b.WriteString("- " + f + "/ : " + l.T("export.folder."+f) + "\n")
	}
	if len(a.missing) > 0 {
		b.WriteString("\n" + l.T("export.readme.missing") + "\n")
		for _, m := range a.missing {
			b.WriteString("- " + m + "\n")
		}
	}
	b.WriteString("\n" + l.T("export.readme.contact") + "\n")
	w, err := a.create(Readme, zip.Deflate)
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, b.String())
	return err
}

type handlers struct {
	*feature.Env
	s *Service
}

func routes(env *feature.Env) {
	h := &handlers{Env: env, s: NewService(env)}
	env.Handle("GET /api/v1/me/export", web.LoggedIn(), h.mine)
	env.Handle("GET /api/v1/users/{id}/export", web.Only(auth.Director, auth.DSI), h.person)
}

// mine is the caller's own export, in their language.
func (h *handlers) mine(w http.ResponseWriter, r *http.Request) {
	h.send(w, r, web.CurrentUser(r), web.Lang(r))
}

// person is the export of the account the path names, its README in the
// language its owner reads Préau in.
func (h *handlers) person(w http.ResponseWriter, r *http.Request) {
	u, err := h.s.Person(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.send(w, r, u, h.LanguageOf(u))
}

// send streams u's export. It is recorded before it starts: once the
// first bytes have left, what the reader holds is theirs, whole or not.
// A failure past that point can no longer be an error page: the
// connection is cut, so that the zip is visibly broken, never quietly
// short.
func (h *handlers) send(w http.ResponseWriter, r *http.Request, u auth.User, lang i18n.Lang) {
	h.Audited(r, Action, u.Login)
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": h.s.FileName(u)}))
	w.Header().Set("Cache-Control", "no-store")
	if err := h.s.Write(r.Context(), u, lang, w); err != nil {
		h.Log.ErrorContext(r.Context(), "export", "login", u.Login, "error", err)
		panic(http.ErrAbortHandler)
	}
}
