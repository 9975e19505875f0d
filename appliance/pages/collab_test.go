package pages

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// pagesMemStore keeps a room's updates in memory, for the protocol's tests.
type pagesMemStore struct {
	mu   sync.Mutex
	rows map[string][][]byte
}

func (m *pagesMemStore) updates(_ context.Context, id string) ([][]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([][]byte(nil), m.rows[id]...), nil
}

func (m *pagesMemStore) appendUpdate(_ context.Context, id string, _ peer, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rows[id] = append(m.rows[id], bytes.Clone(data))
	return nil
}

// pagesServer serves rooms at /<room>; ?ro=1 makes the socket a reader's.
func pagesServer(t *testing.T) (*httptest.Server, *pagesMemStore) {
	t.Helper()
	st := &pagesMemStore{rows: map[string][][]byte{}}
	c := newCollab(st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	c.watch = 50 * time.Millisecond
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := upgrader.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		go c.serve(ws, strings.Trim(r.URL.Path, "/"), peer{UserID: "u", CanWrite: r.URL.Query().Get("ro") == ""})
	}))
	t.Cleanup(srv.Close)
	return srv, st
}

type pagesClient struct {
	t  *testing.T
	ws *websocket.Conn
}

func pagesDial(t *testing.T, srv *httptest.Server, path string) *pagesClient {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http")+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return &pagesClient{t, ws}
}

func (c *pagesClient) send(frame []byte) {
	c.t.Helper()
	if err := c.ws.WriteMessage(websocket.BinaryMessage, frame); err != nil {
		c.t.Fatal(err)
	}
}

// next reads frames until one matches, failing after a second.
func (c *pagesClient) next(match func(message) bool) message {
	c.t.Helper()
	c.ws.SetReadDeadline(time.Now().Add(time.Second))
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			c.t.Fatalf("no expected frame: %v", err)
		}
		m, err := parseMessage(data)
		if err == nil && match(m) {
			return m
		}
	}
}

// quiet checks that no frame matching comes within a moment.
func (c *pagesClient) quiet(match func(message) bool) {
	c.t.Helper()
	c.ws.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		if m, err := parseMessage(data); err == nil && match(m) {
			c.t.Fatalf("unexpected frame %+v", m)
		}
	}
}

func isSync(sub uint64) func(message) bool {
	return func(m message) bool { return m.Type == msgSync && m.Sub == sub }
}

func isAwareness(m message) bool { return m.Type == msgAwareness }

func TestRoomRelaysStoresAndReplays(t *testing.T) {
	srv, st := pagesServer(t)
	a, b := pagesDial(t, srv, "/p1"), pagesDial(t, srv, "/p1")
	// The server asks each editor for all it holds.
	if m := a.next(isSync(syncStep1)); !bytes.Equal(m.Payload, emptyStateVector) {
		t.Fatalf("server step 1 %v", m.Payload)
	}
	b.next(isSync(syncStep1))
	a.send(syncMessage(syncStep1, []byte{0}))
	if m := a.next(isSync(syncStep2)); !bytes.Equal(m.Payload, emptyUpdate) {
		t.Fatalf("empty room answered %v", m.Payload)
	}
	a.send(syncMessage(syncUpdate, []byte("u1")))
	if m := b.next(isSync(syncUpdate)); string(m.Payload) != "u1" {
		t.Fatalf("relayed %q", m.Payload)
	}
	b.send(syncMessage(syncStep2, []byte("u2"))) // its answer to the server's step 1
	if m := a.next(isSync(syncUpdate)); string(m.Payload) != "u2" {
		t.Fatalf("relayed %q", m.Payload)
	}
	// A late joiner gets every stored update, the last as step 2.
	c := pagesDial(t, srv, "/p1")
	c.send(syncMessage(syncStep1, []byte{0}))
	if m := c.next(isSync(syncUpdate)); string(m.Payload) != "u1" {
		t.Fatalf("replayed %q", m.Payload)
	}
	if m := c.next(isSync(syncStep2)); string(m.Payload) != "u2" {
		t.Fatalf("replayed %q", m.Payload)
	}
	// A reader gets the document; its update is refused and kept nowhere.
	r := pagesDial(t, srv, "/p1?ro=1")
	r.send(syncMessage(syncStep1, []byte{0}))
	r.next(isSync(syncStep2))
	r.send(syncMessage(syncUpdate, []byte("pirate")))
	r.next(func(m message) bool { return m.Type == msgAuth })
	a.quiet(isSync(syncUpdate))
	if got, _ := st.updates(context.Background(), "p1"); len(got) != 2 {
		t.Fatalf("stored %q", got)
	}
	// Another room hears nothing of this one.
	o := pagesDial(t, srv, "/p2")
	o.next(isSync(syncStep1))
	o.quiet(isSync(syncUpdate))
}

// An update that sync brings while editors are on the page reaches them.
func TestRoomSendsWhatSyncBrought(t *testing.T) {
	srv, st := pagesServer(t)
	a := pagesDial(t, srv, "/p")
	a.next(isSync(syncStep1))
	typed := pagesTypingUpdates(t)[0]
	st.appendUpdate(context.Background(), "p", peer{}, typed) // as sync writes a row
	if m := a.next(isSync(syncUpdate)); !bytes.Equal(m.Payload, typed) {
		t.Fatalf("got %x", m.Payload)
	}
}

func TestRoomAwareness(t *testing.T) {
	srv, _ := pagesServer(t)
	a, b := pagesDial(t, srv, "/p"), pagesDial(t, srv, "/p")
	state := encodeAwareness([]awareness{{Client: 7, Clock: 1, State: `{"user":{"name":"Alice"}}`}})
	a.send(awarenessMessage(state))
	// Echoed to its sender (the client's keep-alive) and relayed.
	for _, c := range []*pagesClient{a, b} {
		m := c.next(isAwareness)
		if got, _ := parseAwareness(m.Payload); len(got) != 1 || got[0].Client != 7 {
			t.Fatalf("awareness %+v", got)
		}
	}
	// A newcomer gets the current states at once.
	c := pagesDial(t, srv, "/p")
	if got, _ := parseAwareness(c.next(isAwareness).Payload); len(got) != 1 || !strings.Contains(got[0].State, "Alice") {
		t.Fatalf("newcomer got %+v", got)
	}
	// b cannot change a's client (a read that times out spoils a
	// socket, hence a watcher of its own).
	watcher := pagesDial(t, srv, "/p")
	watcher.next(isAwareness)
	b.send(awarenessMessage(encodeAwareness([]awareness{{Client: 7, Clock: 5, State: `{"user":{"name":"Mallory"}}`}})))
	watcher.quiet(isAwareness)
	// a goes without a word: the others hear its client is gone.
	a.ws.UnderlyingConn().Close()
	for _, k := range []*pagesClient{b, c} {
		got, _ := parseAwareness(k.next(isAwareness).Payload)
		if len(got) != 1 || got[0].Client != 7 || !got[0].gone() || got[0].Clock != 2 {
			t.Fatalf("removal %+v", got)
		}
	}
}

func TestRoomRefusesBadFrames(t *testing.T) {
	srv, st := pagesServer(t)
	good := pagesDial(t, srv, "/p")
	for name, frame := range map[string][]byte{
		"cut":      {msgSync, syncUpdate, 10, 1},
		"trailing": append(syncMessage(syncUpdate, []byte("x")), 9),
		"varint":   {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		"too big":  syncMessage(syncUpdate, make([]byte, maxUpdateSize+100)),
	} {
		bad := pagesDial(t, srv, "/p")
		bad.send(frame)
		bad.ws.SetReadDeadline(time.Now().Add(time.Second))
		for {
			if _, _, err := bad.ws.ReadMessage(); err != nil {
				break // closed, as it should
			}
		}
		t.Logf("%s: closed", name)
	}
	// An unknown type is dropped, the socket kept.
	k := pagesDial(t, srv, "/p")
	k.send([]byte{42, 1, 2})
	k.send(syncMessage(syncStep1, []byte{0}))
	k.next(isSync(syncStep2))
	good.send(syncMessage(syncUpdate, []byte("ok")))
	k.next(isSync(syncUpdate))
	if got, _ := st.updates(context.Background(), "p"); len(got) != 1 {
		t.Fatalf("stored %q", got)
	}
}

func FuzzParseMessage(f *testing.F) {
	f.Add(syncMessage(syncUpdate, []byte("abc")))
	f.Add(awarenessMessage(encodeAwareness([]awareness{{1, 2, "{}"}})))
	// A frame read is the message the server would write for it, and an
	// awareness update the server writes again reads back the same. (Bytes
	// may differ: lib0 accepts a varint with needless continuation bytes,
	// which the server writes in its shortest form.)
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parseMessage(b)
		if err == nil && m.Type == msgSync {
			if again, err := parseMessage(syncMessage(m.Sub, m.Payload)); err != nil || again.Sub != m.Sub || !bytes.Equal(again.Payload, m.Payload) {
				t.Fatalf("sync message %+v written again reads %+v, %v", m, again, err)
			}
		}
		if err == nil && m.Type == msgAwareness {
			if as, err := parseAwareness(m.Payload); err == nil {
				again, err := parseAwareness(encodeAwareness(as))
				if err != nil || !slices.Equal(again, as) {
					t.Fatalf("awareness %+v written again reads %+v, %v", as, again, err)
				}
			}
		}
	})
}

// needNode is assets/src, where the tests' Node scripts run; the test is
// skipped without Node or the npm packages, unless PREAU_NODE_TESTS is
// "required" (CI).
func needNode(t testing.TB) string {
	t.Helper()
	dir, _ := filepath.Abs("../../assets/src")
	_, errNode := exec.LookPath("node")
	_, errMods := os.Stat(filepath.Join(dir, "node_modules", "y-websocket"))
	if errNode != nil || errMods != nil {
		if os.Getenv("PREAU_NODE_TESTS") == "required" {
			t.Fatal("node and assets/src/node_modules are required (npm ci in assets/src)")
		}
		t.Skip("no node or no assets/src/node_modules: run npm ci in assets/src")
	}
	return dir
}

// TestOfficialClient drives the official y-websocket client from Node
// (assets/src/test/ywebsocket.mjs, npm ci in assets/src): two editors at
// once converge, a late joiner gets everything, a reader cannot write, an
// abrupt close removes the client's cursor for the others, and edits
// made offline arrive on reconnection. Skipped without Node or the npm
// packages, unless PREAU_NODE_TESTS=required (CI).
func TestOfficialClient(t *testing.T) {
	dir := needNode(t)
	srv, st := pagesServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "test/ywebsocket.mjs", "ws"+strings.TrimPrefix(srv.URL, "http")+"/api", "page1")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s\n%s", err, out, stderr.String())
	}
	var got struct {
		A, B, C, ReaderBefore, AAfterReader, AfterReconnect, Fresh string
		NamesA, NamesAfterClose                                    []string
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if got.A != got.B || !strings.Contains(got.A, "Bonjour") || !strings.Contains(got.A, "Salut") {
		t.Errorf("editors did not converge: %q %q", got.A, got.B)
	}
	if got.C != got.A || got.ReaderBefore != got.A {
		t.Errorf("late joiners: %q %q, want %q", got.C, got.ReaderBefore, got.A)
	}
	if strings.Contains(got.AAfterReader, "PIRATE") || strings.Contains(got.Fresh, "PIRATE") {
		t.Errorf("a reader wrote: %q", got.Fresh)
	}
	if strings.Join(got.NamesA, ",") != "Alice,Bilal" || strings.Contains(strings.Join(got.NamesAfterClose, ","), "Bilal") {
		t.Errorf("awareness: %v then %v", got.NamesA, got.NamesAfterClose)
	}
	if !strings.HasSuffix(got.Fresh, "hors-ligne") || got.Fresh != got.AfterReconnect {
		t.Errorf("offline edit: %q %q", got.AfterReconnect, got.Fresh)
	}
	t.Logf("stored %d updates for %q", len(st.rows["api/page1"]), got.Fresh)
}
