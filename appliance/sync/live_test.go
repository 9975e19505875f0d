package sync_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/auth"
	"preau/appliance/roster"
	psync "preau/appliance/sync"
)

// roundTrip lets a test stand between a school and central.
type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// run starts a school's sync loops (as `preau serve` does) until the test ends.
func run(t *testing.T, a *apptest.App) {
	go a.Sync.Client.Run(t.Context(), time.Hour)
}

func status(t *testing.T, a *apptest.App) psync.Status {
	t.Helper()
	st, err := a.Sync.Client.Status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// waitFor polls ok every 10 ms until it holds, or fails after limit.
func waitFor(t *testing.T, what string, limit time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %s", limit, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// pending_in is what central holds for the school, as central said on the
// last exchange: its live request's answer says so before the pull.
func TestPendingInIsWhatCentralHolds(t *testing.T) {
	t.Parallel() // it mostly waits
	p := newPair(t, "ecole-a")
	syncOnce(t, p.school)
	release := make(chan struct{})
	p.school.Sync.Client.UseTransport(roundTrip(func(r *http.Request) (*http.Response, error) {
		if strings.HasSuffix(r.URL.Path, "/sync/pull") {
			select { // pulls wait until the test has read pending_in
			case <-release:
			case <-r.Context().Done():
				return nil, r.Context().Err()
			}
		}
		return http.DefaultTransport.RoundTrip(r)
	}))
	run(t, p.school)
	waitFor(t, "the live request did not open", 5*time.Second, func() bool { return status(t, p.school).Live })
	var users []auth.NewUser
	for i := range 3 {
		users = append(users, auth.NewUser{Login: fmt.Sprintf("ville%d", i), Display: "De la ville", Profile: auth.Teacher,
			SchoolID: "ecole-a"})
	}
	ids, err := p.central.Auth.CreateUsers(t.Context(), users, nil) // one commit: central answers with the three
	if err != nil {
		t.Fatal(err)
	}
	var last psync.Status
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if last = status(t, p.school); last.PendingIn >= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("pending_in does not say what central holds for the school: %+v", last)
		}
	}
	close(release)
	waitFor(t, "the accounts did not arrive once pulls went through", 5*time.Second, func() bool {
		for _, id := range ids {
			if _, err := p.school.Auth.User(t.Context(), id); err != nil {
				return false
			}
		}
		return status(t, p.school).PendingIn == 0
	})
}

// After an outage, rows flow as soon as central answers again, and while
// they do the status says the link is up; idle, it shows no progress.
func TestStatusAgreesWhileRowsMove(t *testing.T) {
	t.Parallel() // it mostly waits
	p := newPair(t, "ecole-a")
	syncOnce(t, p.school)
	var down atomic.Bool
	p.school.Sync.Client.UseTransport(roundTrip(func(r *http.Request) (*http.Response, error) {
		if down.Load() {
			return nil, errors.New("réseau injoignable (test)")
		}
		if strings.HasSuffix(r.URL.Path, "/sync/push") {
			time.Sleep(20 * time.Millisecond) // a link, not loopback: batches take time
		}
		return http.DefaultTransport.RoundTrip(r)
	}))
	down.Store(true)
	run(t, p.school)
	waitFor(t, "the link is not reported down", 5*time.Second, func() bool { return status(t, p.school).Link == "down" })
	const n = 3000
	users := make([]auth.NewUser, n)
	for i := range users {
		users[i] = auth.NewUser{Login: fmt.Sprintf("prof%04d", i), Display: "Prof", Profile: auth.Teacher, SchoolID: "ecole-a"}
	}
	if _, err := p.school.Auth.CreateUsers(t.Context(), users, nil); err != nil {
		t.Fatal(err)
	}
	back := time.Now()
	down.Store(false)
	var moving, done int64
	waitFor(t, "the backlog was not sent", 20*time.Second, func() bool {
		st := status(t, p.school)
		checkAgrees(t, toJSON(t, st))
		if st.Running && st.Done > done {
			moving++
			if st.Link != "up" {
				t.Fatalf("rows moving (%d of %d) while the status says the link is %s: %+v", st.Done, st.Total, st.Link, st)
			}
		}
		done = st.Done
		return st.PendingOut == 0 && !st.Running
	})
	t.Logf("backlog sent %.1f s after the link came back; %d samples while rows moved", time.Since(back).Seconds(), moving)
	if moving == 0 {
		t.Fatal("no sample while rows moved: the test proved nothing")
	}
	if st := status(t, p.school); st.Link != "up" || st.Done != 0 || st.Total != 0 || st.LastError != nil {
		msg := ""
		if st.LastError != nil {
			msg = *st.LastError
		}
		t.Fatalf("idle after the drain: %+v %q", st, msg)
	}
}

func toJSON(t *testing.T, st psync.Status) syncStatus {
	var out syncStatus
	data, _ := json.Marshal(st)
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// "Sync now" answers within sync.now_timeout, with the status at that
// moment, however long the sync takes.
func TestSyncNowAnswersWithinNowTimeout(t *testing.T) {
	t.Parallel() // it mostly waits
	central := apptest.New(t, apptest.Options{Role: "central"})
	token, err := central.Sync.Central.AddSchool(t.Context(), "ecole-a", "École A")
	if err != nil {
		t.Fatal(err)
	}
	school := apptest.New(t, apptest.Options{NoDemo: true, Config: map[string]string{"school.id": "ecole-a",
		"sync.now_timeout": "1s"}})
	if _, err := school.Sync.Client.Enroll(t.Context(), central.URL, token); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, school)
	if _, err := school.Auth.CreateUser(t.Context(), auth.NewUser{Login: "dir.a", Display: "Dir A", Profile: auth.Director,
		SchoolID: "ecole-a", Password: "motdepasse"}); err != nil {
		t.Fatal(err)
	}
	school.Sync.Client.UseTransport(roundTrip(func(r *http.Request) (*http.Response, error) {
		select { // central takes 5 s to answer anything
		case <-time.After(5 * time.Second):
		case <-t.Context().Done():
			return nil, t.Context().Err()
		}
		return http.DefaultTransport.RoundTrip(r)
	}))
	start := time.Now()
	resp, body := school.Do(school.ClientAs("dir.a"), "POST", "/api/v1/sync/now", "application/json", "")
	took := time.Since(start)
	var st syncStatus
	json.Unmarshal([]byte(body), &st)
	if resp.StatusCode != http.StatusOK || took > 2*time.Second {
		t.Fatalf("sync/now: %d after %s, want an answer after sync.now_timeout (1 s)", resp.StatusCode, took)
	}
	if !st.Running || st.PendingOut == 0 {
		t.Fatalf("sync/now after its timeout does not say the sync goes on: %s", body)
	}
}

// wait sends a school's live request itself and returns central's answer.
func wait(t *testing.T, central *apptest.App, school *apptest.App, hold time.Duration) psync.WaitAnswer {
	t.Helper()
	link, err := school.Sync.Client.Link(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(psync.WaitRequest{NodeEpoch: school.DB.Node().Epoch, Epoch: link.CentralEpoch, Since: link.PullSeq,
		HoldMs: hold.Milliseconds(), BeatMs: 200})
	req, _ := http.NewRequestWithContext(t.Context(), "POST", central.URL+"/api/v1/sync/wait", bytes.NewReader(body))
	req.Header.Set("Authorization", "Node "+link.SchoolID+":"+link.NodeKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ans psync.WaitAnswer
	if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("wait: %d %v", resp.StatusCode, err)
	}
	return ans
}

// Central wakes a school's live request for the rows a pull would give it
// (its scope, global rows, the accounts its audience takes), and for
// nothing else.
func TestLiveRequestWakesOnlyForTheSchoolsRows(t *testing.T) {
	t.Parallel() // it mostly waits
	p := newPair(t, "ecole-a")
	b := enrollSchool(t, p.central, "ecole-b")
	ctx := t.Context()
	classB, _ := b.Register.CreateClass(ctx, "ecole-b", "CM1", "CM1")
	pupilB, err := b.Register.CreateUser(ctx, roster.NewUser{NewUser: auth.NewUser{FirstName: "Léo", LastName: "Roy", Profile: auth.Pupil,
		SchoolID: "ecole-b"}, ClassIDs: []string{classB.ID}})
	if err != nil {
		t.Fatal(err)
	}
	syncOnce(t, b)
	syncOnce(t, p.school)
	cases := []struct {
		name  string
		write func()
		wake  bool
	}{
		{"another school's account", func() {
			p.central.Auth.CreateUser(ctx, auth.NewUser{Login: "prof.a", Display: "Prof A", Profile: auth.Teacher, SchoolID: "ecole-a"})
		}, false},
		{"a global account", func() {
			p.central.Auth.CreateUser(ctx, auth.NewUser{Login: "dsi.2", Display: "DSI 2", Profile: auth.DSI})
		}, true},
		{"a parent of ecole-a linked to a pupil of ecole-b", func() {
			parent, err := p.central.Auth.CreateUser(ctx, auth.NewUser{Login: "maman.roy", Display: "Maman Roy", Profile: auth.Parent,
				SchoolID: "ecole-a"})
			if err != nil {
				t.Fatal(err)
			}
			if err := p.central.Register.LinkChild(ctx, parent.ID, pupilB.ID); err != nil {
				t.Fatal(err)
			}
		}, true},
	}
	for _, c := range cases {
		done := make(chan psync.WaitAnswer, 1)
		start := time.Now()
		go func() { done <- wait(t, p.central, b, 1500*time.Millisecond) }()
		time.Sleep(300 * time.Millisecond) // the request is held
		c.write()
		ans := <-done
		took := time.Since(start)
		if woke := ans.Pending > 0; woke != c.wake || (woke && took > time.Second) {
			t.Errorf("%s: answer %+v after %s, want woken: %v", c.name, ans, took, c.wake)
		}
		syncOnce(t, b)
	}
}

// A short sync.stall_timeout is honoured: a blackholed link is reported
// down within it, and rows flow within 5 s of its return.
func TestStallTimeoutNoticesASilentLink(t *testing.T) {
	t.Parallel() // it mostly waits
	central := apptest.New(t, apptest.Options{Role: "central"})
	token, err := central.Sync.Central.AddSchool(t.Context(), "ecole-a", "École A")
	if err != nil {
		t.Fatal(err)
	}
	link := newFaultLink(t, strings.TrimPrefix(central.URL, "http://"))
	school := apptest.New(t, apptest.Options{NoDemo: true, Config: map[string]string{"school.id": "ecole-a",
		"sync.stall_timeout": "2s"}})
	if _, err := school.Sync.Client.Enroll(t.Context(), link.URL(), token); err != nil {
		t.Fatal(err)
	}
	run(t, school)
	waitFor(t, "the live request did not open", 5*time.Second, func() bool { return status(t, school).Live })
	link.Blackhole()
	cut := time.Now()
	u, err := school.Auth.CreateUser(t.Context(), auth.NewUser{Login: "pendant", Display: "Pendant", Profile: auth.Teacher,
		SchoolID: "ecole-a"})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the link is not reported down within sync.stall_timeout (2 s)", 2*time.Second, func() bool {
		st := status(t, school)
		return st.Link == "down" && st.LastError != nil && !st.Live
	})
	t.Logf("down %.1f s after the blackhole", time.Since(cut).Seconds())
	link.Restore()
	back := time.Now()
	waitFor(t, "the row did not reach central within 5 s of the link's return", 5*time.Second, func() bool {
		_, err := central.Auth.User(t.Context(), u.ID)
		return err == nil
	})
	t.Logf("row at central %.1f s after the link came back", time.Since(back).Seconds())
}
