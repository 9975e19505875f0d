package notifications_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/gorilla/websocket"

	"preau/appliance/apptest"
	"preau/appliance/web"
)

type live struct {
	Unread int `json:"unread"`
	Latest *struct {
		Title string `json:"title"`
		URL   string `json:"url"`
	} `json:"latest"`
	Fresh bool `json:"fresh"`
}

// dial opens the live channel as login, as the page does.
func dial(t *testing.T, a *apptest.App, login, origin string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	h := http.Header{}
	h.Set("Cookie", web.SessionCookie+"="+a.Token(login))
	h.Set("Origin", origin)
	return websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(a.URL, "http")+"/api/v1/notifications/ws", h)
}

func read(t *testing.T, c *websocket.Conn) live {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	var ev live
	if err := c.ReadJSON(&ev); err != nil {
		t.Fatalf("read the live channel: %v", err)
	}
	return ev
}

// An open page learns at once of what concerns its person: the count now,
// then each new notification, fresh, in its language.
func TestLiveChannel(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	conn, _, err := dial(t, a, "parent", a.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	first := read(t, conn)
	if first.Unread == 0 || first.Fresh {
		t.Fatalf("on opening: %+v (the demo told the parent of its homework and notes)", first)
	}
	ce1 := a.ClassID("CE1")
	resp, body := a.Do(a.ClientAs("enseignant"), "POST", "/api/v1/liaison", "application/json",
		`{"class_id":"`+ce1+`","title":"Piscine","signature":true,"pupil_ids":["`+a.User("eleve").ID+`"]}`)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("note: %d %s", resp.StatusCode, body)
	}
	ev := read(t, conn)
	if ev.Unread != first.Unread+1 || !ev.Fresh || ev.Latest == nil || ev.Latest.Title != "Mot à signer : « Piscine »" ||
		ev.Latest.URL != "/carnet?enfant="+a.User("eleve").ID {
		t.Fatalf("after the note: %+v", ev)
	}
	// Reading everything brings the count to zero on the open page.
	if resp, _ := a.PostForm(a.ClientAs("parent"), "/notifications/lues", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("read all: %d", resp.StatusCode)
	}
	if ev := read(t, conn); ev.Unread != 0 {
		t.Errorf("after reading all: %+v", ev)
	}
}

// Another site's page cannot open someone's live channel with their
// cookie; nor can anyone without a session.
func TestLiveChannelRefusesOtherSites(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	if _, resp, err := dial(t, a, "parent", "http://ailleurs.example"); err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("another origin: %v %v", err, resp)
	}
	if _, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(a.URL, "http")+"/api/v1/notifications/ws", nil); err == nil ||
		resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("no session: %v", err)
	}
}

// The timeline lists what concerns the person, newest first; opening one
// marks it read and leads where it says; the bell counts the unread.
func TestTimeline(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	parent := a.ClientAs("parent")
	_, body := a.Get(parent, "/notifications")
	d, _ := goquery.NewDocumentFromReader(strings.NewReader(body))
	unread := d.Find("#notifications li.unread").Length()
	if unread == 0 || strings.TrimSpace(d.Find(".bell-count").Text()) != strconv.Itoa(unread) {
		t.Fatalf("%d unread, the bell says %q", unread, d.Find(".bell-count").Text())
	}
	var items []struct {
		ID, URL string
		Read    bool
	}
	_, body = a.Get(parent, "/api/v1/notifications")
	json.Unmarshal([]byte(body), &items)
	resp, _ := a.PostForm(parent, "/notifications/"+items[0].ID, url.Values{})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != items[0].URL {
		t.Errorf("opening: %d %q, want %q", resp.StatusCode, resp.Header.Get("Location"), items[0].URL)
	}
	_, body = a.Get(parent, "/notifications")
	d, _ = goquery.NewDocumentFromReader(strings.NewReader(body))
	if n := d.Find("#notifications li.unread").Length(); n != unread-1 {
		t.Errorf("after opening one: %d unread", n)
	}
	// Another person's notification is not theirs to open.
	if resp, _ := a.PostForm(a.ClientAs("enseignant"), "/notifications/"+items[1].ID, url.Values{}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another's: %d", resp.StatusCode)
	}
}
