package stats

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/store"
)

// FlushEvery is how often the counters kept in memory are written: a
// write per page would put every page behind the store's single writer,
// for figures nobody reads to the minute.
const FlushEvery = 5 * time.Minute

// Central is the source of what central counts: people signing in on the
// city's server (parents from home, teachers away from school).
const Central = "central"

// key is one counter: a figure of a school on a day.
type key struct {
	school, day, figure, profile, item string
}

// seen is a person who came in a month, by the keyed hash of their account.
type seen struct {
	school, month, profile, who string
}

// Recorder counts connections and visits in memory and writes them to the
// store now and then, in one transaction (Flush). Nothing it keeps names a
// person but the accounts that opened a first session (for the accounts
// activated) and who came this month, hashed with a key of this node (for
// unique visitors): both stay on the node.
type Recorder struct {
	db     *store.DB
	log    *slog.Logger
	source string // this school's id, or Central
	school string // this school's id, "" on central (each person's school)
	now    func() time.Time

	mu        sync.Mutex
	counts    map[key]int64
	seen      map[seen]bool
	activated map[string]string // account id → its school, first sessions since the last flush
}

// NewRecorder counts for a school node (school its id) or for central
// (school "").
func NewRecorder(db *store.DB, log *slog.Logger, school string) *Recorder {
	source := school
	if school == "" {
		source = Central
	}
	return &Recorder{db: db, log: log, source: source, school: school, now: time.Now,
		counts: map[key]int64{}, seen: map[seen]bool{}, activated: map[string]string{}}
}

// counted reports the profile and school a person counts under, and
// whether they count at all: the city's DSI is no school's user, and on
// central an account of no school counts nowhere.
func (rc *Recorder) counted(u auth.User) (school string, ok bool) {
	if u.ID == "" || u.Profile == auth.DSI || u.Profile == auth.Anonymous || !u.Profile.Valid() {
		return "", false
	}
	if rc.school != "" {
		return rc.school, true
	}
	return u.SchoolID, u.SchoolID != ""
}

// Connection counts a session u opened now.
func (rc *Recorder) Connection(u auth.User) {
	school, ok := rc.counted(u)
	if !ok {
		return
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	t := rc.now().In(feature.Zone)
	day := t.Format(dayLayout)
	rc.counts[key{school, day, Connections, string(u.Profile), ""}]++
	rc.counts[key{school, t.Format(monthLayout) + "-01", Hours, "", t.Format("15")}]++
	rc.seen[seen{school, t.Format(monthLayout), string(u.Profile), u.ID}] = true
	rc.activated[u.ID] = school
}

// Visit counts a page of service that u was served now; it makes u a
// visitor of the month too, whose session may have opened long before.
func (rc *Recorder) Visit(u auth.User, service string) {
	school, ok := rc.counted(u)
	if !ok {
		return
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	t := rc.now().In(feature.Zone)
	rc.counts[key{school, t.Format(monthLayout) + "-01", Visits, "", service}]++
	rc.seen[seen{school, t.Format(monthLayout), string(u.Profile), u.ID}] = true
}

// SetClock sets what the recorder takes for now, and so the day and hour
// it counts under: tests count activity on the days they choose.
func (rc *Recorder) SetClock(now func() time.Time) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.now = now
}

// take hands over what was counted since the last flush, and the time.
func (rc *Recorder) take() (map[key]int64, map[seen]bool, map[string]string, time.Time) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	counts, who, activated := rc.counts, rc.seen, rc.activated
	rc.counts, rc.seen, rc.activated = map[key]int64{}, map[seen]bool{}, map[string]string{}
	return counts, who, activated, rc.now()
}

// giveBack puts back what a failed flush could not write, for the next.
func (rc *Recorder) giveBack(counts map[key]int64, who map[seen]bool, activated map[string]string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for k, n := range counts {
		rc.counts[k] += n
	}
	for s := range who {
		rc.seen[s] = true
	}
	for id, school := range activated {
		rc.activated[id] = school
	}
}

// Flush writes what was counted since the last flush in one transaction:
// the counters added to, the month's unique visitors and the accounts
// activated counted again where someone new came, and the names of
// visitors of months past forgotten.
func (rc *Recorder) Flush(ctx context.Context) error {
	counts, who, activated, now := rc.take()
	if len(counts) == 0 && len(who) == 0 && len(activated) == 0 {
		return nil
	}
	err := rc.db.Write(ctx, func(tx *store.Tx) error {
		return rc.write(ctx, tx, now, counts, who, activated)
	})
	if err != nil {
		rc.giveBack(counts, who, activated)
	}
	return err
}

// Run flushes every FlushEvery until ctx ends, and once more then.
func (rc *Recorder) Run(ctx context.Context) {
	t := time.NewTicker(FlushEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			// The node is stopping: what was counted is written with a
			// context of its own, the one of the request being over.
			last, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if err := rc.Flush(last); err != nil {
				rc.log.Warn("usage statistics lost at shutdown", "err", err)
			}
			return
		case <-t.C:
			if err := rc.Flush(ctx); err != nil && ctx.Err() == nil {
				rc.log.Warn("usage statistics not written, kept for the next time", "err", err)
			}
		}
	}
}
