package pages

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/store"
	"preau/appliance/text"
)

// Kinds of page.
const (
	Wiki    = "wiki"    // the class wiki: what the class knows
	Journal = "journal" // the class newspaper
)

// Kinds in the order a form offers them.
var Kinds = []string{Wiki, Journal}

// Page is a class page, its text as readers see it.
type Page struct {
	ID, SchoolID, ClassID, Kind, Title, AuthorID string
	HTML                                         string // sanitized
	// OwnerID is the row of the feature that holds the page (a
	// mini-site's), which decides its rights; empty for a class page.
	OwnerID              string
	CreatedAt, UpdatedAt time.Time
}

// Version is a page's HTML as it was once.
type Version struct {
	ID, PageID, AuthorID, HTML string
	CreatedAt                  time.Time
}

// Draft is a new page as its author names it.
type Draft struct {
	Title, ClassID, Kind string
}

// Limits.
const (
	maxTitle = 200
	maxHTML  = 512 << 10
	// maxCompacted is the largest merged update kept: a whole page's
	// document.
	maxCompacted = 8 << 20
	// compactAfter: an editor that opens a page with more update rows
	// than this compacts them.
	compactAfter = 200
	// versionPause: an editor's save starts a new version of the history
	// when the last one is older than this.
	versionPause = 5 * time.Minute
)

// Service is the class pages, shared by the pages, the API and the
// websocket. Its rules: the pupils and the staff of a class (its teachers,
// the school's director) read and write its pages; the parents of its
// pupils read them. A page another feature holds (feature.OwnedPages) is
// read and written as that feature says.
type Service struct {
	db        *store.DB
	reg       feature.Register
	now       func() time.Time
	maxUpdate int64 // collab.max_update_size
	// owner is the feature that holds pages here, nil when none
	// registered (Env.PageOwner, read when a request comes).
	owner func() feature.PageOwner
}

// NewService returns the class pages of db.
func NewService(db *store.DB, reg feature.Register) *Service {
	return &Service{db: db, reg: reg, now: time.Now, maxUpdate: maxUpdateSize, owner: func() feature.PageOwner { return nil }}
}

// pageAccess reports what u may do with page p: its class's rights, or
// its owner's.
func (s *Service) pageAccess(ctx context.Context, u auth.User, p Page) (read, write bool, err error) {
	if p.OwnerID == "" {
		return s.access(ctx, u, p.ClassID)
	}
	owner := s.owner()
	if owner == nil {
		return false, false, nil
	}
	return owner.PageRights(ctx, u, p.OwnerID, p.ClassID)
}

// Back is where a reader of p goes back to: the class pages, or its
// owner's page.
func (s *Service) Back(p Page) string {
	if owner := s.owner(); p.OwnerID != "" && owner != nil {
		return owner.OwnerPath(p.OwnerID)
	}
	return Path
}

// access reports what u may do with the pages of a class.
func (s *Service) access(ctx context.Context, u auth.User, classID string) (read, write bool, err error) {
	classes, err := feature.ReadableClasses(ctx, s.reg, u)
	if err != nil {
		return false, false, err
	}
	if !slices.ContainsFunc(classes, func(c auth.Class) bool { return c.ID == classID }) {
		return false, false, nil
	}
	return true, u.Profile != auth.Parent, nil
}

// Create adds an empty page to a class u writes in.
func (s *Service) Create(ctx context.Context, u auth.User, d Draft) (string, error) {
	d.Title = strings.TrimSpace(d.Title)
	if d.Kind == "" {
		d.Kind = Wiki
	}
	switch {
	case d.Title == "" || utf8.RuneCountInString(d.Title) > maxTitle:
		return "", apperr.New(apperr.ErrInvalid, "pages.err.title")
	case !slices.Contains(Kinds, d.Kind):
		return "", apperr.New(apperr.ErrInvalid, "pages.err.kind")
	}
	c, err := s.reg.Class(ctx, d.ClassID)
	if err != nil {
		return "", apperr.New(apperr.ErrInvalid, "pages.err.class")
	}
	if _, write, err := s.access(ctx, u, c.ID); err != nil {
		return "", err
	} else if !write {
		return "", apperr.New(apperr.ErrForbidden, "pages.err.not_yours")
	}
	now := s.now()
	return s.insert(ctx, Page{SchoolID: c.SchoolID, ClassID: c.ID, Kind: d.Kind, Title: d.Title, AuthorID: u.ID, CreatedAt: now, UpdatedAt: now})
}

// Readable loads a page u may read, and whether u may write it.
func (s *Service) Readable(ctx context.Context, u auth.User, id string) (Page, bool, error) {
	p, err := s.get(ctx, id)
	if err != nil {
		return p, false, err
	}
	read, write, err := s.pageAccess(ctx, u, p)
	if err != nil {
		return p, false, err
	}
	if !read {
		return Page{}, false, apperr.New(apperr.ErrNotFound, "pages.err.not_found")
	}
	return p, write, nil
}

// Writable loads a page u may write.
func (s *Service) Writable(ctx context.Context, u auth.User, id string) (Page, error) {
	p, write, err := s.Readable(ctx, u, id)
	if err == nil && !write {
		err = apperr.New(apperr.ErrForbidden, "pages.err.read_only")
	}
	return p, err
}

// ClassPages are the pages of the classes u reads, those u writes first.
type ClassPages struct {
	Class    auth.Class
	Pages    []Page
	Writable bool
}

// For lists the pages u reads, by class.
func (s *Service) For(ctx context.Context, u auth.User) ([]ClassPages, error) {
	classes, err := feature.ReadableClasses(ctx, s.reg, u)
	if err != nil {
		return nil, err
	}
	out := make([]ClassPages, 0, len(classes))
	for _, c := range classes {
		ps, err := s.classPages(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, ClassPages{Class: c, Pages: ps, Writable: u.Profile != auth.Parent})
	}
	return out, nil
}

// SaveHTML keeps the HTML an editor's browser renders of the page, through
// the one sanitizer, and a version of it for the history when the last is
// old enough or another's.
func (s *Service) SaveHTML(ctx context.Context, u auth.User, id, html string) (string, error) {
	p, err := s.Writable(ctx, u, id)
	if err != nil {
		return "", err
	}
	return s.keepHTML(ctx, p, u.ID, html)
}

// keepHTML sanitizes and keeps a page's HTML, with its history.
func (s *Service) keepHTML(ctx context.Context, p Page, authorID, html string) (string, error) {
	if len(html) > maxHTML {
		return "", apperr.New(apperr.ErrTooLarge, "pages.err.too_large")
	}
	safe, _ := text.SafeHTML(html)
	if safe == p.HTML {
		return safe, nil
	}
	last, err := s.lastVersion(ctx, p.ID)
	if err != nil {
		return "", err
	}
	now := s.now()
	newVersion := last.ID == "" || last.AuthorID != authorID || now.Sub(last.CreatedAt) > versionPause
	return safe, s.saveHTML(ctx, p, authorID, safe, now, newVersion, last.ID)
}

// Versions lists the history of a page u reads, newest first.
func (s *Service) Versions(ctx context.Context, u auth.User, id string) (Page, []Version, error) {
	p, _, err := s.Readable(ctx, u, id)
	if err != nil {
		return p, nil, err
	}
	vs, err := s.versions(ctx, id)
	return p, vs, err
}

// Version loads one version of a page u reads.
func (s *Service) Version(ctx context.Context, u auth.User, id, versionID string) (Page, Version, error) {
	p, vs, err := s.Versions(ctx, u, id)
	if err != nil {
		return p, Version{}, err
	}
	for _, v := range vs {
		if v.ID == versionID {
			return p, v, nil
		}
	}
	return p, Version{}, apperr.New(apperr.ErrNotFound, "pages.err.no_version")
}

// Write keeps a Yjs update of a page u writes, as the websocket does: for
// programs and tests that hold an update of their own.
func (s *Service) Write(ctx context.Context, u auth.User, id string, update []byte) error {
	if _, err := s.Writable(ctx, u, id); err != nil {
		return err
	}
	if int64(len(update)) > s.maxUpdate {
		return apperr.New(apperr.ErrTooLarge, "pages.err.too_large")
	}
	return s.appendUpdate(ctx, id, u.ID, update)
}

// Updates lists the stored Yjs updates of a page u reads: the document is
// all of them applied, in any order.
func (s *Service) Updates(ctx context.Context, u auth.User, id string) ([][]byte, error) {
	if _, _, err := s.Readable(ctx, u, id); err != nil {
		return nil, err
	}
	return s.updates(ctx, id)
}

// Stored is a page's live update rows: what an editor merges (Yjs's
// mergeUpdates) to compact them, Through naming the last.
type Stored struct {
	Through string
	Updates [][]byte
}

// ForCompaction lists the update rows of a page u writes.
func (s *Service) ForCompaction(ctx context.Context, u auth.User, id string) (Stored, error) {
	if _, err := s.Writable(ctx, u, id); err != nil {
		return Stored{}, err
	}
	ids, data, err := s.updateRows(ctx, id)
	if err != nil || len(ids) == 0 {
		return Stored{}, err
	}
	return Stored{Through: ids[len(ids)-1], Updates: data}, nil
}

// Compact replaces the page's update rows up to through by merged, the one
// update the editor's Yjs made of them: the editor proves it merged them
// by naming the last (DESIGN.md: replay plus client compaction). It
// returns how many rows it replaced.
func (s *Service) Compact(ctx context.Context, u auth.User, id, through string, merged []byte) (int, error) {
	if _, err := s.Writable(ctx, u, id); err != nil {
		return 0, err
	}
	if len(merged) == 0 || len(merged) > maxCompacted {
		return 0, apperr.New(apperr.ErrTooLarge, "pages.err.too_large")
	}
	return s.compact(ctx, id, through, u.ID, merged)
}

// pageStore is the room's view of the rows: the websocket has checked
// the peer's rights when it opened.
type pageStore struct{ s *Service }

func (ps pageStore) updates(ctx context.Context, pageID string) ([][]byte, error) {
	return ps.s.updates(ctx, pageID)
}

func (ps pageStore) appendUpdate(ctx context.Context, pageID string, p peer, data []byte) error {
	return ps.s.appendUpdate(ctx, pageID, p.UserID, data)
}

// CreateOwned adds an empty page that ownerID holds (feature.OwnedPages).
func (s *Service) CreateOwned(ctx context.Context, ownerID, classID, authorID, title string) (string, error) {
	title = strings.TrimSpace(title)
	if ownerID == "" || title == "" || utf8.RuneCountInString(title) > maxTitle {
		return "", apperr.New(apperr.ErrInvalid, "pages.err.title")
	}
	c, err := s.reg.Class(ctx, classID)
	if err != nil {
		return "", apperr.New(apperr.ErrInvalid, "pages.err.class")
	}
	now := s.now()
	return s.insert(ctx, Page{SchoolID: c.SchoolID, ClassID: c.ID, Kind: Wiki, Title: title, AuthorID: authorID,
		OwnerID: ownerID, CreatedAt: now, UpdatedAt: now})
}

// RenameOwned retitles one of ownerID's pages.
func (s *Service) RenameOwned(ctx context.Context, ownerID, pageID, title string) error {
	title = strings.TrimSpace(title)
	if title == "" || utf8.RuneCountInString(title) > maxTitle {
		return apperr.New(apperr.ErrInvalid, "pages.err.title")
	}
	return s.setOwned(ctx, ownerID, pageID, title, false)
}

// RemoveOwned removes one of ownerID's pages.
func (s *Service) RemoveOwned(ctx context.Context, ownerID, pageID string) error {
	return s.setOwned(ctx, ownerID, pageID, "", true)
}

// Owned lists ownerID's pages, oldest first.
func (s *Service) Owned(ctx context.Context, ownerID string) ([]feature.OwnedPage, error) {
	ps, err := s.ownedPages(ctx, ownerID)
	out := make([]feature.OwnedPage, len(ps))
	for i, p := range ps {
		out[i] = feature.OwnedPage{ID: p.ID, Title: p.Title, HTML: p.HTML, UpdatedAt: p.UpdatedAt}
	}
	return out, err
}

// SaveOwnedHTML keeps the HTML of one of ownerID's pages.
func (s *Service) SaveOwnedHTML(ctx context.Context, ownerID, pageID, authorID, html string) error {
	p, err := s.get(ctx, pageID)
	if err == nil && (ownerID == "" || p.OwnerID != ownerID) {
		err = apperr.New(apperr.ErrNotFound, "pages.err.not_found")
	}
	if err != nil {
		return err
	}
	_, err = s.keepHTML(ctx, p, authorID, html)
	return err
}
