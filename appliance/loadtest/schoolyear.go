package loadtest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"time"

	"preau/appliance"
	"preau/appliance/auth"
	"preau/appliance/config"
	"preau/appliance/roster"
	"preau/appliance/store"
)

// A school year's data for the dashboards' benchmark: a 300-pupil school
// whose cahier de textes, carnet de liaison, agenda, registers and
// notifications hold what its classes would have written from September
// to July. Written as rows straight into the store (a year of the past is
// what the services would refuse to write today), each feature's table as
// its migration declares it, in one transaction per table.

// yearWords are what the year's people typed (i18n:data).
var yearWords = struct {
	pupil, done, body, lesson, notice, note, council string
}{"Élève", "Lecture, calcul.", "Relire la leçon, faire les exercices 2 et 3.", "Leçon %d", `{"Title":"Leçon","Class":"Classe"}`,
	"Merci de prendre connaissance de ce mot.", "Conseil d'école"}

// Logins of the school year's people the benchmark reads as.
const (
	YearPupil   = "eleve.annee"
	YearParent  = "parent.annee"
	YearTeacher = "prof.annee"
)

// Size of the school year.
const (
	yearClasses  = 12
	yearPerClass = 25  // 300 pupils
	yearDays     = 144 // school days from September to July, 4 a week
)

// SeedSchoolYear writes the configured school with its year, then closes
// the store so that a server process can open it. Everyone's password is
// password.
func SeedSchoolYear(ctx context.Context, cfg config.Config, password string) error {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := appliance.OpenStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	a := auth.NewService(db, log, cfg.HashConcurrency, cfg.SessionTTL)
	reg := roster.NewService(db, a)
	if err := reg.CreateSchool(ctx, cfg.SchoolID, cfg.SchoolName); err != nil {
		return err
	}
	y := &year{ctx: ctx, db: db, school: cfg.SchoolID, r: rand.New(rand.NewPCG(2026, 9))}
	for c := range yearClasses {
		class, err := reg.CreateClass(ctx, cfg.SchoolID, fmt.Sprintf("Classe %02d", c+1), "CE1")
		if err != nil {
			return err
		}
		teacher := roster.NewUser{NewUser: auth.NewUser{Login: fmt.Sprintf("prof%02d", c), FirstName: "Prof", LastName: fmt.Sprint(c),
			Profile: auth.Teacher, SchoolID: cfg.SchoolID, Password: password}, ClassIDs: []string{class.ID}}
		if c == 0 {
			teacher.Login = YearTeacher
		}
		users := []roster.NewUser{teacher}
		for p := range yearPerClass {
			login := fmt.Sprintf("eleve%02d%02d", c, p)
			if c == 0 && p == 0 {
				login = YearPupil
			}
			users = append(users, roster.NewUser{NewUser: auth.NewUser{Login: login, FirstName: yearWords.pupil, LastName: fmt.Sprint(c*100 + p),
				Profile: auth.Pupil, SchoolID: cfg.SchoolID, Password: password}, ClassIDs: []string{class.ID}})
		}
		ids, err := reg.CreateUsers(ctx, users)
		if err != nil {
			return err
		}
		parents := make([]roster.NewUser, yearPerClass)
		for p := range parents {
			login := fmt.Sprintf("parent%02d%02d", c, p)
			if c == 0 && p == 0 {
				login = YearParent
			}
			parents[p] = roster.NewUser{NewUser: auth.NewUser{Login: login, FirstName: "Parent", LastName: fmt.Sprint(c*100 + p),
				Profile: auth.Parent, SchoolID: cfg.SchoolID, Password: password}, ChildIDs: []string{ids[1+p]}}
		}
		parentIDs, err := reg.CreateUsers(ctx, parents)
		if err != nil {
			return err
		}
		y.classes = append(y.classes, yearClass{id: class.ID, teacher: ids[0], pupils: ids[1:], parents: parentIDs})
	}
	for _, write := range []func(*store.Tx) error{y.homework, y.liaison, y.events, y.registers} {
		if err := db.Write(ctx, write); err != nil {
			return err
		}
	}
	return nil
}

type yearClass struct {
	id, teacher     string
	pupils, parents []string
}

type year struct {
	ctx     context.Context
	db      *store.DB
	school  string
	r       *rand.Rand
	classes []yearClass
}

// days are the year's school days (no Wednesday, no weekend), from the
// first of September before today.
func (y *year) days() []time.Time {
	now := time.Now()
	start := time.Date(now.Year(), time.September, 1, 0, 0, 0, 0, time.Local)
	if now.Month() < time.September {
		start = start.AddDate(-1, 0, 0)
	}
	var out []time.Time
	for d := start; len(out) < yearDays; d = d.AddDate(0, 0, 1) {
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday && wd != time.Wednesday {
			out = append(out, d)
		}
	}
	return out
}

func (y *year) exec(tx *store.Tx, query string, args ...any) error {
	_, err := tx.ExecContext(y.ctx, query, args...)
	return err
}

// notify writes a notification for each person, a third of them unread.
func (y *year) notify(tx *store.Tx, users []string, kind, key, args, url string, at time.Time) error {
	for _, u := range users {
		read := 0
		if y.r.IntN(3) > 0 {
			read = 1
		}
		if err := y.exec(tx, `INSERT INTO notifications(id, scope, hlc, origin, user_id, kind, title_key, title_args, url, icon, read, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'cloche', ?, ?)`, store.NewID(), y.school, tx.HLC, tx.Origin, u, kind, key, args, url, read,
			at.UTC().Format(time.RFC3339Nano)); err != nil {
			return err
		}
	}
	return nil
}

// homework: a page a day per class, due two days later, ticked by most
// pupils once past.
func (y *year) homework(tx *store.Tx) error {
	days := y.days()
	for _, c := range y.classes {
		for i, d := range days {
			id, due := store.NewID(), days[min(i+2, len(days)-1)]
			if err := y.exec(tx, `INSERT INTO homework(id, scope, hlc, origin, class_id, author_id, day, done, due, title, body, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				id, y.school, tx.HLC, tx.Origin, c.id, c.teacher, d.Format("2006-01-02"), yearWords.done, due.Format("2006-01-02"),
				fmt.Sprintf(yearWords.lesson, i+1), yearWords.body, d.UTC().Format(time.RFC3339)); err != nil {
				return err
			}
			if due.Before(time.Now()) {
				for _, p := range c.pupils {
					if y.r.IntN(5) > 0 {
						if err := y.exec(tx, `INSERT INTO homework_ticks(id, scope, hlc, origin, homework_id, pupil_id, done) VALUES (?, ?, ?, ?, ?, ?, 1)`,
							id+":"+p, y.school, tx.HLC, tx.Origin, id, p); err != nil {
							return err
						}
					}
				}
			}
			if err := y.notify(tx, append(append([]string{}, c.pupils...), c.parents...), "homework", "homework.notice.new",
				yearWords.notice, "/devoirs", d); err != nil {
				return err
			}
		}
	}
	return nil
}

// liaison: a note a week per class until today, asking a signature that
// most families gave.
func (y *year) liaison(tx *store.Tx) error {
	for _, c := range y.classes {
		for i, d := range y.days() {
			if d.After(time.Now()) {
				break // a note is written the day it is sent, never ahead
			}
			if i%4 != 0 {
				continue
			}
			id := store.NewID()
			if err := y.exec(tx, `INSERT INTO liaison_notes(id, scope, hlc, origin, class_id, author_id, title, body, signature, replies, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, 1, ?)`, id, y.school, tx.HLC, tx.Origin, c.id, c.teacher,
				fmt.Sprintf("Mot %d", i/4+1), yearWords.note, d.UTC().Format(time.RFC3339)); err != nil {
				return err
			}
			for k, p := range c.pupils {
				if err := y.exec(tx, `INSERT INTO liaison_recipients(id, scope, hlc, origin, note_id, pupil_id) VALUES (?, ?, ?, ?, ?, ?)`,
					id+":"+p, y.school, tx.HLC, tx.Origin, id, p); err != nil {
					return err
				}
				if y.r.IntN(10) > 0 {
					if err := y.exec(tx, `INSERT INTO liaison_acks(id, scope, hlc, origin, note_id, pupil_id, by_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
						id+":"+p, y.school, tx.HLC, tx.Origin, id, p, c.parents[k], d.UTC().Format(time.RFC3339)); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// events: each class's weekly sport, outings, the school's own dates.
func (y *year) events(tx *store.Tx) error {
	days := y.days()
	insert := func(calendar, class, author, title string, start, end time.Time, rrule string) error {
		id := store.NewID()
		return y.exec(tx, `INSERT INTO events(id, scope, hlc, origin, calendar, school_id, class_id, author_id, uid, title, starts, ends, rrule, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, y.school, tx.HLC, tx.Origin, calendar, y.school, class, author, id, title,
			start.UTC().Format(time.RFC3339), end.UTC().Format(time.RFC3339), rrule, start.UTC().Format(time.RFC3339))
	}
	for _, c := range y.classes {
		first := days[0].Add(9 * time.Hour)
		if err := insert("class", c.id, c.teacher, "Sport", first, first.Add(time.Hour), "FREQ=WEEKLY;COUNT=36"); err != nil {
			return err
		}
		for i := 5; i < len(days); i += 12 {
			if err := insert("class", c.id, c.teacher, "Sortie", days[i].Add(9*time.Hour), days[i].Add(16*time.Hour), ""); err != nil {
				return err
			}
		}
	}
	for i := 3; i < len(days); i += 20 {
		if err := insert("school", "", y.classes[0].teacher, yearWords.council, days[i].Add(17*time.Hour), days[i].Add(19*time.Hour), ""); err != nil {
			return err
		}
	}
	return nil
}

// registers: every half-day of every past school day, a pupil in twenty
// absent, half of them justified.
func (y *year) registers(tx *store.Tx) error {
	for _, c := range y.classes {
		for _, d := range y.days() {
			if d.After(time.Now()) {
				break
			}
			day := d.Format("2006-01-02")
			for _, half := range []string{"am", "pm"} {
				if err := y.exec(tx, `INSERT INTO attendance_registers(id, scope, hlc, origin, class_id, day, half_day, taken_by, taken_at)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, store.NaturalID("register", c.id, day, half), y.school, tx.HLC, tx.Origin, c.id, day, half,
					c.teacher, d.UTC().Format(time.RFC3339)); err != nil {
					return err
				}
				for _, p := range c.pupils {
					if y.r.IntN(20) > 0 {
						continue
					}
					reason := ""
					if y.r.IntN(2) == 0 {
						reason = "illness"
					}
					if err := y.exec(tx, `INSERT INTO absences(id, scope, hlc, origin, pupil_id, class_id, day, half_day, recorded_by, reason, created_at)
						VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, store.NaturalID("absence", p, day, half), y.school, tx.HLC, tx.Origin, p, c.id,
						day, half, c.teacher, reason, d.UTC().Format(time.RFC3339)); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}
