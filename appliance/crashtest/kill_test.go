package crashtest

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/auth"
	"preau/appliance/forum"
	"preau/appliance/roster"
	"preau/appliance/store"
)

// writers is how many people write at once between two kills.
const writers = 6

// TestKillUnderWrites is the crash test: see the package comment.
func TestKillUnderWrites(t *testing.T) {
	kills, _ := strconv.Atoi(os.Getenv("CRASHTEST_KILLS"))
	if kills <= 0 {
		t.Skip("CRASHTEST_KILLS unset: `make test-long` runs this test")
	}
	bin := apptest.Binary(t)

	// Central, whose DSI enrolls the school.
	centralDir := t.TempDir()
	central := apptest.StartServerEnv(t, bin, centralDir, []string{"PREAU_ROLE=central", "PREAU_DEMO=true"})
	dsi := login(t, central.URL, "dsi", "demo")
	var enr struct {
		Token string `json:"enrollment_token"`
	}
	if status, _ := dsi.call(context.Background(), "POST", "/api/v1/schools", map[string]string{"id": school, "name": "École K"}, &enr); status != 201 {
		t.Fatalf("add school: %d", status)
	}

	schoolDir := t.TempDir()
	ids := seedSchool(t, schoolDir)
	env := []string{"PREAU_SCHOOL_ID=" + school, "PREAU_CENTRAL_URL=" + central.URL, "PREAU_SYNC_INTERVAL=1s",
		"PREAU_CENTRAL_ENROLLMENT_TOKEN=" + enr.Token, "PREAU_HTTP_ADDR=" + apptest.FreeAddr(t)}
	proc := apptest.StartServerEnv(t, bin, schoolDir, env)
	w := &world{ids: ids, acked: newLedger()}
	w.teacher = login(t, proc.URL, "prof.k", password)
	w.pupil = login(t, proc.URL, "eleve.k", password)
	w.parent = login(t, proc.URL, "parent.k", password)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("central's log:\n%.4000s\nschool's last log:\n%.4000s", central.Output(), proc.Output())
		}
	})

	// The parent also signs at home, on central, what sync brought there:
	// writes that reach the school only through sync, while it is killed.
	home := &homeSigner{ids: ids, ledger: newLedger()}
	stopHome := home.run(t, central.URL, apptest.DataDir(centralDir))

	start, startKills := time.Now(), 0
	var checking, restarting time.Duration // how long the checks and restarts took, all kills
	for k := 1; k <= kills; k++ {
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for i := range writers {
			wg.Go(func() { w.write(ctx, i) })
		}
		time.Sleep(time.Duration(50+rand.IntN(451)) * time.Millisecond)
		killing.Store(true)
		proc.Kill()
		cancel()
		wg.Wait()
		checkStart := time.Now()
		if err := checkDataDir(apptest.DataDir(schoolDir), w.acked); err != nil {
			keep(t, schoolDir)
			t.Fatalf("after kill %d (%d writes acknowledged): %v\nschool's log:\n%.4000s", k, w.acked.len(), err, proc.Output())
		}
		checking += time.Since(checkStart)
		if k%5 == 0 {
			// One kill in five also strikes the start that follows, while
			// the server recovers its database and catches up.
			killDuringStart(t, bin, schoolDir, env)
			if err := checkDataDir(apptest.DataDir(schoolDir), w.acked); err != nil {
				keep(t, schoolDir)
				t.Fatalf("after a kill during the start after kill %d: %v", k, err)
			}
			startKills++
		}
		restart := time.Now()
		proc = apptest.StartServerEnv(t, bin, schoolDir, env)
		killing.Store(false)
		restarting += time.Since(restart)
		if k%25 == 0 {
			t.Logf("%d kills survived, %d writes acknowledged and checked, %s; on average a check %s, a restart to ready %s", k, w.acked.len(),
				time.Since(start).Round(time.Second), (checking / time.Duration(k)).Round(time.Millisecond), (restarting / time.Duration(k)).Round(time.Millisecond))
		}
	}
	stopHome()

	// Still running: everything acknowledged reads back through the API,
	// and the school and central converge.
	w.readBack(t)
	rows := converge(t, apptest.DataDir(schoolDir), apptest.DataDir(centralDir), home.ledger, 3*time.Minute)
	byKind := w.acked.byKind()
	t.Logf("crash test: %d kills survived (and %d more during a start), %d requests cut by them, %d writes acknowledged and checked after every kill %v, %d signatures made at home arrived by sync; integrity ok, blobs intact, sync converged on %d rows, in %s",
		kills, startKills, cut.Load(), w.acked.len(), byKind, home.ledger.len(), rows, time.Since(start).Round(time.Second))
}

// killDuringStart starts the school's server as StartServerEnv would and
// kills it 0 to 300 ms later, ready or not.
func killDuringStart(t *testing.T, bin, dir string, env []string) {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--config", filepath.Join(dir, "config.yaml"), "--data-dir", apptest.DataDir(dir))
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PREAU_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(append(cmd.Env, "PREAU_LOG_LEVEL=warn", "PREAU_METRICS_ADDR=127.0.0.1:0", "PREAU_MAIL_IMAP_ADDR=",
		"PREAU_MAIL_SUBMISSION_ADDR="), env...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Duration(rand.IntN(301)) * time.Millisecond)
	cmd.Process.Kill()
	cmd.Wait()
}

// keep copies the database and blobs of a data directory that failed the
// checks where CRASHTEST_KEEP says, to be looked at after the test removed
// its own.
func keep(t *testing.T, dir string) {
	dst := os.Getenv("CRASHTEST_KEEP")
	if dst == "" {
		return
	}
	data := apptest.DataDir(dir)
	err := os.CopyFS(filepath.Join(dst, store.BlobsDir), os.DirFS(filepath.Join(data, store.BlobsDir)))
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if b, rerr := os.ReadFile(filepath.Join(data, store.DBFile+suffix)); rerr == nil {
			err = errors.Join(err, os.WriteFile(filepath.Join(dst, store.DBFile+suffix), b, 0o600))
		}
	}
	t.Logf("the failing data directory is kept in %s (%v)", dst, err)
}

// school is the test school's id; password every seeded account's.
const (
	school   = "ecole-k"
	password = "motdepasse"
)

// seeded are the ids the writers need.
type seeded struct {
	class, teacher, pupil, parent, forum string
}

// seedSchool writes, before the school's first start, a class with its
// teacher, a pupil and the pupil's parent, and the class's forum (opened
// from the pages only, so not through the API).
func seedSchool(t *testing.T, dir string) seeded {
	t.Helper()
	ctx := context.Background()
	_, db, users := apptest.OpenDataDir(t, dir, map[string]string{"school.id": school})
	defer db.Close()
	reg := roster.NewService(db, users)
	if err := reg.EnsureSchool(ctx, school, "École K"); err != nil {
		t.Fatal(err)
	}
	class, err := reg.CreateClass(ctx, school, "CM1", "CM1")
	if err != nil {
		t.Fatal(err)
	}
	user := func(login string, profile auth.Profile, classes, children []string) auth.User {
		u, err := reg.CreateUser(ctx, roster.NewUser{NewUser: auth.NewUser{Login: login, Display: login, Profile: profile, SchoolID: school,
			Password: password}, ClassIDs: classes, ChildIDs: children})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	teacher := user("prof.k", auth.Teacher, []string{class.ID}, nil)
	pupil := user("eleve.k", auth.Pupil, []string{class.ID}, nil)
	parent := user("parent.k", auth.Parent, nil, []string{pupil.ID})
	f, err := forum.NewService(db, reg, users, nil, slog.New(slog.DiscardHandler), false, school).CreateForum(ctx, teacher,
		forum.ForumDraft{Title: "Forum du CM1", Audience: forum.Class, ClassID: class.ID})
	if err != nil {
		t.Fatal(err)
	}
	return seeded{class: class.ID, teacher: teacher.ID, pupil: pupil.ID, parent: parent.ID, forum: f}
}
