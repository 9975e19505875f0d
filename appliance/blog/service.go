package blog

import (
	"archive/zip"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"path"
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

// Audiences of a post: the class (its pupils, their families, its staff),
// or the whole school.
const (
	Class  = "class"
	School = "school"
)

// Statuses of a post or a comment.
const (
	Published = "published"
	Pending   = "pending" // a pupil's post, or a comment, waiting for the class's staff
	Approved  = "approved"
)

// Kinds of media.
const (
	Photo = "photo"
	Video = "video"
)

// Limits. A photo is kept whole (downloads give it back as taken) and
// sent to pages as a copy for phones; a video is short, a minute or two.
const (
	maxTitle   = 200
	maxBody    = 20000
	maxComment = 2000
	MaxPhoto   = 15 << 20
	MaxVideo   = 60 << 20
	MaxFiles   = 30 // a post's media, at once or added later
	listLimit  = 50
)

// videoTypes are the videos a post may carry, and its photos are those
// the blob store draws copies from (store.IsPicture), by the type the
// file's first bytes show, whatever its name says.
var videoTypes = map[string]bool{"video/mp4": true, "video/webm": true}

// Post is one entry of a class's blog.
type Post struct {
	ID, SchoolID, ClassID, AuthorID string
	Title, Body                     string // Body in Markdown
	Audience, Status                string
	CreatedAt                       time.Time
}

// Media is a post's photo or video.
type Media struct {
	ID, PostID, SchoolID, ClassID string
	Token                         string // its URL's unguessable part
	Kind, Blob, Type, Name        string
	Size                          int64
	Position                      int
}

// URL is where a page shows it: a photo's copy for phones, a video whole.
func (m Media) URL() string { return MediaPrefix + m.Token }

// Comment is what a family or the staff say under a post.
type Comment struct {
	ID, PostID, SchoolID, ClassID, AuthorID string
	Body, Status                            string
	CreatedAt                               time.Time
}

// Settings are a class's choices for its blog.
type Settings struct {
	ClassID    string
	PupilsPost bool // its pupils post, held for approval
	Comments   bool // families comment
	Moderated  bool // comments wait for approval
}

// Draft is a post as its author writes it, with its files.
type Draft struct {
	ClassID, Title, Body, Audience string
	Files                          []web.Upload
}

// Service is the class blog, shared by the pages and the API. Its rules:
// a class's teachers and the school's director post for the class, or
// for the whole school; its pupils post when the class allows it, held
// until its staff publish them; the class's families, pupils and staff
// read the class's posts, the school's posts are read by the whole
// school; families comment when the class allows it, held for approval
// unless it says otherwise. Nobody else gets anything, photos included.
type Service struct {
	db    *store.DB
	reg   feature.Register
	users *auth.Service
	hub   *notify.Hub // tells the class; nil tells nobody
	now   func() time.Time
}

// NewService builds the service on the store and the school register.
func NewService(db *store.DB, reg feature.Register, users *auth.Service, hub *notify.Hub) *Service {
	return &Service{db: db, reg: reg, users: users, hub: hub, now: time.Now}
}

// newToken is a media's URL part: 128 random bits.
func newToken() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// reader is who reads: their profile, their schools, the classes they
// (or their children) belong to.
type reader struct {
	user    auth.User
	schools []string
	classes []string
}

func (s *Service) readerOf(ctx context.Context, u auth.User) (reader, error) {
	r := reader{user: u}
	classes, err := feature.ReadableClasses(ctx, s.reg, u)
	if err != nil {
		return r, err
	}
	for _, c := range classes {
		r.classes = append(r.classes, c.ID)
		if !slices.Contains(r.schools, c.SchoolID) {
			r.schools = append(r.schools, c.SchoolID)
		}
	}
	if (u.Profile == auth.Teacher || u.Profile == auth.Director || u.Profile == auth.Pupil) && u.SchoolID != "" && !slices.Contains(r.schools, u.SchoolID) {
		r.schools = append(r.schools, u.SchoolID)
	}
	return r, nil
}

// staffOf reports whether the reader works with the post's class.
func (r reader) staffOf(p Post) bool {
	switch r.user.Profile {
	case auth.Director:
		return r.user.SchoolID == p.SchoolID
	case auth.Teacher:
		return slices.Contains(r.classes, p.ClassID)
	}
	return false
}

// sees reports whether the reader sees a post: a published one of their
// class, or of their school for the school; a pending one if they wrote
// it or work with its class.
func (r reader) sees(p Post) bool {
	if r.user.Profile == auth.DSI || r.user.Profile == auth.Anonymous {
		return false
	}
	if p.Status == Pending {
		return p.AuthorID == r.user.ID || r.staffOf(p)
	}
	return r.staffOf(p) || slices.Contains(r.classes, p.ClassID) || (p.Audience == School && slices.Contains(r.schools, p.SchoolID))
}

// where is sees as an SQL condition.
func (r reader) where() (string, []any) {
	if r.user.Profile == auth.DSI || (len(r.classes) == 0 && len(r.schools) == 0) {
		return "0", nil
	}
	var conds []string
	var args []any
	if len(r.classes) > 0 {
		list, a := store.In(r.classes)
		conds = append(conds, "class_id IN ("+list+")")
		args = append(args, a...)
	}
	if len(r.schools) > 0 {
		list, a := store.In(r.schools)
		conds = append(conds, "(audience = 'school' AND school_id IN ("+list+"))")
		args = append(args, a...)
	}
	if r.user.Profile == auth.Director {
		conds = append(conds, "school_id = ?")
		args = append(args, r.user.SchoolID)
	}
	cond := "(status = 'published' AND (" + strings.Join(conds, " OR ") + "))"
	// Pending posts: one's own, and the staff's classes'.
	cond += " OR author_id = ?"
	args = append(args, r.user.ID)
	switch r.user.Profile {
	case auth.Teacher:
		if len(r.classes) > 0 {
			list, a := store.In(r.classes)
			cond += " OR class_id IN (" + list + ")"
			args = append(args, a...)
		}
	case auth.Director:
		cond += " OR school_id = ?"
		args = append(args, r.user.SchoolID)
	}
	return "(" + cond + ")", args
}

// Readable loads a post u sees; one they do not is not found.
func (s *Service) Readable(ctx context.Context, u auth.User, id string) (Post, reader, error) {
	p, err := s.getPost(ctx, id)
	if err != nil {
		return p, reader{}, err
	}
	r, err := s.readerOf(ctx, u)
	if err != nil {
		return p, r, err
	}
	if !r.sees(p) {
		return p, r, apperr.New(apperr.ErrNotFound, "blog.err.not_found")
	}
	return p, r, nil
}

// Entry is a post as a page or the API shows it: its HTML, media and the
// comments its reader sees.
type Entry struct {
	Post
	HTML     template.HTML // the body's Markdown through the one sanitizer policy
	Author   string
	Class    string
	Photos   []Media
	Videos   []Media
	Comments []CommentEntry
	// What the reader may do with it.
	Staff, CanComment, CanDelete, CanAdd bool // CanAdd: add files, and change its words
}

// CommentEntry is a comment with its author's name.
type CommentEntry struct {
	Comment
	Author string
}

// For lists the posts u sees, newest first, at most limit (0: the
// list's own); classID narrows to one class ("" for all).
func (s *Service) For(ctx context.Context, u auth.User, classID string, limit int) ([]Entry, error) {
	if limit <= 0 {
		limit = listLimit
	}
	r, err := s.readerOf(ctx, u)
	if err != nil {
		return nil, err
	}
	where, args := r.where()
	if classID != "" {
		where += " AND class_id = ?"
		args = append(args, classID)
	}
	posts, err := s.queryPosts(ctx, where+" ORDER BY created_at DESC, id DESC LIMIT ?", append(args, limit)...)
	if err != nil {
		return nil, err
	}
	return s.entries(ctx, r, posts, false)
}

// Entry loads one post u sees, with its comments.
func (s *Service) Entry(ctx context.Context, u auth.User, id string) (Entry, error) {
	p, r, err := s.Readable(ctx, u, id)
	if err != nil {
		return Entry{}, err
	}
	es, err := s.entries(ctx, r, []Post{p}, true)
	if err != nil {
		return Entry{}, err
	}
	return es[0], nil
}

// entries dresses posts for their reader.
func (s *Service) entries(ctx context.Context, r reader, posts []Post, comments bool) ([]Entry, error) {
	ids := make([]string, len(posts))
	for i, p := range posts {
		ids[i] = p.ID
	}
	media, err := s.mediaOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, len(posts))
	for i, p := range posts {
		e := Entry{Post: p, HTML: template.HTML(text.Markdown(p.Body)), Staff: r.staffOf(p)} // the one sanitizer policy made it safe
		e.CanDelete = e.Staff || p.AuthorID == r.user.ID
		e.CanAdd = canEdit(r, p)
		e.Author = s.name(ctx, p.AuthorID)
		if c, err := s.reg.Class(ctx, p.ClassID); err == nil {
			e.Class = c.Name
		}
		for _, m := range media {
			if m.PostID != p.ID {
				continue
			}
			if m.Kind == Video {
				e.Videos = append(e.Videos, m)
			} else {
				e.Photos = append(e.Photos, m)
			}
		}
		if comments {
			st, err := s.settings(ctx, p.ClassID)
			if err != nil {
				return nil, err
			}
			e.CanComment = st.Comments && p.Status == Published && r.user.Profile != auth.Pupil
			cs, err := s.queryComments(ctx, "post_id = ?", p.ID)
			if err != nil {
				return nil, err
			}
			for _, c := range cs {
				if c.Status == Approved || e.Staff || c.AuthorID == r.user.ID {
					e.Comments = append(e.Comments, CommentEntry{Comment: c, Author: s.name(ctx, c.AuthorID)})
				}
			}
		}
		out[i] = e
	}
	return out, nil
}

// name is an account's display name, "" when unknown here.
func (s *Service) name(ctx context.Context, id string) string {
	u, err := s.users.User(ctx, id)
	if err != nil {
		return ""
	}
	return u.DisplayName
}

// Writable are the classes u may post for: the staff's classes, a
// pupil's when the class lets its pupils post.
func (s *Service) Writable(ctx context.Context, u auth.User) ([]auth.Class, error) {
	switch u.Profile {
	case auth.Teacher, auth.Director:
		return feature.StaffClasses(ctx, s.reg, u)
	case auth.Pupil:
		classes, err := s.reg.UserClasses(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		var out []auth.Class
		for _, c := range classes {
			if st, err := s.settings(ctx, c.ID); err == nil && st.PupilsPost {
				out = append(out, c)
			}
		}
		return out, nil
	}
	return nil, nil
}

// check holds a draft to the rules for u and returns the post to write,
// without its id.
func (s *Service) check(ctx context.Context, u auth.User, d *Draft) (Post, error) {
	var err error
	if d.Title, err = text.Line("field.title", d.Title, maxTitle); err != nil {
		return Post{}, err
	}
	if d.Body, err = text.Body("field.body", d.Body, maxBody); err != nil {
		return Post{}, err
	}
	if d.Title == "" && d.Body == "" && len(d.Files) == 0 {
		return Post{}, apperr.New(apperr.ErrInvalid, "blog.err.empty")
	}
	if d.Title == "" {
		return Post{}, apperr.New(apperr.ErrInvalid, "blog.err.title_required")
	}
	if d.Audience == "" {
		d.Audience = Class
	}
	if d.Audience != Class && d.Audience != School {
		return Post{}, apperr.New(apperr.ErrInvalid, "blog.err.audience", "Value", text.Short(d.Audience))
	}
	p := Post{ClassID: d.ClassID, AuthorID: u.ID, Title: d.Title, Body: d.Body, Audience: d.Audience, Status: Published}
	switch u.Profile {
	case auth.Teacher, auth.Director:
		c, err := feature.StaffOf(ctx, s.reg, u, d.ClassID, "blog.err.no_class", "blog.err.not_your_class")
		if err != nil {
			return p, err
		}
		p.SchoolID = c.SchoolID
	case auth.Pupil:
		classes, err := s.Writable(ctx, u)
		if err != nil {
			return p, err
		}
		i := slices.IndexFunc(classes, func(c auth.Class) bool { return c.ID == d.ClassID })
		if i < 0 {
			return p, apperr.New(apperr.ErrForbidden, "blog.err.pupils_not_allowed")
		}
		p.SchoolID, p.Status, p.Audience = classes[i].SchoolID, Pending, Class
	default:
		return p, apperr.New(apperr.ErrForbidden, "blog.err.not_writer")
	}
	return p, checkFiles(d.Files, 0)
}

// checkFiles refuses an empty file, one over its limit, one that is no
// photo or short video whatever its name says, and too many; it reads
// each file's type from its first bytes.
func checkFiles(files []web.Upload, had int) error {
	if had+len(files) > MaxFiles {
		return apperr.New(apperr.ErrInvalid, "blog.err.too_many", "Max", MaxFiles)
	}
	for i := range files {
		up := &files[i]
		name := text.Short(up.Name)
		if up.Size <= 0 {
			return apperr.New(apperr.ErrInvalid, "blog.err.empty_file", "Name", name)
		}
		f, err := up.Open()
		if err != nil {
			return err
		}
		head := make([]byte, 512)
		n, _ := io.ReadFull(f, head)
		f.Close()
		up.Type = http.DetectContentType(head[:n])
		switch {
		case store.IsPicture(up.Type):
			if up.Size > MaxPhoto {
				return apperr.New(apperr.ErrInvalid, "blog.err.photo_too_big", "Name", name, "Max", MaxPhoto>>20)
			}
		case videoTypes[up.Type]:
			if up.Size > MaxVideo {
				return apperr.New(apperr.ErrInvalid, "blog.err.video_too_big", "Name", name, "Max", MaxVideo>>20)
			}
		default:
			return apperr.New(apperr.ErrInvalid, "blog.err.not_media", "Name", name)
		}
	}
	return nil
}

// storeFiles keeps checked files as blobs.
func (s *Service) storeFiles(files []web.Upload) ([]Media, error) {
	out := make([]Media, 0, len(files))
	for _, up := range files {
		f, err := up.Open()
		if err != nil {
			return nil, err
		}
		kind, limit := Photo, int64(MaxPhoto)
		if videoTypes[up.Type] {
			kind, limit = Video, MaxVideo
		}
		hash, size, err := s.db.Blobs().PutUpload(f, up.Type, limit)
		f.Close()
		if err != nil {
			return nil, err
		}
		name, _ := text.Line("field.file_name", path.Base(strings.ReplaceAll(up.Name, `\`, "/")), 200)
		out = append(out, Media{Kind: kind, Blob: hash, Type: up.Type, Size: size, Name: name})
	}
	return out, nil
}

// Publish writes a post with its files: published at once by the class's
// staff, held for approval when a pupil writes it. Everything is checked
// before anything is written.
func (s *Service) Publish(ctx context.Context, u auth.User, d Draft) (string, error) {
	p, err := s.check(ctx, u, &d)
	if err != nil {
		return "", err
	}
	media, err := s.storeFiles(d.Files)
	if err != nil {
		return "", err
	}
	id, err := s.insertPost(ctx, p, media)
	if err != nil {
		return "", err
	}
	p.ID = id
	if p.Status == Published {
		s.tellPost(ctx, p)
	} else {
		s.tellStaff(ctx, p, "blog.notice.pending_post", map[string]string{"Title": p.Title})
	}
	return id, nil
}

// AddFiles adds photos or videos to a post its author or its class's
// staff may change.
func (s *Service) AddFiles(ctx context.Context, u auth.User, id string, files []web.Upload) error {
	p, r, err := s.Readable(ctx, u, id)
	if err != nil {
		return err
	}
	if !canEdit(r, p) {
		return apperr.New(apperr.ErrForbidden, "blog.err.not_yours")
	}
	if len(files) == 0 {
		return apperr.New(apperr.ErrInvalid, "blog.err.no_file")
	}
	had, err := s.mediaOf(ctx, []string{p.ID})
	if err != nil {
		return err
	}
	if err := checkFiles(files, len(had)); err != nil {
		return err
	}
	media, err := s.storeFiles(files)
	if err != nil {
		return err
	}
	return s.addMedia(ctx, p, media)
}

// Edit changes a post's title, text and, for its class's staff, its
// audience: the staff any post of their class, a pupil their own while it
// waits for approval (once published, it is the staff's). Its photos are
// added and removed on their own; its families are not told again.
// Nothing is written when the draft is refused.
func (s *Service) Edit(ctx context.Context, u auth.User, id string, d Draft) (Post, error) {
	p, r, err := s.Readable(ctx, u, id)
	if err != nil {
		return p, err
	}
	if !canEdit(r, p) {
		return p, apperr.New(apperr.ErrForbidden, "blog.err.not_yours")
	}
	if d.Title, err = text.Line("field.title", d.Title, maxTitle); err != nil {
		return p, err
	}
	if d.Body, err = text.Body("field.body", d.Body, maxBody); err != nil {
		return p, err
	}
	if d.Title == "" {
		return p, apperr.New(apperr.ErrInvalid, "blog.err.title_required")
	}
	switch {
	case d.Audience == "" || !r.staffOf(p):
		d.Audience = p.Audience // a pupil's post stays the class's
	case d.Audience != Class && d.Audience != School:
		return p, apperr.New(apperr.ErrInvalid, "blog.err.audience", "Value", text.Short(d.Audience))
	}
	p.Title, p.Body, p.Audience = d.Title, d.Body, d.Audience
	return p, s.updatePost(ctx, p)
}

// canEdit reports whether the reader may change a post's words.
func canEdit(r reader, p Post) bool {
	return r.staffOf(p) || (p.AuthorID == r.user.ID && p.Status == Pending)
}

// Approve publishes a pupil's post, for its class's staff.
func (s *Service) Approve(ctx context.Context, u auth.User, id string) (Post, error) {
	p, r, err := s.Readable(ctx, u, id)
	if err != nil {
		return p, err
	}
	if !r.staffOf(p) {
		return p, apperr.New(apperr.ErrForbidden, "blog.err.staff_only")
	}
	if p.Status == Published {
		return p, nil
	}
	if err := s.setPostStatus(ctx, p.ID, Published); err != nil {
		return p, err
	}
	p.Status = Published
	s.tellPost(ctx, p)
	return p, nil
}

// Delete removes a post: its class's staff, or its author.
func (s *Service) Delete(ctx context.Context, u auth.User, id string) (Post, error) {
	p, r, err := s.Readable(ctx, u, id)
	if err != nil {
		return p, err
	}
	if !r.staffOf(p) && p.AuthorID != u.ID {
		return p, apperr.New(apperr.ErrForbidden, "blog.err.not_yours")
	}
	return p, s.removePost(ctx, p.ID)
}

// RemoveMedia takes one photo or video off a post, the rest staying: a
// child whose family refused their picture, a wrong file. Its class's
// staff, or its author, as for deleting the post.
func (s *Service) RemoveMedia(ctx context.Context, u auth.User, postID, mediaID string) (Post, error) {
	p, r, err := s.Readable(ctx, u, postID)
	if err != nil {
		return p, err
	}
	if !r.staffOf(p) && p.AuthorID != u.ID {
		return p, apperr.New(apperr.ErrForbidden, "blog.err.not_yours")
	}
	media, err := s.mediaOf(ctx, []string{p.ID})
	if err != nil {
		return p, err
	}
	if !slices.ContainsFunc(media, func(m Media) bool { return m.ID == mediaID }) {
		return p, apperr.New(apperr.ErrNotFound, "blog.err.no_media")
	}
	return p, s.removeMedia(ctx, mediaID)
}

// Settings reads a class's choices, for its staff.
func (s *Service) Settings(ctx context.Context, u auth.User, classID string) (Settings, error) {
	if _, err := feature.StaffOf(ctx, s.reg, u, classID, "blog.err.no_class", "blog.err.not_your_class"); err != nil {
		return Settings{}, err
	}
	return s.settings(ctx, classID)
}

// SetSettings changes a class's choices, for its staff.
func (s *Service) SetSettings(ctx context.Context, u auth.User, st Settings) error {
	c, err := feature.StaffOf(ctx, s.reg, u, st.ClassID, "blog.err.no_class", "blog.err.not_your_class")
	if err != nil {
		return err
	}
	return s.saveSettings(ctx, c.SchoolID, st)
}

// AddComment writes u's comment under a post they see, when its class
// lets families comment: held for approval unless the class says
// otherwise (its staff's own are published).
func (s *Service) AddComment(ctx context.Context, u auth.User, postID, body string) (Comment, error) {
	p, r, err := s.Readable(ctx, u, postID)
	if err != nil {
		return Comment{}, err
	}
	st, err := s.settings(ctx, p.ClassID)
	if err != nil {
		return Comment{}, err
	}
	if !st.Comments || p.Status != Published || u.Profile == auth.Pupil {
		return Comment{}, apperr.New(apperr.ErrForbidden, "blog.err.comments_closed")
	}
	if body, err = text.Body("field.comment", body, maxComment); err != nil {
		return Comment{}, err
	}
	if body == "" {
		return Comment{}, apperr.New(apperr.ErrInvalid, "blog.err.empty_comment")
	}
	c := Comment{PostID: p.ID, SchoolID: p.SchoolID, ClassID: p.ClassID, AuthorID: u.ID, Body: body, Status: Approved}
	if st.Moderated && !r.staffOf(p) {
		c.Status = Pending
	}
	if c.ID, err = s.insertComment(ctx, c); err != nil {
		return c, err
	}
	if c.Status == Pending {
		s.tellStaff(ctx, p, "blog.notice.pending_comment", map[string]string{"Title": p.Title})
	}
	return c, nil
}

// moderated loads a comment whose post's class u works with.
func (s *Service) moderated(ctx context.Context, u auth.User, id string) (Comment, Post, error) {
	c, err := s.getComment(ctx, id)
	if err != nil {
		return c, Post{}, err
	}
	p, r, err := s.Readable(ctx, u, c.PostID)
	if err != nil {
		return c, p, apperr.New(apperr.ErrNotFound, "blog.err.no_comment")
	}
	if !r.staffOf(p) {
		return c, p, apperr.New(apperr.ErrForbidden, "blog.err.staff_only")
	}
	return c, p, nil
}

// ApproveComment publishes a held comment, for the class's staff.
func (s *Service) ApproveComment(ctx context.Context, u auth.User, id string) (Comment, error) {
	c, _, err := s.moderated(ctx, u, id)
	if err != nil {
		return c, err
	}
	if c.Status == Approved {
		return c, nil
	}
	c.Status = Approved
	return c, s.setCommentStatus(ctx, c.ID, Approved)
}

// RemoveComment deletes a comment (a held one refused), for the class's
// staff.
func (s *Service) RemoveComment(ctx context.Context, u auth.User, id string) (Comment, error) {
	c, _, err := s.moderated(ctx, u, id)
	if err != nil {
		return c, err
	}
	return c, s.removeComment(ctx, c.ID)
}

// Held are the comments and pupils' posts waiting for u, their classes'
// staff.
type Held struct {
	Posts    []Post
	Comments []CommentEntry
	Titles   map[string]string // post id → title, for the comments
}

// Held lists what waits for u's approval.
func (s *Service) Held(ctx context.Context, u auth.User) (Held, error) {
	var h Held
	classes, err := feature.StaffClasses(ctx, s.reg, u)
	if err != nil || len(classes) == 0 {
		return h, err
	}
	ids := make([]string, len(classes))
	for i, c := range classes {
		ids[i] = c.ID
	}
	list, args := store.In(ids)
	if h.Posts, err = s.queryPosts(ctx, "status = 'pending' AND class_id IN ("+list+") ORDER BY created_at", args...); err != nil {
		return h, err
	}
	cs, err := s.queryComments(ctx, "status = 'pending' AND class_id IN ("+list+")", args...)
	if err != nil {
		return h, err
	}
	h.Titles = map[string]string{}
	for _, c := range cs {
		if p, err := s.getPost(ctx, c.PostID); err == nil {
			h.Titles[c.PostID] = p.Title
			h.Comments = append(h.Comments, CommentEntry{Comment: c, Author: s.name(ctx, c.AuthorID)})
		}
	}
	return h, nil
}

// HeldCount is how many wait for u: the tile's badge.
func (s *Service) HeldCount(ctx context.Context, u auth.User) (int, error) {
	h, err := s.Held(ctx, u)
	return len(h.Posts) + len(h.Comments), err
}

// OpenMedia opens a photo or video u may see, by its URL's token. A photo
// is its copy for phones unless original is asked for.
func (s *Service) OpenMedia(ctx context.Context, u auth.User, token string) (Media, io.ReadSeekCloser, error) {
	m, err := s.mediaByToken(ctx, token)
	if err != nil {
		return m, nil, err
	}
	if _, _, err := s.Readable(ctx, u, m.PostID); err != nil {
		return m, nil, apperr.New(apperr.ErrNotFound, "blog.err.no_media")
	}
	f, err := s.db.Blobs().Open(m.Blob)
	if err != nil {
		// The row came by sync before its file: it follows.
		return m, nil, apperr.New(apperr.ErrNotFound, "blog.err.media_coming")
	}
	return m, f, nil
}

// Resized is a photo's copy at most size pixels across (store.PhoneSize
// for pages, a thumbnail for the gallery), for u who may see it.
func (s *Service) Resized(ctx context.Context, u auth.User, token string, size int) ([]byte, error) {
	m, f, err := s.OpenMedia(ctx, u, token)
	if err != nil {
		return nil, err
	}
	f.Close()
	if m.Kind != Photo {
		return nil, apperr.New(apperr.ErrNotFound, "blog.err.no_media")
	}
	var b []byte
	if size == store.PhoneSize {
		b, err = s.db.Blobs().Resized(m.Blob, size)
	} else {
		b, err = s.db.Blobs().Thumbnail(m.Blob)
	}
	if err != nil {
		return nil, apperr.New(apperr.ErrNotFound, "blog.err.no_media")
	}
	return b, nil
}

// WriteZip streams a post's photos, as taken, into a zip archive, for u
// who sees the post. It returns the post, for the archive's name, before
// writing anything when u may not.
func (s *Service) WriteZip(ctx context.Context, u auth.User, id string, start func(Post) io.Writer) error {
	e, err := s.Entry(ctx, u, id)
	if err != nil {
		return err
	}
	if len(e.Photos) == 0 {
		return apperr.New(apperr.ErrNotFound, "blog.err.no_photos")
	}
	zw := zip.NewWriter(start(e.Post))
	used := map[string]bool{}
	for i, m := range e.Photos {
		f, err := s.db.Blobs().Open(m.Blob)
		if err != nil {
			continue // not arrived yet by sync: the archive holds the others
		}
		name := m.Name
		if name == "" || used[name] {
			name = fmt.Sprintf("%02d-%s", i+1, strings.TrimPrefix(path.Ext(name), "."))
			if ext := extension(m.Type); !strings.HasSuffix(name, ext) {
				name = fmt.Sprintf("%02d%s", i+1, ext)
			}
		}
		used[name] = true
		// Photos are compressed already: stored as they are.
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, Modified: e.CreatedAt})
		if err == nil {
			_, err = io.Copy(w, f)
		}
		f.Close()
		if err != nil {
			return err
		}
	}
	return zw.Close()
}

func extension(mimeType string) string {
	switch mimeType {
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "image/gif":
		return ".gif"
	case "image/webp":
		return ".webp"
	}
	return ""
}

// tellPost notifies the readers of a published post but its author: the
// class's families and staff, or the school's for a post for the school.
func (s *Service) tellPost(ctx context.Context, p Post) {
	if s.hub == nil {
		return
	}
	var to []string
	add := func(id string) {
		if id != p.AuthorID && !slices.Contains(to, id) {
			to = append(to, id)
		}
	}
	if p.Audience == School {
		users, err := s.reg.SchoolUsers(ctx, p.SchoolID)
		if err != nil {
			return
		}
		for _, u := range users {
			add(u.ID)
		}
	} else {
		families, err := feature.ClassFamilies(ctx, s.reg, p.ClassID)
		if err != nil {
			return
		}
		teachers, err := s.reg.ClassTeachers(ctx, p.ClassID)
		if err != nil {
			return
		}
		for _, id := range families {
			add(id)
		}
		for _, t := range teachers {
			add(t.ID)
		}
	}
	s.hub.Tell(ctx, notify.Notice{Users: to, Scope: p.SchoolID, Kind: "blog", Icon: "images", URL: Path + "/" + p.ID,
		Key: "blog.notice.new", Args: map[string]string{"Title": p.Title}})
}

// tellStaff notifies the class's teachers that something waits for them.
func (s *Service) tellStaff(ctx context.Context, p Post, key string, args map[string]string) {
	if s.hub == nil {
		return
	}
	teachers, err := s.reg.ClassTeachers(ctx, p.ClassID)
	if err != nil {
		return
	}
	var to []string
	for _, t := range teachers {
		to = append(to, t.ID)
	}
	s.hub.Tell(ctx, notify.Notice{Users: to, Scope: p.SchoolID, Kind: "blog", Icon: "images", URL: Path + "/validation", Key: key, Args: args})
}
