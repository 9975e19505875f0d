package liaison

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/notify"
	"preau/appliance/store"
	"preau/appliance/text"
)

// Note is a note of the carnet de liaison, with what the person reading
// it may know of its answers.
type Note struct {
	ID, ClassID, AuthorID string
	Title, Body           string
	Signature             bool   // « J'ai lu » asked of the families
	AllowReply            bool   // a short reply allowed
	Day                   string // the day it is about, YYYY-MM-DD, or ""
	RemindedAt, CreatedAt time.Time

	// For its staff: how many pupils it is about, how many families
	// acknowledged it, how many replies came.
	Total, Acks, ReplyCount int
	// For a family: the child it is about, their acknowledgement (nil
	// while none) and the family's replies.
	PupilID string
	Ack     *Ack
	Replies []Reply
}

// Ack is a family's acknowledgement of a note.
type Ack struct {
	NoteID, PupilID, ByID string
	Paper                 bool // recorded by the teacher from the paper slip
	At                    time.Time
}

// Reply is a parent's short answer to a note.
type Reply struct {
	ID, NoteID, PupilID, AuthorID, Body string
	CreatedAt                           time.Time
}

// Draft is a note as its author writes it. PupilIDs nil: the whole class.
type Draft struct {
	ClassID, Title, Body, Day string
	PupilIDs                  []string
	Signature, AllowReply     bool
}

// Limits of the fields, in characters.
const (
	maxTitle = 200
	maxBody  = 5000
	maxReply = 500
)

const day = "2006-01-02"

// Service is the carnet de liaison, shared by the pages and the API. Its
// rules: a class's teachers and its school's director write to its
// families and follow the answers; a note is deleted by its author or the
// director; each parent reads the notes about their children and
// acknowledges them, one acknowledgement per pupil; pupils read the notes
// about them.
type Service struct {
	db   *store.DB
	reg  feature.Register
	auth *auth.Service
	hub  *notify.Hub // tells the families and the authors; nil tells nobody
	now  func() time.Time
}

// NewService builds the service on the store, the register and the
// accounts (for the names on the author's view).
func NewService(db *store.DB, reg feature.Register, accounts *auth.Service) *Service {
	return &Service{db: db, reg: reg, auth: accounts, now: time.Now}
}

// staffOf loads a class and checks u is one of its staff: one of its
// teachers, or the director of its school.
func (s *Service) staffOf(ctx context.Context, u auth.User, classID string) (auth.Class, error) {
	return feature.StaffOf(ctx, s.reg, u, classID, "liaison.err.no_class", "liaison.err.not_your_class")
}

// StaffClasses are the classes whose notes u writes and follows.
func (s *Service) StaffClasses(ctx context.Context, u auth.User) ([]auth.Class, error) {
	return feature.StaffClasses(ctx, s.reg, u)
}

// clean holds a draft to the rules: a title, texts within their limits, a
// day that exists.
func (d *Draft) clean() error {
	var err error
	if d.Title, err = text.Line("field.title", d.Title, maxTitle); err != nil {
		return err
	}
	if d.Title == "" {
		return apperr.New(apperr.ErrInvalid, "liaison.err.title_required")
	}
	if d.Body, err = text.Body("field.body", d.Body, maxBody); err != nil {
		return err
	}
	if d.Day != "" {
		if _, err := time.Parse(day, d.Day); err != nil {
			return apperr.New(apperr.ErrInvalid, "liaison.err.bad_day", "Value", text.Short(d.Day))
		}
	}
	return nil
}

// Create writes a note to the families of a class u teaches (or directs):
// the whole class, or the chosen pupils of it. Everything is checked
// before anything is written.
func (s *Service) Create(ctx context.Context, u auth.User, d Draft) (string, error) {
	c, err := s.staffOf(ctx, u, d.ClassID)
	if err != nil {
		return "", err
	}
	if err := d.clean(); err != nil {
		return "", err
	}
	pupils, err := s.reg.ClassPupils(ctx, c.ID)
	if err != nil {
		return "", err
	}
	if d.PupilIDs != nil && len(d.PupilIDs) == 0 {
		return "", apperr.New(apperr.ErrInvalid, "liaison.err.no_pupils") // chosen, but none
	}
	var to []string
	for _, p := range pupils {
		if len(d.PupilIDs) == 0 || slices.Contains(d.PupilIDs, p.ID) {
			to = append(to, p.ID)
		}
	}
	for _, id := range d.PupilIDs {
		if !slices.Contains(to, id) {
			return "", apperr.New(apperr.ErrNotFound, "liaison.err.not_in_class")
		}
	}
	if len(to) == 0 {
		return "", apperr.New(apperr.ErrInvalid, "liaison.err.no_pupils")
	}
	id, err := s.insert(ctx, c.SchoolID, u.ID, d, to)
	if err == nil {
		key := "liaison.notice.new"
		if d.Signature {
			key = "liaison.notice.to_sign"
		}
		s.tellFamilies(ctx, c.SchoolID, to, key, d.Title, true)
	}
	return id, err
}

// tellFamilies notifies the parents of each pupil (and the pupil, with
// pupils) of a note about them.
func (s *Service) tellFamilies(ctx context.Context, scope string, pupils []string, key, title string, withPupils bool) {
	if s.hub == nil {
		return
	}
	for _, p := range pupils {
		parents, err := s.reg.Parents(ctx, p)
		if err != nil {
			return
		}
		var ids []string
		for _, u := range parents {
			ids = append(ids, u.ID)
		}
		args := map[string]string{"Title": title}
		s.hub.Tell(ctx, notify.Notice{Users: ids, Scope: scope, Kind: "liaison", Icon: "carnet", URL: Path + "?enfant=" + p, Key: key, Args: args})
		if withPupils {
			s.hub.Tell(ctx, notify.Notice{Users: []string{p}, Scope: scope, Kind: "liaison", Icon: "carnet", URL: Path, Key: "liaison.notice.pupil", Args: args})
		}
	}
}

// followed loads a note u follows as its staff: a teacher of its class
// or the director of its school.
func (s *Service) followed(ctx context.Context, u auth.User, id string) (Note, auth.Class, error) {
	n, err := s.get(ctx, id)
	if err != nil {
		return n, auth.Class{}, err
	}
	c, err := s.staffOf(ctx, u, n.ClassID)
	if err != nil {
		return n, c, apperr.New(apperr.ErrNotFound, "liaison.err.not_found")
	}
	return n, c, nil
}

// Delete removes a note: its author's, or any of the school's for the
// director.
func (s *Service) Delete(ctx context.Context, u auth.User, id string) (Note, error) {
	n, _, err := s.followed(ctx, u, id)
	if err != nil {
		return n, err
	}
	if n.AuthorID != u.ID && u.Profile != auth.Director {
		return n, apperr.New(apperr.ErrForbidden, "liaison.err.not_yours")
	}
	return n, s.remove(ctx, id)
}

// ClassNotes lists a class's notes, newest first, with their counts.
func (s *Service) ClassNotes(ctx context.Context, u auth.User, classID string) ([]Note, error) {
	if _, err := s.staffOf(ctx, u, classID); err != nil {
		return nil, err
	}
	notes, err := s.classNotes(ctx, []string{classID})
	if err != nil {
		return nil, err
	}
	return notes, s.counts(ctx, notes)
}

// Follow is a note as its staff follow it: each pupil it is about, whether
// their family read it, and the replies.
type Follow struct {
	Note
	Class   auth.Class
	Pupils  []Recipient
	Replies []Reply
	Unread  int // families who have not acknowledged a note that asks it
	Names   map[string]string
}

// Recipient is one pupil a note is about, with their family's answer.
type Recipient struct {
	Pupil auth.User
	Ack   *Ack
}

// Followed is a note with its answers, for its staff.
func (s *Service) Followed(ctx context.Context, u auth.User, id string) (Follow, error) {
	n, c, err := s.followed(ctx, u, id)
	if err != nil {
		return Follow{}, err
	}
	f := Follow{Note: n, Class: c}
	ids, err := s.recipients(ctx, id)
	if err != nil {
		return f, err
	}
	acks, err := s.acks(ctx, id)
	if err != nil {
		return f, err
	}
	people := []string{n.AuthorID}
	for _, pid := range ids {
		p, err := s.auth.User(ctx, pid)
		if err != nil {
			continue // erased since: nobody left to answer
		}
		r := Recipient{Pupil: p}
		if a, ok := acks[pid]; ok {
			r.Ack = &a
			f.Acks++
			people = append(people, a.ByID)
		} else if n.Signature {
			f.Unread++
		}
		f.Pupils = append(f.Pupils, r)
		people = append(people, pid)
	}
	slices.SortFunc(f.Pupils, func(a, b Recipient) int { return compareNames(a.Pupil, b.Pupil) })
	f.Total = len(f.Pupils)
	if f.Replies, err = s.replies(ctx, id, ""); err != nil {
		return f, err
	}
	for _, r := range f.Replies {
		people = append(people, r.AuthorID)
	}
	f.Names, err = s.names(ctx, people)
	return f, err
}

// names are the display names of the accounts, by id; an erased account
// has none.
func (s *Service) names(ctx context.Context, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	for _, id := range ids {
		if _, ok := out[id]; ok {
			continue
		}
		u, err := s.auth.User(ctx, id)
		switch {
		case err == nil:
			out[id] = u.DisplayName
		case errors.Is(err, apperr.ErrNotFound):
			out[id] = ""
		default:
			return nil, err
		}
	}
	return out, nil
}

func compareNames(a, b auth.User) int {
	return cmp.Or(cmp.Compare(a.LastName, b.LastName), cmp.Compare(a.FirstName, b.FirstName))
}

// Remind marks that the families who have not acknowledged a note are
// reminded of it; it returns how many.
func (s *Service) Remind(ctx context.Context, u auth.User, id string) (int, error) {
	f, err := s.Followed(ctx, u, id)
	if err != nil {
		return 0, err
	}
	if !f.Signature {
		return 0, apperr.New(apperr.ErrInvalid, "liaison.err.no_signature")
	}
	if f.Unread == 0 {
		return 0, apperr.New(apperr.ErrInvalid, "liaison.err.all_read")
	}
	if err := s.setReminded(ctx, id); err != nil {
		return 0, err
	}
	var waiting []string
	for _, r := range f.Pupils {
		if r.Ack == nil {
			waiting = append(waiting, r.Pupil.ID)
		}
	}
	s.tellFamilies(ctx, f.Class.SchoolID, waiting, "liaison.notice.reminder", f.Title, false)
	return f.Unread, nil
}

// PaperAck records that a pupil's family signed the paper slip.
func (s *Service) PaperAck(ctx context.Context, u auth.User, id, pupilID string) error {
	n, c, err := s.followed(ctx, u, id)
	if err != nil {
		return err
	}
	if err := s.about(ctx, n, pupilID); err != nil {
		return err
	}
	return s.insertAck(ctx, c.SchoolID, Ack{NoteID: id, PupilID: pupilID, ByID: u.ID, Paper: true})
}

// about checks a note is about the pupil.
func (s *Service) about(ctx context.Context, n Note, pupilID string) error {
	ids, err := s.recipients(ctx, n.ID)
	if err != nil {
		return err
	}
	if !slices.Contains(ids, pupilID) {
		return apperr.New(apperr.ErrNotFound, "liaison.err.not_about")
	}
	return nil
}

// child checks the pupil is one of the parent's children.
func (s *Service) child(ctx context.Context, parent auth.User, pupilID string) (auth.User, error) {
	children, err := s.reg.Children(ctx, parent.ID)
	if err != nil {
		return auth.User{}, err
	}
	if i := slices.IndexFunc(children, func(c auth.User) bool { return c.ID == pupilID }); i >= 0 {
		return children[i], nil
	}
	return auth.User{}, apperr.New(apperr.ErrNotFound, "liaison.err.not_your_child")
}

// familyNote loads a note about one of the parent's children.
func (s *Service) familyNote(ctx context.Context, parent auth.User, id, pupilID string) (Note, string, error) {
	if parent.Profile != auth.Parent {
		return Note{}, "", apperr.New(apperr.ErrForbidden, "liaison.err.parents_sign")
	}
	if _, err := s.child(ctx, parent, pupilID); err != nil {
		return Note{}, "", err
	}
	n, err := s.get(ctx, id)
	if err != nil {
		return n, "", err
	}
	if err := s.about(ctx, n, pupilID); err != nil {
		return n, "", apperr.New(apperr.ErrNotFound, "liaison.err.not_found")
	}
	c, err := s.reg.Class(ctx, n.ClassID)
	return n, c.SchoolID, err
}

// Acknowledge records that a parent read a note about their child. Either
// parent's is the family's; a second changes nothing.
func (s *Service) Acknowledge(ctx context.Context, parent auth.User, id, pupilID string) error {
	n, scope, err := s.familyNote(ctx, parent, id, pupilID)
	if err != nil {
		return err
	}
	if !n.Signature {
		return apperr.New(apperr.ErrInvalid, "liaison.err.no_signature")
	}
	return s.insertAck(ctx, scope, Ack{NoteID: id, PupilID: pupilID, ByID: parent.ID})
}

// AcknowledgeAll acknowledges a note for each of the parent's children it
// is about (the API's ack without a pupil).
func (s *Service) AcknowledgeAll(ctx context.Context, parent auth.User, id string) error {
	children, err := s.reg.Children(ctx, parent.ID)
	if err != nil {
		return err
	}
	signed := false
	for _, c := range children {
		err := s.Acknowledge(ctx, parent, id, c.ID)
		switch {
		case err == nil:
			signed = true
		case !errors.Is(err, apperr.ErrNotFound):
			return err
		}
	}
	if !signed {
		return apperr.New(apperr.ErrNotFound, "liaison.err.not_found")
	}
	return nil
}

// Reply sends a parent's short answer to a note that allows one.
func (s *Service) Reply(ctx context.Context, parent auth.User, id, pupilID, body string) (string, error) {
	n, scope, err := s.familyNote(ctx, parent, id, pupilID)
	if err != nil {
		return "", err
	}
	if !n.AllowReply {
		return "", apperr.New(apperr.ErrInvalid, "liaison.err.no_reply")
	}
	if body, err = text.Body("field.reply", body, maxReply); err != nil {
		return "", err
	}
	if body == "" {
		return "", apperr.New(apperr.ErrInvalid, "liaison.err.reply_required")
	}
	rid, err := s.insertReply(ctx, scope, Reply{NoteID: id, PupilID: pupilID, AuthorID: parent.ID, Body: body})
	if err == nil && s.hub != nil {
		s.hub.Tell(ctx, notify.Notice{Users: []string{n.AuthorID}, Scope: scope, Kind: "liaison", Icon: "carnet", URL: Path + "/" + id,
			Key: "liaison.notice.reply", Args: map[string]string{"Title": n.Title, "Name": parent.DisplayName}})
	}
	return rid, err
}

// ChildNotes lists the notes about one of a parent's children, newest
// first, each with the family's acknowledgement and replies.
func (s *Service) ChildNotes(ctx context.Context, parent auth.User, childID string) ([]Note, error) {
	if _, err := s.child(ctx, parent, childID); err != nil {
		return nil, err
	}
	return s.PupilNotes(ctx, childID)
}

// PupilNotes lists the notes about a pupil, newest first, with their
// family's acknowledgement and replies.
func (s *Service) PupilNotes(ctx context.Context, pupilID string) ([]Note, error) {
	notes, err := s.pupilNotes(ctx, pupilID)
	if err != nil {
		return nil, err
	}
	for i := range notes {
		n := &notes[i]
		n.PupilID = pupilID
		acks, err := s.acks(ctx, n.ID)
		if err != nil {
			return nil, err
		}
		if a, ok := acks[pupilID]; ok {
			n.Ack = &a
		}
		if n.Replies, err = s.replies(ctx, n.ID, pupilID); err != nil {
			return nil, err
		}
	}
	return notes, nil
}

// Waiting lists the notes about a parent's children that wait for their
// « J'ai lu », each with the child it is about.
func (s *Service) Waiting(ctx context.Context, parent auth.User) ([]Note, error) {
	// Every home page of the parent's reads it: from the read cache, which
	// any write empties.
	return store.CachedList(s.db.Cache(), "liaison.waiting", parent.ID, func() ([]Note, error) { return s.waiting(ctx, parent) })
}

func (s *Service) waiting(ctx context.Context, parent auth.User) ([]Note, error) {
	children, err := s.reg.Children(ctx, parent.ID)
	if err != nil {
		return nil, err
	}
	var out []Note
	for _, c := range children {
		notes, err := s.toSign(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		for _, n := range notes {
			n.PupilID = c.ID
			out = append(out, n)
		}
	}
	return out, nil
}

// awaitedWindow is how far back the staff's « signatures attendues »
// look: a note older than that is followed from the carnet's page.
const awaitedWindow = 30 * 24 * time.Hour

// Awaited lists, over the classes u follows, the notes of the last 30
// days that still wait for signatures, newest first, with their counts.
func (s *Service) Awaited(ctx context.Context, u auth.User) ([]Note, error) {
	// Every home page of the staff's reads it: from the read cache, which
	// any write empties.
	return store.CachedList(s.db.Cache(), "liaison.awaited", u.ID, func() ([]Note, error) { return s.awaited(ctx, u) })
}

func (s *Service) awaited(ctx context.Context, u auth.User) ([]Note, error) {
	classes, err := s.StaffClasses(ctx, u)
	if err != nil || len(classes) == 0 {
		return nil, err
	}
	ids := make([]string, len(classes))
	for i, c := range classes {
		ids[i] = c.ID
	}
	list, args := store.In(ids)
	since := s.now().Add(-awaitedWindow).UTC().Format(time.RFC3339)
	notes, err := s.queryNotes(ctx, "signature = 1 AND created_at >= ? AND class_id IN ("+list+")", append([]any{since}, args...)...)
	if err != nil {
		return nil, err
	}
	if err := s.counts(ctx, notes); err != nil {
		return nil, err
	}
	var out []Note
	for _, n := range notes {
		if n.Acks < n.Total {
			out = append(out, n)
		}
	}
	return out, nil
}
