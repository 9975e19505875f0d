package sync_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"preau/appliance/apptest"
	"preau/appliance/auth"
	"preau/appliance/roster"
	psync "preau/appliance/sync"
)

// FuzzBatchJSON: a batch as it travels (JSON, rows as {"t","v","c"} with
// bytes as {"$b"}) either does not decode, or decodes to rows that
// travel again unchanged.
func FuzzBatchJSON(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		var b psync.Batch
		if json.Unmarshal(body, &b) != nil {
			return
		}
		out, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("a decoded batch does not encode: %v", err)
		}
		var again psync.Batch
		if err := json.Unmarshal(out, &again); err != nil {
			t.Fatalf("an encoded batch does not decode: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(normalize(b), normalize(again)) {
			t.Fatalf("a batch changes on its way:\nfirst %+v\nagain %+v", b, again)
		}
	})
}

// normalize makes the values a second trip may read differently equal:
// JSON has one kind of number, so a float with no fraction comes back an
// integer, as SQLite would store it in an INTEGER or REAL column alike.
func normalize(b psync.Batch) psync.Batch {
	for _, r := range b.Rows {
		for k, v := range r.Values {
			if x, ok := v.(float64); ok && x == float64(int64(x)) {
				r.Values[k] = int64(x)
			}
		}
	}
	return b
}

// FuzzPush: whatever a school's node pushes to central (a body of the
// push endpoint, with real ids of the school's class and people put in
// for the placeholders {class}, {teacher}, {pupil}, {node}, {epoch},
// {hlc}), central answers with a refusal it explains (400, 403, 409,
// 413, 422) or accepts it; never a 500, and a refused batch writes
// nothing: central's change log is where it was. Seeds under
// testdata/fuzz/FuzzPush: honest batches and hostile ones.
func FuzzPush(f *testing.F) {
	c := fuzzCity(f)
	f.Fuzz(func(t *testing.T, body []byte, gzipped bool) {
		self := c.school.DB.Node()
		body = []byte(strings.NewReplacer("{class}", c.class, "{teacher}", c.teacher, "{pupil}", c.pupil,
			"{node}", self.ID, "{epoch}", self.Epoch, "{hlc}", fmt.Sprint(c.school.DB.Clock().Now())).Replace(string(body)))
		before := lastChange(t, c.central)
		status, answer := c.push(t, body, gzipped)
		switch status {
		case http.StatusOK:
			return
		case http.StatusBadRequest, http.StatusForbidden, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity:
			var e struct{ Error string }
			if json.Unmarshal([]byte(answer), &e) != nil || e.Error == "" {
				t.Errorf("refused (%d) without a reason: %s", status, answer)
			}
		default:
			t.Fatalf("push answered %d: %s\n%s", status, answer, body)
		}
		if after := lastChange(t, c.central); after != before {
			t.Fatalf("refused (%d: %s), yet central's log moved from %d to %d", status, answer, before, after)
		}
	})
}

// pushCity is central with school ecole-a enrolled, its class, teacher
// and pupil on both sides.
type pushCity struct {
	central, school       *apptest.App
	class, teacher, pupil string
	authz                 string
}

func fuzzCity(tb testing.TB) pushCity {
	ctx := context.Background()
	central := apptest.New(tb, apptest.Options{Role: "central"})
	token, err := central.Sync.Central.AddSchool(ctx, "ecole-a", "École A")
	if err != nil {
		tb.Fatal(err)
	}
	school := apptest.New(tb, apptest.Options{NoDemo: true, Config: map[string]string{"school.id": "ecole-a", "school.name": "École A"}})
	if _, err := school.Sync.Client.Enroll(ctx, central.URL, token); err != nil {
		tb.Fatal(err)
	}
	class, err := school.Register.CreateClass(ctx, "ecole-a", "CE1", "CE1")
	if err != nil {
		tb.Fatal(err)
	}
	teacher, err := school.Register.CreateUser(ctx, roster.NewUser{NewUser: auth.NewUser{Login: "prof.a", Display: "Prof A",
		Profile: auth.Teacher, SchoolID: "ecole-a"}, ClassIDs: []string{class.ID}})
	if err != nil {
		tb.Fatal(err)
	}
	pupil, err := school.Register.CreateUser(ctx, roster.NewUser{NewUser: auth.NewUser{Login: "eleve.a", Display: "Élève A",
		Profile: auth.Pupil, SchoolID: "ecole-a"}, ClassIDs: []string{class.ID}})
	if err != nil {
		tb.Fatal(err)
	}
	for range 2 {
		if _, err := school.Sync.Client.SyncOnce(ctx); err != nil {
			tb.Fatal(err)
		}
	}
	link, err := school.Sync.Client.Link(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	return pushCity{central: central, school: school, class: class.ID, teacher: teacher.ID, pupil: pupil.ID,
		authz: "Node " + link.SchoolID + ":" + link.NodeKey}
}

// push posts body to central's push endpoint as the school's node.
func (c pushCity) push(t *testing.T, body []byte, gzipped bool) (int, string) {
	req, _ := http.NewRequest(http.MethodPost, c.central.URL+"/api/v1/sync/push", bytes.NewReader(body))
	if gzipped {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(body)
		zw.Close()
		req, _ = http.NewRequest(http.MethodPost, c.central.URL+"/api/v1/sync/push", &buf)
		req.Header.Set("Content-Encoding", "gzip")
	}
	req.Header.Set("Authorization", c.authz)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(answer)
}

// lastChange is the last entry of a node's change log.
func lastChange(t *testing.T, a *apptest.App) int64 {
	var seq int64
	if err := a.DB.Reader().QueryRowContext(context.Background(), "SELECT COALESCE(MAX(seq), 0) FROM changes").Scan(&seq); err != nil {
		t.Fatal(err)
	}
	return seq
}
