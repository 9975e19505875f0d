package news

import (
	"context"
	"io"
	"slices"
	"strconv"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/notify"
	"preau/appliance/store"
	"preau/appliance/text"
	"preau/appliance/web"
)

// Audiences of a piece of news: the whole school (pupils, families and
// staff), one class (its pupils, their families, its staff), the parents,
// the staff. The city's news has the same audiences across every school.
const (
	School  = "school"
	Class   = "class"
	Parents = "parents"
	Staff   = "staff"
)

// Audiences in the order a form offers them.
var Audiences = []string{School, Class, Parents, Staff}

// Item is a piece of news.
type Item struct {
	ID, SchoolID, Audience, ClassID, AuthorID string
	Title, Body                               string
	Image, ImageType                          string // the picture's SHA-256 and type, "" for none
	CreatedAt                                 time.Time
}

// City reports whether it is the city's news, every school's.
func (i Item) City() bool { return i.SchoolID == "" }

// Draft is a piece of news as its author writes it.
type Draft struct {
	Title, Body, Audience, ClassID string
	Image                          *web.Upload // nil for none (or, when editing, to keep the one it has)
}

// Limits.
const (
	maxTitle  = 200
	maxBody   = 10000
	MaxImage  = 5 << 20
	listLimit = 50 // the latest news a list shows
)

// imageTypes are the pictures a piece of news may carry, by the type
// their first bytes show.
var imageTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

// Service is the news, shared by the pages and the API. Its rules: a
// school's director publishes for the school, a class, the parents or the
// staff; a teacher likewise, a class being one of theirs; the city's DSI
// publishes on central for every school; a piece is changed or deleted by
// its author, or by the director for the school's.
type Service struct {
	db      *store.DB
	reg     feature.Register
	hub     *notify.Hub // tells the readers of a school's news; nil tells nobody
	now     func() time.Time
	central bool // on central, where the DSI publishes the city's news
}

// NewService builds a school's service on the store and the school
// register.
func NewService(db *store.DB, reg feature.Register) *Service {
	return &Service{db: db, reg: reg, now: time.Now}
}

// NewCentralService is central's, where the DSI publishes the city's news.
func NewCentralService(db *store.DB, reg feature.Register) *Service {
	s := NewService(db, reg)
	s.central = true
	return s
}

// Publishers are the profiles who publish news.
var Publishers = []auth.Profile{auth.Teacher, auth.Director, auth.DSI}

// publishes reports whether u publishes news here: the school's staff
// anywhere, the DSI on central.
func (s *Service) publishes(u auth.User) bool {
	return u.Profile == auth.Teacher || u.Profile == auth.Director || (u.Profile == auth.DSI && s.central)
}

// check holds a draft to the rules for u, and returns the school it is
// published in ("" for the city's).
func (s *Service) check(ctx context.Context, u auth.User, d *Draft) (string, error) {
	var err error
	if d.Title, err = text.Line("field.title", d.Title, maxTitle); err != nil {
		return "", err
	}
	if d.Title == "" {
		return "", apperr.New(apperr.ErrInvalid, "news.err.title_required")
	}
	if d.Body, err = text.Body("field.body", d.Body, maxBody); err != nil {
		return "", err
	}
	if !slices.Contains(Audiences, d.Audience) {
		return "", apperr.New(apperr.ErrInvalid, "news.err.audience", "Value", text.Short(d.Audience))
	}
	if d.Audience != Class {
		d.ClassID = ""
	}
	switch u.Profile {
	case auth.DSI:
		if !s.central {
			return "", apperr.New(apperr.ErrForbidden, "news.err.city_on_central")
		}
		if d.Audience == Class {
			return "", apperr.New(apperr.ErrInvalid, "news.err.city_class")
		}
		return "", nil
	case auth.Teacher, auth.Director:
		if d.Audience == Class {
			c, err := feature.StaffOf(ctx, s.reg, u, d.ClassID, "news.err.no_class", "news.err.not_your_class")
			if err != nil {
				return "", err
			}
			return c.SchoolID, nil
		}
		return u.SchoolID, nil
	}
	return "", apperr.New(apperr.ErrForbidden, "news.err.not_publisher")
}

// checkImage refuses an empty picture, one over MaxImage, or a file that
// is not a picture whatever its name says; it reads the type from its
// first bytes.
func checkImage(up *web.Upload) error {
	if up == nil {
		return nil
	}
	switch {
	case up.Size <= 0:
		return apperr.New(apperr.ErrInvalid, "news.err.empty_image")
	case up.Size > MaxImage:
		return apperr.New(apperr.ErrInvalid, "news.err.image_too_big", "Max", MaxImage>>20)
	}
	if err := up.Sniff(); err != nil {
		return err
	}
	if !imageTypes[up.Type] {
		return apperr.New(apperr.ErrInvalid, "news.err.not_image")
	}
	return nil
}

// storeImage keeps a checked picture as a blob and returns its hash.
func (s *Service) storeImage(up *web.Upload) (string, error) {
	f, err := up.Open()
	if err != nil {
		return "", err
	}
	defer f.Close()
	hash, _, err := s.db.Blobs().PutUpload(f, up.Type, MaxImage)
	return hash, err
}

// Publish writes a piece of news: for u's school, or the city's for the
// DSI. Everything is checked before anything is written.
func (s *Service) Publish(ctx context.Context, u auth.User, d Draft) (string, error) {
	school, err := s.check(ctx, u, &d)
	if err != nil {
		return "", err
	}
	if err := checkImage(d.Image); err != nil {
		return "", err
	}
	it := Item{SchoolID: school, Audience: d.Audience, ClassID: d.ClassID, AuthorID: u.ID, Title: d.Title, Body: d.Body}
	if d.Image != nil {
		if it.Image, err = s.storeImage(d.Image); err != nil {
			return "", err
		}
		it.ImageType = d.Image.Type
	}
	id, err := s.insert(ctx, it)
	if err == nil {
		it.ID = id
		s.tell(ctx, it)
	}
	return id, err
}

// tell notifies the readers of a school's news but its author. The city's
// is on every home page instead: a notification for each of a city's
// accounts would be most of its rows.
func (s *Service) tell(ctx context.Context, it Item) {
	if s.hub == nil || it.City() {
		return
	}
	var users []auth.User
	var err error
	if it.Audience == Class {
		var pupils, teachers []auth.User
		if pupils, err = s.reg.ClassPupils(ctx, it.ClassID); err != nil {
			return
		}
		if teachers, err = s.reg.ClassTeachers(ctx, it.ClassID); err != nil {
			return
		}
		users = append(pupils, teachers...)
		ids := make([]string, len(pupils))
		for i, p := range pupils {
			ids[i] = p.ID
		}
		parents, err := feature.ParentIDs(ctx, s.reg, ids)
		if err != nil {
			return
		}
		for _, id := range parents {
			users = append(users, auth.User{ID: id, Profile: auth.Parent})
		}
	} else if users, err = s.reg.SchoolUsers(ctx, it.SchoolID); err != nil {
		return
	}
	r := reader{profile: auth.Parent}
	var to []string
	for _, u := range users {
		r.profile = u.Profile
		if u.ID != it.AuthorID && (it.Audience == Class || r.seesAudience(it.Audience)) && (it.Audience != Parents || u.Profile == auth.Parent) &&
			!slices.Contains(to, u.ID) {
			to = append(to, u.ID)
		}
	}
	s.hub.Tell(ctx, notify.Notice{Users: to, Scope: it.SchoolID, Kind: "news", Icon: "journal", URL: Path + "/" + it.ID,
		Key: "news.notice.new", Args: map[string]string{"Title": it.Title}})
}

// Editable loads a piece of news u may change: their own, or the school's
// for its director.
func (s *Service) Editable(ctx context.Context, u auth.User, id string) (Item, error) {
	it, err := s.Readable(ctx, u, id)
	if err != nil {
		return it, err
	}
	if it.AuthorID == u.ID || (u.Profile == auth.Director && !it.City() && it.SchoolID == u.SchoolID) {
		return it, nil
	}
	return it, apperr.New(apperr.ErrForbidden, "news.err.not_yours")
}

// Update changes a piece of news; a new picture replaces the old one.
func (s *Service) Update(ctx context.Context, u auth.User, id string, d Draft) error {
	it, err := s.Editable(ctx, u, id)
	if err != nil {
		return err
	}
	school, err := s.check(ctx, u, &d)
	if err != nil {
		return err
	}
	if school != it.SchoolID {
		return apperr.New(apperr.ErrInvalid, "news.err.other_school")
	}
	if err := checkImage(d.Image); err != nil {
		return err
	}
	it.Audience, it.ClassID, it.Title, it.Body = d.Audience, d.ClassID, d.Title, d.Body
	if d.Image != nil {
		if it.Image, err = s.storeImage(d.Image); err != nil {
			return err
		}
		it.ImageType = d.Image.Type
	}
	return s.update(ctx, it)
}

// Delete removes a piece of news.
func (s *Service) Delete(ctx context.Context, u auth.User, id string) (Item, error) {
	it, err := s.Editable(ctx, u, id)
	if err != nil {
		return it, err
	}
	return it, s.remove(ctx, id)
}

// reader is what decides which news a person sees: their schools, the
// classes they belong to (or their children do), and whether they read as
// a parent, as staff or as a pupil.
type reader struct {
	profile auth.Profile
	schools []string
	classes []string
}

func (s *Service) readerOf(ctx context.Context, u auth.User) (reader, error) {
	r := reader{profile: u.Profile}
	var classes []auth.Class
	var err error
	switch u.Profile {
	case auth.Pupil, auth.Teacher:
		classes, err = s.reg.UserClasses(ctx, u.ID)
		r.schools = []string{u.SchoolID}
	case auth.Director:
		r.schools = []string{u.SchoolID}
	case auth.Parent:
		children, err := s.reg.Children(ctx, u.ID)
		if err != nil {
			return r, err
		}
		for _, c := range children {
			cs, err := s.reg.UserClasses(ctx, c.ID)
			if err != nil {
				return r, err
			}
			classes = append(classes, cs...)
			if !slices.Contains(r.schools, c.SchoolID) {
				r.schools = append(r.schools, c.SchoolID)
			}
		}
	}
	for _, c := range classes {
		r.classes = append(r.classes, c.ID)
	}
	return r, err
}

// sees reports whether the reader sees a piece of news.
func (r reader) sees(it Item) bool {
	if r.profile == auth.DSI {
		return it.City()
	}
	if !it.City() && !slices.Contains(r.schools, it.SchoolID) {
		return false
	}
	if it.Audience == Class {
		return r.profile == auth.Director || slices.Contains(r.classes, it.ClassID)
	}
	return r.seesAudience(it.Audience)
}

// seesAudience reports whether the reader's profile is of an audience
// other than a class.
func (r reader) seesAudience(audience string) bool {
	staff := r.profile == auth.Teacher || r.profile == auth.Director
	switch audience {
	case School:
		return true
	case Parents:
		return r.profile == auth.Parent || staff
	case Staff:
		return staff
	}
	return false
}

// Readable loads a piece of news u sees.
func (s *Service) Readable(ctx context.Context, u auth.User, id string) (Item, error) {
	it, err := s.get(ctx, id)
	if err != nil {
		return it, err
	}
	r, err := s.readerOf(ctx, u)
	if err != nil {
		return it, err
	}
	if !r.sees(it) {
		return it, apperr.New(apperr.ErrNotFound, "news.err.not_found")
	}
	return it, nil
}

// For lists the latest news u sees, newest first, at most limit (0: the
// list's own limit).
func (s *Service) For(ctx context.Context, u auth.User, limit int) ([]Item, error) {
	if limit <= 0 {
		limit = listLimit
	}
	// Every home page reads the latest: from the read cache, which any
	// write empties.
	return store.CachedList(s.db.Cache(), "news.for", u.ID+"\x00"+strconv.Itoa(limit), func() ([]Item, error) { return s.latest(ctx, u, limit) })
}

func (s *Service) latest(ctx context.Context, u auth.User, limit int) ([]Item, error) {
	r, err := s.readerOf(ctx, u)
	if err != nil {
		return nil, err
	}
	where, args := r.where()
	return s.query(ctx, where+" ORDER BY created_at DESC, id LIMIT ?", append(args, limit)...)
}

// where is sees as an SQL condition, with its arguments.
func (r reader) where() (string, []any) {
	if r.profile == auth.DSI {
		return "school_id = ''", nil
	}
	list, args := store.In(append([]string{""}, r.schools...))
	cond := "school_id IN (" + list + ") AND (audience = 'school'"
	staff := r.profile == auth.Teacher || r.profile == auth.Director
	switch {
	case r.profile == auth.Director:
		cond += " OR audience = 'class'"
	case len(r.classes) > 0:
		list, ids := store.In(r.classes)
		cond += " OR (audience = 'class' AND class_id IN (" + list + "))"
		args = append(args, ids...)
	}
	if r.profile == auth.Parent || staff {
		cond += " OR audience = 'parents'"
	}
	if staff {
		cond += " OR audience = 'staff'"
	}
	return cond + ")", args
}

// OpenImage opens the picture of a piece of news u sees.
func (s *Service) OpenImage(ctx context.Context, u auth.User, id string) (Item, io.ReadSeekCloser, error) {
	it, err := s.Readable(ctx, u, id)
	if err != nil {
		return it, nil, err
	}
	if it.Image == "" {
		return it, nil, apperr.New(apperr.ErrNotFound, "news.err.no_image")
	}
	f, err := s.db.Blobs().Open(it.Image)
	if err != nil {
		// The row came by sync before its picture: it follows.
		return it, nil, apperr.New(apperr.ErrNotFound, "news.err.image_coming")
	}
	return it, f, nil
}
