package liaison

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"net/url"
	"strings"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/feature"
	"preau/appliance/store"
)

// The carnet de liaison's SQL, all of it.

//go:embed migrations/*.sql
var migrations embed.FS

// Schema is the carnet de liaison's part of the database: notes, the
// pupils each is about, the families' acknowledgements and replies, all of
// their class's school.
var Schema = store.Schema{
	Name:       "liaison",
	FS:         store.Sub(migrations, "migrations"),
	Replicated: []string{"liaison_notes", "liaison_recipients", "liaison_acks", "liaison_replies"},
	PushChecks: pushChecks,
	Labels: map[string]store.Label{
		"liaison_notes": {Row: "liaison.label.note", Columns: []store.ColumnLabel{
			{Column: "title", Label: "liaison.label.title"}, {Column: "body", Label: "liaison.label.body"},
			{Column: "signature", Label: "liaison.label.signature", Flag: true},
		}},
		"liaison_recipients": {Row: "liaison.label.recipient"},
		"liaison_acks": {Row: "liaison.label.ack", Columns: []store.ColumnLabel{
			{Column: "at", Label: "liaison.label.at"}, {Column: "paper", Label: "liaison.label.paper", Flag: true},
		}},
		"liaison_replies": {Row: "liaison.label.reply", Columns: []store.ColumnLabel{{Column: "body", Label: "liaison.label.reply_body"}}},
	},
}

const noteColumns = "id, class_id, author_id, title, body, signature, replies, day, reminded_at, created_at"

func scanNote(row store.Scanner) (Note, error) {
	var n Note
	var reminded, created string
	err := row.Scan(&n.ID, &n.ClassID, &n.AuthorID, &n.Title, &n.Body, &n.Signature, &n.AllowReply, &n.Day, &reminded, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return n, apperr.New(apperr.ErrNotFound, "liaison.err.not_found")
	}
	n.RemindedAt, _ = time.Parse(time.RFC3339, reminded)
	n.CreatedAt, _ = time.Parse(time.RFC3339, created)
	return n, err
}

func (s *Service) get(ctx context.Context, id string) (Note, error) {
	return scanNote(s.db.Reader().QueryRowContext(ctx, "SELECT "+noteColumns+" FROM liaison_notes WHERE deleted = 0 AND id = ?", id))
}

// queryNotes lists notes, newest first.
func (s *Service) queryNotes(ctx context.Context, where string, args ...any) ([]Note, error) {
	return store.Query(ctx, s.db.Reader(), scanNote, "SELECT "+noteColumns+" FROM liaison_notes WHERE deleted = 0 AND "+where+
		" ORDER BY created_at DESC, id", args...)
}

// classNotes lists the notes of the classes.
func (s *Service) classNotes(ctx context.Context, classIDs []string) ([]Note, error) {
	if len(classIDs) == 0 {
		return nil, nil
	}
	list, args := store.In(classIDs)
	return s.queryNotes(ctx, "class_id IN ("+list+")", args...)
}

// pupilNotes lists the notes about a pupil.
func (s *Service) pupilNotes(ctx context.Context, pupilID string) ([]Note, error) {
	return s.queryNotes(ctx, "id IN (SELECT note_id FROM liaison_recipients WHERE deleted = 0 AND pupil_id = ?)", pupilID)
}

// recipients lists the pupils a note is about.
func (s *Service) recipients(ctx context.Context, noteID string) ([]string, error) {
	return s.ids(ctx, "SELECT pupil_id FROM liaison_recipients WHERE deleted = 0 AND note_id = ?", noteID)
}

func (s *Service) ids(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := s.db.Reader().QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// acks lists a note's acknowledgements, by pupil.
func (s *Service) acks(ctx context.Context, noteID string) (map[string]Ack, error) {
	rows, err := s.db.Reader().QueryContext(ctx,
		"SELECT pupil_id, by_id, paper, at FROM liaison_acks WHERE deleted = 0 AND note_id = ?", noteID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]Ack{}
	for rows.Next() {
		var a Ack
		var at string
		if err := rows.Scan(&a.PupilID, &a.ByID, &a.Paper, &at); err != nil {
			return nil, err
		}
		a.At, _ = time.Parse(time.RFC3339, at)
		out[a.PupilID] = a
	}
	return out, rows.Err()
}

// counts is, per note, how many pupils it is about, how many families
// acknowledged it and how many replies came: one query for all.
func (s *Service) counts(ctx context.Context, notes []Note) error {
	if len(notes) == 0 {
		return nil
	}
	ids := make([]string, len(notes))
	at := make(map[string]int, len(notes))
	for i, n := range notes {
		ids[i], at[n.ID] = n.ID, i
	}
	list, args := store.In(ids)
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT n.id,
		(SELECT count(*) FROM liaison_recipients WHERE deleted = 0 AND note_id = n.id),
		(SELECT count(*) FROM liaison_acks WHERE deleted = 0 AND note_id = n.id),
		(SELECT count(*) FROM liaison_replies WHERE deleted = 0 AND note_id = n.id)
		FROM liaison_notes n WHERE n.id IN (`+list+")", args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var total, acks, replies int
		if err := rows.Scan(&id, &total, &acks, &replies); err != nil {
			return err
		}
		n := &notes[at[id]]
		n.Total, n.Acks, n.ReplyCount = total, acks, replies
	}
	return rows.Err()
}

// toSign lists the notes about a pupil that ask a signature their family
// has not given, newest first.
func (s *Service) toSign(ctx context.Context, pupilID string) ([]Note, error) {
	return s.queryNotes(ctx, `signature = 1 AND id IN (SELECT note_id FROM liaison_recipients WHERE deleted = 0 AND pupil_id = ?1)
		AND NOT EXISTS (SELECT 1 FROM liaison_acks a WHERE a.deleted = 0 AND a.id = liaison_notes.id || ':' || ?1)`, pupilID)
}

// replies lists a note's replies, oldest first; about one pupil when
// pupilID is set.
func (s *Service) replies(ctx context.Context, noteID, pupilID string) ([]Reply, error) {
	q := "SELECT id, pupil_id, author_id, body, created_at FROM liaison_replies WHERE deleted = 0 AND note_id = ?"
	args := []any{noteID}
	if pupilID != "" {
		q += " AND pupil_id = ?"
		args = append(args, pupilID)
	}
	rows, err := s.db.Reader().QueryContext(ctx, q+" ORDER BY created_at, id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Reply
	for rows.Next() {
		var r Reply
		var created string
		if err := rows.Scan(&r.ID, &r.PupilID, &r.AuthorID, &r.Body, &created); err != nil {
			return nil, err
		}
		r.CreatedAt, _ = time.Parse(time.RFC3339, created)
		out = append(out, r)
	}
	return out, rows.Err()
}

// insert writes a note and the pupils it is about, at once.
func (s *Service) insert(ctx context.Context, scope, authorID string, d Draft, pupils []string) (string, error) {
	id := store.NewID()
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO liaison_notes(id, scope, hlc, origin, class_id, author_id, title, body, signature, replies, day, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, scope, tx.HLC, tx.Origin, d.ClassID, authorID, d.Title, d.Body,
			d.Signature, d.AllowReply, d.Day, s.stamp()); err != nil {
			return err
		}
		for _, p := range pupils {
			if _, err := tx.ExecContext(ctx, `INSERT INTO liaison_recipients(id, scope, hlc, origin, note_id, pupil_id) VALUES (?, ?, ?, ?, ?, ?)`,
				id+":"+p, scope, tx.HLC, tx.Origin, id, p); err != nil {
				return err
			}
		}
		return nil
	})
	return id, err
}

func (s *Service) remove(ctx context.Context, id string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE liaison_notes SET deleted = 1, hlc = ?, origin = ? WHERE deleted = 0 AND id = ?", tx.HLC, tx.Origin, id)
		return err
	})
}

func (s *Service) setReminded(ctx context.Context, id string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE liaison_notes SET reminded_at = ?, hlc = ?, origin = ? WHERE deleted = 0 AND id = ?",
			s.stamp(), tx.HLC, tx.Origin, id)
		return err
	})
}

// insertAck records a family's acknowledgement; the first one stays (a
// second parent signing the same slip changes nothing).
func (s *Service) insertAck(ctx context.Context, scope string, a Ack) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO liaison_acks(id, scope, hlc, origin, note_id, pupil_id, by_id, paper, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(id) DO UPDATE SET deleted = 0, by_id = excluded.by_id, paper = excluded.paper, at = excluded.at,
				hlc = excluded.hlc, origin = excluded.origin WHERE liaison_acks.deleted = 1`,
			a.NoteID+":"+a.PupilID, scope, tx.HLC, tx.Origin, a.NoteID, a.PupilID, a.ByID, a.Paper, s.stamp())
		return err
	})
}

func (s *Service) insertReply(ctx context.Context, scope string, r Reply) (string, error) {
	id := store.NewID()
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO liaison_replies(id, scope, hlc, origin, note_id, pupil_id, author_id, body, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, scope, tx.HLC, tx.Origin, r.NoteID, r.PupilID, r.AuthorID, r.Body, s.stamp())
		return err
	})
	return id, err
}

func (s *Service) stamp() string { return s.now().UTC().Format(time.RFC3339) }

// searchEntries reads what the search keeps of notes by id: the families
// of the pupils each is about, and the class's staff, read it.
func searchEntries(ctx context.Context, db *store.DB, ids []string) ([]feature.SearchEntry, error) {
	list, args := store.In(ids)
	return store.Query(ctx, db.Reader(), func(r store.Scanner) (feature.SearchEntry, error) {
		var e feature.SearchEntry
		var classID, pupils string
		err := r.Scan(&e.ID, &classID, &e.Title, &e.Body, &pupils)
		e.URL = Path + "?classe=" + url.QueryEscape(classID)
		e.Audiences = []string{feature.ClassStaffAudience(classID)}
		for _, p := range strings.Fields(pupils) {
			e.Audiences = append(e.Audiences, feature.FamilyAudience(p))
		}
		return e, err
	}, `SELECT n.id, n.class_id, n.title, n.body,
			coalesce((SELECT group_concat(pupil_id, ' ') FROM liaison_recipients r WHERE r.deleted = 0 AND r.note_id = n.id), '')
		FROM liaison_notes n WHERE n.deleted = 0 AND n.id IN (`+list+")", args...)
}
