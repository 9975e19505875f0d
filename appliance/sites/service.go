package sites

import (
	"bytes"
	"context"
	"hash/fnv"
	"image"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/store"
	"preau/appliance/text"
	"preau/appliance/web"
)

// Site is a link chosen for pupils: a class's, a level's of a school, or
// the city's.
type Site struct {
	ID, SchoolID         string // SchoolID "" for the city's
	ClassID, Level       string // one of them for a school's; the city's may have a level
	Schools              feature.Targets
	URL, Title, Comment  string
	Picture, PictureType string // the picture's SHA-256 and type, "" for none
	AuthorID             string
	CreatedAt            time.Time
}

// City reports whether it is the city's, meant for every school (or its
// Schools).
func (s Site) City() bool { return s.SchoolID == "" }

// Host is the site's address as a card shows it under its title.
func (s Site) Host() string {
	u, err := url.Parse(s.URL)
	if err != nil {
		return s.URL
	}
	return strings.TrimPrefix(u.Hostname(), "www.")
}

// Initial is what a card without a picture shows, large: the title's
// first letter.
func (s Site) Initial() string {
	for _, r := range s.Title {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return strings.ToUpper(string(r))
		}
	}
	return "?"
}

// Tint is the colour of a card without a picture, one of tints, the same
// for the same title.
func (s Site) Tint() int {
	h := fnv.New32a()
	h.Write([]byte(s.Title))
	return int(h.Sum32() % tints)
}

const tints = 6 // the .tint-N classes of the stylesheet

// Draft is a site as its author writes it.
type Draft struct {
	URL, Title, Comment string
	ClassID, Level      string   // exactly one for a school's site; the city's may have a level
	Schools             []string // the city's: the schools it is meant for, none for every school
	Picture             *web.Upload
}

// Limits.
const (
	maxURL     = 2000
	maxTitle   = 120
	maxComment = 1000
	MaxPicture = 5 << 20 // an uploaded picture
)

// Service is the sites, shared by the pages and the API. Its rules: a
// teacher chooses sites for one of their classes or for a level of the
// school, the director likewise for any class of theirs; pupils see their
// class's, their level's and the city's meant for their school; parents
// what their children see; the school's staff see all the school's and
// the city's, and take a colleague's up for a class of theirs. The city's
// DSI chooses on central the sites every school (or some) shows. A site
// is deleted by its author, or by the director for the school's.
type Service struct {
	db      *store.DB
	reg     feature.Register
	now     func() time.Time
	central bool // on central, where the DSI chooses the city's sites
	icons   iconFetcher
}

// NewService builds a school's service on the store and the school
// register.
func NewService(db *store.DB, reg feature.Register) *Service {
	return &Service{db: db, reg: reg, now: time.Now, icons: iconFetcher{timeout: iconTimeout}}
}

// NewCentralService is central's, where the DSI chooses the city's sites.
func NewCentralService(db *store.DB, reg feature.Register) *Service {
	s := NewService(db, reg)
	s.central = true
	return s
}

// AllowLoopback lets the icon fetcher reach this machine's own addresses,
// and fetch though the configuration says not to: for tests, which serve
// a page on 127.0.0.1. Private, link-local and unspecified addresses stay
// refused.
func (s *Service) AllowLoopback() { s.icons.loopback, s.icons.off = true, false }

// Choosers are the profiles who choose sites.
var Choosers = []auth.Profile{auth.Teacher, auth.Director, auth.DSI}

// chooses reports whether u chooses sites here: the school's staff
// anywhere, the DSI on central.
func (s *Service) chooses(u auth.User) bool {
	return u.Profile == auth.Teacher || u.Profile == auth.Director || (u.Profile == auth.DSI && s.central)
}

// check holds a draft to the rules for u and returns the site it makes,
// without its picture.
func (s *Service) check(ctx context.Context, u auth.User, d Draft) (Site, error) {
	site := Site{AuthorID: u.ID}
	var err error
	if site.URL, err = checkURL(d.URL); err != nil {
		return site, err
	}
	if site.Title, err = text.Line("field.title", d.Title, maxTitle); err != nil {
		return site, err
	}
	if site.Title == "" {
		return site, apperr.New(apperr.ErrInvalid, "sites.err.title_required")
	}
	if site.Comment, err = text.Body("field.comment", d.Comment, maxComment); err != nil {
		return site, err
	}
	if d.Level != "" && !slices.Contains(feature.Levels, d.Level) {
		return site, apperr.New(apperr.ErrInvalid, "sites.err.level", "Value", text.Short(d.Level))
	}
	switch u.Profile {
	case auth.DSI:
		if !s.central {
			return site, apperr.New(apperr.ErrForbidden, "sites.err.city_on_central")
		}
		if d.ClassID != "" {
			return site, apperr.New(apperr.ErrInvalid, "sites.err.city_class")
		}
		site.Level = d.Level
		site.Schools, err = s.targets(ctx, d.Schools)
		return site, err
	case auth.Teacher, auth.Director:
		if (d.ClassID == "") == (d.Level == "") {
			return site, apperr.New(apperr.ErrInvalid, "sites.err.class_or_level")
		}
		site.SchoolID, site.Level = u.SchoolID, d.Level
		if d.ClassID != "" {
			c, err := s.writable(ctx, u, d.ClassID)
			if err != nil {
				return site, err
			}
			site.ClassID, site.SchoolID = c.ID, c.SchoolID
		}
		return site, nil
	}
	return site, apperr.New(apperr.ErrForbidden, "sites.err.not_chooser")
}

// checkURL is a site's address: absolute, http or https, with a host and
// no password in it.
func checkURL(raw string) (string, error) {
	raw, err := text.Line("sites.field_name.url", raw, maxURL)
	if err != nil {
		return "", err
	}
	if raw == "" {
		return "", apperr.New(apperr.ErrInvalid, "sites.err.url_required")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" {
		return "", apperr.New(apperr.ErrInvalid, "sites.err.url", "Value", text.Short(raw))
	}
	if u.User != nil {
		return "", apperr.New(apperr.ErrInvalid, "sites.err.url_password")
	}
	return u.String(), nil
}

// targets are the schools a city's site is meant for, each one the city
// has.
func (s *Service) targets(ctx context.Context, ids []string) (feature.Targets, error) {
	var out feature.Targets
	for _, id := range ids {
		if id = strings.TrimSpace(id); id == "" {
			continue
		}
		if _, err := s.reg.School(ctx, id); err != nil {
			return nil, apperr.New(apperr.ErrInvalid, "sites.err.school", "Value", text.Short(id))
		}
		out = append(out, id)
	}
	return feature.ParseTargets(out.String()), nil
}

// writable loads a class u chooses sites for: one of its teachers, or the
// director of its school.
func (s *Service) writable(ctx context.Context, u auth.User, classID string) (auth.Class, error) {
	return feature.StaffOf(ctx, s.reg, u, classID, "sites.err.no_class", "sites.err.not_your_class")
}

// Add writes a site for u: a class's or a level's of their school, or the
// city's for the DSI on central. Its picture is the one sent, or else the
// site's own icon, fetched from it; a site whose icon cannot be had shows
// its first letter. Everything is checked before anything is written.
func (s *Service) Add(ctx context.Context, u auth.User, d Draft) (Site, error) {
	site, err := s.check(ctx, u, d)
	if err != nil {
		return site, err
	}
	var picture []byte
	if d.Picture != nil {
		if picture, err = readPicture(d.Picture); err != nil {
			return site, err
		}
	} else {
		picture = s.icons.fetch(ctx, site.URL)
	}
	if err := s.keepPicture(&site, picture); err != nil {
		return site, err
	}
	site.ID, site.CreatedAt = store.NewID(), s.now()
	return site, s.insert(ctx, site)
}

// readPicture reads an uploaded picture: not empty, at most MaxPicture, a
// picture by its content whatever its name says.
func readPicture(up *web.Upload) ([]byte, error) {
	if up.Size > MaxPicture {
		return nil, tooBig()
	}
	f, err := up.Open()
	if err != nil {
		return nil, apperr.New(apperr.ErrInvalid, "sites.err.picture_unreadable")
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxPicture+1))
	switch {
	case err != nil:
		return nil, apperr.New(apperr.ErrInvalid, "sites.err.picture_unreadable")
	case len(b) > MaxPicture:
		return nil, tooBig()
	case len(b) == 0:
		return nil, apperr.New(apperr.ErrInvalid, "sites.err.picture_empty")
	case pictureType(b) == "":
		return nil, apperr.New(apperr.ErrInvalid, "sites.err.not_picture")
	}
	return b, nil
}

func tooBig() error {
	return apperr.New(apperr.ErrTooLarge, "sites.err.picture_too_big", "Max", MaxPicture>>20)
}

// pictureType is the type of a picture as its content says, "" when it
// is no picture a thumbnail can be drawn from (its header must decode).
func pictureType(b []byte) string {
	t := http.DetectContentType(b)
	if !store.IsPicture(t) {
		return ""
	}
	if _, _, err := image.DecodeConfig(bytes.NewReader(b)); err != nil {
		return ""
	}
	return t
}

// keepPicture stores a checked picture as a blob, for the site; none
// keeps none.
func (s *Service) keepPicture(site *Site, picture []byte) error {
	if len(picture) == 0 {
		return nil
	}
	hash, _, err := s.db.Blobs().Put(bytes.NewReader(picture), MaxPicture)
	if err != nil {
		return err
	}
	site.Picture, site.PictureType = hash, pictureType(picture)
	return nil
}

// viewer is what decides which sites a person sees: the schools and
// classes and levels of the pupils they see for (theirs, their
// children's), or the school they work in.
type viewer struct {
	profile auth.Profile
	school  string // a member of staff's
	pupils  []pupilView
}

// pupilView is what one pupil sees: their school, classes and levels.
type pupilView struct {
	school          string
	classes, levels []string
}

func (s *Service) viewerOf(ctx context.Context, u auth.User) (viewer, error) {
	v := viewer{profile: u.Profile}
	switch u.Profile {
	case auth.Teacher, auth.Director:
		v.school = u.SchoolID
	case auth.Pupil:
		p, err := s.pupilView(ctx, u)
		v.pupils = []pupilView{p}
		return v, err
	case auth.Parent:
		children, err := s.reg.Children(ctx, u.ID)
		if err != nil {
			return v, err
		}
		for _, c := range children {
			p, err := s.pupilView(ctx, c)
			if err != nil {
				return v, err
			}
			v.pupils = append(v.pupils, p)
		}
	}
	return v, nil
}

func (s *Service) pupilView(ctx context.Context, pupil auth.User) (pupilView, error) {
	p := pupilView{school: pupil.SchoolID}
	classes, err := s.reg.UserClasses(ctx, pupil.ID)
	for _, c := range classes {
		p.classes = append(p.classes, c.ID)
		for _, l := range feature.LevelsOf(c) {
			if !slices.Contains(p.levels, l) {
				p.levels = append(p.levels, l)
			}
		}
	}
	return p, err
}

// sees reports whether a pupil sees a site.
func (p pupilView) sees(site Site) bool {
	if site.City() {
		return site.Schools.Includes(p.school) && (site.Level == "" || slices.Contains(p.levels, site.Level))
	}
	return site.SchoolID == p.school && (slices.Contains(p.classes, site.ClassID) || slices.Contains(p.levels, site.Level))
}

// sees reports whether the viewer sees a site.
func (v viewer) sees(site Site) bool {
	switch v.profile {
	case auth.DSI:
		return site.City()
	case auth.Teacher, auth.Director:
		return site.SchoolID == v.school || (site.City() && site.Schools.Includes(v.school))
	}
	return slices.ContainsFunc(v.pupils, func(p pupilView) bool { return p.sees(site) })
}

// Readable loads a site u sees.
func (s *Service) Readable(ctx context.Context, u auth.User, id string) (Site, error) {
	site, err := s.get(ctx, id)
	if err != nil {
		return site, err
	}
	v, err := s.viewerOf(ctx, u)
	if err != nil {
		return site, err
	}
	if !v.sees(site) {
		return site, apperr.New(apperr.ErrNotFound, "sites.err.not_found")
	}
	return site, nil
}

// For lists the sites u sees, newest first: a pupil's, a parent's
// children's, the school's and the city's for its staff, the city's for
// the DSI.
func (s *Service) For(ctx context.Context, u auth.User) ([]Site, error) {
	v, err := s.viewerOf(ctx, u)
	if err != nil {
		return nil, err
	}
	city, err := s.ofSchool(ctx, "")
	if err != nil {
		return nil, err
	}
	var out []Site
	switch u.Profile {
	case auth.Teacher, auth.Director:
		if out, err = s.ofSchool(ctx, v.school); err != nil {
			return nil, err
		}
	default:
		for _, p := range v.pupils {
			mine, err := s.forPupils(ctx, p.school, p.classes, p.levels)
			if err != nil {
				return nil, err
			}
			for _, site := range mine {
				if !slices.ContainsFunc(out, func(o Site) bool { return o.ID == site.ID }) {
					out = append(out, site)
				}
			}
		}
	}
	for _, site := range city {
		if v.sees(site) {
			out = append(out, site)
		}
	}
	return out, nil
}

// ForPupil lists what one pupil sees, for their parent's page about them
// or their own.
func (s *Service) ForPupil(ctx context.Context, u auth.User, pupil auth.User) ([]Site, error) {
	v, err := s.viewerOf(ctx, u)
	if err != nil {
		return nil, err
	}
	p, err := s.pupilView(ctx, pupil)
	if err != nil {
		return nil, err
	}
	all, err := s.For(ctx, u)
	if err != nil {
		return nil, err
	}
	var out []Site
	for _, site := range all {
		if p.sees(site) && v.sees(site) {
			out = append(out, site)
		}
	}
	return out, nil
}

// ForClass lists what a class's pupils see, for a member of its staff.
func (s *Service) ForClass(ctx context.Context, u auth.User, c auth.Class) ([]Site, error) {
	p := pupilView{school: c.SchoolID, classes: []string{c.ID}, levels: feature.LevelsOf(c)}
	all, err := s.For(ctx, u)
	if err != nil {
		return nil, err
	}
	var out []Site
	for _, site := range all {
		if p.sees(site) {
			out = append(out, site)
		}
	}
	return out, nil
}

// editable loads a site u may delete: their own, the school's for its
// director.
func (s *Service) editable(ctx context.Context, u auth.User, id string) (Site, error) {
	site, err := s.Readable(ctx, u, id)
	if err != nil {
		return site, err
	}
	if site.City() && !s.central {
		return site, apperr.New(apperr.ErrForbidden, "sites.err.city_on_central")
	}
	if !s.Deletable(u, site) {
		return site, apperr.New(apperr.ErrForbidden, "sites.err.not_yours")
	}
	return site, nil
}

// Deletable reports whether u may delete a site they see: their own, the
// school's for its director, the city's for the DSI on central.
func (s *Service) Deletable(u auth.User, site Site) bool {
	if site.City() {
		return s.central && (site.AuthorID == u.ID || u.Profile == auth.DSI)
	}
	return site.AuthorID == u.ID || (u.Profile == auth.Director && site.SchoolID == u.SchoolID)
}

// Delete removes a site; its picture stays while another site shows it.
func (s *Service) Delete(ctx context.Context, u auth.User, id string) (Site, error) {
	site, err := s.editable(ctx, u, id)
	if err != nil {
		return site, err
	}
	return site, s.remove(ctx, id)
}

// Reuse takes a site u sees (a colleague's, the city's) up for one of
// u's classes: a copy of it, theirs, with the same picture. A site taken
// up twice for a class is the one already there.
func (s *Service) Reuse(ctx context.Context, u auth.User, id, classID string) (Site, error) {
	if u.Profile != auth.Teacher && u.Profile != auth.Director {
		return Site{}, apperr.New(apperr.ErrForbidden, "sites.err.not_chooser")
	}
	site, err := s.Readable(ctx, u, id)
	if err != nil {
		return site, err
	}
	c, err := s.writable(ctx, u, classID)
	if err != nil {
		return site, err
	}
	if prev, ok, err := s.sameFor(ctx, c.ID, site.URL); ok || err != nil {
		return prev, err
	}
	site.ID, site.SchoolID, site.ClassID, site.Level, site.Schools = store.NewID(), c.SchoolID, c.ID, "", nil
	site.AuthorID, site.CreatedAt = u.ID, s.now()
	return site, s.insert(ctx, site)
}

// Thumbnail is a JPEG of a site's picture, small enough for a card, for
// u who sees the site.
func (s *Service) Thumbnail(ctx context.Context, u auth.User, id string) ([]byte, error) {
	site, err := s.Readable(ctx, u, id)
	if err != nil {
		return nil, err
	}
	if site.Picture == "" {
		return nil, apperr.New(apperr.ErrNotFound, "sites.err.no_picture")
	}
	b, err := s.db.Blobs().Thumbnail(site.Picture)
	if err != nil {
		// The row came by sync before its picture: it follows.
		return nil, apperr.New(apperr.ErrNotFound, "sites.err.picture_coming")
	}
	return b, nil
}
