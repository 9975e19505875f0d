package documents

import (
	"cmp"
	"context"
	"errors"
	"io"
	"math"
	"mime"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/i18n"
	"preau/appliance/notify"
	"preau/appliance/store"
	"preau/appliance/text"
	"preau/appliance/web"
)

// Document is a file a class's teacher shared with it.
type Document struct {
	ID, SchoolID, ClassID string
	Folder                string // "" for none: folders are one level deep
	Name, Type            string // its file name, its type as its content says
	Size                  int64
	Blob                  string // its content's SHA-256
	AuthorID              string
	CreatedAt             time.Time
	Schools               feature.Targets // the city's library's: the schools it is meant for, nil for all
}

// City reports whether it is a document of the city's library.
func (d Document) City() bool { return d.SchoolID == feature.Global }

// Limits are the documents' limits in bytes (config documents.*).
type Limits struct {
	MaxFile, UserQuota, SchoolQuota int64
}

// Limits of the names, in characters.
const (
	maxName   = 200
	maxFolder = 80
)

// Service is the documents, shared by the pages and the API. Its rules: a
// class's teachers and its school's director share documents with it; its
// pupils and their parents read and download them; a document is moved or
// deleted by whoever shared it, or the director. A file is stored once
// however many times it is shared, and counts once against its sharer's
// quota and the school's.
type Service struct {
	db     *store.DB
	reg    feature.Register
	limits Limits
	hub    *notify.Hub // tells the class's pupils and parents; nil tells nobody
	now    func() time.Time
	// central: the DSI publishes the city's library here. library is a
	// school's cache of its files (nil on central and in tests without
	// sync): a file not here is fetched when opened.
	central bool
	library func() feature.Library
}

// NewService builds the service on the store and the school register.
func NewService(db *store.DB, reg feature.Register, limits Limits) *Service {
	return &Service{db: db, reg: reg, limits: limits, now: time.Now}
}

// NewCentralService is central's, where the DSI publishes the city's
// library.
func NewCentralService(db *store.DB, reg feature.Register, limits Limits) *Service {
	s := NewService(db, reg, limits)
	s.central = true
	return s
}

// UseLibrary gives a school's service its cache of the city's library.
func (s *Service) UseLibrary(lib feature.Library) { s.library = func() feature.Library { return lib } }

// Upload is a file as it arrives: its name as the sender gave it, its size
// when the sender said it (-1 otherwise), its content.
type Upload struct {
	ClassID, Folder, Name string
	Size                  int64
	Content               io.Reader
}

// Share stores a file and shares it with a class u works with, in a
// folder; created says it is new. The same file sent again to the same
// place is the document already there, not a second one: an upload
// retried after a cut connection makes no duplicate. Nothing is written
// unless everything holds: the class, the names, the size and the quotas.
func (s *Service) Share(ctx context.Context, u auth.User, up Upload) (d Document, created bool, err error) {
	c, err := s.writable(ctx, u, up.ClassID)
	if err != nil {
		return d, false, err
	}
	d = Document{ClassID: c.ID, SchoolID: c.SchoolID, AuthorID: u.ID}
	room := func(blob string) (int64, error) { return s.room(ctx, u, c.SchoolID, blob) }
	if d, created, err = s.store(ctx, d, up, room); err == nil && created {
		s.tell(ctx, c, d)
	}
	return d, created, err
}

// store receives an upload's file into d (its place set: class or city,
// author) and writes its row: the names cleaned, the size within MaxFile
// and what room(blob) says the sharer may still add, given the file.
// The same file sent again to the same place is the document already there.
func (s *Service) store(ctx context.Context, d Document, up Upload, room func(blob string) (int64, error)) (Document, bool, error) {
	var err error
	if d.Folder, err = cleanFolder(up.Folder); err != nil {
		return d, false, err
	}
	if d.Name, err = cleanName(up.Name); err != nil {
		return d, false, err
	}
	if up.Size > s.limits.MaxFile {
		return d, false, s.tooBig(d.Name)
	}
	if up.Size > 0 { // said beforehand: refused before it is read
		if left, err := room(""); err != nil || up.Size > left {
			return d, false, cmp.Or(err, s.noRoom(d.Name, left))
		}
	}
	head := &headReader{r: up.Content}
	staged, err := s.db.Blobs().Stage(head, s.limits.MaxFile)
	if err != nil {
		if isTooBig(err) {
			return d, false, s.tooBig(d.Name)
		}
		return d, false, apperr.New(apperr.ErrInvalid, "documents.err.unreadable", "Name", d.Name)
	}
	defer staged.Discard()
	if staged.Size == 0 {
		return d, false, apperr.New(apperr.ErrInvalid, "documents.err.empty", "Name", d.Name)
	}
	if prev, ok, err := s.same(ctx, d.ClassID, d.Folder, d.Name, staged.Hash); ok || err != nil {
		return prev, false, err
	}
	if left, err := room(staged.Hash); err != nil || staged.Size > left {
		return d, false, cmp.Or(err, s.noRoom(d.Name, left))
	}
	if err := staged.Install(); err != nil {
		return d, false, err
	}
	d.ID, d.Size, d.Blob, d.Type, d.CreatedAt = store.NewID(), staged.Size, staged.Hash, sniff(head.head, d.Name), s.now()
	return d, true, s.insert(ctx, d)
}

// room is how many bytes u may still share in the school: what is left of
// their quota and of the school's, the smaller. A file they or the school
// hold already (blob) costs nothing more.
func (s *Service) room(ctx context.Context, u auth.User, schoolID, blob string) (int64, error) {
	mine, mineHas, err := s.used(ctx, "author_id", u.ID, blob)
	if err != nil {
		return 0, err
	}
	school, schoolHas, err := s.used(ctx, "scope", schoolID, blob)
	if err != nil {
		return 0, err
	}
	// A file already counted costs nothing more where it is counted.
	userLeft, schoolLeft := s.limits.UserQuota-mine, s.limits.SchoolQuota-school
	if mineHas {
		userLeft = math.MaxInt64
	}
	if schoolHas {
		schoolLeft = math.MaxInt64
	}
	return max(min(userLeft, schoolLeft), 0), nil
}

func (s *Service) tooBig(name string) error {
	return apperr.New(apperr.ErrTooLarge, "documents.err.too_big", "Name", name, "Max", i18n.Size(s.limits.MaxFile))
}

func (s *Service) noRoom(name string, room int64) error {
	return apperr.New(apperr.ErrTooLarge, "documents.err.quota", "Name", name, "Left", i18n.Size(room))
}

func isTooBig(err error) bool { return errors.Is(err, store.ErrTooBig) }

// tell notifies a class's pupils and their parents of a new document.
func (s *Service) tell(ctx context.Context, c auth.Class, d Document) {
	if s.hub == nil {
		return
	}
	families, err := feature.ClassFamilies(ctx, s.reg, c.ID)
	if err != nil {
		return
	}
	s.hub.Tell(ctx, notify.Notice{Users: families, Scope: c.SchoolID, Kind: "documents", Icon: "documents", URL: ClassURL(c.ID, d.Folder),
		Key: "documents.notice.new", Args: map[string]string{"Name": d.Name, "Class": c.Name}})
}

// writable loads a class u shares documents with: one of its teachers, or
// the director of its school.
func (s *Service) writable(ctx context.Context, u auth.User, classID string) (auth.Class, error) {
	return feature.StaffOf(ctx, s.reg, u, classID, "documents.err.no_class", "documents.err.not_your_class")
}

// ReadableClasses are the classes whose documents u reads.
func (s *Service) ReadableClasses(ctx context.Context, u auth.User) ([]auth.Class, error) {
	return feature.ReadableClasses(ctx, s.reg, u)
}

// List is a class's documents, for whoever reads them; an unknown class
// and a class u does not read are the same 404.
func (s *Service) List(ctx context.Context, u auth.User, classID string) ([]Document, error) {
	if err := s.reads(ctx, u, classID); err != nil {
		return nil, err
	}
	return s.list(ctx, classID)
}

func (s *Service) reads(ctx context.Context, u auth.User, classID string) error {
	classes, err := s.ReadableClasses(ctx, u)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(classes, func(c auth.Class) bool { return c.ID == classID }) {
		return apperr.New(apperr.ErrNotFound, "documents.err.no_class")
	}
	return nil
}

// Readable loads a document u may read.
func (s *Service) Readable(ctx context.Context, u auth.User, id string) (Document, error) {
	d, err := s.get(ctx, id)
	if err != nil {
		return d, err
	}
	if d.City() {
		return d, s.cityReadable(ctx, u, d)
	}
	if err := s.reads(ctx, u, d.ClassID); err != nil {
		return d, apperr.New(apperr.ErrNotFound, "documents.err.not_found")
	}
	return d, nil
}

// Open opens a document's file for u.
func (s *Service) Open(ctx context.Context, u auth.User, id string) (Document, io.ReadSeekCloser, error) {
	d, err := s.Readable(ctx, u, id)
	if err != nil {
		return d, nil, err
	}
	if d.City() {
		if err := s.fetch(ctx, d); err != nil {
			return d, nil, err
		}
	}
	f, err := s.db.Blobs().Open(d.Blob)
	if err != nil {
		// The row came by sync before its file: it follows.
		return d, nil, apperr.New(apperr.ErrNotFound, "documents.err.file_coming")
	}
	return d, f, nil
}

// editable loads a document u may move or delete: whoever shared it, or
// the director of its school.
func (s *Service) editable(ctx context.Context, u auth.User, id string) (Document, error) {
	d, err := s.Readable(ctx, u, id)
	if err != nil {
		return d, err
	}
	if d.City() && !(u.Profile == auth.DSI && s.central) {
		return d, apperr.New(apperr.ErrForbidden, "documents.err.not_yours")
	}
	if d.AuthorID != u.ID && !(u.Profile == auth.Director && u.SchoolID == d.SchoolID) {
		return d, apperr.New(apperr.ErrForbidden, "documents.err.not_yours")
	}
	return d, nil
}

// Delete removes a document; its file stays while another row shares it.
func (s *Service) Delete(ctx context.Context, u auth.User, id string) (Document, error) {
	d, err := s.editable(ctx, u, id)
	if err != nil {
		return d, err
	}
	return d, s.remove(ctx, id)
}

// Move puts a document in another folder of its class ("" for none).
func (s *Service) Move(ctx context.Context, u auth.User, id, folder string) (Document, error) {
	d, err := s.editable(ctx, u, id)
	if err != nil {
		return d, err
	}
	if d.Folder, err = cleanFolder(folder); err != nil {
		return d, err
	}
	return d, s.setFolder(ctx, id, d.Folder)
}

// Copy shares a document u reads with another class u works with, in the
// same folder: the file is not stored again.
func (s *Service) Copy(ctx context.Context, u auth.User, id, classID string) (Document, error) {
	d, err := s.Readable(ctx, u, id)
	if err != nil {
		return d, err
	}
	c, err := s.writable(ctx, u, classID)
	if err != nil {
		return d, err
	}
	if prev, ok, err := s.same(ctx, c.ID, d.Folder, d.Name, d.Blob); ok || err != nil {
		return prev, err
	}
	if d.City() {
		// The class's copy is the school's for good: its file must be here.
		if err := s.fetch(ctx, d); err != nil {
			return d, err
		}
	}
	if c.SchoolID != d.SchoolID {
		room, err := s.room(ctx, u, c.SchoolID, d.Blob)
		if err != nil {
			return d, err
		}
		if d.Size > room {
			return d, s.noRoom(d.Name, room)
		}
	}
	d.ID, d.ClassID, d.SchoolID, d.AuthorID, d.CreatedAt, d.Schools = store.NewID(), c.ID, c.SchoolID, u.ID, s.now(), nil
	if err := s.insert(ctx, d); err != nil {
		return d, err
	}
	s.tell(ctx, c, d)
	return d, nil
}

// Usage is what the school's documents take, for its director.
func (s *Service) Usage(ctx context.Context, u auth.User) (Usage, error) {
	if u.Profile != auth.Director {
		return Usage{}, apperr.New(apperr.ErrForbidden, "documents.err.usage_director")
	}
	usage, err := s.usage(ctx, u.SchoolID)
	if err != nil {
		return usage, err
	}
	people, err := s.reg.SchoolUsers(ctx, u.SchoolID)
	if err != nil {
		return usage, err
	}
	for i, a := range usage.Authors {
		if j := slices.IndexFunc(people, func(p auth.User) bool { return p.ID == a.AuthorID }); j >= 0 {
			usage.Authors[i].Name = people[j].DisplayName
		}
	}
	return usage, nil
}

// Room is what u may still share: of their quota, and of their school's.
func (s *Service) Room(ctx context.Context, u auth.User) (int64, error) {
	return s.room(ctx, u, u.SchoolID, "")
}

// Folders are the folders of a class's documents, in order.
func Folders(ds []Document) []string {
	var out []string
	for _, d := range ds {
		if d.Folder != "" && !slices.Contains(out, d.Folder) {
			out = append(out, d.Folder)
		}
	}
	slices.SortFunc(out, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	return out
}

// cleanName is a file's name as shown and downloaded: its last element
// when a browser or a client sent a path, one line, not empty.
func cleanName(name string) (string, error) {
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(strings.TrimRight(name, "/"))
	name, err := text.Line("field.file_name", name, maxName)
	if err != nil {
		return "", err
	}
	if name == "" || name == "." || name == ".." || name == "/" {
		return "", apperr.New(apperr.ErrInvalid, "documents.err.name_required")
	}
	return name, nil
}

// cleanFolder is a folder's name: one line, no slash (folders are one
// level deep), "" for none.
func cleanFolder(folder string) (string, error) {
	folder, err := text.Line("field.folder", folder, maxFolder)
	if err != nil {
		return "", err
	}
	if strings.ContainsAny(folder, "/\\") {
		return "", apperr.New(apperr.ErrInvalid, "documents.err.folder_slash")
	}
	return folder, nil
}

// headReader keeps the first bytes read through it: what says a file's
// type.
type headReader struct {
	r    io.Reader
	head []byte
}

func (h *headReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	if len(h.head) < sniffLen {
		h.head = append(h.head, p[:min(n, sniffLen-len(h.head))]...)
	}
	return n, err
}

const sniffLen = 512

// officeTypes are the types of office files by extension: their content
// says only "zip".
var officeTypes = map[string]string{
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	".odt":  "application/vnd.oasis.opendocument.text",
	".ods":  "application/vnd.oasis.opendocument.spreadsheet",
	".odp":  "application/vnd.oasis.opendocument.presentation",
}

// sniff is a file's type as its first bytes say, never as its name
// claims, but for office files, which are zip archives inside.
func sniff(head []byte, name string) string {
	t := http.DetectContentType(head)
	if mt, _, _ := mime.ParseMediaType(t); mt == "application/zip" {
		if office, ok := officeTypes[strings.ToLower(path.Ext(name))]; ok {
			return office
		}
	}
	return t
}

// Inline reports whether a document may be shown in the browser: its
// content runs nothing, and its name does not make it a page (web.Inline).
func (d Document) Inline() bool { return web.Inline(d.Name, d.Type) }

// Thumb reports whether the document has a thumbnail (a picture).
func (d Document) Thumb() bool { return store.IsPicture(d.Type) }

// Icon is the picture of the document's kind, shown where it has no
// thumbnail: a file under assets/icons, without .svg.
func (d Document) Icon() string {
	mt, _, _ := mime.ParseMediaType(d.Type)
	switch {
	case mt == "application/pdf":
		return "fichier-pdf"
	case strings.HasPrefix(mt, "audio/"):
		return "fichier-son"
	}
	return "fichier"
}
