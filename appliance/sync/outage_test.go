package sync_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/auth"
	"preau/appliance/roster"
)

// These tests run central and a school as `preau serve` processes, the
// school reaching central through a faultLink, with sync's default
// timeouts: the figures they check are the ones the product promises.

// linked is a central process, a school process enrolled with it through a
// faultLink, the DSI logged in on central and the school's director at the
// school.
type linked struct {
	t                     *testing.T
	central, school       *apptest.Process
	centralDir, schoolDir string
	link                  *faultLink
	dsi, dir              *client
}

func startLinked(t *testing.T) *linked {
	t.Helper()
	bin := apptest.Binary(t)
	l := &linked{t: t, centralDir: t.TempDir(), schoolDir: t.TempDir()}
	centralAddr := apptest.FreeAddr(t)
	l.central = apptest.StartServerEnv(t, bin, l.centralDir, []string{"PREAU_ROLE=central", "PREAU_DEMO=true",
		"PREAU_HTTP_ADDR=" + centralAddr})
	l.dsi = login(t, l.central.URL, "dsi", "demo")
	var enr struct {
		Token string `json:"enrollment_token"`
	}
	if status := l.dsi.call("POST", "/api/v1/schools", map[string]string{"id": "ecole-a", "name": "École A"}, &enr); status != 201 {
		t.Fatalf("add school: %d", status)
	}
	seedDirector(t, l.schoolDir, "ecole-a")
	l.link = newFaultLink(t, centralAddr)
	l.school = apptest.StartServerEnv(t, bin, l.schoolDir, []string{"PREAU_SCHOOL_ID=ecole-a", "PREAU_CENTRAL_URL=" + l.link.URL(),
		"PREAU_CENTRAL_ENROLLMENT_TOKEN=" + enr.Token, "PREAU_LOG_LEVEL=debug"})
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("central's log:\n%.6000s\nschool's log (end):\n%s", l.central.Output(), tail(l.school.Output(), 12000))
		}
	})
	l.dir = login(t, l.school.URL, "dir.a", "motdepasse")
	eventually(t, "the school did not enroll and sync", 30*time.Second, func() bool {
		st := l.status()
		return st.Enrolled && st.Link == "up" && st.LastSync != nil && st.PendingOut == 0
	})
	return l
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// seedDirector gives a school's data directory its director, with a
// password, before its server first starts (a director set up before
// enrollment, which central accepts).
func seedDirector(t *testing.T, dir, school string) {
	t.Helper()
	ctx := context.Background()
	cfg, db, a := apptest.OpenDataDir(t, dir, map[string]string{"school.id": school})
	defer db.Close()
	if err := roster.NewService(db, a).EnsureSchool(ctx, cfg.SchoolID, cfg.SchoolName); err != nil {
		t.Fatal(err)
	}
	if _, err := a.CreateUser(ctx, auth.NewUser{Login: "dir.a", Display: "Directrice A", Profile: auth.Director, SchoolID: school,
		Password: "motdepasse"}); err != nil {
		t.Fatal(err)
	}
}

// syncStatus is GET /api/v1/sync/status as a school answers it.
type syncStatus struct {
	Link       string  `json:"link"`
	LastSync   *string `json:"last_sync"`
	LastError  *string `json:"last_error"`
	PendingOut int64   `json:"pending_out"`
	PendingIn  int64   `json:"pending_in"`
	Enrolled   bool    `json:"enrolled"`
	Running    bool    `json:"running"`
	Done       int64   `json:"done"`
	Total      int64   `json:"total"`
}

func (l *linked) status() syncStatus {
	var st syncStatus
	if code := l.dir.call("GET", "/api/v1/sync/status", nil, &st); code != http.StatusOK {
		l.t.Fatalf("status: %d", code)
	}
	checkAgrees(l.t, st)
	return st
}

// checkAgrees fails on a status that contradicts itself: progress figures
// while idle, more done than the total.
func checkAgrees(t *testing.T, st syncStatus) {
	t.Helper()
	if !st.Running && (st.Done != 0 || st.Total != 0) {
		t.Errorf("idle, yet %d of %d rows shown: %+v", st.Done, st.Total, st)
	}
	if st.Done > st.Total {
		t.Errorf("%d rows done of %d: %+v", st.Done, st.Total, st)
	}
	if st.Link == "up" && st.LastError != nil {
		t.Errorf("link up with an error: %+v", st)
	}
}

// addTeachers creates n teachers at the school, as its director does.
func (l *linked) addTeachers(prefix string, n int) {
	for i := range n {
		if code := l.dir.call("POST", "/api/v1/users", map[string]any{"login": fmt.Sprintf("%s%d", prefix, i),
			"display_name": fmt.Sprintf("Enseignant %d", i), "profile": "teacher", "password": "motdepasse"}, nil); code != http.StatusCreated {
			l.t.Fatalf("create teacher: %d", code)
		}
	}
}

// within polls ok every 100 ms and returns how long it took to hold; it
// fails the test when it has not after limit.
func within(t *testing.T, what string, limit time.Duration, ok func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !ok() {
		if time.Since(start) > limit {
			t.Fatalf("%s: not after %s", what, limit)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return time.Since(start)
}

// The link goes down in the middle of a push, as an interface does: the
// status says so, with the reason, within sync.stall_timeout (15 s);
// "sync now" answers within sync.now_timeout (30 s) with the truth; rows
// flow within 5 s of the link's return. The same after a cut.
func TestBlackholedLinkIsReportedAndRecovers(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two servers")
	}
	t.Parallel()
	l := startLinked(t)
	atCentral := func(n int) func() bool {
		return func() bool { return globalAccounts(t, l.centralDir, "login LIKE 'coupure%'") == n }
	}

	l.link.Blackhole()
	cut := time.Now()
	l.addTeachers("coupure", 5) // a push starts half a second later, into the void
	var st syncStatus
	within(t, "the status did not say the link is down, with the reason, within sync.stall_timeout (15 s)",
		15*time.Second, func() bool {
			st = l.status()
			return st.Link == "down" && st.LastError != nil
		})
	t.Logf("link reported down %.1f s after the blackhole: %q", time.Since(cut).Seconds(), *st.LastError)

	start := time.Now()
	code := l.dir.call("POST", "/api/v1/sync/now", nil, &st)
	answered := time.Since(start)
	t.Logf("sync/now answered in %.1f s: %+v", answered.Seconds(), st)
	if code != http.StatusOK || answered > 30*time.Second {
		t.Fatalf("sync/now during the outage: %d after %s, want an answer within sync.now_timeout (30 s)", code, answered)
	}
	checkAgrees(t, st)
	// Five accounts wait, each with its line in the audit log.
	if st.Link != "down" || st.LastError == nil || st.PendingOut != 10 {
		t.Fatalf("sync/now during the outage does not tell the truth: %+v", st)
	}

	l.link.Restore()
	took := within(t, "the rows did not reach central within 5 s of the link's return", 5*time.Second, atCentral(5))
	t.Logf("rows at central %.1f s after the link came back", took.Seconds())
	within(t, "the status did not come back up", 5*time.Second, func() bool {
		st = l.status()
		return st.Link == "up" && st.PendingOut == 0 && !st.Running
	})

	// A cut (connections refused) is noticed at once, and the same holds.
	l.link.Cut()
	l.addTeachers("coupure-franche", 2)
	took = within(t, "the status did not say the link is cut within sync.stall_timeout", 15*time.Second, func() bool {
		st = l.status()
		return st.Link == "down" && st.LastError != nil
	})
	t.Logf("cut reported %.1f s after it: %q", took.Seconds(), *st.LastError)
	l.link.Restore()
	took = within(t, "the rows did not reach central within 5 s of the link's return after a cut", 5*time.Second, atCentral(7))
	t.Logf("rows at central %.1f s after the cut ended", took.Seconds())
}

// Changes reach the other side within 2 s while the link is up, without
// "sync now" and with sync.interval at its default (5 min): the school
// holds a live request open to central, which answers it as soon as rows
// for the school are committed.
func TestChangesReachTheOtherSideLive(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two servers")
	}
	t.Parallel()
	l := startLinked(t)
	var worst time.Duration
	for i := range 5 {
		login := fmt.Sprintf("depuis.la.ville%d", i)
		if code := l.dsi.call("POST", "/api/v1/users", map[string]any{"login": login, "display_name": "Créé par la DSI",
			"profile": "teacher", "school_id": "ecole-a", "password": "motdepasse"}, nil); code != http.StatusCreated {
			t.Fatalf("create on central: %d", code)
		}
		took := within(t, "an account created on central did not reach the school within 2 s", 2*time.Second, func() bool {
			return globalAccounts(t, l.schoolDir, "login = '"+login+"'") == 1
		})
		worst = max(worst, took)
	}
	t.Logf("central → school: at most %.2f s", worst.Seconds())
	worst = 0
	for i := range 5 {
		prefix := fmt.Sprintf("depuis.l.ecole%d-", i)
		l.addTeachers(prefix, 1)
		took := within(t, "an account created at the school did not reach central within 2 s", 2*time.Second, func() bool {
			return globalAccounts(t, l.centralDir, "login = '"+prefix+"0'") == 1
		})
		worst = max(worst, took)
	}
	t.Logf("school → central: at most %.2f s", worst.Seconds())
}
