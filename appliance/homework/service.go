package homework

import (
	"context"
	"io"
	"slices"
	"sort"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/notify"
	"preau/appliance/store"
	"preau/appliance/text"
	"preau/appliance/web"
)

// Entry is one day's page of a class's cahier de textes: what was done in
// class, and the work due.
type Entry struct {
	ID, ClassID, AuthorID string
	Day, Due              string // YYYY-MM-DD
	Done, Title, Body     string
	CreatedAt             time.Time

	Ticked bool   // for a pupil's (or a parent's child's) view: ticked as done
	Ticks  int    // for the teacher's view: how many pupils ticked it
	Files  []File // attached
}

// Upload is a file a teacher sends with an entry.
type Upload = web.Upload

// MaxFileSize is the largest file an entry carries. (The documents'
// feature brings per-user and per-school quotas, documents.max_file_size.)
const MaxFileSize = 10 << 20

// fileTypes are the types a file keeps when downloaded; any other is
// served as bytes to save, never shown in the page's origin.
var fileTypes = map[string]bool{"application/pdf": true, "image/png": true, "image/jpeg": true, "image/gif": true,
	"image/webp": true, "text/plain": true, "audio/mpeg": true, "application/vnd.oasis.opendocument.text": true,
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": true}

// Draft is an entry as a teacher writes it.
type Draft struct {
	ClassID, Day, Due, Done, Title, Body string
}

// Limits of the fields, in characters.
const (
	maxTitle = 200
	maxBody  = 5000
)

const day = "2006-01-02"

// Service is the cahier de textes, shared by the pages and the API. Its
// rules: a class's teachers and its school's director write its entries;
// an entry is changed or deleted by its author or the director; its pupils
// tick them; their parents read them.
type Service struct {
	db  *store.DB
	reg feature.Register
	hub *notify.Hub // tells the pupils and their parents; nil tells nobody
	now func() time.Time
}

// NewService builds the service on the store and the school register.
func NewService(db *store.DB, reg feature.Register) *Service {
	return &Service{db: db, reg: reg, now: time.Now}
}

// writable loads a class and checks u may write its cahier de textes: one
// of its teachers, or the director of its school.
func (s *Service) writable(ctx context.Context, u auth.User, classID string) (auth.Class, error) {
	return feature.StaffOf(ctx, s.reg, u, classID, "homework.err.no_class", "homework.err.not_your_class")
}

// clean holds a draft to the rules: a title, dates that exist, due on or
// after the class day and not before today when it changes.
func (s *Service) clean(d *Draft, prevDue string) error {
	var err error
	if d.Title, err = text.Line("field.title", d.Title, maxTitle); err != nil {
		return err
	}
	if d.Title == "" {
		return apperr.New(apperr.ErrInvalid, "homework.err.title_required")
	}
	if d.Body, err = text.Body("field.body", d.Body, maxBody); err != nil {
		return err
	}
	if d.Done, err = text.Body("field.done_in_class", d.Done, maxBody); err != nil {
		return err
	}
	today := s.now().Format(day)
	if d.Day == "" {
		d.Day = today
	}
	if _, err := time.Parse(day, d.Day); err != nil {
		return apperr.New(apperr.ErrInvalid, "homework.err.bad_date", "Value", text.Short(d.Day))
	}
	if _, err := time.Parse(day, d.Due); err != nil {
		return apperr.New(apperr.ErrInvalid, "homework.err.bad_due", "Value", text.Short(d.Due))
	}
	if d.Due < today && d.Due != prevDue {
		return apperr.New(apperr.ErrInvalid, "homework.err.due_past")
	}
	if d.Due < d.Day {
		return apperr.New(apperr.ErrInvalid, "homework.err.due_before_day")
	}
	return nil
}

// Create writes a new entry for a class u teaches (or directs), with its
// files. Everything is checked before anything is written.
func (s *Service) Create(ctx context.Context, u auth.User, d Draft, files ...Upload) (string, error) {
	c, err := s.writable(ctx, u, d.ClassID)
	if err != nil {
		return "", err
	}
	if err := s.clean(&d, ""); err != nil {
		return "", err
	}
	if err := checkUploads(files); err != nil {
		return "", err
	}
	id, err := s.insert(ctx, c.SchoolID, u.ID, d)
	if err != nil {
		return "", err
	}
	if err := s.attach(ctx, c.SchoolID, id, files); err != nil {
		return id, err
	}
	s.tell(ctx, c, d)
	return id, nil
}

// tell notifies a class's pupils and their parents of a new page.
func (s *Service) tell(ctx context.Context, c auth.Class, d Draft) {
	if s.hub == nil {
		return
	}
	families, err := feature.ClassFamilies(ctx, s.reg, c.ID)
	if err != nil {
		return
	}
	s.hub.Tell(ctx, notify.Notice{Users: families, Scope: c.SchoolID, Kind: "homework", Icon: "agenda", URL: Path,
		Key: "homework.notice.new", Args: map[string]string{"Title": d.Title, "Class": c.Name}})
}

// Attach adds files to an entry u may change.
func (s *Service) Attach(ctx context.Context, u auth.User, id string, files []Upload) error {
	_, c, err := s.editable(ctx, u, id)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return apperr.New(apperr.ErrInvalid, "homework.err.no_upload")
	}
	if err := checkUploads(files); err != nil {
		return err
	}
	return s.attach(ctx, c.SchoolID, id, files)
}

// checkUploads refuses an empty file, one over MaxFileSize, a name that
// breaks the rules of typed text.
func checkUploads(files []Upload) error {
	for i := range files {
		f := &files[i]
		name, err := text.Line("field.file_name", f.Name, maxTitle)
		if err != nil {
			return err
		}
		if name == "" {
			name = "fichier"
		}
		f.Name = name
		switch {
		case f.Size <= 0:
			return apperr.New(apperr.ErrInvalid, "homework.err.empty_file", "Name", name)
		case f.Size > MaxFileSize:
			return apperr.New(apperr.ErrInvalid, "homework.err.file_too_big", "Name", name, "Max", MaxFileSize>>20)
		}
		if !fileTypes[f.Type] {
			f.Type = "application/octet-stream"
		}
	}
	return nil
}

func (s *Service) attach(ctx context.Context, scope, entryID string, files []Upload) error {
	for _, f := range files {
		r, err := f.Open()
		if err != nil {
			return err
		}
		hash, n, err := s.db.Blobs().Put(r, MaxFileSize)
		r.Close()
		if err != nil {
			return err
		}
		if _, err := s.insertFile(ctx, scope, File{EntryID: entryID, Name: f.Name, Type: f.Type, Size: n, Blob: hash}); err != nil {
			return err
		}
	}
	return nil
}

// OpenFile opens an attached file u may read: of an entry u reads.
func (s *Service) OpenFile(ctx context.Context, u auth.User, id string) (File, io.ReadSeekCloser, error) {
	f, err := s.file(ctx, id)
	if err != nil {
		return f, nil, err
	}
	if _, err := s.Readable(ctx, u, f.EntryID); err != nil {
		return f, nil, apperr.New(apperr.ErrNotFound, "homework.err.no_file")
	}
	r, err := s.db.Blobs().Open(f.Blob)
	if err != nil {
		// The row came by sync before its file: it follows.
		return f, nil, apperr.New(apperr.ErrNotFound, "homework.err.file_coming")
	}
	return f, r, nil
}

// withFiles fills the entries' files.
func (s *Service) withFiles(ctx context.Context, es []Entry) ([]Entry, error) {
	files, err := s.files(ctx, es)
	if err != nil {
		return nil, err
	}
	for i := range es {
		es[i].Files = files[es[i].ID]
	}
	return es, nil
}

// editable loads an entry u may change: its author, or the director of
// its class's school.
func (s *Service) editable(ctx context.Context, u auth.User, id string) (Entry, auth.Class, error) {
	e, err := s.get(ctx, id)
	if err != nil {
		return e, auth.Class{}, err
	}
	c, err := s.reg.Class(ctx, e.ClassID)
	if err != nil {
		return e, c, err
	}
	if e.AuthorID == u.ID || u.Profile == auth.Director && u.SchoolID == c.SchoolID {
		return e, c, nil
	}
	return e, c, apperr.New(apperr.ErrForbidden, "homework.err.not_yours")
}

// Update changes an entry's days and texts; its class stays.
func (s *Service) Update(ctx context.Context, u auth.User, id string, d Draft) error {
	e, _, err := s.editable(ctx, u, id)
	if err != nil {
		return err
	}
	d.ClassID = e.ClassID
	if err := s.clean(&d, e.Due); err != nil {
		return err
	}
	return s.update(ctx, id, d)
}

// Delete removes an entry.
func (s *Service) Delete(ctx context.Context, u auth.User, id string) error {
	if _, _, err := s.editable(ctx, u, id); err != nil {
		return err
	}
	return s.remove(ctx, id)
}

// Copy writes the same entry for another class u teaches.
func (s *Service) Copy(ctx context.Context, u auth.User, id, toClass string) (string, error) {
	e, err := s.Readable(ctx, u, id)
	if err != nil {
		return "", err
	}
	return s.Create(ctx, u, Draft{ClassID: toClass, Day: s.now().Format(day), Due: e.Due, Done: e.Done, Title: e.Title, Body: e.Body})
}

// Readable loads an entry u may read.
func (s *Service) Readable(ctx context.Context, u auth.User, id string) (Entry, error) {
	e, err := s.get(ctx, id)
	if err != nil {
		return e, err
	}
	classes, err := s.ReadableClasses(ctx, u)
	if err != nil {
		return e, err
	}
	if !slices.ContainsFunc(classes, func(c auth.Class) bool { return c.ID == e.ClassID }) {
		return e, apperr.New(apperr.ErrNotFound, "homework.err.not_found")
	}
	return e, nil
}

// ReadableClasses are the classes whose cahier de textes u reads.
func (s *Service) ReadableClasses(ctx context.Context, u auth.User) ([]auth.Class, error) {
	return feature.ReadableClasses(ctx, s.reg, u)
}

// ClassEntries lists a class's entries due from today, with how many
// pupils ticked each, for its teachers.
func (s *Service) ClassEntries(ctx context.Context, u auth.User, classID string) ([]Entry, error) {
	if _, err := s.writable(ctx, u, classID); err != nil {
		return nil, err
	}
	es, err := s.entries(ctx, []string{classID}, s.now().Format(day))
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(es))
	for i, e := range es {
		ids[i] = e.ID
	}
	counts, err := s.tickCounts(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i := range es {
		es[i].Ticks = counts[es[i].ID]
	}
	return s.withFiles(ctx, es)
}

// PupilEntries lists what a pupil has to do from today, by due day, with
// their ticks.
func (s *Service) PupilEntries(ctx context.Context, pupil auth.User) ([]Entry, error) {
	return s.pupilEntries(ctx, pupil, s.now().Format(day), "9999-12-31")
}

// PupilDueTomorrow lists what a pupil has to do for tomorrow, with their
// ticks.
func (s *Service) PupilDueTomorrow(ctx context.Context, pupil auth.User) ([]Entry, error) {
	tomorrow := s.Tomorrow()
	// Every home page of the pupil's and their parents' reads it: from the
	// read cache, which any write empties.
	return store.CachedList(s.db.Cache(), "homework.tomorrow", pupil.ID+"\x00"+tomorrow, func() ([]Entry, error) {
		return s.pupilEntries(ctx, pupil, tomorrow, s.now().AddDate(0, 0, 2).Format(day))
	})
}

// pupilEntries lists a pupil's entries due in [from, to), with their
// ticks and files.
func (s *Service) pupilEntries(ctx context.Context, pupil auth.User, from, to string) ([]Entry, error) {
	classes, err := s.reg.UserClasses(ctx, pupil.ID)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(classes))
	for i, c := range classes {
		ids[i] = c.ID
	}
	es, err := s.entriesBetween(ctx, ids, from, to)
	if err != nil {
		return nil, err
	}
	ticked, err := s.ticked(ctx, pupil.ID, es)
	if err != nil {
		return nil, err
	}
	for i := range es {
		es[i].Ticked = ticked[es[i].ID]
	}
	return s.withFiles(ctx, es)
}

// ChildEntries is PupilEntries for a parent: for one of their children,
// what is due tomorrow first, then the rest by day.
func (s *Service) ChildEntries(ctx context.Context, parent auth.User, childID string) ([]Entry, error) {
	children, err := s.reg.Children(ctx, parent.ID)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(children, func(c auth.User) bool { return c.ID == childID })
	if i < 0 {
		return nil, apperr.New(apperr.ErrNotFound, "homework.err.not_your_child")
	}
	es, err := s.PupilEntries(ctx, children[i])
	if err != nil {
		return nil, err
	}
	tomorrow := s.Tomorrow()
	sort.SliceStable(es, func(a, b int) bool { return es[a].Due == tomorrow && es[b].Due != tomorrow })
	return es, nil
}

// Tomorrow is the day after today, YYYY-MM-DD.
func (s *Service) Tomorrow() string { return s.now().AddDate(0, 0, 1).Format(day) }

// Tick records that a pupil did (or undid) an entry of their class.
func (s *Service) Tick(ctx context.Context, pupil auth.User, id string, done bool) error {
	if pupil.Profile != auth.Pupil {
		return apperr.New(apperr.ErrForbidden, "homework.err.pupils_tick")
	}
	e, err := s.Readable(ctx, pupil, id)
	if err != nil {
		return err
	}
	c, err := s.reg.Class(ctx, e.ClassID)
	if err != nil {
		return err
	}
	return s.setTick(ctx, c.SchoolID, id, pupil.ID, done)
}
