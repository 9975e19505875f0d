package stats

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"maps"
	"slices"
	"time"

	"preau/appliance/feature"
	"preau/appliance/store"
)

// The statistics' SQL, all of it.

//go:embed migrations/*.sql
var migrations embed.FS

// Schema is the statistics' part of the database: only the counters
// replicate, each with its school's scope; who came and which accounts
// were activated stay on the node that saw them.
var Schema = store.Schema{
	Name:       "stats",
	FS:         store.Sub(migrations, "migrations"),
	Replicated: []string{"stats_counts"},
	PushChecks: map[string]store.PushCheck{"stats_counts": checkCountRow},
	Labels: map[string]store.Label{
		"stats_counts": {Row: "stats.label.count", Columns: []store.ColumnLabel{
			{Column: "day", Label: "stats.label.day"}, {Column: "figure", Label: "stats.label.figure"},
			{Column: "count", Label: "stats.label.count_value"},
		}},
	},
}

// The figures a counter row holds.
const (
	Connections = "connections" // sessions opened, per day and profile
	// The figures of a month are on its first day. Hours and services are
	// counted per month rather than per day: a city's year of them per day
	// would be five rows of six, for figures read over weeks and months.
	Hours     = "hours"    // sessions opened, per month and hour of the day
	Visits    = "visits"   // pages of a service served, per month and service
	Visitors  = "visitors" // people who came in a month, per profile
	Created   = "accounts_created"
	Activated = "accounts_activated"
)

// Figures are the figures a counter row may hold.
var Figures = []string{Connections, Hours, Visits, Visitors, Created, Activated}

// Profiles are the profiles counted: the DSI is no school's.
var Profiles = []string{"pupil", "parent", "teacher", "director"}

const (
	dayLayout   = "2006-01-02"
	monthLayout = "2006-01"
)

// CountID is a counter's row id, from its natural key: a node adds to the
// same row all day, and two sources never write the same row.
func CountID(source, school, day, figure, profile, item string) string {
	return store.NaturalID("stats", source, school, day, figure, profile, item)
}

// accountsDay is the day of the accounts' rows: they say how things stand
// now, one row per school, profile and source, rewritten as they change.
const accountsDay = ""

// write is a flush's transaction.
func (rc *Recorder) write(ctx context.Context, tx *store.Tx, now time.Time, counts map[key]int64, who map[seen]bool, activated map[string]string) error {
	schools := map[string]bool{}
	for k, n := range counts {
		schools[k.school] = true
		if _, err := tx.ExecContext(ctx, `INSERT INTO stats_counts(id, scope, hlc, origin, school_id, source, day, figure, profile, item, count)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(id) DO UPDATE SET count = count + excluded.count, hlc = excluded.hlc, origin = excluded.origin, deleted = 0`,
			CountID(rc.source, k.school, k.day, k.figure, k.profile, k.item), k.school, tx.HLC, tx.Origin, k.school, rc.source,
			k.day, k.figure, k.profile, k.item, n); err != nil {
			return err
		}
	}
	if err := rc.writeVisitors(ctx, tx, now, who); err != nil {
		return err
	}
	today := now.In(feature.Zone).Format(dayLayout)
	for id := range activated {
		if _, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO stats_activated(user_id, since) VALUES (?, ?)", id, today); err != nil {
			return err
		}
	}
	if rc.school != "" {
		schools = map[string]bool{rc.school: true}
	}
	for _, school := range slices.Sorted(maps.Keys(schools)) {
		if err := rc.writeAccounts(ctx, tx, school); err != nil {
			return err
		}
	}
	return nil
}

// writeVisitors records who came, hashed, and counts again the months and
// profiles someone new came in. Months before last are forgotten: their
// counts are final.
func (rc *Recorder) writeVisitors(ctx context.Context, tx *store.Tx, now time.Time, who map[seen]bool) error {
	if len(who) == 0 {
		return nil
	}
	secret, err := visitorKey(ctx, tx)
	if err != nil {
		return err
	}
	type period struct{ school, month, profile string }
	touched := map[period]bool{}
	for s := range who {
		mac := hmac.New(sha256.New, secret)
		mac.Write([]byte(s.who))
		if _, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO stats_seen(month, school_id, profile, who) VALUES (?, ?, ?, ?)",
			s.month, s.school, s.profile, hex.EncodeToString(mac.Sum(nil)[:16])); err != nil {
			return err
		}
		touched[period{s.school, s.month, s.profile}] = true
	}
	for p := range touched {
		var n int64
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM stats_seen WHERE month = ? AND school_id = ? AND profile = ?",
			p.month, p.school, p.profile).
			Scan(&n); err != nil {
			return err
		}
		if err := rc.setCount(ctx, tx, p.school, p.month+"-01", Visitors, p.profile, n); err != nil {
			return err
		}
	}
	last := now.In(feature.Zone).AddDate(0, -1, 0).Format(monthLayout)
	_, err = tx.ExecContext(ctx, "DELETE FROM stats_seen WHERE month < ?", last)
	return err
}

// setCount writes a counter that is counted again rather than added to,
// when it changed.
func (rc *Recorder) setCount(ctx context.Context, tx *store.Tx, school, day, figure, profile string, n int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO stats_counts(id, scope, hlc, origin, school_id, source, day, figure, profile, item, count)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?)
		ON CONFLICT(id) DO UPDATE SET count = excluded.count, hlc = excluded.hlc, origin = excluded.origin, deleted = 0
		WHERE count != excluded.count OR deleted != 0`,
		CountID(rc.source, school, day, figure, profile, ""), school, tx.HLC, tx.Origin, school, rc.source, day, figure, profile, n)
	return err
}

// writeAccounts counts a school's accounts, and those activated here, per
// profile.
func (rc *Recorder) writeAccounts(ctx context.Context, tx *store.Tx, school string) error {
	rows, err := tx.QueryContext(ctx, `SELECT u.profile, count(*), count(a.user_id) FROM users u
		LEFT JOIN stats_activated a ON a.user_id = u.id
		WHERE u.deleted = 0 AND u.school_id = ? AND u.profile != 'dsi' GROUP BY u.profile`, school)
	if err != nil {
		return err
	}
	got := map[string][2]int64{}
	for rows.Next() {
		var profile string
		var n [2]int64
		if err := rows.Scan(&profile, &n[0], &n[1]); err != nil {
			rows.Close()
			return err
		}
		got[profile] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, p := range Profiles {
		if err := rc.setCount(ctx, tx, school, accountsDay, Created, p, got[p][0]); err != nil {
			return err
		}
		if err := rc.setCount(ctx, tx, school, accountsDay, Activated, p, got[p][1]); err != nil {
			return err
		}
	}
	return nil
}

// visitorKey is this node's key for hashing who came, made the first time.
func visitorKey(ctx context.Context, tx *store.Tx) ([]byte, error) {
	var secret []byte
	err := tx.QueryRowContext(ctx, "SELECT key FROM stats_key WHERE id = 1").Scan(&secret)
	if errors.Is(err, sql.ErrNoRows) {
		secret = make([]byte, 32)
		rand.Read(secret)
		_, err = tx.ExecContext(ctx, "INSERT INTO stats_key(id, key) VALUES (1, ?)", secret)
	}
	return secret, err
}
