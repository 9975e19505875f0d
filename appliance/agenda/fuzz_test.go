package agenda_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/emersion/go-ical"

	"preau/appliance/apptest"
)

// FuzzCalDAVPut: whatever body a calendar program PUTs into a person's
// own calendar, Préau keeps the event or refuses it with a 4xx, never a
// 5xx; a refused body writes nothing (the change log stays where it
// was); and an event kept, read back and sent again as it was read,
// stays the same event. Seeds under testdata/fuzz/FuzzCalDAVPut: what
// phone and desktop calendars send, and broken bodies.
func FuzzCalDAVPut(f *testing.F) {
	a := apptest.New(f, apptest.Options{})
	const object = "/caldav/parent/agendas/personnel/fuzz.ics"
	f.Fuzz(func(t *testing.T, body []byte) {
		before := lastChange(t, a)
		status, answer, kept := dav(t, a, http.MethodPut, object, body)
		switch {
		case status == http.StatusCreated: // go-webdav's answer to a PUT, new or not
		case status >= 400 && status < 500 && status != http.StatusUnauthorized:
			if after := lastChange(t, a); after != before {
				t.Fatalf("refused (%d: %s), yet the change log moved from %d to %d", status, answer, before, after)
			}
			return
		default:
			t.Fatalf("PUT answered %d: %s\n%s", status, answer, body)
		}
		// Préau files the event under its UID: Location says where.
		status, first, _ := dav(t, a, http.MethodGet, kept, nil)
		if status != http.StatusOK {
			t.Fatalf("the event kept does not read back: %d %s", status, first)
		}
		if status, answer, _ := dav(t, a, http.MethodPut, kept, []byte(first)); status != http.StatusCreated {
			t.Fatalf("the event as read back is refused: %d %s\n%s", status, answer, first)
		}
		_, second, _ := dav(t, a, http.MethodGet, kept, nil)
		if x, y := eventOf(t, first), eventOf(t, second); x != y {
			t.Fatalf("sent back as read, the event changed:\n%v\n%v", x, y)
		}
	})
}

// eventOf is what a calendar shows of the only event of an object.
func eventOf(t *testing.T, body string) [7]string {
	cal, err := ical.NewDecoder(bytes.NewReader([]byte(body))).Decode()
	if err != nil {
		t.Fatalf("Préau wrote a calendar that does not read: %v\n%s", err, body)
	}
	events := cal.Events()
	if len(events) != 1 {
		t.Fatalf("%d events in %s", len(events), body)
	}
	var out [7]string
	for i, name := range []string{ical.PropUID, ical.PropSummary, ical.PropDescription, ical.PropLocation, ical.PropDateTimeStart,
		ical.PropDateTimeEnd, ical.PropRecurrenceRule} {
		if p := events[0].Props.Get(name); p != nil {
			out[i] = p.Value
		}
	}
	return out
}

// dav sends a CalDAV request as the demo parent; location is where a
// PUT's object was kept.
func dav(t *testing.T, a *apptest.App, method, path string, body []byte) (status int, answer, location string) {
	req, _ := http.NewRequest(method, a.URL+path, bytes.NewReader(body))
	req.SetBasicAuth("parent", "demo")
	if body != nil {
		req.Header.Set("Content-Type", "text/calendar; charset=utf-8")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header.Get("Location")
}

// lastChange is the last entry of the appliance's change log.
func lastChange(t *testing.T, a *apptest.App) int64 {
	var seq int64
	if err := a.DB.Reader().QueryRowContext(context.Background(), "SELECT COALESCE(MAX(seq), 0) FROM changes").Scan(&seq); err != nil {
		t.Fatal(err)
	}
	return seq
}

// A program that names its file otherwise than the event's UID and
// sends it again changes the event: it does not make a second one.
func TestCalDAVPutUnderAnotherName(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	body := []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:piscine@evolution\r\nDTSTAMP:20261203T080000Z\r\n" +
		"SUMMARY:Piscine\r\nDTSTART:20261209T090000Z\r\nDTEND:20261209T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
	for range 2 {
		if status, answer, _ := dav(t, a, http.MethodPut, "/caldav/parent/agendas/personnel/evt-0001.ics", body); status != http.StatusCreated {
			t.Fatalf("PUT: %d %s", status, answer)
		}
	}
	var n int
	if err := a.DB.Reader().QueryRowContext(t.Context(), "SELECT COUNT(*) FROM events WHERE uid = 'piscine@evolution' AND deleted = 0").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("%d events with the UID, want 1", n)
	}
}

// A body go-ical cannot read without panicking is refused, saying what
// to send, not answered with an internal error.
func TestCalDAVPutUnreadable(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	status, answer, _ := dav(t, a, http.MethodPut, "/caldav/parent/agendas/personnel/x.ics", []byte("0;0="))
	if status != http.StatusBadRequest || !strings.Contains(answer, "iCalendar") {
		t.Fatalf("PUT 0;0= answered %d: %s", status, answer)
	}
}

// An event whose UID must be escaped in a path (a space, an accent, a
// slash) reads back where Préau said it keeps it.
func TestCalDAVUIDEscaped(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	for _, uid := range []string{"rdv 1", "réunion", "a/b@client", "%41", "%0"} {
		body := []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTAMP:20261203T080000Z\r\n" +
			"SUMMARY:Rendez-vous\r\nDTSTART:20261209T090000Z\r\nDTEND:20261209T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
		status, answer, kept := dav(t, a, http.MethodPut, "/caldav/parent/agendas/personnel/nouveau.ics", body)
		if status != http.StatusCreated {
			t.Fatalf("%s: PUT %d %s", uid, status, answer)
		}
		if status, answer, _ := dav(t, a, http.MethodGet, kept, nil); status != http.StatusOK || !strings.Contains(answer, "Rendez-vous") {
			t.Errorf("%s: GET %s: %d %s", uid, kept, status, answer)
		}
	}
}

// A year iCalendar cannot write back (0000) is refused, saying which are
// accepted.
func TestCalDAVPutYearZero(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	body := []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:zero\r\nSUMMARY:Zéro\r\nDTSTART:00000101T000000\r\n" +
		"END:VEVENT\r\nEND:VCALENDAR\r\n")
	if status, answer, _ := dav(t, a, http.MethodPut, "/caldav/parent/agendas/personnel/zero.ics", body); status != http.StatusBadRequest ||
		!strings.Contains(answer, "1900") {
		t.Fatalf("year 0000: %d %s", status, answer)
	}
}

// A UID with a line break is refused: written back in every object, it
// would break the calendar's listing.
func TestCalDAVPutUIDWithLineBreak(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	body := []byte("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nBEGIN:VEVENT\nUID:a\rb\nSUMMARY:Piège\nDTSTART:20261209T090000Z\n" +
		"END:VEVENT\nEND:VCALENDAR\n")
	if status, answer, _ := dav(t, a, http.MethodPut, "/caldav/parent/agendas/personnel/x.ics", body); status != http.StatusBadRequest ||
		!strings.Contains(answer, "UID") {
		t.Fatalf("UID with CR: %d %s", status, answer)
	}
}
