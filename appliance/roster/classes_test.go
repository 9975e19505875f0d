package roster_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"preau/appliance/apptest"
)

func TestDirectorSeesClassesAndCreatesOne(t *testing.T) {
	a := newApp(t)
	c := a.ClientAs("directeur")
	doc := page(t, a, c, "/classes")
	ce1 := doc.Find(`#classes tr[data-class="` + classID(t, a, "CE1") + `"]`)
	if ce1.Length() != 1 || text(ce1.Find(".count")) != "6" || text(ce1.Find(".teachers")) != "Thomas Lefèvre" {
		t.Errorf("CE1 row: %q", text(ce1))
	}
	if href, _ := ce1.Find("a").Attr("href"); href != "/classes/"+classID(t, a, "CE1") {
		t.Errorf("class link %q", href)
	}
	if n := doc.Find("#classes tbody tr").Length(); n != 5 {
		t.Errorf("%d classes listed, want the demo's 5", n)
	}
	if doc.Find(`#nouvelle-classe form[action="/classes"] select[name=level] option[value="CE2-CM1"]`).Length() != 1 {
		t.Error("no creation form offering double levels")
	}

	helene := a.User("helene.roux")
	resp, body := a.PostForm(c, "/classes", url.Values{"name": {"CE2-CM1 B"}, "level": {"CE2-CM1"}, "teacher": {helene.ID}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/classes" {
		t.Fatalf("create: %d %s\n%.300s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	doc = page(t, a, c, "/classes")
	if !strings.Contains(text(doc.Find(".flash")), "CE2-CM1 B") {
		t.Errorf("flash %q", text(doc.Find(".flash")))
	}
	row := doc.Find("#classes tr").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return text(s.Find("td").First()) == "CE2-CM1 B"
	})
	if row.Length() != 1 || text(row.Find(".teachers")) != "Hélène Roux" || text(row.Find(".count")) != "0" {
		t.Errorf("new class row %q", text(row))
	}
	classes, _ := a.Register.UserClasses(context.Background(), helene.ID)
	if len(classes) != 2 {
		t.Errorf("Hélène teaches %d classes, want CP and the new one", len(classes))
	}
}

func TestCreateClassRefusesBadInput(t *testing.T) {
	a := newApp(t)
	c := a.ClientAs("directeur")
	count := func() int {
		cs, _ := a.Register.SchoolClasses(context.Background(), a.User("directeur").SchoolID)
		return len(cs)
	}
	before := count()
	for _, tc := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"name": {"ce1"}, "level": {"CE1"}}, "existe déjà"},
		{url.Values{"name": {"  "}, "level": {"CE1"}}, "nom de la classe est obligatoire"},
		{url.Values{"name": {"CE3"}, "level": {"CE3"}}, "niveau « CE3 » inconnu"},
		{url.Values{"name": {"CM2 B"}, "level": {"CM2"}, "teacher": {a.User("voisin").ID}}, "n'est pas de l'école"},
	} {
		resp, body := a.PostForm(c, "/classes", tc.form)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%v: status %d, want 400", tc.form, resp.StatusCode)
			continue
		}
		doc := parse(t, body)
		if msg := text(doc.Find(".error")); !strings.Contains(msg, tc.want) {
			t.Errorf("%v: error %q, want %q", tc.form, msg, tc.want)
		}
		if v, _ := doc.Find(`input[name=name]`).Attr("value"); v != tc.form.Get("name") {
			t.Errorf("%v: the form lost the name typed: %q", tc.form, v)
		}
	}
	if after := count(); after != before {
		t.Errorf("refused forms created classes: %d → %d", before, after)
	}
}

func TestTeacherSeesOnlyTheirClasses(t *testing.T) {
	a := newApp(t)
	c := a.ClientAs("enseignant")
	doc := page(t, a, c, "/classes")
	cards := doc.Find("#classes .class-card")
	if cards.Length() != 1 || text(cards.Find("h2")) != "Classe CE1" || cards.AttrOr("href", "") != "/classes/"+classID(t, a, "CE1") {
		t.Errorf("teacher's classes: %q", text(cards))
	}
	if n := cards.Find(".mini-avatars .avatar").Length(); n != 6 {
		t.Errorf("CE1's card shows %d pupils' initials, want its 6", n)
	}
	if doc.Find("#nouvelle-classe, form[action='/classes']").Length() != 0 {
		t.Error("a teacher is offered the creation form")
	}
	if text(doc.Find("h1")) != "Mes classes" {
		t.Errorf("title %q", text(doc.Find("h1")))
	}
	if resp, _ := a.PostForm(c, "/classes", url.Values{"name": {"X"}, "level": {"CP"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("teacher creating a class: %d, want 403", resp.StatusCode)
	}
}

// The register's pages are tiles on the home pages of those who use them,
// in the order they need them.
func TestNavigation(t *testing.T) {
	a := newApp(t)
	nav := func(login string) []string {
		var out []string
		page(t, a, a.ClientAs(login), "/accueil").Find(".tiles a.tile").Each(func(_ int, s *goquery.Selection) {
			href, _ := s.Attr("href")
			out = append(out, text(s.Find(".tile-label"))+" "+href)
		})
		return out
	}
	has := func(items []string, want ...string) {
		t.Helper()
		at := -1
		for _, w := range want {
			found := -1
			for i, it := range items {
				if it == w {
					found = i
				}
			}
			if found <= at {
				t.Errorf("menu %q: %q missing or out of order", items, w)
			}
			at = found
		}
	}
	has(nav("directeur"), "Classes /classes", "Comptes /comptes", "Import /import")
	has(nav("dsi"), "Comptes /comptes")
	has(nav("enseignant"), "Mes classes /classes")
	has(nav("directeur"), "Classes /classes", "Comptes /comptes", "Import /import", "Synchronisation /synchronisation")
	for _, login := range []string{"eleve", "parent"} {
		for _, it := range nav(login) {
			if strings.Contains(it, "/comptes") || strings.Contains(it, "/classes") {
				t.Errorf("%s's menu has %q", login, it)
			}
		}
	}
}

// On central, the DSI picks the school to work on.
func TestDSIChoosesTheSchoolOnCentral(t *testing.T) {
	a := apptest.New(t, apptest.Options{Role: "central"})
	if err := a.Register.CreateSchool(context.Background(), "autre", "École d'à côté"); err != nil {
		t.Fatal(err)
	}
	c := a.ClientAs("dsi")
	for _, path := range []string{"/classes", "/import", "/comptes/nouveau"} {
		doc := page(t, a, c, path)
		links := doc.Find("#ecoles a")
		if links.Length() != 2 {
			t.Fatalf("%s: %d schools offered, want 2", path, links.Length())
		}
		var target string
		links.Each(func(_ int, s *goquery.Selection) {
			if text(s.Find(".school-name")) == "École d'à côté" {
				target, _ = s.Attr("href")
			}
		})
		if target != path+"?ecole=autre" {
			t.Errorf("%s: link %q", path, target)
		}
		doc = page(t, a, c, target)
		if v, _ := doc.Find(`form input[name=ecole]`).Attr("value"); v != "autre" {
			t.Errorf("%s: the form does not keep the school: %q", target, v)
		}
	}
	resp, _ := a.PostForm(c, "/classes", url.Values{"name": {"CP"}, "level": {"CP"}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("creating a class without a school: %d, want 400", resp.StatusCode)
	}
	resp, _ = a.PostForm(c, "/classes", url.Values{"name": {"CP"}, "level": {"CP"}, "ecole": {"autre"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/classes?ecole=autre" {
		t.Errorf("creating a class in the chosen school: %d → %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if cs, _ := a.Register.SchoolClasses(context.Background(), "autre"); len(cs) != 1 {
		t.Errorf("the other school has %d classes", len(cs))
	}
	if resp, _ := a.Get(c, "/classes?ecole=nulle-part"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown school: %d, want 404", resp.StatusCode)
	}
}
