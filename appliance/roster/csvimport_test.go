package roster

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"

	"preau/appliance/auth"
)

const header = "profil;prénom;nom;classe;enfants;email;identifiant\n"

func TestParseCSVRefusesWholeFile(t *testing.T) {
	tooMany := header + strings.Repeat("élève;Léa;Martin;CE1;;;\n", MaxImportLines+1)
	cases := []struct {
		name, data, want string
	}{
		{"empty", "", "le fichier est vide"},
		{"only spaces", " \n\r\n  \n", "le fichier est vide"},
		{"binary", "\x00\x01\x02\xff\xfe\x00junk", "données binaires"},
		{"control characters", "profil;prénom;nom\n\x01\x02\x03;a;b\n", "caractères illisibles à la ligne 2"},
		{"xlsx workbook", "PK\x03\x04\x14\x00\x06\x00rest", "classeur"},
		{"old xls workbook", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "classeur Excel (.xls)"},
		{"pdf", "%PDF-1.4\n", "document PDF"},
		{"no header", "élève;Léa;Martin;CE1\nélève;Tom;Martin;CM2\n", "la première ligne doit être l'en-tête"},
		{"one missing column", "profil;prénom;classe\nélève;Léa;CE1\n", "colonne obligatoire absente de l'en-tête : « nom »"},
		{"missing columns", "profil;classe;enfants\nélève;CE1;\n", "« prénom », « nom »"},
		{"duplicate column", "profil;prénom;nom;Nom\nélève;Léa;Martin;Martin\n", "la colonne « nom » apparaît deux fois"},
		{"header only", header, "ne contient que l'en-tête"},
		{"header and blank lines", header + ";;;;;;\n\n", "ne contient que l'en-tête"},
		{"bad header quotes", "profil;\"prénom;nom\n", "ligne d'en-tête (ligne 1) est mal formée"},
		{"too many lines", tooMany, "trop de lignes"},
		{"too large", header + strings.Repeat("x", MaxImportSize), "trop volumineux"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseCSV([]byte(c.data))
			fe, ok := err.(*FileError)
			if !ok {
				t.Fatalf("err = %v (%T), want a *FileError", err, err)
			}
			if !strings.Contains(fe.Msg.String(), c.want) {
				t.Fatalf("message %q, want it to contain %q", fe.Msg.String(), c.want)
			}
		})
	}
}

func latin1(t *testing.T, s string) []byte {
	b, err := charmap.Windows1252.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func utf16LE(t *testing.T, s string) []byte {
	b, err := xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM).NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The same two people, whatever the encoding, separator and line ends.
func TestParseCSVEncodingsAndSeparators(t *testing.T) {
	const semi = "Profil;Prénom;Nom;Classe\nélève;Léa;Müller;CE1\nenseignant;Hélène;Roux;CP\n"
	cases := []struct {
		name string
		data []byte
	}{
		{"utf-8", []byte(semi)},
		{"utf-8 with BOM", append([]byte("\xEF\xBB\xBF"), semi...)},
		{"windows-1252", latin1(t, semi)},
		{"crlf", []byte(strings.ReplaceAll(semi, "\n", "\r\n"))},
		{"old mac cr", []byte(strings.ReplaceAll(semi, "\n", "\r"))},
		{"comma", []byte(strings.ReplaceAll(semi, ";", ","))},
		{"tab, utf-16 (Excel « texte Unicode »)", utf16LE(t, strings.ReplaceAll(semi, ";", "\t"))},
		{"quoted cells", []byte("\"profil\";\"prénom\";\"nom\";\"classe\"\n\"élève\";\"Léa\";\"Müller\";\"CE1\"\n\"enseignant\";\"Hélène\";\"Roux\";\"CP\"\n")},
		{"upper case, no accents, spaces", []byte(" PROFIL ; PRENOM ; NOM ; CLASSE \nÉLÈVE; Léa ;Müller;CE1\nEnseignant;Hélène;Roux;CP\n")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sheet, err := ParseCSV(c.data)
			if err != nil {
				t.Fatal(err)
			}
			want := []Row{
				{Line: 2, Profile: auth.Pupil, First: "Léa", Last: "Müller", Class: "CE1"},
				{Line: 3, Profile: auth.Teacher, First: "Hélène", Last: "Roux", Class: "CP"},
			}
			if len(sheet.Rows) != len(want) {
				t.Fatalf("%d rows, want %d: %+v", len(sheet.Rows), len(want), sheet.Rows)
			}
			for i, w := range want {
				got := sheet.Rows[i]
				got.ProfileText = ""
				if !reflect.DeepEqual(got, w) {
					t.Errorf("row %d = %+v, want %+v", i, got, w)
				}
			}
			if !strings.Contains(sheet.Text, "Müller") {
				t.Errorf("decoded text lost its accents: %q", sheet.Text)
			}
		})
	}
}

func TestParseCSVLines(t *testing.T) {
	data := "nom;prénom;profil;date de naissance;E-mail;Login\n" +
		"Martin;Léa;élève;2018-03-01;lea@example.fr;lea.m\n" +
		";;;;;\n" +
		"\n" +
		"Petit;\"Tom;Jr\";élève;;;\n" +
		"Roux;\"Hé\"lène;enseignant;;;\n" +
		"Durand;Paul;élève;;;;surplus\n" +
		"Blanc;Rose;élève;;;;;;\n"
	sheet, err := ParseCSV([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(sheet.Ignored) != 1 || sheet.Ignored[0] != "date de naissance" {
		t.Errorf("ignored columns %q", sheet.Ignored)
	}
	want := []struct {
		line          int
		first, email  string
		login, reason string
	}{
		{2, "Léa", "lea@example.fr", "lea.m", ""},
		{5, "Tom;Jr", "", "", ""},
		{6, "", "", "", "ligne mal formée : guillemets mal placés"},
		{7, "", "", "", "ligne mal formée : 7 colonnes au lieu de 6"},
		{8, "Rose", "", "", ""}, // empty trailing cells are no harm
	}
	if len(sheet.Rows) != len(want) {
		t.Fatalf("%d rows, want %d: %+v", len(sheet.Rows), len(want), sheet.Rows)
	}
	for i, w := range want {
		r := sheet.Rows[i]
		if problem := r.Problem.String(); r.Line != w.line || !strings.HasPrefix(problem, w.reason) || (w.reason == "" && r.Problem.Key != "") {
			t.Errorf("row %d: line %d problem %q, want line %d problem %q", i, r.Line, problem, w.line, w.reason)
		}
		if w.reason == "" && (r.First != w.first || r.Email != w.email || r.Login != w.login) {
			t.Errorf("row %d = %+v", i, r)
		}
	}
}

// A school with two classes of CE1 pupils, a parent and a teacher.
func fixture() Existing {
	cp := auth.Class{ID: "c-cp", Name: "CP", Level: "CP"}
	ce1 := auth.Class{ID: "c-ce1", Name: "CE1", Level: "CE1"}
	cm2 := auth.Class{ID: "c-cm2", Name: "CM2 B", Level: "CM2"}
	return Existing{
		Classes: []auth.Class{cp, ce1, cm2},
		Pupils: []Person{
			{ID: "p-lea", First: "Léa", Last: "Martin", ClassIDs: []string{"c-ce1"}},
			{ID: "p-hugo", First: "Hugo", Last: "Moreau", ClassIDs: []string{"c-ce1"}},
			{ID: "p-leo-cp", First: "Léo", Last: "Petit", ClassIDs: []string{"c-cp"}},
			{ID: "p-leo-ce1", First: "Léo", Last: "Petit", ClassIDs: []string{"c-ce1"}},
		},
		Parents: []Person{
			{ID: "u-sophie", First: "Sophie", Last: "Martin", Email: "sophie@famille.fr", ChildIDs: []string{"p-lea"}},
		},
		Teachers: []Person{
			{ID: "t-thomas", First: "Thomas", Last: "Lefèvre", ClassIDs: []string{"c-ce1"}},
		},
		ParentsByEmail: map[string]Person{
			"sophie@famille.fr": {ID: "u-sophie", First: "Sophie", Last: "Martin", Email: "sophie@famille.fr", ChildIDs: []string{"p-lea"}},
			"karim@ailleurs.fr": {ID: "u-karim", First: "Karim", Last: "Benali", Email: "karim@ailleurs.fr"},
		},
		Logins: map[string]string{"eleve": "p-lea", "directeur": "u-dir"},
	}
}

type wantLine struct {
	outcome Outcome
	message string // the whole message, or its start when it ends with "…"
}

func TestMakePlan(t *testing.T) {
	cases := []struct {
		name  string
		lines []string // after the header
		want  []wantLine
	}{
		{"new pupil", []string{"élève;Zoé;Fournier;CE1;;;"}, []wantLine{{Create, "à créer"}}},
		{"existing pupil, any case and accents", []string{"ELEVE;lea;MARTIN;ce1;;;"}, []wantLine{{Present, "déjà présent : ignoré"}}},
		{"same name in another class", []string{"élève;Léa;Martin;CP;;;"}, []wantLine{{Create, "à créer"}}},
		{"unknown class", []string{"élève;Zoé;Fournier;CE3;;;"}, []wantLine{{Invalid, "classe inconnue « CE3 »"}}},
		{"missing class", []string{"élève;Zoé;Fournier;;;;"}, []wantLine{{Invalid, "classe manquante"}}},
		{"two classes for a pupil", []string{"élève;Zoé;Fournier;CP|CE1;;;"}, []wantLine{{Invalid, "un élève n'a qu'une classe"}}},
		{"missing names", []string{"élève;;Fournier;CE1;;;", "élève;Zoé;;CE1;;;", "élève;;;CE1;;;"},
			[]wantLine{{Invalid, "prénom manquant"}, {Invalid, "nom manquant"}, {Invalid, "prénom manquant ; nom manquant"}}},
		{"profiles", []string{"prof;Anne;Roy;;;;", ";Anne;Roy;;;;", "Enseignante;Anne;Roy;;;;"},
			[]wantLine{{Invalid, "profil inconnu « prof » (élève, parent ou enseignant)"}, {Invalid, "profil manquant"}, {Create, "à créer"}}},
		{"duplicate pupil", []string{"élève;Zoé;Fournier;CE1;;;", "élève;Noah;Morel;CE1;;;", "élève;ZOÉ;fournier;ce1;;;"},
			[]wantLine{{Create, "à créer"}, {Create, "à créer"}, {Invalid, "doublon de la ligne 2"}}},
		{"same name, two classes", []string{"élève;Zoé;Fournier;CE1;;;", "élève;Zoé;Fournier;CP;;;"},
			[]wantLine{{Create, "à créer"}, {Create, "à créer"}}},
		{"parent of a pupil of the file", []string{"parent;Nadia;Fournier;;Zoé Fournier;;", "élève;Zoé;Fournier;CE1;;;"},
			[]wantLine{{Create, "à créer"}, {Create, "à créer"}}},
		{"parent naming last name first", []string{"parent;Nadia;Fournier;;FOURNIER Zoé;;", "élève;Zoé;Fournier;CE1;;;"},
			[]wantLine{{Create, "à créer"}, {Create, "à créer"}}},
		{"parent of an existing pupil", []string{"parent;Marc;Moreau;;Hugo Moreau;;"}, []wantLine{{Create, "à créer"}}},
		{"child not found", []string{"parent;Marc;Moreau;;Hugo Moreau|Zoé Inconnue;;"},
			[]wantLine{{Invalid, "enfant introuvable « Zoé Inconnue »"}}},
		{"no children", []string{"parent;Marc;Moreau;;;;"}, []wantLine{{Invalid, "enfants manquants…"}}},
		{"ambiguous child", []string{"parent;Anne;Petit;;Léo Petit;;"}, []wantLine{{Invalid, "enfant ambigu « Léo Petit »…"}}},
		{"child with class", []string{"parent;Anne;Petit;;Léo Petit (CP);;"}, []wantLine{{Create, "à créer"}}},
		{"existing parent by name and child", []string{"parent;Sophie;Martin;;Léa Martin;;"}, []wantLine{{Present, "déjà présent : ignoré"}}},
		{"existing parent gets a new child", []string{"parent;Sophie;Martin;;Léa Martin|Tom Martin;;", "élève;Tom;Martin;CM2 B;;;"},
			[]wantLine{{Update, "déjà présent : à rattacher à Tom Martin"}, {Create, "à créer"}}},
		{"existing parent by address", []string{"parent;S.;Martin-Durand;;Léa Martin;SOPHIE@famille.fr;"}, []wantLine{{Present, "déjà présent : ignoré"}}},
		{"parent of another school", []string{"parent;Karim;Benali;;Hugo Moreau;karim@ailleurs.fr;"},
			[]wantLine{{Update, "déjà présent : à rattacher à Hugo Moreau"}}},
		{"same name, other child: another parent", []string{"parent;Sophie;Martin;;Hugo Moreau;;"}, []wantLine{{Create, "à créer"}}},
		{"duplicate parent", []string{"parent;Marc;Moreau;;Hugo Moreau;;", "parent;Marc;Moreau;;Léa Martin;;"},
			[]wantLine{{Create, "à créer"}, {Invalid, "doublon de la ligne 2 : mettez tous ses enfants sur une seule ligne…"}}},
		{"same name, two addresses: two parents", []string{"parent;Marc;Moreau;;Hugo Moreau;a@x.fr;", "parent;Marc;Moreau;;Léa Martin;b@x.fr;"},
			[]wantLine{{Create, "à créer"}, {Create, "à créer"}}},
		{"bad address", []string{"parent;Marc;Moreau;;Hugo Moreau;marc@;"}, []wantLine{{Invalid, "adresse e-mail invalide « marc@ »"}}},
		{"new teacher", []string{"enseignant;Anne;Roy;CP|CE1;;;"}, []wantLine{{Create, "à créer"}}},
		{"existing teacher", []string{"enseignant;Thomas;Lefevre;CE1;;;"}, []wantLine{{Present, "déjà présent : ignoré"}}},
		{"existing teacher, new class", []string{"enseignant;Thomas;Lefèvre;CE1|CP;;;"}, []wantLine{{Update, "déjà présent : à ajouter en CP"}}},
		{"teacher, unknown class", []string{"enseignant;Anne;Roy;CP|CE9;;;"}, []wantLine{{Invalid, "classe inconnue « CE9 »"}}},
		{"logins", []string{"élève;A;A;CE1;;;eleve", "élève;B;B;CE1;;;Bé.b", "élève;C;C;CE1;;;c.c", "élève;D;D;CE1;;;C.C", "élève;Léa;Martin;CE1;;;directeur"},
			[]wantLine{{Invalid, "identifiant « eleve » déjà utilisé"}, {Invalid, "identifiant « Bé.b » invalide…"},
				{Create, "à créer"}, {Invalid, "identifiant « C.C » déjà choisi à la ligne 4"}, {Present, "déjà présent : ignoré"}}},
		{"malformed line", []string{"élève;\"Zo\"é;Fournier;CE1;;;"}, []wantLine{{Invalid, "ligne mal formée : guillemets mal placés"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sheet, err := ParseCSV([]byte(header + strings.Join(c.lines, "\n")))
			if err != nil {
				t.Fatal(err)
			}
			p := MakePlan(sheet, fixture())
			if len(p.Lines) != len(c.want) {
				t.Fatalf("%d lines, want %d", len(p.Lines), len(c.want))
			}
			invalid := 0
			for i, w := range c.want {
				l := p.Lines[i]
				prefix, partial := strings.CutSuffix(w.message, "…")
				if msg := l.Message.String(); l.Outcome != w.outcome || (partial && !strings.HasPrefix(msg, prefix)) || (!partial && msg != w.message) {
					t.Errorf("line %d: %d %q, want %d %q", l.Line, l.Outcome, msg, w.outcome, w.message)
				}
				if w.outcome == Invalid {
					invalid++
				}
			}
			if p.Invalid != invalid || p.OK() != (invalid == 0) {
				t.Errorf("plan counts %d invalid (OK %v), want %d", p.Invalid, p.OK(), invalid)
			}
		})
	}
}

// What a plan resolves: the classes and children each line links to.
func TestMakePlanResolves(t *testing.T) {
	data := header +
		"parent;Nadia;Fournier;;Zoé Fournier|Hugo Moreau;;\n" +
		"élève;Zoé;Fournier;CE1;;;\n" +
		"parent;Sophie;Martin;;Léa Martin (CE1)|Zoé Fournier;;\n" + // a second Léa comes in CP
		"élève;Léa;Martin;CP;;;\n" +
		"enseignant;Thomas;Lefèvre;CE1|CM2 B;;;\n"
	sheet, err := ParseCSV([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	p := MakePlan(sheet, fixture())
	if !p.OK() || p.Create != 3 || p.Update != 2 || p.Present != 0 {
		t.Fatalf("plan: %+v", p)
	}
	nadia, zoe, sophie, lea, thomas := p.Lines[0], p.Lines[1], p.Lines[2], p.Lines[3], p.Lines[4]
	if len(nadia.ChildRefs) != 2 || nadia.ChildRefs[0].Line != 1 || nadia.ChildRefs[0].ID != "" || nadia.ChildRefs[1].ID != "p-hugo" {
		t.Errorf("Nadia's children: %+v", nadia.ChildRefs)
	}
	if len(zoe.Classes) != 1 || zoe.Classes[0].ID != "c-ce1" {
		t.Errorf("Zoé's classes: %+v", zoe.Classes)
	}
	if sophie.ExistingID != "u-sophie" || len(sophie.ChildRefs) != 1 || sophie.ChildRefs[0].Line != 1 {
		t.Errorf("Sophie, already linked to Léa, gets Zoé only: %+v", sophie)
	}
	if lea.Outcome != Create || !strings.Contains(lea.Warning.String(), "déjà inscrit en CE1") {
		t.Errorf("a second Léa Martin, in CP, is created with a warning: %+v", lea)
	}
	if thomas.ExistingID != "t-thomas" || len(thomas.Classes) != 1 || thomas.Classes[0].ID != "c-cm2" {
		t.Errorf("Thomas joins CM2 B only: %+v", thomas)
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Jean-Pierre  D'Arc": "jean pierre d arc",
		" ÉLÈVE ":            "eleve",
		"Prénom":             "prenom",
		"E-mail":             "e mail",
		"Enseignant·e":       "enseignant e",
	} {
		if got := fold(in); got != want {
			t.Errorf("fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestYoungLevel(t *testing.T) {
	for level, want := range map[string]bool{"CP": true, "CE1": true, "CP-CE1": true, "CE1-CE2": true, "CE2": false, "CM1-CM2": false} {
		if youngLevel(level) != want {
			t.Errorf("youngLevel(%s) = %v", level, !want)
		}
	}
}

// A large school's file (the line limit) against a school of a thousand
// pupils: checking is indexed, not quadratic.
func BenchmarkMakePlan(b *testing.B) {
	ex := fixture()
	for i := range 1000 {
		ex.Pupils = append(ex.Pupils, Person{ID: fmt.Sprint("p", i), First: fmt.Sprint("Élève", i), Last: "Dupont", ClassIDs: []string{"c-ce1"}})
	}
	var f strings.Builder
	f.WriteString(header)
	for i := range MaxImportLines / 2 {
		fmt.Fprintf(&f, "élève;Élève%d;Dupont;CE1;;;\nparent;Parent%d;Dupont;;Élève%d Dupont;p%d@x.fr;\n", i, i, i, i)
	}
	data := []byte(f.String())
	b.ResetTimer()
	for b.Loop() {
		sheet, err := ParseCSV(data)
		if err != nil {
			b.Fatal(err)
		}
		if p := MakePlan(sheet, ex); !p.OK() {
			b.Fatal(p.Lines[0].Message)
		}
	}
}
