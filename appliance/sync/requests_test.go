package sync_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/requests"
	"preau/appliance/web"
)

// requestsSides is a pair with the school's director, central's DSI and
// the requests' service on each side.
type requestsSides struct {
	pair
	director, dsi       auth.User
	atSchool, atCentral *requests.Service
}

func newRequestsSides(t *testing.T, school string) requestsSides {
	t.Helper()
	p := newPair(t, school)
	dsi, err := p.central.Auth.UserByLogin(t.Context(), "dsi")
	if err != nil {
		t.Fatal(err)
	}
	client := p.school.Sync.Client
	atCentral := requests.NewCentralService(p.central.DB, p.central.Register)
	atCentral.SetHub(p.central.Env.Notify)
	return requestsSides{pair: p, director: p.user(t, "dir."+school, auth.Director, nil, nil), dsi: dsi,
		atSchool:  requests.NewService(p.school.DB, p.school.Register, func() feature.Outbox { return client }),
		atCentral: atCentral}
}

// Requests round-trip school → central → school: a director files one, it
// is queued until central acknowledges it, then received; the DSI takes
// it in hand on central and the school sees the change, with a
// notification, at the next sync. One filed while the link is down stays
// queued, reaches nobody, and leaves when the link is back.
func TestRequestsRoundTrip(t *testing.T) {
	sides := newRequestsSides(t, "ecole-r")
	p, director, dsi, atSchool, atCentral := sides.pair, sides.director, sides.dsi, sides.atSchool, sides.atCentral
	ctx, client := t.Context(), p.school.Sync.Client
	syncOnce(t, p.school) // the city's catalogues reach the school
	items, err := atSchool.Catalogue(ctx, requests.Pharmacy)
	if err != nil || len(items) == 0 {
		t.Fatalf("the school holds no pharmacy catalogue: %v", err)
	}
	status := func(s *requests.Service, u auth.User, id string) string {
		t.Helper()
		r, _, err := s.Get(ctx, u, id)
		if err != nil {
			t.Fatalf("request %s: %v", id, err)
		}
		return r.Status
	}

	first, err := atSchool.File(ctx, director, requests.Draft{Kind: requests.Pharmacy, Title: "Infirmerie",
		Fields: requests.Fields{Items: []requests.Line{{Item: items[0].ID, Quantity: 4}}}})
	if err != nil {
		t.Fatal(err)
	}
	if first.Status != requests.Queued {
		t.Errorf("a request not yet sent is %q, want queued", first.Status)
	}
	syncOnce(t, p.school)
	if got := status(atSchool, director, first.ID); got != requests.Received {
		t.Errorf("acknowledged by central, the request is %q at school, want received", got)
	}
	queue, err := atCentral.List(ctx, dsi, requests.Filter{School: "ecole-r", Kind: requests.Pharmacy})
	if err != nil || len(queue) != 1 || queue[0].ID != first.ID || queue[0].Status != requests.Received {
		t.Fatalf("the DSI's queue: %+v %v", queue, err)
	}
	if got := queue[0].Fields.Items; len(got) != 1 || got[0].Quantity != 4 || got[0].Name != items[0].Name {
		t.Errorf("the items reached central as %+v", got)
	}
	if _, err := atCentral.Change(ctx, dsi, first.ID, requests.Change{Status: requests.InProgress, Assignee: "Agent Martin",
		Comment: "Livraison jeudi."}); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, p.school)
	r, events, err := atSchool.Get(ctx, director, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != requests.InProgress || r.Assignee != "Agent Martin" {
		t.Errorf("at school after sync: %q by %q, want in_progress by Agent Martin", r.Status, r.Assignee)
	}
	if len(events) == 0 || events[len(events)-1].Body != "Livraison jeudi." {
		t.Errorf("the DSI's comment did not reach the school: %+v", events)
	}
	notices, err := p.school.Env.Notify.List(ctx, director.ID, 10)
	if err != nil || len(notices) == 0 || notices[0].Kind != "requests" {
		t.Errorf("the director was not told at school: %+v %v", notices, err)
	}
	// The director answers; the DSI reads it on central.
	if _, err := atSchool.Comment(ctx, director, first.ID, "Merci !", nil); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, p.school)
	if _, events, _ := atCentral.Get(ctx, dsi, first.ID); events[len(events)-1].Body != "Merci !" {
		t.Errorf("the director's comment did not reach central: %+v", events)
	}

	// The link goes down.
	client.UseTransport(roundTrip(func(*http.Request) (*http.Response, error) { return nil, errors.New("link down") }))
	second, err := atSchool.File(ctx, director, requests.Draft{Kind: requests.Intervention, Title: "Fuite au préau",
		Fields: requests.Fields{Room: "Préau", Equipment: "Toiture", Description: "Il pleut dedans.", Urgency: "urgent"}})
	if err != nil {
		t.Fatalf("filing while the link is down: %v", err)
	}
	if _, err := client.SyncOnce(ctx); err == nil {
		t.Fatal("a sync through a cut link succeeded")
	}
	if got := status(atSchool, director, second.ID); got != requests.Queued {
		t.Errorf("filed during the outage, the request is %q, want queued", got)
	}
	if got := status(atSchool, director, first.ID); got != requests.InProgress {
		t.Errorf("the outage changed the first request to %q", got)
	}
	if _, _, err := atCentral.Get(ctx, dsi, second.ID); err == nil {
		t.Error("central holds a request the cut link could not carry")
	}
	client.UseTransport(http.DefaultTransport.(*http.Transport).Clone())
	syncOnce(t, p.school)
	if got := status(atSchool, director, second.ID); got != requests.Received {
		t.Errorf("the link back, the request is %q at school, want received", got)
	}
	if got := status(atCentral, dsi, second.ID); got != requests.Received {
		t.Errorf("the link back, the request is %q on central", got)
	}
}

// A school cannot change a request central holds, nor re-file it under
// another school: the push check refuses the batch and central is left as
// it was.
func TestRequestChangedBySchoolRefused(t *testing.T) {
	c := newCity(t)
	ctx := t.Context()
	atSchool := requests.NewService(c.school.DB, c.school.Register, func() feature.Outbox { return c.school.Sync.Client })
	director := c.dirA
	items, err := atSchool.Catalogue(ctx, requests.Supplies)
	if err != nil || len(items) == 0 {
		t.Fatalf("no supplies catalogue at school: %v", err)
	}
	r, err := atSchool.File(ctx, director, requests.Draft{Kind: requests.Supplies, Title: "Encre",
		Fields: requests.Fields{Items: []requests.Line{{Item: items[0].ID, Quantity: 1}}}})
	if err != nil {
		t.Fatal(err)
	}
	syncOnce(t, c.school)
	row, err := c.school.DB.ReadRow(ctx, c.school.DB.Reader(), "requests", r.ID)
	if err != nil {
		t.Fatal(err)
	}
	before := countRows(t, c.central.DB)
	for _, set := range []map[string]any{{"title": "Encre (x100)"}, {"deleted": int64(1)}, {"school_id": "ecole-b", "scope": "ecole-b"}} {
		if status, body := c.push(t, c.forge(row, set)); status != http.StatusForbidden {
			t.Errorf("pushing %v over a request central holds: %d %s", set, status, body)
		}
	}
	if after := countRows(t, c.central.DB); after != before {
		t.Errorf("refused pushes changed central: %d → %d", before, after)
	}
}

// Files on a request go both ways with their comments: the director's
// photo reaches the DSI on central, the DSI's delivery slip the school.
func TestRequestFilesBothWays(t *testing.T) {
	sides := newRequestsSides(t, "ecole-f")
	p, director, dsi, atSchool, atCentral := sides.pair, sides.director, sides.dsi, sides.atSchool, sides.atCentral
	ctx, client := t.Context(), p.school.Sync.Client
	upload := func(name, content string) *web.Upload {
		return &web.Upload{Name: name, Size: int64(len(content)), Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(content)), nil }}
	}
	r, err := atSchool.File(ctx, director, requests.Draft{Kind: requests.Intervention, Title: "Porte bloquée",
		Fields: requests.Fields{Room: "Entrée", Equipment: "Porte", Description: "La serrure ne tourne plus.", Urgency: "normal"},
		Files:  []web.Upload{*upload("serrure.txt", "photo de la serrure")}})
	if err != nil {
		t.Fatal(err)
	}
	syncOnce(t, p.school)
	if err := client.TransferBlobs(ctx); err != nil {
		t.Fatal(err)
	}
	read := func(s *requests.Service, u auth.User, name string) string {
		t.Helper()
		_, events, err := s.Get(ctx, u, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			if e.FileName == name {
				_, f, err := s.OpenFile(ctx, u, e.ID)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				defer f.Close()
				b, _ := io.ReadAll(f)
				return string(b)
			}
		}
		t.Fatalf("no event with %s", name)
		return ""
	}
	if got := read(atCentral, dsi, "serrure.txt"); got != "photo de la serrure" {
		t.Errorf("the school's file on central: %q", got)
	}
	if _, err := atCentral.Comment(ctx, dsi, r.ID, "Bon d'intervention joint.", upload("bon.txt", "bon n° 42")); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, p.school)
	if err := client.TransferBlobs(ctx); err != nil {
		t.Fatal(err)
	}
	if got := read(atSchool, director, "bon.txt"); got != "bon n° 42" {
		t.Errorf("the DSI's file at school: %q", got)
	}
}

// The DSI edits the catalogues on central; each school holds them after
// its next sync, an entry taken off included. A school's director cannot
// edit them, and an entry without a name is refused.
func TestRequestCataloguesReachSchools(t *testing.T) {
	sides := newRequestsSides(t, "ecole-c")
	p, director, dsi, atSchool, atCentral := sides.pair, sides.director, sides.dsi, sides.atSchool, sides.atCentral
	ctx := t.Context()
	if _, err := atCentral.AddItem(ctx, dsi, requests.Item{Catalogue: requests.Supplies, Name: ""}); err == nil {
		t.Error("an entry without a name was added")
	}
	if _, err := atSchool.AddItem(ctx, director, requests.Item{Catalogue: requests.Supplies, Name: "Souris"}); err == nil {
		t.Error("a director added to the city's catalogue")
	}
	it, err := atCentral.AddItem(ctx, dsi, requests.Item{Catalogue: requests.Supplies, Name: "Tablette", Unit: "pièce"})
	if err != nil {
		t.Fatal(err)
	}
	has := func() bool {
		items, err := atSchool.Catalogue(ctx, requests.Supplies)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range items {
			if x.ID == it.ID {
				return true
			}
		}
		return false
	}
	syncOnce(t, p.school)
	if !has() {
		t.Fatal("the new entry did not reach the school")
	}
	if _, err := atCentral.RemoveItem(ctx, dsi, it.ID); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, p.school)
	if has() {
		t.Error("the entry taken off is still offered at the school")
	}
}
