package sync_test

import (
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/documents"
	"preau/appliance/feature"
)

// The city's library at a school: the DSI publishes on central, the
// school's cache fetches what it may show while the link is idle (newest
// first, into its free room only), the LAN serves it while the link is
// down; the least recently used file leaves to make room for one opened
// while the link is up, and comes back when opened again; off the link,
// a file not here says when it will be.
func TestCityLibraryCachedAtSchool(t *testing.T) {
	p := newPair(t, "ecole-l")
	ctx := t.Context()
	class, teacher, pupil, _ := p.family(t, "CM1", "l")
	if err := p.central.Register.CreateSchool(ctx, "ecole-x", "École X"); err != nil {
		t.Fatal(err)
	}
	dsi, err := p.central.Auth.CreateUser(ctx, auth.NewUser{Login: "dsi.l", Display: "DSI", Profile: auth.DSI, Password: "motdepasse"})
	if err != nil {
		t.Fatal(err)
	}
	limits := documents.Limits{MaxFile: 1 << 20, UserQuota: 1 << 20, SchoolQuota: 1 << 20}
	atCentral := documents.NewCentralService(p.central.DB, p.central.Register, limits)
	publish := func(name, content string, schools ...string) documents.Document {
		t.Helper()
		d, _, err := atCentral.ShareCity(ctx, dsi, documents.Upload{Name: name, Size: -1, Content: strings.NewReader(content)}, schools)
		if err != nil {
			t.Fatalf("publish %s: %v", name, err)
		}
		return d
	}
	a := publish("a.txt", strings.Repeat("a", 40))
	b := publish("b.txt", strings.Repeat("b", 40))
	c := publish("c.txt", strings.Repeat("c", 40))
	x := publish("x.txt", strings.Repeat("x", 40), "ecole-x")

	client := p.school.Sync.Client
	client.SetCacheMax(100) // two of the three files
	atSchool := documents.NewService(p.school.DB, p.school.Register, limits)
	atSchool.UseLibrary(client)
	syncOnce(t, p.school)
	syncOnce(t, p.school)
	if n, _ := client.PendingBlobs(ctx); n != 0 {
		t.Errorf("%d library files queued for good: the cache fetches them", n)
	}
	if err := client.Prefetch(ctx); err != nil {
		t.Fatal(err)
	}
	blobs := p.school.DB.Blobs()
	if blobs.Has(a.Blob) || !blobs.Has(b.Blob) || !blobs.Has(c.Blob) || blobs.Has(x.Blob) {
		t.Fatalf("after prefetch: a %v b %v c %v x %v; want the two newest meant for this school", blobs.Has(a.Blob), blobs.Has(b.Blob), blobs.Has(c.Blob), blobs.Has(x.Blob))
	}
	seen := map[string]bool{}
	docs, err := atSchool.City(ctx, pupil)
	for _, d := range docs {
		seen[d.ID] = true
	}
	if err != nil || !seen[a.ID] || !seen[b.ID] || !seen[c.ID] || seen[x.ID] {
		t.Errorf("the pupil sees %v %v: want a, b and c, not the one for another school", seen, err)
	}

	open := func(d documents.Document) (string, error) {
		t.Helper()
		_, f, err := atSchool.Open(ctx, pupil, d.ID)
		if err != nil {
			return "", err
		}
		defer f.Close()
		data, _ := io.ReadAll(f)
		return string(data), nil
	}
	down := func() {
		client.UseTransport(roundTrip(func(*http.Request) (*http.Response, error) { return nil, errors.New("link down") }))
	}
	up := func() { client.UseTransport(http.DefaultTransport.(*http.Transport).Clone()) }

	down()
	if got, err := open(c); err != nil || got != strings.Repeat("c", 40) {
		t.Errorf("link down, a cached file: %q %v", got, err)
	}
	if _, err := open(a); !errors.Is(err, apperr.ErrUnavailable) || !strings.Contains(err.Error(), "disponible quand la connexion revient") {
		t.Errorf("link down, a file not here: %v; want « disponible quand la connexion revient »", err)
	}

	up()
	if got, err := open(a); err != nil || got != strings.Repeat("a", 40) {
		t.Fatalf("link up, a file not here is fetched when opened: %q %v", got, err)
	}
	if blobs.Has(b.Blob) || !blobs.Has(c.Blob) {
		t.Errorf("to make room, b (never opened) leaves and c (just opened) stays: b %v c %v", blobs.Has(b.Blob), blobs.Has(c.Blob))
	}
	usage, err := client.CacheUsage(ctx)
	if err != nil || usage.Max != 100 || usage.Used != 80 || slices.ContainsFunc(usage.Files, func(f feature.CachedFile) bool { return f.Hash == x.Blob }) {
		t.Errorf("cache usage %+v %v; want 80 of 100 bytes, not the file for another school", usage, err)
	}

	down()
	if _, err := open(b); !errors.Is(err, apperr.ErrUnavailable) {
		t.Errorf("link down, the evicted file: %v", err)
	}
	up()
	if got, err := open(b); err != nil || got != strings.Repeat("b", 40) {
		t.Errorf("link up, the evicted file comes back: %q %v", got, err)
	}

	// A teacher's copy into a class is the school's for good: the cache
	// never evicts its file, though the city's row's use is old.
	copied, err := atSchool.Copy(ctx, teacher, c.ID, class.ID)
	if err != nil || copied.City() {
		t.Fatalf("copy: %+v %v", copied, err)
	}
	client.SetCacheMax(40)
	if _, err := open(a); err != nil {
		t.Fatal(err)
	}
	if !blobs.Has(c.Blob) {
		t.Errorf("the file of a class's copy was evicted")
	}
}
