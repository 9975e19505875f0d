// Package sites is the curated educational sites: a teacher adds a link
// with a title, a comment and a picture (sent, or the site's own icon,
// which the server fetches) for one of their classes or a level of the
// school; pupils open them from large picture cards; colleagues take each
// other's choices up for their classes. The city's DSI chooses on central
// a list every school shows, or only the schools it names.
//
// It imports apperr, auth, config, store, text, web and feature (the
// register through feature.Register); no other feature.
package sites

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"preau/appliance/auth"
	"preau/appliance/config"
	"preau/appliance/feature"
	"preau/appliance/web"
)

// Feature is the curated sites.
var Feature = feature.Feature{Name: "sites", Personal: feature.Personal{Export: personalExport}, Search: []feature.SearchSource{searchSource}, Schema: Schema, Routes: routes, Tiles: tiles, Demo: feature.Demo{Seed: demo}}

// Path is the sites' page, for every profile.
const Path = "/sites"

type handlers struct {
	*feature.Env
	s *Service
}

var (
	readers  = web.Only(auth.Pupil, auth.Parent, auth.Teacher, auth.Director, auth.DSI)
	choosers = web.Only(Choosers...)
	staff    = web.Only(auth.Teacher, auth.Director)
)

type serviceKey struct{}

// Of is the sites service of the node env belongs to: tests reach its
// icon fetcher through it.
func Of(env *feature.Env) *Service {
	s, _ := env.Provided(serviceKey{}).(*Service)
	return s
}

func newService(env *feature.Env) *Service {
	s := NewService(env.DB, env.Register)
	if env.Config.Role == config.RoleCentral {
		s = NewCentralService(env.DB, env.Register)
	}
	s.icons.off = !env.Config.SiteIcons
	return s
}

func routes(env *feature.Env) {
	h := &handlers{Env: env, s: newService(env)}
	env.Provide(serviceKey{}, h.s)
	env.Handle("GET "+Path, readers, h.page)
	env.Handle("POST "+Path, choosers, h.add)
	env.Handle("GET "+Path+"/{id}/image", readers, h.picture)
	env.Handle("POST "+Path+"/{id}/reprendre", staff, h.reuse)
	env.Handle("POST "+Path+"/{id}/supprimer", choosers, h.remove)
	env.Handle("GET /api/v1/sites", readers, h.apiList)
	env.Handle("POST /api/v1/sites", choosers, h.apiAdd)
	env.Handle("GET /api/v1/sites/{id}/picture", readers, h.picture)
	env.Handle("POST /api/v1/sites/{id}/reuse", staff, h.apiReuse)
	env.Handle("DELETE /api/v1/sites/{id}", choosers, h.apiDelete)
	env.AllowBody("POST "+Path, MaxPicture+1<<20)
	env.AllowBody("POST /api/v1/sites", MaxPicture+1<<20)
}

// tiles: the sites for everyone; the pupil's with its picture.
func tiles(*feature.Env) []web.Tile {
	return []web.Tile{
		{Profile: auth.Pupil, Label: "sites.tile.pupil", Href: Path, Icon: "globe", Picture: "icons/globe", Order: 35},
		{Profile: auth.Parent, Label: "sites.tile.title", Href: Path, Icon: "globe", Order: 35, Hint: "sites.tile.parent_hint"},
		{Profile: auth.Teacher, Label: "sites.tile.title", Href: Path, Icon: "globe", Order: 27, Hint: "sites.tile.teacher_hint"},
		{Profile: auth.Director, Label: "sites.tile.title", Href: Path, Icon: "globe", Order: 47, Hint: "sites.tile.teacher_hint"},
		{Profile: auth.DSI, Label: "sites.tile.title", Href: Path, Icon: "globe", Order: 45, Hint: "sites.tile.dsi_hint"},
	}
}

// Card is a site as a page shows it.
type Card struct {
	Site
	ClassName string // of the class it is for
	Author    string
	Deletable bool
	ReuseTo   []auth.Class // the classes u may take it up for: none for their own
}

// Group is the colleagues' sites for one class (its name) or level.
type Group struct {
	ClassName, Level string
	Cards            []Card
}

// page is what /sites shows.
type page struct {
	Cards []Card // a pupil's, a parent's child's, a class's, the city's for the DSI
	// A parent's children, and the one shown.
	Children []auth.User
	Child    auth.User
	// A member of staff's classes, and the one shown.
	Classes    []auth.Class
	Class      auth.Class
	Colleagues []Group
	City       []Card
	// The form, for those who choose sites.
	Chooser bool
	DSI     bool
	Parent  bool
	Levels  []string
	Schools []auth.School
	Form    form
}

// form is what was typed in the form: sent back with its problem.
type form struct {
	URL, Title, Comment, For string
	Schools                  []string
}

// draft reads the page's form: the class or level it is for, as
// "classe:<id>" or "niveau:<level>".
func (f form) draft() Draft {
	d := Draft{URL: f.URL, Title: f.Title, Comment: f.Comment, Schools: f.Schools}
	kind, v, _ := strings.Cut(f.For, ":")
	switch kind {
	case "classe":
		d.ClassID = v
	case "niveau":
		d.Level = v
	}
	return d
}

func (h *handlers) page(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, form{For: "classe:" + r.FormValue("classe")}, "")
}

// render draws the sites page for u, with the form's problem.
func (h *handlers) render(w http.ResponseWriter, r *http.Request, status int, f form, errMsg string) {
	ctx := r.Context()
	u := web.CurrentUser(r)
	p := page{Form: f, Chooser: h.s.chooses(u), DSI: u.Profile == auth.DSI, Parent: u.Profile == auth.Parent, Levels: feature.Levels}
	var err error
	switch u.Profile {
	case auth.Pupil:
		err = h.pupilPage(ctx, u, &p)
	case auth.Parent:
		err = h.parentPage(ctx, u, r.FormValue("enfant"), &p)
	case auth.Teacher, auth.Director:
		err = h.staffPage(ctx, u, r.FormValue("classe"), &p)
	case auth.DSI:
		var all []Site
		if all, err = h.s.For(ctx, u); err == nil {
			p.City = h.cards(ctx, u, all, nil, nil)
		}
		if err == nil && p.Chooser {
			p.Schools, err = h.Register.Schools(ctx)
		}
	}
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	name := "sites/list"
	if u.Profile == auth.Pupil {
		name = "sites/pupil"
	}
	h.RenderStatus(w, r, status, name, web.T(r, "sites.title"), p, errMsg)
}

func (h *handlers) pupilPage(ctx context.Context, u auth.User, p *page) error {
	all, err := h.s.For(ctx, u)
	p.Cards = h.cards(ctx, u, all, nil, nil)
	return err
}

func (h *handlers) parentPage(ctx context.Context, u auth.User, child string, p *page) error {
	var err error
	if p.Children, err = h.Register.Children(ctx, u.ID); err != nil || len(p.Children) == 0 {
		return err
	}
	p.Child = p.Children[0]
	if i := slices.IndexFunc(p.Children, func(c auth.User) bool { return c.ID == child }); i >= 0 {
		p.Child = p.Children[i]
	}
	sites, err := h.s.ForPupil(ctx, u, p.Child)
	if err != nil {
		return err
	}
	classes, err := h.Register.UserClasses(ctx, p.Child.ID)
	p.Cards = h.cards(ctx, u, sites, classes, nil)
	return err
}

// staffPage: the sites a class's pupils see, the colleagues' choices by
// class and level, the city's.
func (h *handlers) staffPage(ctx context.Context, u auth.User, class string, p *page) error {
	var err error
	if p.Classes, err = feature.StaffClasses(ctx, h.Register, u); err != nil {
		return err
	}
	schoolClasses, err := h.Register.SchoolClasses(ctx, u.SchoolID)
	if err != nil {
		return err
	}
	all, err := h.s.For(ctx, u)
	if err != nil {
		return err
	}
	if len(p.Classes) > 0 {
		p.Class = p.Classes[0]
		if i := slices.IndexFunc(p.Classes, func(c auth.Class) bool { return c.ID == class }); i >= 0 {
			p.Class = p.Classes[i]
		}
		if !strings.HasPrefix(p.Form.For, "classe:") || p.Form.For == "classe:" {
			p.Form.For = "classe:" + p.Class.ID
		}
		shown, err := h.s.ForClass(ctx, u, p.Class)
		if err != nil {
			return err
		}
		p.Cards = h.cards(ctx, u, shown, schoolClasses, p.Classes)
	}
	mine := func(s Site) bool {
		return slices.ContainsFunc(p.Classes, func(c auth.Class) bool { return c.ID == s.ClassID })
	}
	var colleagues, city []Site
	for _, s := range all {
		switch {
		case s.City():
			city = append(city, s)
		case s.AuthorID != u.ID && !mine(s):
			colleagues = append(colleagues, s)
		}
	}
	for _, c := range h.cards(ctx, u, colleagues, schoolClasses, p.Classes) {
		i := slices.IndexFunc(p.Colleagues, func(g Group) bool { return g.ClassName == c.ClassName && g.Level == c.Level })
		if i < 0 {
			p.Colleagues, i = append(p.Colleagues, Group{ClassName: c.ClassName, Level: c.Level}), len(p.Colleagues)
		}
		p.Colleagues[i].Cards = append(p.Colleagues[i].Cards, c)
	}
	slices.SortStableFunc(p.Colleagues, func(a, b Group) int { return levelRank(a.ClassName+a.Level) - levelRank(b.ClassName+b.Level) })
	p.City = h.cards(ctx, u, city, schoolClasses, p.Classes)
	return nil
}

// levelRank orders the groups as the school's years: a class's name is
// ranked by the level it starts with.
func levelRank(name string) int {
	for i := len(feature.Levels) - 1; i >= 0; i-- {
		if strings.HasPrefix(name, feature.Levels[i]) {
			return i
		}
	}
	return len(feature.Levels)
}

// cards are sites as u's page shows them: the class each is for (among
// classes), who chose it, what u may do with it; mine are the classes u
// may take a site up for.
func (h *handlers) cards(ctx context.Context, u auth.User, sites []Site, classes, mine []auth.Class) []Card {
	names := h.authors(ctx, sites)
	out := make([]Card, len(sites))
	for i, s := range sites {
		c := Card{Site: s, Author: names[s.AuthorID], Deletable: h.s.Deletable(u, s)}
		if j := slices.IndexFunc(classes, func(c auth.Class) bool { return c.ID == s.ClassID }); j >= 0 {
			c.ClassName = classes[j].Name
		}
		if s.AuthorID != u.ID {
			for _, m := range mine {
				if m.ID != s.ClassID {
					c.ReuseTo = append(c.ReuseTo, m)
				}
			}
		}
		out[i] = c
	}
	return out
}

// authors are the names of the sites' authors, by id: the people of
// their schools. A name that cannot be read is left out.
func (h *handlers) authors(ctx context.Context, sites []Site) map[string]string {
	names := map[string]string{}
	var schools []string
	for _, s := range sites {
		if !s.City() && !slices.Contains(schools, s.SchoolID) {
			schools = append(schools, s.SchoolID)
		}
	}
	for _, id := range schools {
		people, err := h.Register.SchoolUsers(ctx, id)
		if err != nil {
			continue
		}
		for _, p := range people {
			names[p.ID] = p.DisplayName
		}
	}
	return names
}

// formOf reads the page's form.
func formOf(r *http.Request) (form, *web.Upload, error) {
	files, err := web.Uploads(r, "image")
	f := form{URL: r.FormValue("adresse"), Title: r.FormValue("titre"), Comment: r.FormValue("commentaire"), For: r.FormValue("pour"),
		Schools: r.Form["ecoles"]}
	if len(files) > 0 {
		return f, &files[0], err
	}
	return f, nil, err
}

func (h *handlers) add(w http.ResponseWriter, r *http.Request) {
	f, picture, err := formOf(r)
	var site Site
	if err == nil {
		d := f.draft()
		d.Picture = picture
		site, err = h.s.Add(r.Context(), web.CurrentUser(r), d)
	}
	switch {
	case err == nil:
		h.Redirect(w, r, backTo(site), "sites.flash.added", "Title", site.Title)
	case web.ErrStatus(err) < http.StatusInternalServerError:
		h.render(w, r, web.ErrStatus(err), f, web.ErrText(r, err))
	default:
		h.Fail(w, r, err)
	}
}

// backTo is the page a site's form returns to: its class's.
func backTo(s Site) string {
	if s.ClassID != "" {
		return Path + "?classe=" + s.ClassID
	}
	return Path
}

func (h *handlers) picture(w http.ResponseWriter, r *http.Request) {
	b, err := h.s.Thumbnail(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "private, max-age=86400")
	w.Write(b)
}

func (h *handlers) reuse(w http.ResponseWriter, r *http.Request) {
	site, err := h.s.Reuse(r.Context(), web.CurrentUser(r), r.PathValue("id"), r.PostFormValue("classe"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, backTo(site), "sites.flash.reused", "Title", site.Title)
}

func (h *handlers) remove(w http.ResponseWriter, r *http.Request) {
	site, err := h.s.Delete(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, backTo(site), "sites.flash.deleted", "Title", site.Title)
}
