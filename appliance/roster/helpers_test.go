package roster_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"preau/appliance/apptest"
	"preau/appliance/auth"
)

// newApp is the demo school with a DSI account and a second school that has
// one teacher, to check that a director stays in their own school.
func newApp(t *testing.T) *apptest.App {
	t.Helper()
	a := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	if _, err := a.Auth.CreateUser(ctx, auth.NewUser{Login: "dsi", Display: "DSI", Profile: auth.DSI, Password: "demo"}); err != nil {
		t.Fatal(err)
	}
	if err := a.Register.CreateSchool(ctx, "autre", "École d'à côté"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Auth.CreateUser(ctx, auth.NewUser{Login: "voisin", FirstName: "Paul", LastName: "Voisin", Profile: auth.Teacher,
		SchoolID: "autre", Password: "demo-demo"}); err != nil {
		t.Fatal(err)
	}
	return a
}

func parse(t *testing.T, body string) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// page GETs a page that must answer 200 and parses it.
func page(t *testing.T, a *apptest.App, c *http.Client, path string) *goquery.Document {
	t.Helper()
	resp, body := a.Get(c, path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d\n%.500s", path, resp.StatusCode, body)
	}
	return parse(t, body)
}

func text(s *goquery.Selection) string { return strings.Join(strings.Fields(s.Text()), " ") }

// countUsers counts every account, to show that a refused action wrote nothing.
func countUsers(t *testing.T, a *apptest.App) int {
	t.Helper()
	users, err := a.Auth.AllUsers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return len(users)
}

// upload posts a file as the import form does.
func upload(t *testing.T, a *apptest.App, c *http.Client, path string, data []byte, fields map[string]string) (*http.Response, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, err := mw.CreateFormFile("fichier", "eleves.csv")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	return a.Do(c, http.MethodPost, path, mw.FormDataContentType(), buf.String())
}

// classID is the demo school's class of that name.
func classID(t *testing.T, a *apptest.App, name string) string {
	t.Helper()
	classes, err := a.Register.SchoolClasses(context.Background(), a.User("directeur").SchoolID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range classes {
		if c.Name == name {
			return c.ID
		}
	}
	t.Fatalf("no class %s", name)
	return ""
}

// login checks a printed password really logs in.
func login(t *testing.T, a *apptest.App, login, password string) auth.User {
	t.Helper()
	u, err := a.Auth.LoginPassword(context.Background(), login, password, "127.0.0.1")
	if err != nil {
		t.Fatalf("login %s with %q: %v", login, password, err)
	}
	return u
}
