package loadtest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"preau/appliance/apptest"
	"preau/appliance/auth"
	"preau/appliance/config"
	"preau/appliance/loadtest"
	"preau/appliance/store"
	"preau/appliance/web"
)

// BenchmarkHasherVerify is one argon2id password check (19 MiB, 2 passes):
// the unit of the login-burst floor.
func BenchmarkHasherVerify(b *testing.B) {
	ctx := context.Background()
	h := auth.NewHasher(1)
	enc, err := h.Hash(ctx, burstPassword)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if ok, err := h.Verify(ctx, enc, burstPassword); !ok || err != nil {
			b.Fatalf("verify: %v %v", ok, err)
		}
	}
}

// BenchmarkStoreWrite is one write transaction through the single writer:
// opening a session, what every login writes.
func BenchmarkStoreWrite(b *testing.B) {
	a := apptest.New(b, apptest.Options{})
	u := a.User("eleve")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.Auth.NewSession(ctx, u, "127.0.0.1"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStoreWriteEmpty is the fixed cost of a write transaction: begin,
// clock, commit, with nothing written by the caller.
func BenchmarkStoreWriteEmpty(b *testing.B) {
	a := apptest.New(b, apptest.Options{})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := a.DB.Write(ctx, func(*store.Tx) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSessionLookup is what every authenticated request pays before
// its handler: the session and its user.
func BenchmarkSessionLookup(b *testing.B) {
	a := apptest.New(b, apptest.Options{})
	tok := a.Token("enseignant")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.Auth.Session(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTemplateRender renders the error page through the layout, with
// no store access: template execution alone.
func BenchmarkTemplateRender(b *testing.B) {
	a := apptest.New(b, apptest.Options{})
	req := httptest.NewRequest(http.MethodGet, "/nulle-part", nil)
	data := map[string]any{"Status": http.StatusNotFound, "Message": "cette page n'existe pas"}
	b.ReportAllocs()
	for b.Loop() {
		a.Web.Render(httptest.NewRecorder(), req, "error", "Erreur", data)
	}
}

// BenchmarkDashboardInProcess is a teacher's /accueil through the whole
// middleware chain without the network: session, queries, template.
func BenchmarkDashboardInProcess(b *testing.B) {
	a := apptest.New(b, apptest.Options{})
	homeLoop(b, a.Web.Handler(), a.Token("enseignant"))
}

// homeLoop is the benchmark's loop over the home page of the session tok.
func homeLoop(b *testing.B, h http.Handler, tok string) {
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, web.HomePath, nil)
		req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: tok})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

// BenchmarkDashboardLanguage is BenchmarkDashboardInProcess in each
// language, in the same run: what speaking through the catalogue costs a
// page, and whether Arabic costs more than French (issue 9: within 10 %).
func BenchmarkDashboardLanguage(b *testing.B) {
	a := apptest.New(b, apptest.Options{})
	tok := a.Token("enseignant")
	h := a.Web.Handler()
	for _, lang := range []string{"fr", "en", "ar"} {
		get := func() *httptest.ResponseRecorder {
			req := httptest.NewRequest(http.MethodGet, web.HomePath, nil)
			req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: tok})
			req.Header.Set("Accept-Language", lang)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			return rec
		}
		if rec := get(); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `lang="`+lang+`"`) {
			b.Fatalf("status %d, not in %s", rec.Code, lang)
		}
		b.Run(lang, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if rec := get(); rec.Code != http.StatusOK {
					b.Fatalf("status %d", rec.Code)
				}
			}
		})
	}
}

// BenchmarkSchoolYearInProcess is each profile's /accueil on a school
// year of data, through the whole chain without the network: what a page
// costs the CPU, the figure behind SchoolYearDashboards' rate.
func BenchmarkSchoolYearInProcess(b *testing.B) {
	dir := b.TempDir()
	cfg, err := config.Load(apptest.ConfigFile(b, dir), map[string]string{"data_dir": apptest.DataDir(dir)})
	if err != nil {
		b.Fatal(err)
	}
	if err := loadtest.SeedSchoolYear(b.Context(), cfg, yearPassword); err != nil {
		b.Fatalf("seed: %v", err)
	}
	a := apptest.New(b, apptest.Options{DataDir: apptest.DataDir(dir), NoDemo: true})
	h := a.Web.Handler()
	for _, who := range []struct{ name, login string }{
		{"pupil", loadtest.YearPupil}, {"parent", loadtest.YearParent}, {"teacher", loadtest.YearTeacher},
	} {
		tok := a.Token(who.login)
		b.Run(who.name, func(b *testing.B) { homeLoop(b, h, tok) })
	}
}
