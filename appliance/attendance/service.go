package attendance

import (
	"context"
	"slices"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/notify"
	"preau/appliance/store"
	"preau/appliance/text"
)

// Half-days of a school day.
const (
	AM = "am"
	PM = "pm"
)

// Kinds of an absence.
const (
	Absent = "absent"
	Late   = "late"
)

// Reasons a family gives for an absence, in the order a form offers them.
var Reasons = []string{"illness", "medical", "family", "transport", "other"}

// Absence is a pupil's absence or late arrival for a half-day.
type Absence struct {
	ID, PupilID, ClassID string
	Day, HalfDay, Kind   string
	RecordedBy           string
	Announced            bool // by a parent, beforehand
	Reason, Comment      string
	JustifiedBy          string
	JustifiedAt          time.Time
	CreatedAt            time.Time
}

// Justified reports whether the family gave its reason.
func (a Absence) Justified() bool { return a.Reason != "" }

// Register is a class's register for a half-day: who was absent or late,
// and whether it was taken.
type Register struct {
	Class   auth.Class
	Day     string
	HalfDay string
	Pupils  []auth.User
	Marks   map[string]string // pupil id → Absent or Late; present otherwise
	Taken   bool
	TakenBy string
	TakenAt time.Time
}

// Roll is a register as a teacher takes it.
type Roll struct {
	ClassID, Day, HalfDay string
	Absent, Late          []string
}

const (
	day        = "2006-01-02"
	maxComment = 500
)

// Service is the register and the absences, shared by the pages and the
// API. Its rules: a class's teachers and its school's director take its
// register, for today or a day past, never ahead; each family sees its
// children's absences, justifies them and announces one beforehand; the
// director sees the school's.
type Service struct {
	db  *store.DB
	reg feature.Register
	hub *notify.Hub // tells the families of an absence; nil tells nobody
	now func() time.Time
}

// NewService builds the service on the store and the school register.
func NewService(db *store.DB, reg feature.Register) *Service {
	return &Service{db: db, reg: reg, now: time.Now}
}

// Today is today, YYYY-MM-DD.
func (s *Service) Today() string { return s.now().Format(day) }

// HalfDayNow is the half-day under way: the morning until noon.
func (s *Service) HalfDayNow() string {
	if s.now().Hour() < 12 {
		return AM
	}
	return PM
}

func checkDay(d, half string) error {
	if _, err := time.Parse(day, d); err != nil {
		return apperr.New(apperr.ErrInvalid, "attendance.err.bad_day", "Value", text.Short(d))
	}
	if half != AM && half != PM {
		return apperr.New(apperr.ErrInvalid, "attendance.err.bad_half_day", "Value", text.Short(half))
	}
	return nil
}

// staffOf loads a class and checks u is one of its staff.
func (s *Service) staffOf(ctx context.Context, u auth.User, classID string) (auth.Class, error) {
	return feature.StaffOf(ctx, s.reg, u, classID, "attendance.err.no_class", "attendance.err.not_your_class")
}

// StaffClasses are the classes whose register u takes.
func (s *Service) StaffClasses(ctx context.Context, u auth.User) ([]auth.Class, error) {
	return feature.StaffClasses(ctx, s.reg, u)
}

// Register is a class's register for a half-day, as taken so far.
func (s *Service) Register(ctx context.Context, u auth.User, classID, d, half string) (Register, error) {
	c, err := s.staffOf(ctx, u, classID)
	if err != nil {
		return Register{}, err
	}
	if err := checkDay(d, half); err != nil {
		return Register{}, err
	}
	r := Register{Class: c, Day: d, HalfDay: half, Marks: map[string]string{}}
	if r.Pupils, err = s.reg.ClassPupils(ctx, c.ID); err != nil {
		return r, err
	}
	if r.Taken, r.TakenBy, r.TakenAt, err = s.taken(ctx, c.ID, d, half); err != nil {
		return r, err
	}
	abs, err := s.query(ctx, "class_id = ? AND day = ? AND half_day = ?", c.ID, d, half)
	for _, a := range abs {
		r.Marks[a.PupilID] = a.Kind
	}
	return r, err
}

// Take records a class's register: the pupils absent and late, everyone
// else present. Absences announced or justified stay so; a pupil marked
// present is no longer absent.
func (s *Service) Take(ctx context.Context, u auth.User, roll Roll) error {
	c, err := s.staffOf(ctx, u, roll.ClassID)
	if err != nil {
		return err
	}
	if err := checkDay(roll.Day, roll.HalfDay); err != nil {
		return err
	}
	if roll.Day > s.Today() {
		return apperr.New(apperr.ErrInvalid, "attendance.err.ahead")
	}
	pupils, err := s.reg.ClassPupils(ctx, c.ID)
	if err != nil {
		return err
	}
	marks := map[string]string{}
	for kind, ids := range map[string][]string{Absent: roll.Absent, Late: roll.Late} {
		for _, id := range ids {
			if !slices.ContainsFunc(pupils, func(p auth.User) bool { return p.ID == id }) {
				return apperr.New(apperr.ErrNotFound, "attendance.err.not_in_class")
			}
			if _, twice := marks[id]; twice {
				return apperr.New(apperr.ErrInvalid, "attendance.err.absent_and_late")
			}
			marks[id] = kind
		}
	}
	before, err := s.query(ctx, "class_id = ? AND day = ? AND half_day = ?", c.ID, roll.Day, roll.HalfDay)
	if err != nil {
		return err
	}
	var fresh []string
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := s.writeRegister(ctx, tx, c, roll, u.ID); err != nil {
			return err
		}
		for _, a := range before {
			if _, still := marks[a.PupilID]; !still {
				if err := s.removeAbsence(ctx, tx, a.ID); err != nil {
					return err
				}
			}
		}
		for id, kind := range marks {
			a := Absence{PupilID: id, ClassID: c.ID, Day: roll.Day, HalfDay: roll.HalfDay, Kind: kind, RecordedBy: u.ID}
			if i := slices.IndexFunc(before, func(a Absence) bool { return a.PupilID == id }); i >= 0 {
				if before[i].Kind == kind {
					continue // as it was, justification and all
				}
				a, a.Kind = before[i], kind // late rather than absent: the reason given stays
			} else {
				fresh = append(fresh, id)
			}
			if err := s.writeAbsence(ctx, tx, c.SchoolID, a); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		s.tellFamilies(ctx, c.SchoolID, pupils, fresh, marks, roll)
	}
	return err
}

// tellFamilies notifies the parents of the pupils newly marked absent or
// late.
func (s *Service) tellFamilies(ctx context.Context, scope string, pupils []auth.User, fresh []string, marks map[string]string, roll Roll) {
	if s.hub == nil {
		return
	}
	for _, p := range pupils {
		if !slices.Contains(fresh, p.ID) {
			continue
		}
		parents, err := feature.ParentIDs(ctx, s.reg, []string{p.ID})
		if err != nil {
			return
		}
		key := "attendance.notice.absent_" + roll.HalfDay
		if marks[p.ID] == Late {
			key = "attendance.notice.late_" + roll.HalfDay
		}
		s.hub.Tell(ctx, notify.Notice{Users: parents, Scope: scope, Kind: "absence", Icon: "absences", URL: Path + "?enfant=" + p.ID,
			Key: key, Args: map[string]string{"Name": p.FirstName, "Date": roll.Day}})
	}
}

// child checks the pupil is one of the parent's children.
func (s *Service) child(ctx context.Context, parent auth.User, pupilID string) (auth.User, error) {
	if parent.Profile != auth.Parent {
		return auth.User{}, apperr.New(apperr.ErrForbidden, "attendance.err.parents_justify")
	}
	children, err := s.reg.Children(ctx, parent.ID)
	if err != nil {
		return auth.User{}, err
	}
	if i := slices.IndexFunc(children, func(c auth.User) bool { return c.ID == pupilID }); i >= 0 {
		return children[i], nil
	}
	return auth.User{}, apperr.New(apperr.ErrNotFound, "attendance.err.not_your_child")
}

// Justification is a family's reason for an absence.
type Justification struct{ Reason, Comment string }

func (j *Justification) clean() error {
	if !slices.Contains(Reasons, j.Reason) {
		return apperr.New(apperr.ErrInvalid, "attendance.err.reason", "Value", text.Short(j.Reason))
	}
	var err error
	j.Comment, err = text.Body("field.comment", j.Comment, maxComment)
	return err
}

// Justify records a parent's reason for their child's absence.
func (s *Service) Justify(ctx context.Context, parent auth.User, id string, j Justification) (Absence, error) {
	a, err := s.get(ctx, id)
	if err != nil {
		return a, err
	}
	if _, err := s.child(ctx, parent, a.PupilID); err != nil {
		return a, apperr.New(apperr.ErrNotFound, "attendance.err.not_found")
	}
	if err := j.clean(); err != nil {
		return a, err
	}
	c, err := s.reg.Class(ctx, a.ClassID)
	if err != nil {
		return a, err
	}
	a.Reason, a.Comment, a.JustifiedBy = j.Reason, j.Comment, parent.ID
	return a, s.db.Write(ctx, func(tx *store.Tx) error { return s.writeAbsence(ctx, tx, c.SchoolID, a) })
}

// Announcement is a parent telling the school beforehand that their child
// will be absent: for a half-day, or the whole day.
type Announcement struct {
	PupilID, Day, HalfDay string // HalfDay "" for the whole day
	Justification
}

// Announce records an absence a parent announces for today or later.
func (s *Service) Announce(ctx context.Context, parent auth.User, an Announcement) error {
	child, err := s.child(ctx, parent, an.PupilID)
	if err != nil {
		return err
	}
	halves := []string{an.HalfDay}
	if an.HalfDay == "" {
		halves = []string{AM, PM}
	}
	for _, h := range halves {
		if err := checkDay(an.Day, h); err != nil {
			return err
		}
	}
	if an.Day < s.Today() {
		return apperr.New(apperr.ErrInvalid, "attendance.err.announce_past")
	}
	if err := an.clean(); err != nil {
		return err
	}
	classes, err := s.reg.UserClasses(ctx, child.ID)
	if err != nil || len(classes) == 0 {
		return apperr.New(apperr.ErrNotFound, "attendance.err.no_class")
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		for _, h := range halves {
			if err := s.writeAbsence(ctx, tx, classes[0].SchoolID, Absence{PupilID: child.ID, ClassID: classes[0].ID, Day: an.Day, HalfDay: h,
				Kind: Absent, RecordedBy: parent.ID, Announced: true, Reason: an.Reason, Comment: an.Comment, JustifiedBy: parent.ID}); err != nil {
				return err
			}
		}
		return nil
	})
}

// ChildAbsences lists a child's absences, newest first.
func (s *Service) ChildAbsences(ctx context.Context, parent auth.User, childID string) ([]Absence, error) {
	if _, err := s.child(ctx, parent, childID); err != nil {
		return nil, err
	}
	return s.query(ctx, "pupil_id = ? ORDER BY day DESC, half_day DESC", childID)
}

// ToJustify counts a parent's children's absences without a reason: a
// tile's badge.
func (s *Service) ToJustify(ctx context.Context, parent auth.User) (int, error) {
	abs, err := s.Unjustified(ctx, parent)
	return len(abs), err
}

// ClassAbsences lists the absences of the classes u takes the register
// of, from a day on, newest first.
func (s *Service) ClassAbsences(ctx context.Context, u auth.User, from string) ([]Absence, error) {
	classes, err := s.StaffClasses(ctx, u)
	if err != nil || len(classes) == 0 {
		return nil, err
	}
	list, ids := store.In(classIDs(classes))
	return s.query(ctx, "day >= ? AND class_id IN ("+list+") ORDER BY day DESC, half_day DESC, class_id", append([]any{from}, ids...)...)
}

// Readable loads an absence u may see: their child's, or of a class they
// take the register of.
func (s *Service) Readable(ctx context.Context, u auth.User, id string) (Absence, error) {
	a, err := s.get(ctx, id)
	if err != nil {
		return a, err
	}
	switch u.Profile {
	case auth.Parent:
		_, err = s.child(ctx, u, a.PupilID)
	case auth.Teacher, auth.Director:
		_, err = s.staffOf(ctx, u, a.ClassID)
	default:
		err = apperr.ErrForbidden
	}
	if err != nil {
		return a, apperr.New(apperr.ErrNotFound, "attendance.err.not_found")
	}
	return a, nil
}

// Day is the school's day as the director sees it: every absence, and the
// classes whose register is not taken yet.
type Day struct {
	Day       string
	Absences  []Absence
	Missing   []auth.Class // registers not taken for the half-day under way
	Classes   map[string]auth.Class
	Unjustify int
}

// SchoolDay is the director's view of a day.
func (s *Service) SchoolDay(ctx context.Context, u auth.User, d string) (Day, error) {
	if _, err := time.Parse(day, d); err != nil {
		return Day{}, apperr.New(apperr.ErrInvalid, "attendance.err.bad_day", "Value", text.Short(d))
	}
	classes, err := s.StaffClasses(ctx, u)
	if err != nil {
		return Day{}, err
	}
	out := Day{Day: d, Classes: map[string]auth.Class{}}
	for _, c := range classes {
		out.Classes[c.ID] = c
		if d == s.Today() {
			taken, _, _, err := s.taken(ctx, c.ID, d, s.HalfDayNow())
			if err != nil {
				return out, err
			}
			if !taken {
				out.Missing = append(out.Missing, c)
			}
		}
	}
	if len(classes) == 0 {
		return out, nil
	}
	list, ids := store.In(classIDs(classes))
	out.Absences, err = s.query(ctx, "day = ? AND class_id IN ("+list+") ORDER BY class_id, half_day", append([]any{d}, ids...)...)
	for _, a := range out.Absences {
		if !a.Justified() {
			out.Unjustify++
		}
	}
	return out, err
}

// Count is a pupil's absences over a month: half-days absent, late
// arrivals, and those not justified.
type Count struct {
	Pupil                     auth.User
	Class                     auth.Class
	Absent, Late, Unjustified int
}

// MonthCounts counts each pupil's absences over a month (YYYY-MM) in the
// classes u takes the register of, the most absent first.
func (s *Service) MonthCounts(ctx context.Context, u auth.User, month string) ([]Count, error) {
	start, err := time.Parse("2006-01", month)
	if err != nil {
		return nil, apperr.New(apperr.ErrInvalid, "attendance.err.bad_month", "Value", text.Short(month))
	}
	from, to := start.Format(day), start.AddDate(0, 1, 0).Format(day)
	classes, err := s.StaffClasses(ctx, u)
	if err != nil {
		return nil, err
	}
	var out []Count
	for _, c := range classes {
		pupils, err := s.reg.ClassPupils(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		abs, err := s.query(ctx, "class_id = ? AND day >= ? AND day < ?", c.ID, from, to)
		if err != nil {
			return nil, err
		}
		for _, p := range pupils {
			cnt := Count{Pupil: p, Class: c}
			for _, a := range abs {
				if a.PupilID != p.ID {
					continue
				}
				if a.Kind == Late {
					cnt.Late++
				} else {
					cnt.Absent++
				}
				if !a.Justified() {
					cnt.Unjustified++
				}
			}
			if cnt.Absent+cnt.Late > 0 {
				out = append(out, cnt)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Count) int { return (b.Absent + b.Late) - (a.Absent + a.Late) })
	return out, nil
}

// schoolDay reports whether today is a day of class (Monday to Friday):
// the register is asked for on those only.
func (s *Service) schoolDay() bool {
	wd := s.now().Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// Untaken counts the classes u takes the register of whose register for
// the half-day under way is not taken yet: a tile's badge.
func (s *Service) Untaken(ctx context.Context, u auth.User) (int, error) {
	if !s.schoolDay() || u.Profile != auth.Teacher {
		return 0, nil
	}
	return store.Cached(s.db.Cache(), "attendance.untaken", u.ID+"\x00"+s.Today()+s.HalfDayNow(), func() (int, error) { return s.untaken(ctx, u) })
}

func (s *Service) untaken(ctx context.Context, u auth.User) (int, error) {
	classes, err := s.StaffClasses(ctx, u)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range classes {
		taken, _, _, err := s.taken(ctx, c.ID, s.Today(), s.HalfDayNow())
		if err != nil {
			return 0, err
		}
		if !taken {
			n++
		}
	}
	return n, nil
}

// RegisterState is where a class's registers of today stand.
type RegisterState struct {
	Class            auth.Class
	AM, PM           bool // taken
	Absent, Late     int  // today, both half-days
	Current, Weekday bool // the half-day under way is the morning; today is a day of class
}

// Registers is where today's registers of u's classes stand: a teacher's
// home panel.
func (s *Service) Registers(ctx context.Context, u auth.User) ([]RegisterState, error) {
	// Every home page of the teacher's reads it: from the read cache, which
	// any write empties.
	return store.CachedList(s.db.Cache(), "attendance.registers", u.ID+"\x00"+s.Today()+s.HalfDayNow(),
		func() ([]RegisterState, error) { return s.registers(ctx, u) })
}

func (s *Service) registers(ctx context.Context, u auth.User) ([]RegisterState, error) {
	classes, err := s.StaffClasses(ctx, u)
	if err != nil {
		return nil, err
	}
	today := s.Today()
	var out []RegisterState
	for _, c := range classes {
		st := RegisterState{Class: c, Current: s.HalfDayNow() == AM, Weekday: s.schoolDay()}
		if st.AM, _, _, err = s.taken(ctx, c.ID, today, AM); err != nil {
			return nil, err
		}
		if st.PM, _, _, err = s.taken(ctx, c.ID, today, PM); err != nil {
			return nil, err
		}
		abs, err := s.query(ctx, "class_id = ? AND day = ?", c.ID, today)
		if err != nil {
			return nil, err
		}
		for _, a := range abs {
			if a.Kind == Late {
				st.Late++
			} else {
				st.Absent++
			}
		}
		out = append(out, st)
	}
	return out, nil
}

// ChildAbsence is an absence with the child it is of.
type ChildAbsence struct {
	Child auth.User
	Absence
}

// Unjustified lists a parent's children's absences without a reason,
// newest first: a parent's home panel.
func (s *Service) Unjustified(ctx context.Context, parent auth.User) ([]ChildAbsence, error) {
	return store.CachedList(s.db.Cache(), "attendance.unjustified", parent.ID, func() ([]ChildAbsence, error) { return s.unjustified(ctx, parent) })
}

func (s *Service) unjustified(ctx context.Context, parent auth.User) ([]ChildAbsence, error) {
	children, err := s.reg.Children(ctx, parent.ID)
	if err != nil {
		return nil, err
	}
	var out []ChildAbsence
	for _, c := range children {
		abs, err := s.query(ctx, "pupil_id = ? AND reason = '' ORDER BY day DESC, half_day DESC", c.ID)
		if err != nil {
			return nil, err
		}
		for _, a := range abs {
			out = append(out, ChildAbsence{Child: c, Absence: a})
		}
	}
	return out, nil
}

// classIDs are the classes' ids.
func classIDs(classes []auth.Class) []string {
	out := make([]string, len(classes))
	for i, c := range classes {
		out[i] = c.ID
	}
	return out
}
