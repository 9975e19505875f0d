package roster_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/text/encoding/charmap"

	"preau/appliance/apptest"
	"preau/appliance/auth"
)

// A file for the demo school: two new CP pupils and a CM1 one, the parents
// of the CP pupils (one also of Léa, already at school), a parent already
// known, a new teacher and the existing CE1 pupil Léa.
const goodFile = "Profil;Prénom;Nom;Classe;Enfants;E-mail;Identifiant\n" +
	"élève;Zoé;Lefèvre;CP;;;\n" +
	"élève;Malo;Durand;CP;;;\n" +
	"élève;Inès;Garnier;CM1;;;ines.g\n" +
	"parent;Marc;Lefèvre;;Zoé Lefèvre|Léa Martin;marc.lefevre@famille.example;\n" +
	"parent;Julie;Durand;;Malo Durand;;\n" +
	"parent;Sophie;Martin;;Léa Martin;;\n" +
	"enseignant;Anne;Roy;CM1|CM2;;;\n" +
	"élève;Léa;Martin;CE1;;;\n"

// preview uploads a file and parses the preview page, which must answer 200.
func preview(t *testing.T, a *apptest.App, c *http.Client, data []byte) *goquery.Document {
	t.Helper()
	resp, body := upload(t, a, c, "/import", data, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("preview: %d\n%.800s", resp.StatusCode, body)
	}
	return parse(t, body)
}

// results maps each previewed line number to its row's class and result.
func results(doc *goquery.Document) map[string][2]string {
	out := map[string][2]string{}
	doc.Find("#apercu tbody tr").Each(func(_ int, s *goquery.Selection) {
		line, _ := s.Attr("data-line")
		class, _ := s.Attr("class")
		out[line] = [2]string{class, text(s.Find(".result strong"))}
	})
	return out
}

// confirm posts the preview's confirmation form as a browser would.
func confirm(t *testing.T, a *apptest.App, c *http.Client, doc *goquery.Document) (*http.Response, string) {
	t.Helper()
	form := doc.Find("form#confirmer")
	if form.Length() != 1 {
		t.Fatal("the preview has no confirmation form")
	}
	v := url.Values{}
	form.Find("input[type=hidden]").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		value, _ := s.Attr("value")
		v.Set(name, value)
	})
	return a.PostForm(c, "/import/confirmer", v)
}

func TestImportPreviewNamesEveryProblemAndWritesNothing(t *testing.T) {
	a := newApp(t)
	c := a.ClientAs("directeur")
	before := countUsers(t, a)
	file := "profil;prénom;nom;classe;enfants;email\n" +
		"élève;Zoé;Lefèvre;CP;;\n" + // 2: fine
		"élève;Noah;Morel;CE3;;\n" + // 3
		"élève;Adam;;CP;;\n" + // 4
		"élève;Zoé;Lefèvre;CP;;\n" + // 5: same as 2
		"parent;Marc;Lefèvre;;Zoé Lefèvre|Tom Inconnu;\n" + // 6
		"prof;Anne;Roy;CP;;\n" + // 7
		"élève;\"Ma\"lo;Durand;CP;;\n" + // 8
		"élève;Léa;Martin;CE1;;\n" // 9: already there
	doc := preview(t, a, c, []byte(file))
	want := map[string][2]string{
		"2": {"new", "à créer"},
		"3": {"bad", "classe inconnue « CE3 »"},
		"4": {"bad", "nom manquant"},
		"5": {"bad", "doublon de la ligne 2"},
		"6": {"bad", "enfant introuvable « Tom Inconnu »"},
		"7": {"bad", "profil inconnu « prof » (élève, parent ou enseignant)"},
		"8": {"bad", "ligne mal formée : guillemets mal placés"},
		"9": {"skip", "déjà présent : ignoré"},
	}
	got := results(doc)
	for line, w := range want {
		if got[line] != w {
			t.Errorf("line %s: %q, want %q", line, got[line], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d lines previewed, want %d", len(got), len(want))
	}
	if doc.Find("form#confirmer, form[action='/import/confirmer']").Length() != 0 {
		t.Error("a file with errors can be confirmed")
	}
	if !strings.Contains(text(doc.Find("#a-corriger")), "corrigez le fichier") {
		t.Errorf("no advice to fix the file: %q", text(doc.Find("#a-corriger")))
	}
	if text(doc.Find(`[data-count=invalid]`)) != "6" || text(doc.Find(`[data-count=create]`)) != "1" {
		t.Errorf("summary: %q", text(doc.Find("#resume")))
	}
	if after := countUsers(t, a); after != before {
		t.Errorf("the preview wrote accounts: %d → %d", before, after)
	}

	// Posting the file to the confirmation directly is refused too.
	resp, body := a.PostForm(c, "/import/confirmer", url.Values{"contenu": {file}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(text(parse(t, body).Find(".error")), "rien n'a été importé") {
		t.Errorf("confirming a bad file: %d", resp.StatusCode)
	}
	if after := countUsers(t, a); after != before {
		t.Errorf("a bad file was imported: %d → %d", before, after)
	}
}

func TestImportConfirmWritesAllAndPrintsCredentials(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	c := a.ClientAs("directeur")
	before := countUsers(t, a)
	doc := preview(t, a, c, []byte(goodFile))
	got := results(doc)
	for line, w := range map[string][2]string{
		"2": {"new", "à créer"}, "3": {"new", "à créer"}, "4": {"new", "à créer"}, "5": {"new", "à créer"},
		"6": {"new", "à créer"}, "7": {"skip", "déjà présent : ignoré"}, "8": {"new", "à créer"}, "9": {"skip", "déjà présent : ignoré"},
	} {
		if got[line] != w {
			t.Errorf("line %s: %q, want %q", line, got[line], w)
		}
	}
	if after := countUsers(t, a); after != before {
		t.Fatalf("the preview wrote accounts: %d → %d", before, after)
	}

	resp, body := confirm(t, a, c, doc)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("confirm: %d\n%.800s", resp.StatusCode, body)
	}
	if after := countUsers(t, a); after != before+6 {
		t.Fatalf("%d accounts created, want 6", after-before)
	}
	doc = parse(t, body)

	// One printable sheet per class, then the parents, then the teachers.
	var sheets []string
	doc.Find("section.class-sheet").Each(func(_ int, s *goquery.Selection) { sheets = append(sheets, text(s.Find("h2"))) })
	if strings.Join(sheets, "|") != "Classe CP|Classe CM1|Parents|Enseignants" {
		t.Errorf("sheets %q", sheets)
	}
	if doc.Find("#classe-"+classID(t, a, "CP")+" .logincard").Length() != 2 {
		t.Error("the CP sheet has not its 2 new pupils")
	}
	if !strings.Contains(text(doc.Find(".classroom-warning")), "ne seront plus jamais affichés") {
		t.Error("the page does not say the passwords are shown once")
	}
	if doc.Find("button[data-print]").Length() != 1 || doc.Find(`script[src="/assets/js/print.js"]`).Length() != 1 {
		t.Error("no print button")
	}
	cards := 0
	doc.Find(".logincard").Each(func(_ int, s *goquery.Selection) {
		cards++
		u := login(t, a, text(s.Find(".login")), text(s.Find(".password")))
		var pics []string
		s.Find(".pictures li").Each(func(_ int, li *goquery.Selection) {
			k, _ := li.Attr("data-picture")
			pics = append(pics, k)
		})
		young := u.Profile == auth.Pupil && u.LastName != "Garnier"
		if young != (len(pics) == 3) {
			t.Errorf("%s: pictures %v", u.DisplayName, pics)
		}
		if young {
			if _, err := a.Auth.LoginPicture(ctx, u.ID, sequence(t, pics), "127.0.0.1"); err != nil {
				t.Errorf("%s: the pictures shown do not log in: %v", u.DisplayName, err)
			}
		}
		if u.MustChange == young {
			t.Errorf("%s: must change %v", u.DisplayName, u.MustChange)
		}
	})
	if cards != 6 {
		t.Errorf("%d credential cards, want 6", cards)
	}

	// The links: Marc is parent of the new Zoé and of Léa; Anne teaches CM1 and CM2.
	marc := a.User("marc.lefevre")
	kids, _ := a.Register.Children(ctx, marc.ID)
	if len(kids) != 2 || marc.Email != "marc.lefevre@famille.example" {
		t.Errorf("Marc: %+v, children %v", marc, kids)
	}
	if cs, _ := a.Register.UserClasses(ctx, a.User("anne.roy").ID); len(cs) != 2 {
		t.Errorf("Anne teaches %d classes", len(cs))
	}
	if ines := a.User("ines.g"); ines.DisplayName != "Inès Garnier" {
		t.Errorf("chosen login: %+v", ines)
	}

	// The same file again creates nothing.
	doc = preview(t, a, c, []byte(goodFile))
	for line, r := range results(doc) {
		if r != [2]string{"skip", "déjà présent : ignoré"} {
			t.Errorf("second import, line %s: %q", line, r)
		}
	}
	if doc.Find("form#confirmer").Length() != 0 {
		t.Error("a file with nothing new can be confirmed")
	}
	created := countUsers(t, a)
	resp, body = a.PostForm(c, "/import/confirmer", url.Values{"contenu": {goodFile}})
	if resp.StatusCode != http.StatusOK || countUsers(t, a) != created {
		t.Errorf("confirming the same file again: %d, %d accounts → %d", resp.StatusCode, created, countUsers(t, a))
	}
	if n := parse(t, body).Find(".logincard").Length(); n != 0 {
		t.Errorf("%d credentials printed for a second import", n)
	}
}

// A parent already known gets the child of a later file; a teacher, a class.
func TestImportCompletesExistingAccounts(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	c := a.ClientAs("directeur")
	file := "profil;prénom;nom;classe;enfants;email\n" +
		"élève;Jade;Martin;CP;;\n" +
		"parent;Sophie;Martin;;Léa Martin|Jade Martin;\n" +
		"enseignant;Hélène;Roux;CP|CE2;;\n"
	doc := preview(t, a, c, []byte(file))
	got := results(doc)
	if got["3"] != [2]string{"update", "déjà présent : à rattacher à Jade Martin"} || got["4"] != [2]string{"update", "déjà présent : à ajouter en CE2"} {
		t.Fatalf("preview: %q", got)
	}
	before := countUsers(t, a)
	if resp, body := confirm(t, a, c, doc); resp.StatusCode != http.StatusOK {
		t.Fatalf("confirm: %d\n%.500s", resp.StatusCode, body)
	}
	if countUsers(t, a) != before+1 {
		t.Errorf("%d accounts created, want Jade only", countUsers(t, a)-before)
	}
	if kids, _ := a.Register.Children(ctx, a.User("parent").ID); len(kids) != 3 {
		t.Errorf("Sophie Martin has %d children, want 3", len(kids))
	}
	if cs, _ := a.Register.UserClasses(ctx, a.User("helene.roux").ID); len(cs) != 2 {
		t.Errorf("Hélène teaches %d classes, want CP and CE2", len(cs))
	}
}

func TestImportRefusesMalformedFiles(t *testing.T) {
	a := newApp(t)
	c := a.ClientAs("directeur")
	before := countUsers(t, a)
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"binary", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"), "données binaires"},
		{"workbook", []byte("PK\x03\x04\x14\x00\x06\x00\x08\x00"), "classeur"},
		{"no header", []byte("élève;Zoé;Lefèvre;CP\n"), "en-tête"},
		{"wrong columns", []byte("name;surname;class\nZoé;Lefèvre;CP\n"), "en-tête"},
		{"missing column", []byte("profil;prénom;classe\nélève;Zoé;CP\n"), "colonne obligatoire absente de l'en-tête : « nom »"},
		{"empty", nil, "vide"},
		{"too large", []byte("profil;prénom;nom\n" + strings.Repeat("élève;Zoé;Lefèvre\n", 1<<20/18+1000)), "trop volumineux"},
	} {
		resp, body := upload(t, a, c, "/import", tc.data, nil)
		doc := parse(t, body)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(text(doc.Find(".error")), tc.want) {
			t.Errorf("%s: %d %q, want 400 %q", tc.name, resp.StatusCode, text(doc.Find(".error")), tc.want)
		}
		if doc.Find("form#envoi input[type=file]").Length() != 1 {
			t.Errorf("%s: the upload form is not shown again", tc.name)
		}
	}
	resp, body := a.PostForm(c, "/import/confirmer", url.Values{"contenu": {"n'importe quoi"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "en-tête") {
		t.Errorf("confirming a file without header: %d", resp.StatusCode)
	}
	if resp, _ := a.PostForm(c, "/import", url.Values{}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("no file: %d, want 400", resp.StatusCode)
	}
	if after := countUsers(t, a); after != before {
		t.Errorf("malformed files wrote accounts: %d → %d", before, after)
	}
}

// Excel on a French Windows saves "CSV" in Windows-1252.
func TestImportLatin1(t *testing.T) {
	a := newApp(t)
	c := a.ClientAs("directeur")
	data, err := charmap.Windows1252.NewEncoder().Bytes([]byte("profil;prénom;nom;classe\r\nélève;Zoé;Lefèvre;CE2\r\nenseignant;Gaëlle;Noël;CE2\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	doc := preview(t, a, c, data)
	if got := text(doc.Find(`#apercu tr[data-line="2"] td[data-label=Nom]`)); got != "Zoé Lefèvre" {
		t.Fatalf("decoded name %q", got)
	}
	if resp, body := confirm(t, a, c, doc); resp.StatusCode != http.StatusOK {
		t.Fatalf("confirm: %d\n%.500s", resp.StatusCode, body)
	}
	if u := a.User("zoe.lefevre"); u.DisplayName != "Zoé Lefèvre" {
		t.Errorf("imported %+v", u)
	}
	if u := a.User("gaelle.noel"); u.DisplayName != "Gaëlle Noël" || u.Profile != auth.Teacher {
		t.Errorf("imported %+v", u)
	}
}

func TestImportFormAndTemplate(t *testing.T) {
	a := newApp(t)
	c := a.ClientAs("directeur")
	doc := page(t, a, c, "/import")
	if doc.Find(`form#envoi[enctype="multipart/form-data"] input[type=file][name=fichier]`).Length() != 1 {
		t.Error("no upload form")
	}
	if !strings.Contains(text(doc.Find("#format")), "profil") || !strings.Contains(text(doc.Find(".csv-example")), "Léa Martin|Tom Martin") {
		t.Error("the format is not documented with an example")
	}
	resp, body := a.Get(c, "/import/modele.csv")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("template: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
	}
	if !strings.HasPrefix(body, "\uFEFFprofil;prénom;nom;classe;enfants;email;identifiant\r\n") {
		t.Errorf("template starts %q", body[:min(len(body), 80)])
	}
	// The template describes the demo school: uploaded as is, every line is
	// already there.
	doc = preview(t, a, c, []byte(body))
	for line, r := range results(doc) {
		if r[0] != "skip" {
			t.Errorf("template line %s on the demo school: %q", line, r)
		}
	}
}

// The DSI imports into a school named by "ecole"; a director's "ecole" is
// ignored: they import into their own school.
func TestImportByTheDSIAndPasted(t *testing.T) {
	a := newApp(t)
	if _, err := a.Register.CreateClass(context.Background(), "autre", "CM2 A", "CM2"); err != nil {
		t.Fatal(err)
	}
	file := "profil;prénom;nom;classe\nélève;Nina;Keller;CM2 A\n"
	c := a.ClientAs("dsi")
	resp, body := upload(t, a, c, "/import", []byte(file), map[string]string{"ecole": "autre"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("DSI preview: %d\n%.500s", resp.StatusCode, body)
	}
	doc := parse(t, body)
	if v, _ := doc.Find(`form#confirmer input[name=ecole]`).Attr("value"); v != "autre" {
		t.Errorf("the confirmation loses the school: %q", v)
	}
	if resp, _ := confirm(t, a, c, doc); resp.StatusCode != http.StatusOK || a.User("nina.keller").SchoolID != "autre" {
		t.Fatalf("DSI confirm: %d", resp.StatusCode)
	}

	// Pasted content, and a director naming another school.
	resp, body = a.PostForm(a.ClientAs("directeur"), "/import", url.Values{"contenu": {file}, "ecole": {"autre"}})
	if resp.StatusCode != http.StatusOK || results(parse(t, body))["2"] != [2]string{"bad", "classe inconnue « CM2 A »"} {
		t.Errorf("director's preview: %d %q", resp.StatusCode, results(parse(t, body)))
	}
}
