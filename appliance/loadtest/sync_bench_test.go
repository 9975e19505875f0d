package loadtest_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/loadtest"
	"preau/appliance/store"
)

// A school's backlog after a long outage, drained through a shaped link.
const (
	backlogRows   = 50000
	linkBits      = 100e6 // the shaped link, bits per second each way
	drainTarget   = 0.80  // of the link's rate
	backlogSchool = "ecole-a"
)

// backlogFiles are the backlog's files: 120 of 1 MB, 80 of 2.5 MB and 30 of
// 6 MB (two chunks each), 500 MB in all.
func backlogFiles() []int64 {
	var sizes []int64
	for range 120 {
		sizes = append(sizes, 1<<20)
	}
	for range 80 {
		sizes = append(sizes, 5<<19)
	}
	for range 30 {
		sizes = append(sizes, 6<<20)
	}
	return sizes
}

// BenchmarkSyncBacklog drains a school's backlog of 50,000 rows and 500 MB
// of files to central through a link shaped to 100 Mbit/s each way: two
// in-process appliances on loopback, the school's sync client talking to
// central through a pacing TCP proxy. The clock runs from the first push to
// the last file verified on central, as the client's loop does it: sync
// until nothing is pending, then transfer the files.
func BenchmarkSyncBacklog(b *testing.B) {
	logLoad(b)
	var rowsTime, filesTime time.Duration
	var up, down int64
	for range b.N {
		b.StopTimer()
		d := newDrain(b)
		b.StartTimer()
		r, f := d.run(b)
		b.StopTimer()
		d.verify(b)
		u, dn := d.link.Bytes()
		up, down = up+u-d.up0, down+dn-d.down0
		rowsTime, filesTime = rowsTime+r, filesTime+f
		d.link.Close()
	}
	n := float64(b.N)
	wall := (rowsTime + filesTime).Seconds() / n
	linkBytes := linkBits / 8
	pct := float64(up) / n / wall / linkBytes * 100
	b.ReportMetric(wall, "s")
	b.ReportMetric(rowsTime.Seconds()/n, "rows_s")
	b.ReportMetric(filesTime.Seconds()/n, "files_s")
	b.ReportMetric(backlogRows/(rowsTime.Seconds()/n), "rows/s")
	b.ReportMetric(float64(up)/n/wall/1e6, "MB/s")
	b.ReportMetric(float64(up)/n/1e6, "up_MB")
	b.ReportMetric(float64(down)/n/1e6, "down_MB")
	b.ReportMetric(pct, "pct_of_link")
	b.Logf("%d rows in %.1fs, %d files in %.1fs; %.0f MB up, %.1f MB down through the shaped link, %.2f MB/s: "+
		"%.0f %% of %.0f Mbit/s: target ≥ %.0f %% %s", backlogRows, rowsTime.Seconds()/n, len(backlogFiles()),
		filesTime.Seconds()/n, float64(up)/n/1e6, float64(down)/n/1e6, float64(up)/n/wall/1e6, pct, linkBits/1e6,
		drainTarget*100, verdict(pct >= drainTarget*100))
	// A rate above the link's means the proxy does not pace: the figure
	// above would be loopback's, not the link's.
	if pct > 101 {
		b.Errorf("%.0f %% of the link's rate: the shaper does not pace", pct)
	}
}

// drain is one backlog run: central, the school, and the link between.
type drain struct {
	central, school *apptest.App
	link            *loadtest.Shaper
	rows            []store.Row
	files           []string
	up0, down0      int64 // the link's bytes before the drain
}

// newDrain builds the scene: a school enrolled with central through the
// shaped link and synced once while empty (as a new school is), then,
// while cut off, 50,000 rows and 500 MB of files written.
func newDrain(b *testing.B) *drain {
	ctx := b.Context()
	d := &drain{}
	d.central = apptest.New(b, apptest.Options{Role: "central", NoDemo: true})
	d.school = apptest.New(b, apptest.Options{NoDemo: true, Config: map[string]string{"school.id": backlogSchool}})
	for _, a := range []*apptest.App{d.central, d.school} {
		if err := a.DB.Migrate(ctx, loadtest.ProbeSchema); err != nil {
			b.Fatal(err)
		}
	}
	token, err := d.central.Sync.Central.AddSchool(ctx, backlogSchool, "École A")
	if err != nil {
		b.Fatal(err)
	}
	u, _ := url.Parse(d.central.URL)
	if d.link, err = loadtest.NewShaper(u.Host, linkBits); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.link.Close() })
	if _, err := d.school.Sync.Client.Enroll(ctx, d.link.URL(), token); err != nil {
		b.Fatal(err)
	}
	if _, err := d.school.Sync.Client.SyncOnce(ctx); err != nil {
		b.Fatal(err)
	}
	if d.files, err = loadtest.PutRandomFiles(d.school.DB, backlogFiles(), 1); err != nil {
		b.Fatal(err)
	}
	d.rows = loadtest.ProbeRows(backlogRows, backlogSchool, d.school.DB.Node().ID, 2)
	if err := loadtest.WriteProbes(ctx, d.school.DB, d.rows, d.files); err != nil {
		b.Fatal(err)
	}
	// Count only the drain's bytes, not the enrollment's.
	d.up0, d.down0 = d.link.Bytes()
	return d
}

// run syncs until nothing is pending, then moves the files, and returns
// the time each took.
func (d *drain) run(b *testing.B) (rows, files time.Duration) {
	ctx := b.Context()
	start := time.Now()
	for {
		st, err := d.school.Sync.Client.SyncOnce(ctx)
		if err != nil {
			b.Fatalf("sync: %v", err)
		}
		if st.PendingOut == 0 {
			break
		}
	}
	rows = time.Since(start)
	start = time.Now()
	if err := d.school.Sync.Client.TransferBlobs(ctx); err != nil {
		b.Fatalf("files: %v", err)
	}
	return rows, time.Since(start)
}

// verify checks that central holds every row and every file.
func (d *drain) verify(b *testing.B) {
	var n int
	if err := d.central.DB.Reader().QueryRow("SELECT count(*) FROM probes WHERE scope = ?", backlogSchool).Scan(&n); err != nil {
		b.Fatal(err)
	}
	if n != backlogRows {
		b.Fatalf("central holds %d rows, want %d", n, backlogRows)
	}
	for _, h := range d.files {
		if !d.central.DB.Blobs().Has(h) {
			b.Fatalf("file %s missing on central", h[:12])
		}
	}
	if n, _ := d.school.Sync.Client.PendingBlobs(b.Context()); n != 0 {
		b.Fatalf("%d files still queued", n)
	}
}

// Applying received rows against SQLite inserting the same rows.
const (
	applyRows   = 50000
	applyBatch  = 500 // sync.BatchRows: one transaction per batch
	applyRounds = 3   // alternating, so that a passing load hits all three alike
	applyTarget = 0.50
)

// BenchmarkSyncApply applies 50,000 received rows in batches of 500, each
// in one write transaction through store.Apply as sync does, and inserts
// the same rows with one prepared INSERT per row, 500 a transaction, into
// the same table without the change log (SQLite's own rate) and with it (a
// local write's cost). Each on a fresh database opened by store.Open, in
// three rounds taking turns.
func BenchmarkSyncApply(b *testing.B) {
	logLoad(b)
	origin := store.NewID() // the sending node
	rows := loadtest.ProbeRows(applyRows, backlogSchool, origin, 3)
	kinds := []struct {
		schema store.Schema
		write  func(context.Context, *store.DB, []store.Row) error
	}{{loadtest.ProbeSchema, applyBatches}, {loadtest.PlainProbeSchema, insertBatches}, {loadtest.ProbeSchema, insertBatches}}
	times := make([]time.Duration, len(kinds))
	b.ResetTimer()
	for i := range b.N * applyRounds {
		for j := range kinds {
			k := (i + j) % len(kinds)
			b.StopTimer()
			db := openProbes(b, kinds[k].schema)
			b.StartTimer()
			times[k] += timed(b, func() error { return kinds[k].write(b.Context(), db, rows) })
			b.StopTimer()
			if n := countProbes(b, db); n != applyRows {
				b.Fatalf("%d rows written, want %d", n, applyRows)
			}
			db.Close()
			b.StartTimer()
		}
	}
	b.StopTimer()
	total := float64(b.N * applyRounds * applyRows)
	apply, plain, logged := total/times[0].Seconds(), total/times[1].Seconds(), total/times[2].Seconds()
	b.ReportMetric(apply, "apply_rows/s")
	b.ReportMetric(plain, "insert_rows/s")
	b.ReportMetric(logged, "logged_insert_rows/s")
	b.ReportMetric(apply/plain*100, "pct_of_insert")
	b.Logf("apply %.0f rows/s, plain insert %.0f rows/s (with the change log %.0f): %.0f %% of insert: target ≥ %.0f %% %s",
		apply, plain, logged, apply/plain*100, applyTarget*100, verdict(apply/plain >= applyTarget))
}

func openProbes(b *testing.B, s store.Schema) *store.DB {
	db, err := store.Open(b.Context(), b.TempDir(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := db.Migrate(b.Context(), s); err != nil {
		b.Fatal(err)
	}
	return db
}

func timed(b *testing.B, f func() error) time.Duration {
	start := time.Now()
	if err := f(); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

// applyBatches is sync's apply: the clock moved past the batch, then every
// row merged by store.Apply in one write transaction per batch.
func applyBatches(ctx context.Context, db *store.DB, rows []store.Row) error {
	notMine := func(int64, string) bool { return false } // nothing local is concurrent
	for start := 0; start < len(rows); start += applyBatch {
		batch := rows[start:min(start+applyBatch, len(rows))]
		db.Clock().Observe(batch[len(batch)-1].HLC())
		err := db.Write(ctx, func(tx *store.Tx) error {
			for _, r := range batch {
				if _, err := db.Apply(ctx, tx, r, notMine); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// insertBatches inserts the rows as they are with one prepared statement,
// one transaction per batch: as fast as SQLite takes rows here.
func insertBatches(ctx context.Context, db *store.DB, rows []store.Row) error {
	q := fmt.Sprintf("INSERT INTO probes(%s) VALUES (?%s)", strings.Join(loadtest.ProbeColumns, ", "),
		strings.Repeat(", ?", len(loadtest.ProbeColumns)-1))
	args := make([]any, len(loadtest.ProbeColumns))
	for start := 0; start < len(rows); start += applyBatch {
		err := db.Write(ctx, func(tx *store.Tx) error {
			st, err := tx.PrepareContext(ctx, q)
			if err != nil {
				return err
			}
			defer st.Close()
			for _, r := range rows[start:min(start+applyBatch, len(rows))] {
				for i, c := range loadtest.ProbeColumns {
					args[i] = r.Values[c]
				}
				if _, err := st.ExecContext(ctx, args...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func countProbes(b *testing.B, db *store.DB) int {
	var n int
	if err := db.Reader().QueryRowContext(context.Background(), "SELECT count(*) FROM probes").Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}
