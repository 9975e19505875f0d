package minisites

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/notify"
	"preau/appliance/store"
	"preau/appliance/text"
	"preau/appliance/web"
)

// Themes a site may wear, each a class of assets/css/preau.css.
var Themes = []string{"sea", "forest", "sun", "night"}

// Statuses of a site's work.
const (
	Draft     = "draft"     // the group and its teachers write
	Submitted = "submitted" // waits for the teacher's review; nobody writes
	Published = "published" // published as it stands; nobody writes until the teacher reopens it
)

// Audiences a teacher publishes a site to.
const (
	Class   = "class"   // the class's pupils and staff
	Parents = "parents" // and the parents of the class's pupils
	School  = "school"  // the whole school and its families
	Public  = "public"  // anyone, without an account, on central
)

// Audiences in the order a form offers them.
var Audiences = []string{Class, Parents, School, Public}

// Limits.
const (
	maxTitle   = 200
	maxComment = 2000
	maxPages   = 30
	maxImages  = 60
	// MaxImage is the largest picture kept (bytes).
	MaxImage = 8 << 20
)

// Site is a mini-site.
type Site struct {
	ID, SchoolID, ClassID, Title, Theme string
	Pupils                              []string // the group
	Status, Audience, Slug, Comment     string
	Credits                             string // the group's first names, as published
	AuthorID                            string
	CreatedAt, UpdatedAt, PublishedAt   time.Time
}

// entry is where a page stands in the menu.
type entry struct {
	PageID, ParentID string
	Position         int
}

// Image is a picture of a page.
type Image struct {
	ID, SiteID, PageID, Token, Hash, Type, Name string
	Deleted                                     bool
}

// PublishedPage is a page as the teacher published it.
type PublishedPage struct {
	PageID, ParentID string
	Position         int
	Title, HTML      string
	Images           []string // tokens
}

// Page is one page of a site as its menu and readers see it.
type Page struct {
	ID, ParentID, Title string
	HTML                string // sanitized
	Images              []string
	Children            []Page // one level only
}

// New is a site as its teacher starts it.
type New struct {
	Title, ClassID, Theme string
	Pupils                []string
}

// Service is the mini-sites, shared by the pages and the API. Its rules:
// a class's staff (its teachers, the school's director) start a site for
// a group of the class's pupils; the group and the staff write its pages
// while it is a draft; the group submits it; the staff send it back with
// a comment or publish it to an audience, as it stands then.
type Service struct {
	db    *store.DB
	reg   feature.Register
	pages func() feature.OwnedPages
	hub   *notify.Hub // tells the group and the teachers; nil tells nobody
	now   func() time.Time
}

// NewService returns the mini-sites of db, whose pages are kept by pages.
func NewService(db *store.DB, reg feature.Register, pages func() feature.OwnedPages, hub *notify.Hub) *Service {
	return &Service{db: db, reg: reg, pages: pages, hub: hub, now: time.Now}
}

// tell notifies the class's teachers (staff) or the group of a change of
// the site.
func (s *Service) tell(ctx context.Context, site Site, staff bool, key string) {
	to := site.Pupils
	if staff {
		teachers, err := s.reg.ClassTeachers(ctx, site.ClassID)
		if err != nil {
			return
		}
		to = nil
		for _, t := range teachers {
			to = append(to, t.ID)
		}
	}
	s.hub.Tell(ctx, notify.Notice{Users: to, Scope: site.SchoolID, Kind: "minisites", Icon: "globe", URL: Path + "/" + site.ID,
		Key: key, Args: map[string]string{"Title": site.Title}})
}

// Rights is what a person may do with a site.
type Rights struct {
	Read  bool // the live pages: the group and the staff
	Write bool // its pages and menu, while a draft
	Staff bool // review, publish, unpublish
}

func (s *Service) rights(ctx context.Context, u auth.User, site Site) (Rights, error) {
	_, staff, err := feature.ClassStaff(ctx, s.reg, u, site.ClassID)
	if err != nil {
		return Rights{}, err
	}
	member := u.Profile == auth.Pupil && slices.Contains(site.Pupils, u.ID)
	r := Rights{Read: staff || member, Staff: staff}
	r.Write = r.Read && site.Status == Draft
	return r, nil
}

// PageRights gives the site's rights on its pages (feature.PageOwner).
func (s *Service) PageRights(ctx context.Context, u auth.User, siteID, classID string) (read, write bool, err error) {
	site, err := s.get(ctx, siteID)
	if errors.Is(err, apperr.ErrNotFound) || (err == nil && site.ClassID != classID) {
		return false, false, nil
	}
	if err != nil {
		return false, false, err
	}
	r, err := s.rights(ctx, u, site)
	return r.Read, r.Write, err
}

// OwnerPath is a site's page (feature.PageOwner).
func (s *Service) OwnerPath(siteID string) string { return Path + "/" + siteID }

// load gets a site u may read live.
func (s *Service) load(ctx context.Context, u auth.User, id string) (Site, Rights, error) {
	site, err := s.get(ctx, id)
	if err != nil {
		return site, Rights{}, err
	}
	r, err := s.rights(ctx, u, site)
	if err == nil && !r.Read {
		return Site{}, r, apperr.New(apperr.ErrNotFound, "minisites.err.not_found")
	}
	return site, r, err
}

func (s *Service) writable(ctx context.Context, u auth.User, id string) (Site, error) {
	site, r, err := s.load(ctx, u, id)
	if err == nil && !r.Write {
		err = apperr.New(apperr.ErrConflict, "minisites.err.locked")
	}
	return site, err
}

func (s *Service) staffOf(ctx context.Context, u auth.User, id string) (Site, error) {
	site, r, err := s.load(ctx, u, id)
	if err == nil && !r.Staff {
		err = apperr.New(apperr.ErrForbidden, "minisites.err.staff_only")
	}
	return site, err
}

func checkTitle(title string) (string, error) {
	title, err := text.Line("minisites.field.title", title, maxTitle)
	if err == nil && title == "" {
		err = apperr.New(apperr.ErrInvalid, "minisites.err.title")
	}
	return title, err
}

// Create starts a site for a group of a class's pupils, with its first
// page, named as the site.
func (s *Service) Create(ctx context.Context, u auth.User, n New) (string, error) {
	title, err := checkTitle(n.Title)
	if err != nil {
		return "", err
	}
	if n.Theme == "" {
		n.Theme = Themes[0]
	}
	if !slices.Contains(Themes, n.Theme) {
		return "", apperr.New(apperr.ErrInvalid, "minisites.err.theme")
	}
	c, err := feature.StaffOf(ctx, s.reg, u, n.ClassID, "minisites.err.class", "minisites.err.not_your_class")
	if err != nil {
		return "", err
	}
	group, err := s.checkGroup(ctx, c.ID, n.Pupils)
	if err != nil {
		return "", err
	}
	now := s.now()
	site := Site{ID: store.NewID(), SchoolID: c.SchoolID, ClassID: c.ID, Title: title, Theme: n.Theme, Pupils: group,
		Status: Draft, AuthorID: u.ID, CreatedAt: now, UpdatedAt: now}
	if err := s.insertSite(ctx, site); err != nil {
		return "", err
	}
	if _, err := s.addPage(ctx, site, u, title, ""); err != nil {
		return "", err
	}
	return site.ID, nil
}

// checkGroup is a group of a class's pupils, each once.
func (s *Service) checkGroup(ctx context.Context, classID string, ids []string) ([]string, error) {
	pupils, err := s.reg.ClassPupils(ctx, classID)
	if err != nil {
		return nil, err
	}
	group := slices.Compact(slices.Sorted(slices.Values(ids)))
	if len(group) == 0 {
		return nil, apperr.New(apperr.ErrInvalid, "minisites.err.no_pupil")
	}
	for _, id := range group {
		if !slices.ContainsFunc(pupils, func(p auth.User) bool { return p.ID == id }) {
			return nil, apperr.New(apperr.ErrInvalid, "minisites.err.not_pupil")
		}
	}
	return group, nil
}

// SetGroup changes which of the class's pupils make the site.
func (s *Service) SetGroup(ctx context.Context, u auth.User, id string, pupils []string) error {
	site, err := s.staffOf(ctx, u, id)
	if err != nil {
		return err
	}
	if site.Pupils, err = s.checkGroup(ctx, site.ClassID, pupils); err != nil {
		return err
	}
	site.UpdatedAt = s.now()
	return s.setSite(ctx, site)
}

// View is a site as its workspace shows it.
type View struct {
	Site   Site
	Rights Rights
	Menu   []Page
	Flat   []Page             // the menu's pages in order, each child after its parent
	Images map[string][]Image // by page
	Group  []auth.User
	Class  []auth.User // the class's pupils, for the staff to change the group
	// Live is whether a publication is online (the site may have been
	// reopened since).
	Live bool
}

// Get loads a site u may read live, with its pages in menu order.
func (s *Service) Get(ctx context.Context, u auth.User, id string) (View, error) {
	site, r, err := s.load(ctx, u, id)
	if err != nil {
		return View{}, err
	}
	v := View{Site: site, Rights: r, Images: map[string][]Image{}, Live: site.Audience != ""}
	if v.Menu, err = s.menu(ctx, site); err != nil {
		return v, err
	}
	for _, p := range v.Menu {
		v.Flat = append(append(v.Flat, p), p.Children...)
	}
	ims, err := s.images(ctx, site.ID)
	if err != nil {
		return v, err
	}
	for _, im := range ims {
		v.Images[im.PageID] = append(v.Images[im.PageID], im)
	}
	pupils, err := s.reg.ClassPupils(ctx, site.ClassID)
	for _, p := range pupils {
		if slices.Contains(site.Pupils, p.ID) {
			v.Group = append(v.Group, p)
		}
	}
	if r.Staff {
		v.Class = pupils
	}
	return v, err
}

// menu arranges the site's live pages: first level in order, each with
// its children.
func (s *Service) menu(ctx context.Context, site Site) ([]Page, error) {
	owned, err := s.pages().Owned(ctx, site.ID)
	if err != nil {
		return nil, err
	}
	es, err := s.entries(ctx, site.ID)
	if err != nil {
		return nil, err
	}
	byID := map[string]feature.OwnedPage{}
	for _, p := range owned {
		byID[p.ID] = p
	}
	var flat []Page
	for _, e := range es {
		if p, ok := byID[e.PageID]; ok {
			flat = append(flat, Page{ID: p.ID, ParentID: e.ParentID, Title: p.Title, HTML: p.HTML})
		}
	}
	return tree(flat), nil
}

// tree nests pages under their parents, one level; a page whose parent is
// gone stands on the first level.
func tree(flat []Page) []Page {
	var out []Page
	for _, p := range flat {
		if p.ParentID == "" || !slices.ContainsFunc(flat, func(q Page) bool { return q.ID == p.ParentID && q.ParentID == "" }) {
			p.ParentID = ""
			out = append(out, p)
		}
	}
	for i := range out {
		for _, p := range flat {
			if p.ParentID == out[i].ID {
				out[i].Children = append(out[i].Children, p)
			}
		}
	}
	return out
}

// For lists the sites u works on (the group's, the staff's) and those
// published to u.
func (s *Service) For(ctx context.Context, u auth.User) (mine, published []Site, err error) {
	switch u.Profile {
	case auth.Pupil:
		all, err := s.sites(ctx, "pupils LIKE ?", "%"+u.ID+"%")
		if err != nil {
			return nil, nil, err
		}
		for _, site := range all {
			if slices.Contains(site.Pupils, u.ID) {
				mine = append(mine, site)
			}
		}
	case auth.Teacher, auth.Director:
		classes, err := feature.StaffClasses(ctx, s.reg, u)
		if err != nil || len(classes) == 0 {
			break
		}
		ids := make([]string, len(classes))
		for i, c := range classes {
			ids[i] = c.ID
		}
		list, args := store.In(ids)
		if mine, err = s.sites(ctx, "class_id IN ("+list+")", args...); err != nil {
			return nil, nil, err
		}
	}
	schools, err := feature.SchoolsOf(ctx, s.reg, u)
	if err != nil || len(schools) == 0 {
		return mine, nil, err
	}
	list, args := store.In(schools)
	all, err := s.sites(ctx, "audience != '' AND school_id IN ("+list+")", args...)
	for _, site := range all {
		if ok, err := s.mayReadPublished(ctx, u, site); err != nil {
			return nil, nil, err
		} else if ok && !slices.ContainsFunc(mine, func(m Site) bool { return m.ID == site.ID }) {
			published = append(published, site)
		}
	}
	return mine, published, err
}

// mayReadPublished reports whether u is in the audience of a published site.
func (s *Service) mayReadPublished(ctx context.Context, u auth.User, site Site) (bool, error) {
	switch site.Audience {
	case "":
		return false, nil
	case Public:
		return true, nil
	}
	if u.ID == "" {
		return false, nil
	}
	r, err := s.rights(ctx, u, site)
	if err != nil || r.Read {
		return r.Read, err
	}
	switch site.Audience {
	case Class:
		if u.Profile != auth.Pupil {
			return false, nil
		}
		classes, err := s.reg.UserClasses(ctx, u.ID)
		return slices.ContainsFunc(classes, func(c auth.Class) bool { return c.ID == site.ClassID }), err
	case Parents:
		classes, err := feature.ReadableClasses(ctx, s.reg, u)
		return slices.ContainsFunc(classes, func(c auth.Class) bool { return c.ID == site.ClassID }), err
	case School:
		if u.Profile == auth.DSI {
			return false, nil
		}
		schools, err := feature.SchoolsOf(ctx, s.reg, u)
		return slices.Contains(schools, site.SchoolID), err
	}
	return false, nil
}

// Update renames a site or changes its theme, while its pages may be
// written.
func (s *Service) Update(ctx context.Context, u auth.User, id, title, theme string) error {
	site, err := s.writable(ctx, u, id)
	if err != nil {
		return err
	}
	if site.Title, err = checkTitle(title); err != nil {
		return err
	}
	if !slices.Contains(Themes, theme) {
		return apperr.New(apperr.ErrInvalid, "minisites.err.theme")
	}
	site.Theme, site.UpdatedAt = theme, s.now()
	return s.setSite(ctx, site)
}

// AddPage adds a page at the end of the menu, or under a first-level page.
func (s *Service) AddPage(ctx context.Context, u auth.User, id, title, parentID string) (string, error) {
	site, err := s.writable(ctx, u, id)
	if err != nil {
		return "", err
	}
	return s.addPage(ctx, site, u, title, parentID)
}

func (s *Service) addPage(ctx context.Context, site Site, u auth.User, title, parentID string) (string, error) {
	title, err := checkTitle(title)
	if err != nil {
		return "", err
	}
	es, err := s.entries(ctx, site.ID)
	if err != nil {
		return "", err
	}
	if len(es) >= maxPages {
		return "", apperr.New(apperr.ErrInvalid, "minisites.err.too_many_pages", "Max", maxPages)
	}
	if parentID != "" && !slices.ContainsFunc(es, func(e entry) bool { return e.PageID == parentID && e.ParentID == "" }) {
		return "", apperr.New(apperr.ErrInvalid, "minisites.err.parent")
	}
	pageID, err := s.pages().CreateOwned(ctx, site.ID, site.ClassID, u.ID, title)
	if err != nil {
		return "", err
	}
	return pageID, s.insertEntry(ctx, site, entry{PageID: pageID, ParentID: parentID, Position: len(es)})
}

// RenamePage retitles a page of the site.
func (s *Service) RenamePage(ctx context.Context, u auth.User, id, pageID, title string) error {
	site, err := s.writable(ctx, u, id)
	if err != nil {
		return err
	}
	if title, err = checkTitle(title); err != nil {
		return err
	}
	return s.pages().RenameOwned(ctx, site.ID, pageID, title)
}

// MovePage moves a page one place up or down among its siblings
// (direction "up" or "down"), or under another first-level page
// (direction "under", parentID; "" back to the first level). A page with
// pages under it stays on the first level: the menu is one level deep.
func (s *Service) MovePage(ctx context.Context, u auth.User, id, pageID, direction, parentID string) error {
	site, err := s.writable(ctx, u, id)
	if err != nil {
		return err
	}
	es, err := s.entries(ctx, site.ID)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(es, func(e entry) bool { return e.PageID == pageID })
	if i < 0 {
		return apperr.New(apperr.ErrNotFound, "minisites.err.no_page")
	}
	switch direction {
	case "up", "down":
		j := i
		for {
			if direction == "up" {
				j--
			} else {
				j++
			}
			if j < 0 || j >= len(es) {
				return nil // already first or last
			}
			if es[j].ParentID == es[i].ParentID {
				break
			}
		}
		es[i], es[j] = es[j], es[i]
	case "under":
		switch {
		case parentID == pageID:
			return apperr.New(apperr.ErrInvalid, "minisites.err.parent")
		case parentID != "" && !slices.ContainsFunc(es, func(e entry) bool { return e.PageID == parentID && e.ParentID == "" }):
			return apperr.New(apperr.ErrInvalid, "minisites.err.parent")
		case parentID != "" && slices.ContainsFunc(es, func(e entry) bool { return e.ParentID == pageID }):
			return apperr.New(apperr.ErrInvalid, "minisites.err.has_children")
		}
		es[i].ParentID = parentID
	default:
		return apperr.New(apperr.ErrInvalid, "minisites.err.direction")
	}
	for k := range es {
		es[k].Position = k
	}
	return s.setEntries(ctx, site.ID, es)
}

// RemovePage removes a page; the pages under it come up to the first
// level. The site keeps one page at least.
func (s *Service) RemovePage(ctx context.Context, u auth.User, id, pageID string) error {
	site, err := s.writable(ctx, u, id)
	if err != nil {
		return err
	}
	es, err := s.entries(ctx, site.ID)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(es, func(e entry) bool { return e.PageID == pageID }) {
		return apperr.New(apperr.ErrNotFound, "minisites.err.no_page")
	}
	if len(es) == 1 {
		return apperr.New(apperr.ErrInvalid, "minisites.err.last_page")
	}
	if err := s.pages().RemoveOwned(ctx, site.ID, pageID); err != nil {
		return err
	}
	var rest []entry
	for _, e := range es {
		if e.PageID == pageID {
			continue
		}
		if e.ParentID == pageID {
			e.ParentID = ""
		}
		e.Position = len(rest)
		rest = append(rest, e)
	}
	if err := s.removeEntry(ctx, site.ID, pageID); err != nil {
		return err
	}
	return s.setEntries(ctx, site.ID, rest)
}

// AddImage keeps a picture for a page (its location blanked).
func (s *Service) AddImage(ctx context.Context, u auth.User, id, pageID string, up web.Upload) error {
	site, err := s.writable(ctx, u, id)
	if err != nil {
		return err
	}
	es, err := s.entries(ctx, site.ID)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(es, func(e entry) bool { return e.PageID == pageID }) {
		return apperr.New(apperr.ErrNotFound, "minisites.err.no_page")
	}
	ims, err := s.images(ctx, site.ID)
	if err != nil {
		return err
	}
	if len(ims) >= maxImages {
		return apperr.New(apperr.ErrInvalid, "minisites.err.too_many_images", "Max", maxImages)
	}
	if up.Size <= 0 {
		return apperr.New(apperr.ErrInvalid, "minisites.err.no_file")
	}
	if up.Size > MaxImage {
		return apperr.New(apperr.ErrTooLarge, "minisites.err.image_too_big", "Max", MaxImage>>20)
	}
	if err := up.Sniff(); err != nil {
		return err
	}
	if !store.IsPicture(up.Type) {
		return apperr.New(apperr.ErrInvalid, "minisites.err.not_image")
	}
	f, err := up.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	hash, _, err := s.db.Blobs().PutUpload(f, up.Type, MaxImage)
	if err != nil {
		return err
	}
	name, err := text.Line("field.file_name", up.Name, 200)
	if err != nil || name == "" {
		name = "image"
	}
	return s.insertImage(ctx, site, Image{PageID: pageID, Token: newToken(), Hash: hash, Type: up.Type, Name: name}, u.ID)
}

// RemoveImage removes a picture from its page (a published page keeps it).
func (s *Service) RemoveImage(ctx context.Context, u auth.User, id, imageID string) error {
	site, err := s.writable(ctx, u, id)
	if err != nil {
		return err
	}
	return s.removeImage(ctx, site.ID, imageID)
}

// Submit hands the site to its teachers for review.
func (s *Service) Submit(ctx context.Context, u auth.User, id string) error {
	site, err := s.writable(ctx, u, id)
	if err != nil {
		return err
	}
	site.Status, site.Comment, site.UpdatedAt = Submitted, "", s.now()
	if err := s.setSite(ctx, site); err != nil {
		return err
	}
	s.tell(ctx, site, true, "minisites.notice.submitted")
	return nil
}

// SendBack reopens a submitted or published site for its group, with the
// teacher's comment (what to change); what was published stays online
// until the next publication or unpublishing.
func (s *Service) SendBack(ctx context.Context, u auth.User, id, comment string) error {
	site, err := s.staffOf(ctx, u, id)
	if err != nil {
		return err
	}
	if site.Status == Draft {
		return apperr.New(apperr.ErrConflict, "minisites.err.already_draft")
	}
	if site.Comment, err = text.Body("minisites.field.comment", comment, maxComment); err != nil {
		return err
	}
	if site.Comment == "" {
		return apperr.New(apperr.ErrInvalid, "minisites.err.comment")
	}
	site.Status, site.UpdatedAt = Draft, s.now()
	if err := s.setSite(ctx, site); err != nil {
		return err
	}
	s.tell(ctx, site, false, "minisites.notice.sent_back")
	return nil
}

// Publish publishes the site as it stands to an audience: its pages'
// sanitized HTML, titles, menu and pictures now, and the group's first
// names; later edits need a new publication.
func (s *Service) Publish(ctx context.Context, u auth.User, id, audience string) error {
	site, err := s.staffOf(ctx, u, id)
	if err != nil {
		return err
	}
	if !slices.Contains(Audiences, audience) {
		return apperr.New(apperr.ErrInvalid, "minisites.err.audience")
	}
	menu, err := s.menu(ctx, site)
	if err != nil {
		return err
	}
	ims, err := s.images(ctx, site.ID)
	if err != nil {
		return err
	}
	var pages []PublishedPage
	add := func(p Page) {
		safe, _ := text.SafeHTML(p.HTML)
		pp := PublishedPage{PageID: p.ID, ParentID: p.ParentID, Position: len(pages), Title: p.Title, HTML: safe}
		for _, im := range ims {
			if im.PageID == p.ID {
				pp.Images = append(pp.Images, im.Token)
			}
		}
		pages = append(pages, pp)
	}
	for _, p := range menu {
		add(p)
		for _, c := range p.Children {
			add(c)
		}
	}
	if site.Credits, err = s.credits(ctx, site); err != nil {
		return err
	}
	if site.Slug == "" {
		site.Slug = slug(site.Title)
	}
	now := s.now()
	site.Status, site.Audience, site.Comment, site.UpdatedAt, site.PublishedAt = Published, audience, "", now, now
	if err := s.publish(ctx, site, pages); err != nil {
		return err
	}
	s.tell(ctx, site, false, "minisites.notice.published")
	return nil
}

// credits are the group's first names: a published site never shows a
// pupil's full name.
func (s *Service) credits(ctx context.Context, site Site) (string, error) {
	pupils, err := s.reg.ClassPupils(ctx, site.ClassID)
	var names []string
	for _, p := range pupils {
		if slices.Contains(site.Pupils, p.ID) {
			first := p.FirstName
			if first == "" {
				first = strings.Fields(p.DisplayName + " ?")[0]
			}
			names = append(names, first)
		}
	}
	slices.Sort(names)
	return strings.Join(names, ", "), err
}

// Unpublish takes the site offline; its group may write again.
func (s *Service) Unpublish(ctx context.Context, u auth.User, id string) error {
	site, err := s.staffOf(ctx, u, id)
	if err != nil {
		return err
	}
	if site.Audience == "" {
		return apperr.New(apperr.ErrConflict, "minisites.err.not_published")
	}
	if site.Status == Published {
		site.Status = Draft
	}
	site.Audience, site.UpdatedAt, site.PublishedAt = "", s.now(), time.Time{}
	return s.publish(ctx, site, nil)
}

// Delete removes a site, its pages, pictures and publication.
func (s *Service) Delete(ctx context.Context, u auth.User, id string) (Site, error) {
	site, err := s.staffOf(ctx, u, id)
	if err != nil {
		return site, err
	}
	owned, err := s.pages().Owned(ctx, site.ID)
	if err != nil {
		return site, err
	}
	for _, p := range owned {
		if err := s.pages().RemoveOwned(ctx, site.ID, p.ID); err != nil {
			return site, err
		}
	}
	return site, s.deleteSite(ctx, site.ID)
}

// Reading is a published site as its readers see it.
type Reading struct {
	Site Site
	Menu []Page
}

// Published loads the published site u may read (anonymous readers only
// the public ones).
func (s *Service) Published(ctx context.Context, u auth.User, id string) (Reading, error) {
	site, err := s.get(ctx, id)
	if err != nil {
		return Reading{}, err
	}
	return s.reading(ctx, u, site)
}

// PublicBySlug loads a site published to the public by its address.
func (s *Service) PublicBySlug(ctx context.Context, slug string) (Reading, error) {
	site, err := s.bySlug(ctx, slug)
	if err != nil {
		return Reading{}, err
	}
	if site.Audience != Public {
		return Reading{}, apperr.New(apperr.ErrNotFound, "minisites.err.not_found")
	}
	return s.reading(ctx, auth.User{}, site)
}

func (s *Service) reading(ctx context.Context, u auth.User, site Site) (Reading, error) {
	ok, err := s.mayReadPublished(ctx, u, site)
	if err != nil {
		return Reading{}, err
	}
	if !ok {
		return Reading{}, apperr.New(apperr.ErrNotFound, "minisites.err.not_found")
	}
	ps, err := s.published(ctx, site.ID)
	flat := make([]Page, len(ps))
	for i, p := range ps {
		flat[i] = Page{ID: p.PageID, ParentID: p.ParentID, Title: p.Title, HTML: p.HTML, Images: p.Images}
	}
	return Reading{Site: site, Menu: tree(flat)}, err
}

// Image opens the file of a picture u may see: a live page's, for the
// group and the staff; a published page's, for its audience.
func (s *Service) Image(ctx context.Context, u auth.User, token string) (Image, error) {
	im, err := s.imageByToken(ctx, token)
	if err != nil {
		return im, err
	}
	site, err := s.get(ctx, im.SiteID)
	if err != nil {
		return Image{}, apperr.New(apperr.ErrNotFound, "minisites.err.no_image")
	}
	if u.ID != "" && !im.Deleted {
		if r, err := s.rights(ctx, u, site); err != nil || r.Read {
			return im, err
		}
	}
	if ok, err := s.mayReadPublished(ctx, u, site); err != nil || !ok {
		return Image{}, apperrOr(err, "minisites.err.no_image")
	}
	ps, err := s.published(ctx, site.ID)
	if err != nil {
		return Image{}, err
	}
	for _, p := range ps {
		if slices.Contains(p.Images, token) {
			return im, nil
		}
	}
	return Image{}, apperr.New(apperr.ErrNotFound, "minisites.err.no_image")
}

func apperrOr(err error, key string) error {
	if err != nil {
		return err
	}
	return apperr.New(apperr.ErrNotFound, key)
}

// newToken is 128 random bits: a picture's address cannot be guessed.
func newToken() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

var notSlug = regexp.MustCompile(`[^a-z0-9]+`)

// slug is a site's public address: its title in plain letters and a
// random end, so that two sites never share one.
func slug(title string) string {
	s := strings.Trim(notSlug.ReplaceAllString(strings.ToLower(text.StripAccents(title)), "-"), "-")
	for utf8.RuneCountInString(s) > 40 {
		s = strings.TrimRight(s[:40], "-")
	}
	b := make([]byte, 3)
	rand.Read(b)
	if s == "" {
		return hex.EncodeToString(b)
	}
	return s + "-" + hex.EncodeToString(b)
}

// ClassGroup is a class u may start a site for, with its pupils.
type ClassGroup struct {
	Class  auth.Class
	Pupils []auth.User
}

// creatable lists the classes u may start a site for.
func (s *Service) creatable(ctx context.Context, u auth.User) ([]ClassGroup, error) {
	classes, err := feature.StaffClasses(ctx, s.reg, u)
	if err != nil {
		return nil, err
	}
	out := make([]ClassGroup, 0, len(classes))
	for _, c := range classes {
		pupils, err := s.reg.ClassPupils(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, ClassGroup{Class: c, Pupils: pupils})
	}
	return out, nil
}
