package appliance_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"preau/appliance/apptest"
	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/store"
)

// The authorization matrix: every route of the appliance × every profile
// (and anonymous), with the status each must get. Each feature adds its rows
// in its own authz_<feature>_test.go through init(); a registered route with
// no row fails TestAuthorizationMatrix.

// authzCase is one route's row.
type authzCase struct {
	Role   string // "central" for routes only central serves; a school otherwise
	Route  string // the pattern exactly as registered: "GET /classes/{id}"
	Path   string // the URL requested; {class}, {pupil}, {teacher}, {parent}, {school} are filled in
	Body   string // url-encoded form, or JSON for /api/ routes
	Expect map[auth.Profile]int
	// Redirect is where anonymous is sent when it gets 303 on a GET: the
	// login page ("") or the start of another path (a public site's own
	// address).
	Redirect string
}

var matrix []authzCase

// The demo login used for each profile.
var profileLogins = map[auth.Profile]string{
	auth.Anonymous: "",
	auth.Pupil:     "eleve",
	auth.Parent:    "parent",
	auth.Teacher:   "enseignant",
	auth.Director:  "directeur",
	auth.DSI:       "dsi",
}

var allProfiles = []auth.Profile{auth.Anonymous, auth.Pupil, auth.Parent, auth.Teacher, auth.Director, auth.DSI}

// expect builds a row's expectations: the allowed profiles get ok; anonymous
// gets anon (a redirect to the login page for pages, 401 for the API and
// forms); every other profile gets 403.
func expect(ok, anon int, allowed ...auth.Profile) map[auth.Profile]int {
	m := map[auth.Profile]int{auth.Anonymous: anon}
	for _, p := range allProfiles[1:] {
		m[p] = http.StatusForbidden
	}
	for _, p := range allowed {
		m[p] = ok
	}
	return m
}

// page: a GET page; anonymous is sent to the login page.
func page(allowed ...auth.Profile) map[auth.Profile]int {
	return expect(http.StatusOK, http.StatusSeeOther, allowed...)
}

// form: a POST from a page that redirects on success; anonymous gets 401.
func form(allowed ...auth.Profile) map[auth.Profile]int {
	return expect(http.StatusSeeOther, http.StatusUnauthorized, allowed...)
}

// api: a JSON route answering ok; anonymous gets 401.
func api(ok int, allowed ...auth.Profile) map[auth.Profile]int {
	return expect(ok, http.StatusUnauthorized, allowed...)
}

// everyone: the same status for all, anonymous included.
func everyone(status int) map[auth.Profile]int {
	m := map[auth.Profile]int{}
	for _, p := range allProfiles {
		m[p] = status
	}
	return m
}

var loggedIn = []auth.Profile{auth.Pupil, auth.Parent, auth.Teacher, auth.Director, auth.DSI}

func init() {
	matrix = append(matrix,
		authzCase{Route: "GET /assets/", Path: "/assets/css/preau.css", Expect: everyone(http.StatusOK)},
		authzCase{Route: "GET /healthz", Path: "/healthz", Expect: everyone(http.StatusOK)},
		// Metrics are the DSI's; a scraper without a session gets 401, not
		// the login page.
		authzCase{Route: "GET /metrics", Path: "/metrics", Expect: api(http.StatusOK, auth.DSI)},
	)
}

// fixture fills a case's placeholders with the demo school's ids.
func fixture(t *testing.T, a *apptest.App) *strings.Replacer {
	ctx := context.Background()
	pupil := a.User("eleve")
	classes, err := a.Register.UserClasses(ctx, pupil.ID)
	if err != nil || len(classes) == 0 {
		t.Fatalf("demo pupil has no class: %v", err)
	}
	var homework string
	if err := a.DB.Reader().QueryRowContext(ctx, "SELECT id FROM homework WHERE deleted = 0 AND class_id = ? ORDER BY due, created_at LIMIT 1",
		classes[0].ID).Scan(&homework); err != nil {
		t.Fatalf("demo homework: %v", err)
	}
	var homeworkFile, homeworkOfFile string
	if err := a.DB.Reader().QueryRowContext(ctx, "SELECT id, homework_id FROM homework_files WHERE deleted = 0 LIMIT 1").
		Scan(&homeworkFile, &homeworkOfFile); err != nil {
		t.Fatalf("demo homework file: %v", err)
	}
	var note string
	if err := a.DB.Reader().QueryRowContext(ctx, "SELECT id FROM liaison_notes WHERE deleted = 0 AND signature = 1 AND class_id = ? LIMIT 1",
		classes[0].ID).Scan(&note); err != nil {
		t.Fatalf("demo liaison note: %v", err)
	}
	var news, newsImage string
	if err := a.DB.Reader().QueryRowContext(ctx, "SELECT id FROM news WHERE deleted = 0 AND audience = 'school' AND school_id = ? LIMIT 1",
		pupil.SchoolID).Scan(&news); err != nil {
		t.Fatalf("demo news: %v", err)
	}
	if err := a.DB.Reader().QueryRowContext(ctx, "SELECT id FROM news WHERE deleted = 0 AND image != '' AND class_id = ? LIMIT 1",
		classes[0].ID).Scan(&newsImage); err != nil {
		t.Fatalf("demo news with a picture: %v", err)
	}
	var notification string
	if err := a.DB.Reader().QueryRowContext(ctx, "SELECT id FROM notifications WHERE deleted = 0 AND user_id = ? LIMIT 1",
		a.User("parent").ID).Scan(&notification); err != nil {
		t.Fatalf("demo notification: %v", err)
	}
	var absence string
	if err := a.DB.Reader().QueryRowContext(ctx, "SELECT id FROM absences WHERE deleted = 0 AND pupil_id = ? LIMIT 1", pupil.ID).
		Scan(&absence); err != nil {
		t.Fatalf("demo absence: %v", err)
	}
	var event string
	if err := a.DB.Reader().QueryRowContext(ctx, "SELECT id FROM events WHERE deleted = 0 AND calendar = 'class' AND class_id = ? LIMIT 1",
		classes[0].ID).Scan(&event); err != nil {
		t.Fatalf("demo event: %v", err)
	}
	var document, documentPicture string
	if err := a.DB.Reader().QueryRowContext(ctx, "SELECT id FROM documents WHERE deleted = 0 AND class_id = ? AND type LIKE 'text/%' LIMIT 1",
		classes[0].ID).Scan(&document); err != nil {
		t.Fatalf("demo document: %v", err)
	}
	if err := a.DB.Reader().QueryRowContext(ctx, "SELECT id FROM documents WHERE deleted = 0 AND class_id = ? AND type = 'image/png' LIMIT 1",
		classes[0].ID).Scan(&documentPicture); err != nil {
		t.Fatalf("demo picture document: %v", err)
	}
	// The city's library holds documents on central only (a school's come by sync).
	var cityDocument string
	a.DB.Reader().QueryRowContext(ctx, "SELECT id FROM documents WHERE deleted = 0 AND scope = 'global' LIMIT 1").Scan(&cityDocument)
	var site, sitePicture string
	if err := a.DB.Reader().QueryRowContext(ctx, "SELECT id FROM sites WHERE deleted = 0 AND class_id = ? AND picture = '' LIMIT 1",
		classes[0].ID).Scan(&site); err != nil {
		t.Fatalf("demo site: %v", err)
	}
	if err := a.DB.Reader().QueryRowContext(ctx, "SELECT id FROM sites WHERE deleted = 0 AND class_id = ? AND picture != '' LIMIT 1",
		classes[0].ID).Scan(&sitePicture); err != nil {
		t.Fatalf("demo site with a picture: %v", err)
	}
	mailCopy, mailFolder := mailFixture(t, a)
	forum, forumThread, forumPost, forumFile := forumFixture(t, a, classes[0].ID)
	blogPost, blogMedia, blogComment := blogFixture(t, a)
	classPage, pageVersion := pagesFixture(t, a, classes[0].ID)
	if err := a.DB.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO calendar_tokens(user_id, token, created_at) VALUES (?, 'jeton-de-test', '2026-12-03T08:00:00Z')",
			a.User("parent").ID)
		return err
	}); err != nil {
		t.Fatalf("a feed token: %v", err)
	}
	pairs := []string{
		"{announcement}", announcementFixture(t, a),
		"{forum_thread}", forumThread,
		"{forum_post}", forumPost,
		"{forum_file}", forumFile,
		"{forum}", forum,
		"{blog_post}", blogPost, "{blog_media}", blogMedia, "{blog_comment}", blogComment,
		"{mail_folder}", mailFolder,
		"{page_version}", pageVersion,
		"{page}", classPage,
		"{mail}", mailCopy,
		"{site_picture}", sitePicture,
		"{site}", site,
		"{document_picture}", documentPicture,
		"{city_document}", cityDocument,
		"{document}", document,
		"{event}", event,
		"{absence}", absence,
		"{notification}", notification,
		"{news_image}", newsImage,
		"{news}", news,
		"{note}", note,
		"{homework_file}", homeworkFile,
		"{homework_of_file}", homeworkOfFile,
		"{homework}", homework,
		"{class}", classes[0].ID,
		"{pupil}", pupil.ID,
		"{teacher}", a.User("helene.roux").ID,
		"{parent}", a.User("parent").ID,
		"{school}", pupil.SchoolID,
	}
	pairs = append(pairs, minisitesFixture(t, a, classes[0].ID)...)
	pairs = append(pairs, requestsFixture(t, a)...)
	pairs = append(pairs, updateFixture(t, a)...)
	return strings.NewReplacer(pairs...)
}

// matrixTemplate is a data directory of the role with the demo school; on a
// school, a DSI account is added (central's demo has one). features are
// added to the node's own.
func matrixTemplate(t *testing.T, role string, features ...feature.Feature) *apptest.Template {
	return apptest.NewTemplate(t, apptest.Options{Role: role, Features: features}, func(a *apptest.App) {
		if role == "central" {
			return
		}
		if _, err := a.Auth.CreateUser(context.Background(), auth.NewUser{Login: "dsi", Display: "DSI", Profile: auth.DSI, Password: "demo"}); err != nil {
			t.Fatal(err)
		}
	})
}

// matrixTemplates are a school's and central's.
func matrixTemplates(t *testing.T, features ...feature.Feature) map[string]*apptest.Template {
	return map[string]*apptest.Template{"": matrixTemplate(t, "", features...), "central": matrixTemplate(t, "central", features...)}
}

func TestAuthorizationMatrix(t *testing.T) {
	templates := matrixTemplates(t)
	if missing := missingRows(t, templates, matrix); len(missing) > 0 {
		t.Errorf("routes with no row in the authorization matrix:\n  %s", strings.Join(missing, "\n  "))
	}
	runMatrix(t, templates, matrix)
}

// missingRows lists the routes a school or central registers with no row
// for that role (central's rows cover only what a school does not serve),
// and fails on a row for a route the role does not register.
func missingRows(t *testing.T, templates map[string]*apptest.Template, rows []authzCase) []string {
	t.Helper()
	school, central := routeSet(templates[""].New(t)), routeSet(templates["central"].New(t))
	covered := map[string]bool{}
	for _, c := range rows {
		covered[c.Role+" "+c.Route] = true
		set := school
		if c.Role == "central" {
			set = central
		}
		if !set[c.Route] {
			t.Errorf("matrix row for %q, which a %q node does not register", c.Route, c.Role)
		}
	}
	var missing []string
	for r := range school {
		if !covered[" "+r] {
			missing = append(missing, r)
		}
	}
	for r := range central {
		if !school[r] && !covered["central "+r] {
			missing = append(missing, "central: "+r)
		}
	}
	sort.Strings(missing)
	return missing
}

// runMatrix requests each row's route as every profile and checks the
// status each gets.
func runMatrix(t *testing.T, templates map[string]*apptest.Template, rows []authzCase) {
	for _, c := range rows {
		t.Run(c.Role+" "+c.Route, func(t *testing.T) {
			// A fresh appliance per route: a POST by one profile must not
			// change what the next one sees.
			a := templates[c.Role].New(t)
			fill := fixture(t, a)
			path := fill.Replace(c.Path)
			body := fill.Replace(c.Body)
			method, _, _ := strings.Cut(c.Route, " ")
			for _, p := range allProfiles {
				want, ok := c.Expect[p]
				if !ok {
					t.Fatalf("no expectation for profile %s", p)
				}
				client := a.ClientAs(profileLogins[p])
				ctype := ""
				if body != "" {
					ctype = "application/x-www-form-urlencoded"
					if strings.HasPrefix(path, "/api/") {
						ctype = "application/json"
					}
				}
				resp, text := a.Do(client, method, path, ctype, body)
				checkSecureHeaders(t, fmt.Sprintf("%s as %s", path, p), resp)
				if resp.StatusCode != want {
					t.Errorf("%s as %s: status %d, want %d\n%.300s", path, p, resp.StatusCode, want, text)
				}
				if want == http.StatusSeeOther && p == auth.Anonymous && method == http.MethodGet {
					loc, _ := url.Parse(resp.Header.Get("Location"))
					switch {
					case c.Redirect == "" && (loc == nil || loc.Path != "/connexion"):
						t.Errorf("%s as anonymous: redirected to %q, want the login page", path, resp.Header.Get("Location"))
					case c.Redirect != "" && (loc == nil || !strings.HasPrefix(loc.Path, c.Redirect)):
						t.Errorf("%s as anonymous: redirected to %q, want %s…", path, resp.Header.Get("Location"), c.Redirect)
					}
				}
			}
		})
	}
}

func routeSet(a *apptest.App) map[string]bool {
	set := map[string]bool{}
	for _, r := range a.Web.Routes() {
		set[r.Pattern] = true
	}
	return set
}

// Cross-site form posts are refused before any handler runs.
func TestCrossOriginPostRefused(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	req, _ := http.NewRequest(http.MethodPost, a.URL+"/deconnexion", strings.NewReader(""))
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "http://evil.example")
	resp, err := a.ClientAs("directeur").Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site POST: status %d, want 403", resp.StatusCode)
	}
}
