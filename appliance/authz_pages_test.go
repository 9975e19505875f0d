package appliance_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"preau/appliance/apptest"
	"preau/appliance/auth"
)

// The class pages' routes. {page} is the demo class's wiki page,
// {page_version} its first version. The class's pupils and staff read and
// write its pages; the parents of its pupils read them (their updates on
// the websocket are dropped: see TestPagesWebsocketReader); the DSI has
// none.
func init() {
	readers := []auth.Profile{auth.Pupil, auth.Parent, auth.Teacher, auth.Director}
	editors := []auth.Profile{auth.Pupil, auth.Teacher, auth.Director}
	matrix = append(matrix,
		authzCase{Route: "GET /pages", Path: "/pages", Expect: page(readers...)},
		authzCase{Route: "POST /pages", Path: "/pages", Body: "titre=Essai&classe={class}&sorte=wiki", Expect: form(editors...)},
		authzCase{Route: "GET /pages/{id}", Path: "/pages/{page}", Expect: page(readers...)},
		authzCase{Route: "GET /pages/{id}/modifier", Path: "/pages/{page}/modifier", Expect: page(editors...)},
		authzCase{Route: "POST /pages/{id}/html", Path: "/pages/{page}/html", Body: "html=%3Cp%3Eoui%3C%2Fp%3E",
			Expect: expect(http.StatusOK, http.StatusUnauthorized, editors...)},
		authzCase{Route: "GET /pages/{id}/mises-a-jour", Path: "/pages/{page}/mises-a-jour", Expect: expect(http.StatusOK, http.StatusSeeOther, editors...)},
		// Naming no row of the page: past the checks of who they are, a
		// conflict (the page changed meanwhile).
		authzCase{Route: "POST /pages/{id}/compacter", Path: "/pages/{page}/compacter", Body: `{"through":"aucune","update":"AAA="}`,
			Expect: expect(http.StatusConflict, http.StatusUnauthorized, editors...)},
		authzCase{Route: "GET /pages/{id}/historique", Path: "/pages/{page}/historique", Expect: page(readers...)},
		authzCase{Route: "GET /pages/{id}/historique/{version}", Path: "/pages/{page}/historique/{page_version}", Expect: page(readers...)},
		authzCase{Route: "POST /api/v1/pages", Path: "/api/v1/pages", Body: `{"title":"Essai","class_id":"{class}"}`,
			Expect: api(http.StatusCreated, editors...)},
		authzCase{Route: "GET /api/v1/pages/{id}", Path: "/api/v1/pages/{page}", Expect: api(http.StatusOK, readers...)},
		// Without the websocket's handshake headers a reader gets 400 from
		// the upgrader: past the checks of who they are.
		authzCase{Route: "GET /api/v1/pages/{id}/ws", Path: "/api/v1/pages/{page}/ws", Expect: api(http.StatusBadRequest, readers...)},
	)
}

// pagesFixture is the demo class's first page and its first version.
func pagesFixture(t *testing.T, a *apptest.App, classID string) (page, version string) {
	t.Helper()
	ctx := context.Background()
	if err := a.DB.Reader().QueryRowContext(ctx, `SELECT p.id, v.id FROM pages p JOIN page_versions v ON v.page_id = p.id
		WHERE p.deleted = 0 AND p.class_id = ? ORDER BY p.created_at LIMIT 1`, classID).Scan(&page, &version); err != nil {
		t.Fatalf("demo page: %v", err)
	}
	return page, version
}

// pagesDial opens a page's websocket with these headers, as the official
// client would: it reports the handshake's status.
func pagesDial(t *testing.T, a *apptest.App, id string, h http.Header, jar http.CookieJar) (*websocket.Conn, int) {
	t.Helper()
	d := websocket.Dialer{Jar: jar, HandshakeTimeout: 5 * time.Second}
	ws, resp, err := d.Dial("ws"+strings.TrimPrefix(a.URL, "http")+"/api/v1/pages/"+id+"/ws", h)
	if err != nil {
		if resp == nil {
			t.Fatal(err)
		}
		return nil, resp.StatusCode
	}
	t.Cleanup(func() { ws.Close() })
	return ws, resp.StatusCode
}

// pagesUpdates counts a page's stored updates.
func pagesUpdates(t *testing.T, a *apptest.App, id string) int {
	var n int
	if err := a.DB.Reader().QueryRow("SELECT count(*) FROM page_updates WHERE page_id = ?", id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// The page's websocket, for real: its class's teacher writes through it
// (by session cookie or bearer token); a parent of the class gets the
// document but their update is refused and kept nowhere; the DSI, a
// parent of no pupil of the class, and strangers are refused at the
// handshake.
func TestPagesWebsocketReader(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	classID := a.ClassID("CE1")
	id, _ := pagesFixture(t, a, classID)
	update := []byte{0, 2, 3, 0xaa, 0xbb, 0xcc} // sync, update, 3 opaque bytes
	step1 := []byte{0, 0, 1, 0}

	teacher, status := pagesDial(t, a, id, nil, a.ClientAs("enseignant").Jar)
	if status != http.StatusSwitchingProtocols {
		t.Fatalf("teacher's handshake: %d", status)
	}
	teacher.WriteMessage(websocket.BinaryMessage, update)
	bearer, status := pagesDial(t, a, id, http.Header{"Authorization": {"Bearer " + a.Token("eleve")}}, nil)
	if status != http.StatusSwitchingProtocols {
		t.Fatalf("pupil's handshake with a token: %d", status)
	}
	bearer.WriteMessage(websocket.BinaryMessage, update)
	for end := time.Now().Add(5 * time.Second); pagesUpdates(t, a, id) < 2; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("the writers' updates were not kept: %d", pagesUpdates(t, a, id))
		}
	}

	parent, status := pagesDial(t, a, id, nil, a.ClientAs("parent").Jar)
	if status != http.StatusSwitchingProtocols {
		t.Fatalf("parent's handshake: %d", status)
	}
	parent.WriteMessage(websocket.BinaryMessage, step1)
	parent.WriteMessage(websocket.BinaryMessage, update)
	parent.SetReadDeadline(time.Now().Add(5 * time.Second))
	var sawDoc, denied bool
	for !denied {
		_, frame, err := parent.ReadMessage()
		if err != nil {
			t.Fatalf("the parent's socket: %v", err)
		}
		sawDoc = sawDoc || (len(frame) > 2 && frame[0] == 0 && frame[1] == 1)
		denied = len(frame) > 1 && frame[0] == 2 && frame[1] == 0
	}
	if !sawDoc {
		t.Error("the parent did not get the document")
	}
	if n := pagesUpdates(t, a, id); n != 2 {
		t.Errorf("after the parent's update, %d stored, want 2", n)
	}

	dsi, err := a.Auth.CreateUser(ctx, auth.NewUser{Login: "dsi", Display: "DSI", Profile: auth.DSI, Password: "motdepasse"})
	if err != nil {
		t.Fatal(err)
	}
	if _, status := pagesDial(t, a, id, http.Header{"Authorization": {"Bearer " + a.Token(dsi.Login)}}, nil); status != http.StatusForbidden {
		t.Errorf("DSI's handshake: %d, want 403", status)
	}
	if _, status := pagesDial(t, a, id, nil, nil); status != http.StatusUnauthorized {
		t.Errorf("a stranger's handshake: %d, want 401", status)
	}
	// A parent of no pupil of the class: no such page for them.
	other, err := a.Auth.CreateUser(ctx, auth.NewUser{Login: "autre.parent", Display: "Autre", Profile: auth.Parent, SchoolID: a.User("parent").SchoolID, Password: "motdepasse"})
	if err != nil {
		t.Fatal(err)
	}
	if _, status := pagesDial(t, a, id, http.Header{"Authorization": {"Bearer " + a.Token(other.Login)}}, nil); status != http.StatusNotFound {
		t.Errorf("another parent's handshake: %d, want 404", status)
	}
	// From another site's page: refused by the origin check.
	if _, status := pagesDial(t, a, id, http.Header{"Origin": {"https://ailleurs.example"}}, a.ClientAs("enseignant").Jar); status < 400 {
		t.Errorf("a cross-site handshake: %d", status)
	}
}
