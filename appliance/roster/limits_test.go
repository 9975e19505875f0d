package roster_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The rules of typed text (package text) through every way a director or
// the DSI types names: the API, the account form, the class form and the
// import. A refused value is answered 400, writes nothing, and the error
// never quotes it whole.

// tooLong is a first name of 101 characters, easy to spot in a message.
var tooLong = strings.Repeat("Zoé", 33) + "ab"

// apiBody is a teacher's account for POST /api/v1/users with these names.
func apiBody(t *testing.T, first, last string) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"first_name": first, "last_name": last, "profile": "teacher", "password": "un-bon-mot-de-passe"})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestAPIRefusesLongAndHiddenNames(t *testing.T) {
	a := newApp(t)
	before := countUsers(t, a)
	for _, tc := range []struct {
		name, first, last, want string
	}{
		{"first name of 101", tooLong, "Roy", "le prénom ne doit pas dépasser 100 caractères (101 saisis)"},
		{"override in the last name", "Anne", "Roy\u202Enimda", "le nom contient un caractère invisible ou de contrôle (U+202E, position 4)"},
		{"isolate in the first name", "\u2066Anne", "Roy", "U+2066"},
		{"newline in the last name", "Anne", "Roy\nAdmin", "le nom doit tenir sur une ligne"},
	} {
		status, out := api(t, a, "directeur", "POST", "/api/v1/users", apiBody(t, tc.first, tc.last))
		var e struct{ Error string }
		json.Unmarshal([]byte(out), &e)
		if status != http.StatusBadRequest || !strings.Contains(e.Error, tc.want) {
			t.Errorf("%s: %d %s, want 400 and %q", tc.name, status, out, tc.want)
		}
		if strings.Contains(e.Error, tooLong) {
			t.Errorf("%s: the error quotes the value whole: %s", tc.name, out)
		}
	}
	// Values checked elsewhere than in the names are not quoted whole either.
	long := strings.Repeat("ecole-", 20)
	for _, body := range []string{
		`{"display_name": "X", "profile": "teacher", "password": "un-bon-mot-de-passe", "school_id": "` + long + `"}`,
		`{"display_name": "X", "profile": "` + long + `", "password": "un-bon-mot-de-passe"}`,
		`{"display_name": "X", "profile": "teacher", "password": "un-bon-mot-de-passe", "email": "` + long + `@"}`,
	} {
		if status, out := api(t, a, "dsi", "POST", "/api/v1/users", body); status != http.StatusBadRequest || strings.Contains(out, long) {
			t.Errorf("%.80s: %d %s, want 400 without the value whole", body, status, out)
		}
	}
	if after := countUsers(t, a); after != before {
		t.Errorf("refused names created accounts: %d → %d", before, after)
	}

	// Every script people's names are written in passes, and 100 characters.
	for _, names := range [][2]string{{"محمد", "بن علي"}, {"Zoé-Léa", "N'Diaye"}, {"Ægir", "Ødegård"}, {"Сергей", "Прокофьев"},
		{"小明", "王"}, {tooLong[:len(tooLong)-1], ""}} {
		if status, out := api(t, a, "directeur", "POST", "/api/v1/users", apiBody(t, names[0], names[1])); status != http.StatusCreated {
			t.Errorf("%s %s: %d %s", names[0], names[1], status, out)
		}
	}
}

func TestAccountFormShowsLengthAndCharacterErrors(t *testing.T) {
	a := newApp(t)
	c := a.ClientAs("directeur")
	before := countUsers(t, a)
	for _, tc := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"first_name": {tooLong}, "last_name": {"Roy"}, "profile": {"teacher"}}, "le prénom ne doit pas dépasser 100 caractères"},
		{url.Values{"first_name": {"Anne"}, "last_name": {"Roy\u202Enimda"}, "profile": {"teacher"}}, "le nom contient un caractère invisible"},
		{url.Values{"first_name": {"Anne"}, "last_name": {"Roy"}, "profile": {"teacher"}, "email": {strings.Repeat("a", 250) + "@x.fr"}},
			"l'adresse e-mail ne doit pas dépasser 254 caractères"},
		{url.Values{"first_name": {"Anne"}, "last_name": {"Roy"}, "profile": {"teacher"}, "login": {"anne." + strings.Repeat("r", 60)}},
			"l'identifiant ne doit pas dépasser 64 caractères"},
	} {
		resp, body := a.PostForm(c, "/comptes", tc.form)
		msg := text(parse(t, body).Find(".error"))
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(msg, tc.want) {
			t.Errorf("%.60v: %d %q, want 400 %q", tc.form, resp.StatusCode, msg, tc.want)
		}
		for _, v := range tc.form {
			if len(v[0]) > 20 && strings.Contains(msg, v[0]) {
				t.Errorf("the error quotes a value whole: %q", msg)
			}
		}
	}
	if after := countUsers(t, a); after != before {
		t.Errorf("refused forms created accounts: %d → %d", before, after)
	}
}

func TestCreateClassRefusesLongAndHiddenNames(t *testing.T) {
	a := newApp(t)
	c := a.ClientAs("directeur")
	count := func() int {
		cs, _ := a.Register.SchoolClasses(context.Background(), a.User("directeur").SchoolID)
		return len(cs)
	}
	before := count()
	for name, want := range map[string]string{
		strings.Repeat("CM2 ", 25) + "B": "le nom de la classe ne doit pas dépasser 100 caractères (101 saisis)",
		"CM2 \u202EB":                    "le nom de la classe contient un caractère invisible",
	} {
		resp, body := a.PostForm(c, "/classes", url.Values{"name": {name}, "level": {"CM2"}})
		msg := text(parse(t, body).Find(".error"))
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(msg, want) || strings.Contains(msg, name) {
			t.Errorf("%q: %d %q, want 400 %q", name, resp.StatusCode, msg, want)
		}
	}
	if after := count(); after != before {
		t.Errorf("refused names created classes: %d → %d", before, after)
	}
}

func TestImportRefusesLongAndHiddenNames(t *testing.T) {
	a := newApp(t)
	c := a.ClientAs("directeur")
	before := countUsers(t, a)
	file := "profil;prénom;nom;classe;enfants;email\n" +
		"élève;Zoé-Léa;N'Diaye;CP;;\n" + // 2: fine
		"élève;Inès;Gar\u202Enier;CP;;\n" + // 3: an override in the last name
		"élève;" + tooLong + ";Durand;CP;;\n" + // 4
		"parent;Marc;Lefèvre;;\u2066Zoé-Léa N'Diaye\u2069;\n" + // 5: isolates in the children cell
		"élève;محمد;بن علي;CP;;\n" // 6: fine
	doc := preview(t, a, c, []byte(file))
	want := map[string][2]string{
		"2": {"new", "à créer"},
		"3": {"bad", "le nom contient un caractère invisible ou de contrôle (U+202E, position 4) : retirez-le"},
		"4": {"bad", "le prénom ne doit pas dépasser 100 caractères (101 saisis)"},
		"5": {"bad", "la case « enfants » contient un caractère invisible ou de contrôle (U+2066, position 1) : retirez-le"},
		"6": {"new", "à créer"},
	}
	got := results(doc)
	for line, w := range want {
		if got[line] != w {
			t.Errorf("line %s: %q, want %q", line, got[line], w)
		}
	}
	if page := doc.Find("#apercu").Text(); strings.Contains(page, tooLong) || strings.ContainsAny(page, "\u202E\u2066\u2069") {
		t.Error("the preview shows a refused value whole")
	}
	if doc.Find("form#confirmer").Length() != 0 {
		t.Error("a file with refused names can be confirmed")
	}
	resp, body := a.PostForm(c, "/import/confirmer", url.Values{"contenu": {file}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(text(parse(t, body).Find(".error")), "rien n'a été importé") {
		t.Errorf("confirming refused names: %d", resp.StatusCode)
	}
	if after := countUsers(t, a); after != before {
		t.Errorf("refused names were imported: %d → %d", before, after)
	}
}
