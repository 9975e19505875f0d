package agenda

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"strings"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/feature"
	"preau/appliance/store"
)

// The agenda's SQL, all of it.

//go:embed migrations/*.sql
var migrations embed.FS

// Schema is the agenda's part of the database.
var Schema = store.Schema{
	Name:       "agenda",
	FS:         store.Sub(migrations, "migrations"),
	Replicated: []string{"events"},
	PushChecks: map[string]store.PushCheck{"events": checkEventRow},
	Labels: map[string]store.Label{
		"events": {Row: "agenda.label.event", Columns: []store.ColumnLabel{
			{Column: "title", Label: "agenda.label.title"}, {Column: "starts", Label: "agenda.label.starts"},
			{Column: "ends", Label: "agenda.label.ends"}, {Column: "place", Label: "agenda.label.place"},
			{Column: "description", Label: "agenda.label.details"},
		}},
	},
}

const eventColumns = "id, uid, calendar, school_id, class_id, owner_id, author_id, title, description, place, all_day, holiday, starts, ends, rrule, exdates, hlc"

func scanEvent(row store.Scanner) (Event, error) {
	var e Event
	var starts, ends, exdates string
	err := row.Scan(&e.ID, &e.UID, &e.Calendar, &e.SchoolID, &e.ClassID, &e.OwnerID, &e.AuthorID, &e.Title, &e.Description, &e.Place,
		&e.AllDay, &e.Holiday, &starts, &ends, &e.RRule, &exdates, &e.HLC)
	if errors.Is(err, sql.ErrNoRows) {
		return e, apperr.New(apperr.ErrNotFound, "agenda.err.not_found")
	}
	if err != nil {
		return e, err
	}
	// A row another node wrote is read as well as it reads: a bad time
	// shows as none rather than hiding the whole agenda.
	e.Start, _ = parseTime(starts, e.AllDay)
	e.End, _ = parseTime(ends, e.AllDay)
	for _, x := range strings.Split(exdates, ",") {
		if t, err := parseTime(x, e.AllDay); err == nil && x != "" {
			e.ExDates = append(e.ExDates, t)
		}
	}
	return e, nil
}

func (s *Service) get(ctx context.Context, id string) (Event, error) {
	return scanEvent(s.db.Reader().QueryRowContext(ctx, "SELECT "+eventColumns+" FROM events WHERE deleted = 0 AND id = ?", id))
}

func (s *Service) query(ctx context.Context, where string, args ...any) ([]Event, error) {
	return store.Query(ctx, s.db.Reader(), scanEvent, "SELECT "+eventColumns+" FROM events WHERE deleted = 0 AND "+where, args...)
}

// eventsOf lists the events of the reader's calendars.
func (s *Service) eventsOf(ctx context.Context, r reader) ([]Event, error) {
	where := "(calendar = 'personal' AND owner_id = ?)"
	args := []any{r.user.ID}
	if len(r.schools) > 0 {
		list, ids := store.In(r.schools)
		where += " OR (calendar = 'school' AND school_id IN (" + list + "))"
		args = append(args, ids...)
	}
	if len(r.classes) > 0 {
		list, ids := store.In(r.classes)
		where += " OR (calendar = 'class' AND class_id IN (" + list + "))"
		args = append(args, ids...)
	}
	return s.query(ctx, "("+where+")", args...)
}

func exdates(e Event) string {
	out := make([]string, len(e.ExDates))
	for i, x := range e.ExDates {
		out[i] = formatTime(x, e.AllDay)
	}
	return strings.Join(out, ",")
}

func (s *Service) insert(ctx context.Context, e Event) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO events(id, scope, hlc, origin, calendar, school_id, class_id, owner_id, author_id, uid, title,
			description, place, all_day, starts, ends, rrule, exdates, holiday, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.ID, e.SchoolID, tx.HLC, tx.Origin, e.Calendar, e.SchoolID, e.ClassID, e.OwnerID, e.AuthorID, e.UID, e.Title, e.Description, e.Place,
			e.AllDay, formatTime(e.Start, e.AllDay), formatTime(e.End, e.AllDay), e.RRule, exdates(e), e.Holiday, s.now().UTC().Format(time.RFC3339))
		return err
	})
}

func (s *Service) update(ctx context.Context, e Event) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE events SET uid = ?, title = ?, description = ?, place = ?, all_day = ?, starts = ?, ends = ?, rrule = ?,
			exdates = ?, holiday = ?, hlc = ?, origin = ? WHERE deleted = 0 AND id = ?`, e.UID, e.Title, e.Description, e.Place, e.AllDay,
			formatTime(e.Start, e.AllDay), formatTime(e.End, e.AllDay), e.RRule, exdates(e), e.Holiday, tx.HLC, tx.Origin, e.ID)
		return err
	})
}

func (s *Service) remove(ctx context.Context, id string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE events SET deleted = 1, hlc = ?, origin = ? WHERE deleted = 0 AND id = ?", tx.HLC, tx.Origin, id)
		return err
	})
}

// searchEntries reads what the search keeps of events by id: their
// calendar's readers.
func searchEntries(ctx context.Context, db *store.DB, ids []string) ([]feature.SearchEntry, error) {
	list, args := store.In(ids)
	return store.Query(ctx, db.Reader(), func(r store.Scanner) (feature.SearchEntry, error) {
		var e feature.SearchEntry
		var calendar, schoolID, classID, ownerID, place string
		err := r.Scan(&e.ID, &calendar, &schoolID, &classID, &ownerID, &e.Title, &e.Body, &place)
		e.Body = strings.TrimSpace(place + "\n" + e.Body)
		e.URL = Path + "/evenements/" + e.ID
		switch calendar {
		case Personal:
			e.Audiences = []string{feature.PersonAudience(ownerID)}
		case Class:
			e.Audiences = []string{feature.ClassAudience(classID)}
		default:
			if schoolID == "" {
				schoolID = feature.Global
			}
			e.Audiences = []string{feature.SchoolAudience(schoolID)}
		}
		return e, err
	}, "SELECT id, calendar, school_id, class_id, owner_id, title, description, place FROM events WHERE deleted = 0 AND id IN ("+list+")", args...)
}
