package crashtest

import (
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"preau/appliance"
	"preau/appliance/apptest"
	"preau/appliance/auth"
	"preau/appliance/config"
	"preau/appliance/forum"
	"preau/appliance/roster"
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

	start := time.Now()
	for k := 1; k <= kills; k++ {
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for i := range writers {
			wg.Go(func() { w.write(ctx, i) })
		}
		time.Sleep(time.Duration(50+rand.IntN(451)) * time.Millisecond)
		proc.Kill()
		cancel()
		wg.Wait()
		if err := checkDataDir(apptest.DataDir(schoolDir), w.acked); err != nil {
			t.Fatalf("after kill %d (%d writes acknowledged): %v\nschool's log:\n%.4000s", k, w.acked.len(), err, proc.Output())
		}
		proc = apptest.StartServerEnv(t, bin, schoolDir, env)
		if k%25 == 0 {
			t.Logf("%d kills survived, %d writes acknowledged and checked, %s", k, w.acked.len(), time.Since(start).Round(time.Second))
		}
	}
	stopHome()

	// Still running: everything acknowledged reads back through the API,
	// and the school and central converge.
	w.readBack(t)
	rows := converge(t, apptest.DataDir(schoolDir), apptest.DataDir(centralDir), home.ledger, 3*time.Minute)
	byKind := w.acked.byKind()
	t.Logf("crash test: %d kills survived, %d writes acknowledged and checked after every kill %v, %d signatures made at home arrived by sync; integrity ok, blobs intact, sync converged on %d rows, in %s",
		kills, w.acked.len(), byKind, home.ledger.len(), rows, time.Since(start).Round(time.Second))
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
	cfg, err := config.Load(apptest.ConfigFile(t, dir), map[string]string{"data_dir": apptest.DataDir(dir), "school.id": school})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := appliance.OpenStore(ctx, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	users := auth.NewService(db, log, 2, time.Hour)
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
	f, err := forum.NewService(db, reg, users, nil, log, false, school).CreateForum(ctx, teacher,
		forum.ForumDraft{Title: "Forum du CM1", Audience: forum.Class, ClassID: class.ID})
	if err != nil {
		t.Fatal(err)
	}
	return seeded{class: class.ID, teacher: teacher.ID, pupil: pupil.ID, parent: parent.ID, forum: f}
}
