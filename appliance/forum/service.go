package forum

import (
	"context"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/notify"
	"preau/appliance/store"
	"preau/appliance/text"
	"preau/appliance/web"
)

// Audiences of a forum: a class's (its pupils and staff write, its
// families read), the school's (its pupils and staff write, its families
// read), the staff's, the parents' of a class (they and the class's staff
// write), the city's (every school's staff and the DSI).
const (
	Class   = "class"
	School  = "school"
	Staff   = "staff"
	Parents = "parents"
	City    = "city"
)

// Audiences in the order the list and the form show them.
var Audiences = []string{Class, Parents, School, Staff, City}

// Statuses of a post.
const (
	Published = "published"
	Held      = "held" // a pupil's, in a moderated forum, until a moderator lets it through
	Removed   = "removed"
)

// Forum is a forum.
type Forum struct {
	ID, SchoolID, Audience, ClassID string
	Title, About                    string
	Categories                      []string
	Moderated                       bool
	AuthorID                        string
	CreatedAt                       time.Time
}

// IsCity reports whether it is the city's.
func (f Forum) IsCity() bool { return f.SchoolID == "" }

// Thread is a thread of a forum, with what its list shows.
type Thread struct {
	ID, ForumID, Category, Title, AuthorID string
	Pinned, Locked                         bool
	CreatedAt                              time.Time
	City                                   bool

	Author   string    // the author's name
	Posts    int       // the published posts
	LastPost time.Time // the latest published post's time
	Unread   bool      // a post the reader has not seen
	Visible  bool      // it has a published post: others than its author and the moderators see it
}

// Post is a post of a thread.
type Post struct {
	ID, ThreadID, ForumID, AuthorID, Body, Status string
	CreatedAt, EditedAt                           time.Time
	City                                          bool

	Author string
	HTML   template.HTML // Body in Markdown, through the one policy (text.Markdown): safe to show
	Files  []File
}

// File is a post's image or attachment.
type File struct {
	ID, PostID, ForumID, AuthorID, Hash, Name, Type string
	Size                                            int64
}

// IsImage reports whether it shows in the page.
func (f File) IsImage() bool { return imageTypes[f.Type] }

// URL is where it is served, checked for who asks.
func (f File) URL() string { return MediaPath + f.ID }

// Report is a report of a post, as the moderation queue shows it.
type Report struct {
	ID, PostID, ForumID, ReporterID, Reason, Status string
	CreatedAt                                       time.Time
	Reporter                                        string
	Post                                            Post
	Thread                                          Thread
}

// Limits.
const (
	maxTitle      = 200
	maxAbout      = 1000
	maxBody       = 20000
	maxReason     = 500
	maxCategories = 12
	MaxFile       = 10 << 20 // one image or attachment
	maxFiles      = 6        // a post's
	maxThreads    = 200      // a forum's page lists the latest
)

// UserQuota is what one person's files in the forums may hold in all:
// the forums are for talking, the documents for sharing files. A
// variable for tests.
var UserQuota int64 = 100 << 20

// imageTypes are the files shown as images in a post, by the type their
// first bytes show; any other file is an attachment, downloaded.
var imageTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

// Service is the forums, shared by the pages and the API. Who may do what
// is decided here only (see reader).
type Service struct {
	db      *store.DB
	reg     feature.Register
	users   *auth.Service // the authors' names
	hub     *notify.Hub   // nil tells nobody
	log     *slog.Logger
	now     func() time.Time
	central bool
	school  string // the node's school, where a school's staff write in the city's forums
}

// NewService builds the service of a school (central: false) or of
// central.
func NewService(db *store.DB, reg feature.Register, users *auth.Service, hub *notify.Hub, log *slog.Logger, central bool, school string) *Service {
	return &Service{db: db, reg: reg, users: users, hub: hub, log: log, now: time.Now, central: central, school: school}
}

// reader is what decides what a person sees and writes: their profile,
// their schools, their classes (a parent's: their children's).
type reader struct {
	u       auth.User
	schools []string
	classes []auth.Class
}

func (s *Service) readerOf(ctx context.Context, u auth.User) (reader, error) {
	r := reader{u: u}
	classes, err := feature.ReadableClasses(ctx, s.reg, u)
	if err != nil {
		return r, err
	}
	r.classes = classes
	if u.SchoolID != "" {
		r.schools = append(r.schools, u.SchoolID)
	}
	if u.Profile == auth.Parent {
		children, err := s.reg.Children(ctx, u.ID)
		if err != nil {
			return r, err
		}
		for _, c := range children {
			if !slices.Contains(r.schools, c.SchoolID) {
				r.schools = append(r.schools, c.SchoolID)
			}
		}
	}
	return r, nil
}

func (r reader) inClass(classID string) bool {
	return slices.ContainsFunc(r.classes, func(c auth.Class) bool { return c.ID == classID })
}

func (r reader) staff() bool { return r.u.Profile == auth.Teacher || r.u.Profile == auth.Director }

// sees reports whether the reader reads a forum.
func (r reader) sees(f Forum) bool {
	if f.Audience == City {
		return r.staff() || r.u.Profile == auth.DSI
	}
	if !slices.Contains(r.schools, f.SchoolID) {
		return false
	}
	switch f.Audience {
	case Class:
		return r.u.Profile == auth.Director || r.inClass(f.ClassID)
	case Parents:
		return r.u.Profile == auth.Director || (r.u.Profile != auth.Pupil && r.inClass(f.ClassID))
	case School:
		return r.u.Profile != auth.DSI
	case Staff:
		return r.staff()
	}
	return false
}

// writes reports whether the reader writes in a forum: families read
// the class's and the school's, and write in their own.
func (r reader) writes(f Forum) bool {
	if !r.sees(f) {
		return false
	}
	return r.u.Profile != auth.Parent || f.Audience == Parents
}

// moderates reports whether the reader moderates a forum: a class's
// teachers and the director for a class's and its parents', the director
// for the school's and the staff's, the DSI for the city's.
func (r reader) moderates(f Forum) bool {
	switch f.Audience {
	case City:
		return r.u.Profile == auth.DSI
	case Class, Parents:
		return (r.u.Profile == auth.Director && f.SchoolID == r.u.SchoolID) || (r.u.Profile == auth.Teacher && r.inClass(f.ClassID))
	}
	return r.u.Profile == auth.Director && f.SchoolID == r.u.SchoolID
}

// forumsOf are the forums the reader sees.
func (s *Service) forumsOf(ctx context.Context, r reader) ([]Forum, error) {
	list, args := store.In(append([]string{""}, r.schools...))
	all, err := s.queryForums(ctx, "school_id IN ("+list+") ORDER BY created_at, id", args...)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(f Forum) bool { return !r.sees(f) }), nil
}

// ForumView is a forum as the list shows it.
type ForumView struct {
	Forum
	Class   string // the class's name, for a class's or its parents'
	Threads int
	Unread  int // threads with a post the reader has not seen
}

// Forums lists the forums u sees, with their unread threads.
func (s *Service) Forums(ctx context.Context, u auth.User) ([]ForumView, error) {
	r, err := s.readerOf(ctx, u)
	if err != nil {
		return nil, err
	}
	forums, err := s.forumsOf(ctx, r)
	if err != nil {
		return nil, err
	}
	out := make([]ForumView, len(forums))
	for i, f := range forums {
		out[i] = ForumView{Forum: f}
		if f.ClassID != "" {
			if c, err := s.reg.Class(ctx, f.ClassID); err == nil {
				out[i].Class = c.Name
			}
		}
		threads, err := s.threads(ctx, r, f, "")
		if err != nil {
			return nil, err
		}
		out[i].Threads = len(threads)
		for _, t := range threads {
			if t.Unread {
				out[i].Unread++
			}
		}
	}
	return out, nil
}

// Unread counts the threads with posts u has not seen, in every forum
// they see: their tile's badge.
func (s *Service) Unread(ctx context.Context, u auth.User) (int, error) {
	views, err := s.Forums(ctx, u)
	n := 0
	for _, v := range views {
		n += v.Unread
	}
	return n, err
}

// Access is what a person may do in a forum.
type Access struct {
	Write, Moderate bool
}

// Forum loads a forum u sees, and what they may do in it.
func (s *Service) Forum(ctx context.Context, u auth.User, id string) (Forum, Access, error) {
	f, err := s.getForum(ctx, id)
	if err != nil {
		return f, Access{}, err
	}
	r, err := s.readerOf(ctx, u)
	if err != nil {
		return f, Access{}, err
	}
	if !r.sees(f) {
		return f, Access{}, apperr.New(apperr.ErrNotFound, "forum.err.not_found")
	}
	return f, Access{Write: r.writes(f), Moderate: r.moderates(f)}, nil
}

// Threads lists a forum's threads u sees, pinned first, then the latest
// active; category "" for all.
func (s *Service) Threads(ctx context.Context, u auth.User, forumID, category string) (Forum, Access, []Thread, error) {
	f, acc, err := s.Forum(ctx, u, forumID)
	if err != nil {
		return f, acc, nil, err
	}
	r, err := s.readerOf(ctx, u)
	if err != nil {
		return f, acc, nil, err
	}
	threads, err := s.threads(ctx, r, f, category)
	return f, acc, threads, err
}

func (s *Service) threads(ctx context.Context, r reader, f Forum, category string) ([]Thread, error) {
	all, err := s.queryThreads(ctx, r.u.ID, f.ID, category)
	if err != nil {
		return nil, err
	}
	mod := r.moderates(f)
	return slices.DeleteFunc(all, func(t Thread) bool { return !t.Visible && !mod && t.AuthorID != r.u.ID }), nil
}

// ForumDraft is a forum as its author opens it.
type ForumDraft struct {
	Title, About, Audience, ClassID, Categories string
	Moderated                                   bool
}

// Openers are the profiles who open forums.
var Openers = []auth.Profile{auth.Teacher, auth.Director, auth.DSI}

// CreateForum opens a forum: a teacher for one of their classes (its
// pupils', or its parents'), the director for the school, a class, the
// staff or the parents, the DSI the city's on central.
func (s *Service) CreateForum(ctx context.Context, u auth.User, d ForumDraft) (string, error) {
	f, err := s.checkForum(ctx, u, d)
	if err != nil {
		return "", err
	}
	f.AuthorID = u.ID
	return s.insertForum(ctx, f)
}

// UpdateForum changes a forum's title, presentation, categories and
// whether pupils' posts wait: its moderators do. Who it is for stays.
func (s *Service) UpdateForum(ctx context.Context, u auth.User, id string, d ForumDraft) (Forum, error) {
	f, acc, err := s.Forum(ctx, u, id)
	if err != nil {
		return f, err
	}
	if !acc.Moderate {
		return f, apperr.New(apperr.ErrForbidden, "forum.err.not_moderator")
	}
	d.Audience, d.ClassID = f.Audience, f.ClassID
	changed, err := s.checkForum(ctx, u, d)
	if err != nil {
		return f, err
	}
	f.Title, f.About, f.Categories, f.Moderated = changed.Title, changed.About, changed.Categories, changed.Moderated
	return f, s.updateForum(ctx, f)
}

func (s *Service) checkForum(ctx context.Context, u auth.User, d ForumDraft) (Forum, error) {
	var f Forum
	var err error
	if f.Title, err = text.Line("field.title", d.Title, maxTitle); err != nil {
		return f, err
	}
	if f.Title == "" {
		return f, apperr.New(apperr.ErrInvalid, "forum.err.title_required")
	}
	if f.About, err = text.Body("forum.field.about", d.About, maxAbout); err != nil {
		return f, err
	}
	cats, err := text.Body("forum.field.categories", d.Categories, maxAbout)
	if err != nil {
		return f, err
	}
	for _, c := range strings.Split(cats, "\n") {
		if c = strings.TrimSpace(c); c != "" && !slices.Contains(f.Categories, c) {
			f.Categories = append(f.Categories, c)
		}
	}
	if len(f.Categories) > maxCategories {
		return f, apperr.New(apperr.ErrInvalid, "forum.err.categories", "Max", maxCategories)
	}
	if !slices.Contains(Audiences, d.Audience) {
		return f, apperr.New(apperr.ErrInvalid, "forum.err.audience", "Value", text.Short(d.Audience))
	}
	f.Audience, f.Moderated = d.Audience, d.Moderated
	switch {
	case u.Profile == auth.DSI:
		if !s.central {
			return f, apperr.New(apperr.ErrForbidden, "forum.err.city_on_central")
		}
		if d.Audience != City {
			return f, apperr.New(apperr.ErrInvalid, "forum.err.dsi_city")
		}
		return f, nil
	case u.Profile != auth.Teacher && u.Profile != auth.Director:
		return f, apperr.New(apperr.ErrForbidden, "forum.err.not_opener")
	case d.Audience == City:
		return f, apperr.New(apperr.ErrForbidden, "forum.err.city_dsi")
	case d.Audience == Class || d.Audience == Parents:
		c, err := feature.StaffOf(ctx, s.reg, u, d.ClassID, "forum.err.no_class", "forum.err.not_your_class")
		if err != nil {
			return f, err
		}
		f.ClassID, f.SchoolID = c.ID, c.SchoolID
		return f, nil
	case u.Profile != auth.Director:
		return f, apperr.New(apperr.ErrForbidden, "forum.err.director_only")
	}
	f.SchoolID = u.SchoolID
	return f, nil
}

// ThreadDraft is a new thread: its title, its category and its first
// post.
type ThreadDraft struct {
	Title, Category string
	Post            PostDraft
}

// PostDraft is a post as its author writes it.
type PostDraft struct {
	Body  string
	Files []web.Upload
}

// checkPost holds a post to the rules and reads its files' types.
func checkPost(d *PostDraft) error {
	var err error
	if d.Body, err = text.Body("field.body", d.Body, maxBody); err != nil {
		return err
	}
	if strings.TrimSpace(d.Body) == "" && len(d.Files) == 0 {
		return apperr.New(apperr.ErrInvalid, "forum.err.body_required")
	}
	if len(d.Files) > maxFiles {
		return apperr.New(apperr.ErrInvalid, "forum.err.too_many_files", "Max", maxFiles)
	}
	for i := range d.Files {
		if err := checkFile(&d.Files[i]); err != nil {
			return err
		}
	}
	return nil
}

// checkFile refuses an empty file or one over MaxFile, and reads its type
// from its first bytes, whatever its name says.
func checkFile(up *web.Upload) error {
	switch {
	case up.Size <= 0:
		return apperr.New(apperr.ErrInvalid, "forum.err.empty_file", "Name", text.Short(up.Name))
	case up.Size > MaxFile:
		return apperr.New(apperr.ErrInvalid, "forum.err.file_too_big", "Name", text.Short(up.Name), "Max", MaxFile>>20)
	}
	name, err := text.Line("forum.field.files", up.Name, 200)
	if err != nil {
		return err
	}
	up.Name = strings.NewReplacer("/", "_", `\`, "_").Replace(name)
	if up.Name == "" {
		up.Name = "fichier"
	}
	f, err := up.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	up.Type = http.DetectContentType(head[:n])
	return nil
}

// writable loads a forum u writes in, or says why not.
func (s *Service) writable(ctx context.Context, u auth.User, forumID string) (Forum, reader, error) {
	f, err := s.getForum(ctx, forumID)
	if err != nil {
		return f, reader{}, err
	}
	r, err := s.readerOf(ctx, u)
	if err != nil {
		return f, r, err
	}
	switch {
	case !r.sees(f):
		return f, r, apperr.New(apperr.ErrNotFound, "forum.err.not_found")
	case !r.writes(f):
		return f, r, apperr.New(apperr.ErrForbidden, "forum.err.read_only")
	}
	return f, r, nil
}

// statusFor is a new post's: held when a pupil writes in a moderated
// forum.
func statusFor(u auth.User, f Forum) string {
	if f.Moderated && u.Profile == auth.Pupil {
		return Held
	}
	return Published
}

// NewThread opens a thread with its first post; everything is checked
// before anything is written.
func (s *Service) NewThread(ctx context.Context, u auth.User, forumID string, d ThreadDraft) (Thread, Post, error) {
	f, _, err := s.writable(ctx, u, forumID)
	if err != nil {
		return Thread{}, Post{}, err
	}
	var t Thread
	if t.Title, err = text.Line("field.title", d.Title, maxTitle); err != nil {
		return t, Post{}, err
	}
	if t.Title == "" {
		return t, Post{}, apperr.New(apperr.ErrInvalid, "forum.err.title_required")
	}
	if d.Category != "" && !slices.Contains(f.Categories, d.Category) {
		return t, Post{}, apperr.New(apperr.ErrInvalid, "forum.err.category", "Value", text.Short(d.Category))
	}
	if err := checkPost(&d.Post); err != nil {
		return t, Post{}, err
	}
	files, err := s.storeFiles(ctx, u, d.Post.Files)
	if err != nil {
		return t, Post{}, err
	}
	now := s.now().UTC()
	t = Thread{ID: store.NewID(), ForumID: f.ID, Category: d.Category, Title: t.Title, AuthorID: u.ID, CreatedAt: now, City: f.IsCity()}
	p := Post{ID: store.NewID(), ThreadID: t.ID, ForumID: f.ID, AuthorID: u.ID, Body: d.Post.Body, Status: statusFor(u, f), CreatedAt: now,
		City: f.IsCity(), Files: files}
	if err := s.insertThread(ctx, s.scopeOf(f), t, p); err != nil {
		return t, p, err
	}
	s.markRead(ctx, u, f, t, p.CreatedAt) // what one writes, one has read
	s.announce(ctx, u, f, t, p)
	return t, p, nil
}

// Reply adds a post to a thread; a locked thread takes only its
// moderators'.
func (s *Service) Reply(ctx context.Context, u auth.User, threadID string, d PostDraft) (Post, error) {
	t, err := s.getThread(ctx, threadID)
	if err != nil {
		return Post{}, err
	}
	f, r, err := s.writable(ctx, u, t.ForumID)
	if err != nil {
		return Post{}, err
	}
	if !s.threadVisible(r, f, t) {
		return Post{}, apperr.New(apperr.ErrNotFound, "forum.err.thread_not_found")
	}
	if t.Locked && !r.moderates(f) {
		return Post{}, apperr.New(apperr.ErrForbidden, "forum.err.locked")
	}
	if err := checkPost(&d); err != nil {
		return Post{}, err
	}
	files, err := s.storeFiles(ctx, u, d.Files)
	if err != nil {
		return Post{}, err
	}
	p := Post{ID: store.NewID(), ThreadID: t.ID, ForumID: f.ID, AuthorID: u.ID, Body: d.Body, Status: statusFor(u, f), CreatedAt: s.now().UTC(),
		City: f.IsCity(), Files: files}
	if err := s.insertPost(ctx, s.scopeOf(f), p); err != nil {
		return p, err
	}
	s.markRead(ctx, u, f, t, p.CreatedAt)
	s.announce(ctx, u, f, t, p)
	p.HTML = markdown(p.Body)
	return p, nil
}

// threadVisible reports whether the reader sees a thread of a forum they
// see: one with a published post, or theirs, or any for its moderators.
func (s *Service) threadVisible(r reader, f Forum, t Thread) bool {
	return t.Visible || t.AuthorID == r.u.ID || r.moderates(f)
}

// storeFiles keeps u's checked files as blobs, within their quota.
func (s *Service) storeFiles(ctx context.Context, u auth.User, ups []web.Upload) ([]File, error) {
	if len(ups) == 0 {
		return nil, nil
	}
	used, err := s.usage(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	for _, up := range ups {
		used += up.Size
	}
	if used > UserQuota {
		return nil, apperr.New(apperr.ErrTooLarge, "forum.err.quota", "Max", UserQuota>>20)
	}
	var out []File
	for _, up := range ups {
		rc, err := up.Open()
		if err != nil {
			return nil, err
		}
		hash, size, err := s.db.Blobs().PutUpload(rc, up.Type, MaxFile)
		rc.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, File{ID: store.NewID(), Hash: hash, Name: up.Name, Type: up.Type, Size: size})
	}
	return out, nil
}

// scopeOf is where a forum's new rows replicate: its school's; for the
// city's, global on central and the school's own at a school (their city
// flag sends them to every school).
func (s *Service) scopeOf(f Forum) string {
	switch {
	case !f.IsCity():
		return f.SchoolID
	case s.central:
		return store.GlobalScope
	}
	return s.school
}

// announce tells who follows a thread (its authors, those who read it)
// of a published post, live on their open pages; a held post, its
// moderators.
func (s *Service) announce(ctx context.Context, from auth.User, f Forum, t Thread, p Post) {
	if s.hub == nil {
		return
	}
	url := ThreadPath(f.ID, t.ID) + "#m-" + p.ID
	if p.Status == Held {
		mods, err := s.moderators(ctx, f)
		if err != nil {
			return
		}
		s.hub.Tell(ctx, notify.Notice{Users: mods, Scope: s.scopeOf(f), Kind: "forum", Icon: "bulle", URL: ModerationPath,
			Key: "forum.notice.held", Args: map[string]string{"Title": t.Title, "From": from.DisplayName}})
		return
	}
	followers, err := s.followers(ctx, t.ID)
	if err != nil {
		return
	}
	followers = slices.DeleteFunc(followers, func(id string) bool { return id == from.ID })
	s.hub.Tell(ctx, notify.Notice{Users: followers, Scope: s.scopeOf(f), Kind: "forum", Icon: "bulle", URL: url,
		Key: "forum.notice.post", Args: map[string]string{"Title": t.Title, "From": from.DisplayName}})
}

// moderators are the ids of a forum's moderators here (the city's DSI is
// on central).
func (s *Service) moderators(ctx context.Context, f Forum) ([]string, error) {
	var out []string
	if f.IsCity() {
		return out, nil
	}
	users, err := s.reg.SchoolUsers(ctx, f.SchoolID)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		if u.Profile == auth.Director && u.SchoolID == f.SchoolID {
			out = append(out, u.ID)
		}
	}
	if f.ClassID != "" {
		teachers, err := s.reg.ClassTeachers(ctx, f.ClassID)
		if err != nil {
			return nil, err
		}
		for _, t := range teachers {
			out = append(out, t.ID)
		}
	}
	return out, nil
}

// Thread loads a thread u sees with its posts (published ones, and their
// own held ones; every one for a moderator), and marks it read.
func (s *Service) Thread(ctx context.Context, u auth.User, threadID string) (Forum, Access, Thread, []Post, error) {
	t, err := s.getThread(ctx, threadID)
	if err != nil {
		return Forum{}, Access{}, t, nil, err
	}
	f, acc, err := s.Forum(ctx, u, t.ForumID)
	if err != nil {
		return f, acc, t, nil, apperr.New(apperr.ErrNotFound, "forum.err.thread_not_found")
	}
	r, err := s.readerOf(ctx, u)
	if err != nil {
		return f, acc, t, nil, err
	}
	if !s.threadVisible(r, f, t) {
		return f, acc, t, nil, apperr.New(apperr.ErrNotFound, "forum.err.thread_not_found")
	}
	posts, err := s.queryPosts(ctx, "p.thread_id = ? ORDER BY p.created_at, p.id", t.ID)
	if err != nil {
		return f, acc, t, nil, err
	}
	posts = slices.DeleteFunc(posts, func(p Post) bool {
		return p.Status == Removed || (p.Status == Held && !acc.Moderate && p.AuthorID != u.ID)
	})
	if err := s.withFiles(ctx, posts); err != nil {
		return f, acc, t, nil, err
	}
	for i := range posts {
		posts[i].HTML = markdown(posts[i].Body)
	}
	if len(posts) > 0 {
		s.markRead(ctx, u, f, t, posts[len(posts)-1].CreatedAt)
	}
	return f, acc, t, posts, nil
}

// markRead records that u read a thread up to a post's time; a failure
// is logged, never the reader's.
func (s *Service) markRead(ctx context.Context, u auth.User, f Forum, t Thread, at time.Time) {
	scope := s.scopeOf(f)
	if f.IsCity() && u.SchoolID != "" {
		scope = u.SchoolID
	}
	if err := s.upsertRead(ctx, scope, u.ID, f.ID, t.ID, at); err != nil {
		s.log.Warn("forum: mark read", "err", err)
	}
}

// visiblePost loads a post u sees, with its thread, its forum and what u
// may do there: not a removed one, nor a held one but for its author and
// the moderators.
func (s *Service) visiblePost(ctx context.Context, u auth.User, postID string) (Forum, Access, Thread, Post, error) {
	p, err := s.getPost(ctx, postID)
	if err != nil {
		return Forum{}, Access{}, Thread{}, p, err
	}
	t, err := s.getThread(ctx, p.ThreadID)
	if err != nil {
		return Forum{}, Access{}, t, p, apperr.New(apperr.ErrNotFound, "forum.err.post_not_found")
	}
	f, acc, err := s.Forum(ctx, u, p.ForumID)
	if err != nil || p.Status == Removed || (p.Status == Held && !acc.Moderate && p.AuthorID != u.ID) {
		return f, acc, t, p, apperr.New(apperr.ErrNotFound, "forum.err.post_not_found")
	}
	return f, acc, t, p, nil
}

// Editable loads a post u may change: their own, published or held.
func (s *Service) Editable(ctx context.Context, u auth.User, postID string) (Forum, Thread, Post, error) {
	f, _, t, p, err := s.visiblePost(ctx, u, postID)
	if err != nil {
		return f, t, p, err
	}
	if p.AuthorID != u.ID {
		return f, t, p, apperr.New(apperr.ErrForbidden, "forum.err.not_yours")
	}
	return f, t, p, nil
}

// Edit changes the text of u's own post.
func (s *Service) Edit(ctx context.Context, u auth.User, postID, body string) (Post, error) {
	f, t, p, err := s.Editable(ctx, u, postID)
	if err != nil {
		return p, err
	}
	if t.Locked {
		r, err := s.readerOf(ctx, u)
		if err != nil {
			return p, err
		}
		if !r.moderates(f) {
			return p, apperr.New(apperr.ErrForbidden, "forum.err.locked")
		}
	}
	d := PostDraft{Body: body}
	if err := checkPost(&d); err != nil {
		return p, err
	}
	files, err := s.queryFiles(ctx, p.ID)
	if err != nil {
		return p, err
	}
	if strings.TrimSpace(d.Body) == "" && len(files) == 0 {
		return p, apperr.New(apperr.ErrInvalid, "forum.err.body_required")
	}
	p.Body, p.EditedAt = d.Body, s.now().UTC()
	p.HTML = markdown(p.Body)
	return p, s.updatePost(ctx, p)
}

// Delete removes a post: its author's own, or any for a moderator. A
// thread whose first post goes goes with it.
func (s *Service) Delete(ctx context.Context, u auth.User, postID string) (Forum, Thread, error) {
	f, acc, t, p, err := s.visiblePost(ctx, u, postID)
	if err != nil {
		return f, t, err
	}
	if p.AuthorID != u.ID && !acc.Moderate {
		return f, t, apperr.New(apperr.ErrForbidden, "forum.err.not_yours")
	}
	first, err := s.firstPost(ctx, t.ID)
	if err != nil {
		return f, t, err
	}
	return f, t, s.deletePost(ctx, p.ID, first == p.ID)
}

// moderated loads a thread whose forum u moderates.
func (s *Service) moderated(ctx context.Context, u auth.User, threadID string) (Forum, Thread, error) {
	t, err := s.getThread(ctx, threadID)
	if err != nil {
		return Forum{}, t, err
	}
	f, acc, err := s.Forum(ctx, u, t.ForumID)
	if err != nil {
		return f, t, apperr.New(apperr.ErrNotFound, "forum.err.thread_not_found")
	}
	if !acc.Moderate {
		return f, t, apperr.New(apperr.ErrForbidden, "forum.err.not_moderator")
	}
	return f, t, nil
}

// SetPinned pins a thread at the top of its forum, or unpins it.
func (s *Service) SetPinned(ctx context.Context, u auth.User, threadID string, on bool) (Forum, Thread, error) {
	f, t, err := s.moderated(ctx, u, threadID)
	if err != nil {
		return f, t, err
	}
	t.Pinned = on
	return f, t, s.updateThread(ctx, t)
}

// SetLocked closes a thread to new posts but its moderators', or opens it.
func (s *Service) SetLocked(ctx context.Context, u auth.User, threadID string, on bool) (Forum, Thread, error) {
	f, t, err := s.moderated(ctx, u, threadID)
	if err != nil {
		return f, t, err
	}
	t.Locked = on
	return f, t, s.updateThread(ctx, t)
}

// ReportPost reports a post u sees to its forum's moderators, once per
// person.
func (s *Service) ReportPost(ctx context.Context, u auth.User, postID, reason string) (Forum, Thread, error) {
	f, _, t, p, err := s.visiblePost(ctx, u, postID)
	if err != nil {
		return f, t, err
	}
	if p.Status != Published {
		return f, t, apperr.New(apperr.ErrConflict, "forum.err.not_published")
	}
	if reason, err = text.Body("forum.field.reason", reason, maxReason); err != nil {
		return f, t, err
	}
	scope := s.scopeOf(f)
	rep := Report{ID: store.NaturalID("forum-report", p.ID, u.ID), PostID: p.ID, ForumID: f.ID, ReporterID: u.ID, Reason: reason,
		Status: "open", CreatedAt: s.now().UTC()}
	if err := s.insertReport(ctx, scope, f.IsCity(), rep); err != nil {
		return f, t, err
	}
	if mods, err := s.moderators(ctx, f); err == nil {
		s.hub.Tell(ctx, notify.Notice{Users: mods, Scope: scope, Kind: "forum", Icon: "bulle", URL: ModerationPath,
			Key: "forum.notice.report", Args: map[string]string{"Title": t.Title}})
	}
	return f, t, nil
}

// Queue is what waits for u's moderation: held posts and open reports in
// the forums they moderate.
func (s *Service) Queue(ctx context.Context, u auth.User) ([]Post, []Report, error) {
	r, err := s.readerOf(ctx, u)
	if err != nil {
		return nil, nil, err
	}
	forums, err := s.forumsOf(ctx, r)
	if err != nil {
		return nil, nil, err
	}
	var ids []string
	for _, f := range forums {
		if r.moderates(f) {
			ids = append(ids, f.ID)
		}
	}
	if len(ids) == 0 {
		return nil, nil, nil
	}
	list, args := store.In(ids)
	held, err := s.queryPosts(ctx, "p.status = 'held' AND p.forum_id IN ("+list+") ORDER BY p.created_at, p.id", args...)
	if err != nil {
		return nil, nil, err
	}
	if err := s.withFiles(ctx, held); err != nil {
		return nil, nil, err
	}
	for i := range held {
		held[i].HTML = markdown(held[i].Body)
	}
	reports, err := s.openReports(ctx, list, args)
	for i := range reports {
		reports[i].Post.HTML = markdown(reports[i].Post.Body)
	}
	return held, reports, err
}

// QueueSize counts what waits for u's moderation: their tile's badge.
func (s *Service) QueueSize(ctx context.Context, u auth.User) (int, error) {
	held, reports, err := s.Queue(ctx, u)
	return len(held) + len(reports), err
}

// moderatedPost loads a post whose forum u moderates.
func (s *Service) moderatedPost(ctx context.Context, u auth.User, postID string) (Forum, Thread, Post, error) {
	p, err := s.getPost(ctx, postID)
	if err != nil {
		return Forum{}, Thread{}, p, err
	}
	f, t, err := s.moderated(ctx, u, p.ThreadID)
	return f, t, p, err
}

// Approve lets a held post through, and tells the thread's followers.
func (s *Service) Approve(ctx context.Context, u auth.User, postID string) (Thread, error) {
	f, t, p, err := s.moderatedPost(ctx, u, postID)
	if err != nil {
		return t, err
	}
	if p.Status != Held {
		return t, apperr.New(apperr.ErrConflict, "forum.err.not_held")
	}
	if err := s.setStatus(ctx, p.ID, Published); err != nil {
		return t, err
	}
	p.Status = Published
	s.tellAuthor(ctx, f, t, p, ThreadPath(f.ID, t.ID)+"#m-"+p.ID, "forum.notice.approved")
	s.announce(ctx, auth.User{ID: p.AuthorID, DisplayName: p.Author}, f, t, p)
	return t, nil
}

// tellAuthor tells a held post's author what became of it.
func (s *Service) tellAuthor(ctx context.Context, f Forum, t Thread, p Post, url, key string) {
	s.hub.Tell(ctx, notify.Notice{Users: []string{p.AuthorID}, Scope: s.scopeOf(f), Kind: "forum", Icon: "bulle", URL: url,
		Key: key, Args: map[string]string{"Title": t.Title}})
}

// Refuse takes down a held post.
func (s *Service) Refuse(ctx context.Context, u auth.User, postID string) (Thread, error) {
	f, t, p, err := s.moderatedPost(ctx, u, postID)
	if err != nil {
		return t, err
	}
	if p.Status != Held {
		return t, apperr.New(apperr.ErrConflict, "forum.err.not_held")
	}
	if err := s.setStatus(ctx, p.ID, Removed); err != nil {
		return t, err
	}
	s.tellAuthor(ctx, f, t, p, ForumPath(f.ID), "forum.notice.refused") // the thread may be gone with it
	return t, nil
}

// CloseReport closes a report: the post kept, or taken down (remove)
// with every open report of it.
func (s *Service) CloseReport(ctx context.Context, u auth.User, reportID string, remove bool) error {
	rep, err := s.getReport(ctx, reportID)
	if err != nil {
		return err
	}
	p, err := s.getPost(ctx, rep.PostID)
	if err != nil {
		return err
	}
	if _, _, err := s.moderated(ctx, u, p.ThreadID); err != nil {
		return err
	}
	if rep.Status != "open" {
		return apperr.New(apperr.ErrConflict, "forum.err.report_closed")
	}
	return s.closeReports(ctx, u.ID, rep, remove)
}

// OpenFile opens a post's file for u, who sees the post.
func (s *Service) OpenFile(ctx context.Context, u auth.User, fileID string) (File, io.ReadSeekCloser, error) {
	f, err := s.getFile(ctx, fileID)
	if err != nil {
		return f, nil, err
	}
	if _, _, _, _, err := s.visiblePost(ctx, u, f.PostID); err != nil {
		return f, nil, apperr.New(apperr.ErrNotFound, "forum.err.file_not_found")
	}
	rc, err := s.db.Blobs().Open(f.Hash)
	if err != nil {
		// The row came by sync before its file: it follows.
		return f, nil, apperr.New(apperr.ErrNotFound, "forum.err.file_coming")
	}
	return f, rc, nil
}

// markdown is a post's text as HTML: text.Markdown made it safe through
// the one policy.
func markdown(src string) template.HTML { return template.HTML(text.Markdown(src)) }
