package classroom_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"image/png"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"rsc.io/qr"

	"preau/appliance/apptest"
	"preau/appliance/auth"
)

const ip = "127.0.0.1"

// classOf is the (only) class of a demo pupil.
func classOf(t *testing.T, a *apptest.App, login string) auth.Class {
	t.Helper()
	cs, err := a.Register.UserClasses(context.Background(), a.User(login).ID)
	if err != nil || len(cs) != 1 {
		t.Fatalf("class of %s: %v %v", login, cs, err)
	}
	return cs[0]
}

func parse(t *testing.T, body string) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// wantStatus fails the test when resp has another status.
func wantStatus(t *testing.T, resp *http.Response, body string, want int) {
	t.Helper()
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d\n%.600s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, want, body)
	}
}

// shownSequence reads the picture password a page shows, as grid indexes.
func shownSequence(t *testing.T, sel *goquery.Selection) []int {
	t.Helper()
	var seq []int
	sel.Each(func(_ int, li *goquery.Selection) {
		key, _ := li.Attr("data-picture")
		if key == "" { // on a card, the picture's file names it
			src, _ := li.Find("img").Attr("src")
			key = strings.TrimSuffix(strings.TrimPrefix(src, "/assets/pictures/"), ".svg")
		}
		i := slices.IndexFunc(auth.Pictures, func(p struct{ Key string }) bool { return p.Key == key })
		if i < 0 {
			t.Fatalf("unknown picture %q", key)
		}
		seq = append(seq, i)
	})
	if len(seq) != auth.PictureLength {
		t.Fatalf("page shows %d pictures, want %d", len(seq), auth.PictureLength)
	}
	return seq
}

func loginPictures(a *apptest.App, pupil auth.User, seq []int) error {
	u, err := a.Auth.LoginPicture(context.Background(), pupil.ID, seq, ip)
	if err == nil && u.ID != pupil.ID {
		return errors.New("logged in as someone else")
	}
	return err
}

func TestTeacherSeesClassPage(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	ce1 := classOf(t, a, "eleve")
	resp, body := a.Get(a.ClientAs("enseignant"), "/classes/"+ce1.ID)
	wantStatus(t, resp, body, http.StatusOK)
	doc := parse(t, body)

	if h1 := doc.Find("main h1").Text(); !strings.Contains(h1, "CE1") {
		t.Errorf("title %q does not name the class", h1)
	}
	if doc.Find(`main a[href="/classes"]`).Length() == 0 {
		t.Error("no link back to /classes")
	}
	if got := doc.Find(".class-teachers").Text(); !strings.Contains(got, "Thomas Lefèvre") {
		t.Errorf("teachers %q, want Thomas Lefèvre", got)
	}
	rows := doc.Find("tr[data-pupil]")
	if rows.Length() != 6 {
		t.Fatalf("%d pupils listed, want the 6 of the demo CE1", rows.Length())
	}
	lea := doc.Find(`tr[data-pupil="` + a.User("eleve").ID + `"]`)
	if !strings.Contains(lea.Text(), "Léa") || !strings.Contains(lea.Text(), "Martin") || !strings.Contains(lea.Find("code").Text(), "eleve") {
		t.Errorf("Léa's row: %q", lea.Text())
	}
	if lea.Find(`[data-login="images"]`).Length() != 1 || lea.Find(`[data-login="no-carte"]`).Length() != 1 {
		t.Errorf("Léa has a picture password and no card; row says %q", lea.Find("td").Eq(3).Text())
	}
	for _, action := range []string{"images", "carte"} {
		if lea.Find(`form[action="/classes/`+ce1.ID+`/eleves/`+a.User("eleve").ID+`/`+action+`"]`).Length() < 1 {
			t.Errorf("no %s form for Léa", action)
		}
	}
	if lea.Find("details.picture-choice select").Length() != auth.PictureLength ||
		lea.Find("details.picture-choice select").First().Find("option[value]").Length() != len(auth.Pictures)+1 {
		t.Error("the picture chooser does not offer the grid's pictures in three selects")
	}
	warning := doc.Find(`#cartes .classroom-warning`).Text()
	if !strings.Contains(warning, "anciennes cartes") {
		t.Errorf("no warning before issuing the class's cards: %q", warning)
	}
	if doc.Find(`#cartes form[action="/classes/`+ce1.ID+`/cartes"] input[type=checkbox][name=images]`).Length() != 1 {
		t.Error("no class-wide cards form with the « nouvelles images » checkbox")
	}
}

func TestNewRandomPictures(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	ce1, lea := classOf(t, a, "eleve"), a.User("eleve")
	resp, body := a.PostForm(a.ClientAs("enseignant"), "/classes/"+ce1.ID+"/eleves/"+lea.ID+"/images", nil)
	wantStatus(t, resp, body, http.StatusOK)
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q on a page showing a picture password", cc)
	}
	seq := shownSequence(t, parse(t, body).Find("ol.picture-password li"))
	if err := loginPictures(a, lea, seq); err != nil {
		t.Fatalf("the pictures shown do not log Léa in: %v", err)
	}
	if slices.Equal(seq, apptest.DemoPictures()) {
		t.Skip("the random draw gave the old sequence again (1 chance in 504)")
	}
	if err := loginPictures(a, lea, apptest.DemoPictures()); !errors.Is(err, auth.ErrBadPicture) {
		t.Fatalf("old pictures: %v, want %v", err, auth.ErrBadPicture)
	}
}

func TestNewChosenPictures(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	ce1, lea := classOf(t, a, "eleve"), a.User("eleve")
	form := url.Values{"image1": {"2"}, "image2": {"5"}, "image3": {"8"}}
	resp, body := a.PostForm(a.ClientAs("enseignant"), "/classes/"+ce1.ID+"/eleves/"+lea.ID+"/images", form)
	wantStatus(t, resp, body, http.StatusOK)
	seq := shownSequence(t, parse(t, body).Find("ol.picture-password li"))
	if !slices.Equal(seq, []int{2, 5, 8}) {
		t.Fatalf("page shows %v, want the chosen [2 5 8]", seq)
	}
	if err := loginPictures(a, lea, seq); err != nil {
		t.Fatalf("chosen pictures: %v", err)
	}
	if err := loginPictures(a, lea, apptest.DemoPictures()); !errors.Is(err, auth.ErrBadPicture) {
		t.Fatalf("old pictures: %v, want %v", err, auth.ErrBadPicture)
	}
}

func TestBadPictureChoiceChangesNothing(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	ce1, lea := classOf(t, a, "eleve"), a.User("eleve")
	for name, form := range map[string]url.Values{
		"twice the same": {"image1": {"1"}, "image2": {"1"}, "image3": {"4"}},
		"one missing":    {"image1": {"1"}, "image2": {"3"}},
		"out of grid":    {"image1": {"1"}, "image2": {"3"}, "image3": {"9"}},
		"not a number":   {"image1": {"chat"}, "image2": {"3"}, "image3": {"4"}},
	} {
		resp, body := a.PostForm(a.ClientAs("enseignant"), "/classes/"+ce1.ID+"/eleves/"+lea.ID+"/images", form)
		wantStatus(t, resp, body, http.StatusBadRequest)
		doc := parse(t, body)
		if msg := doc.Find("main .error").Text(); !strings.Contains(msg, "images différentes") {
			t.Errorf("%s: error %q", name, msg)
		}
		if _, open := doc.Find(`tr[data-pupil="` + lea.ID + `"] details`).Attr("open"); !open {
			t.Errorf("%s: Léa's picture chooser is not shown open again", name)
		}
	}
	if err := loginPictures(a, lea, apptest.DemoPictures()); err != nil {
		t.Fatalf("bad input changed the picture password: %v", err)
	}
}

// printedCard is one card of a printed page: its pupil, its code, its QR image and its pictures.
type printedCard struct {
	pupil, code string
	png         []byte
	pictures    *goquery.Selection
}

func printedCards(t *testing.T, body string) []printedCard {
	t.Helper()
	var out []printedCard
	parse(t, body).Find("article.pupilcard").Each(func(_ int, s *goquery.Selection) {
		pupil, _ := s.Attr("data-pupil")
		src, _ := s.Find("img.qr").Attr("src")
		const prefix = "data:image/png;base64,"
		if !strings.HasPrefix(src, prefix) {
			t.Fatalf("card of %s: QR src %.40q is not a PNG data URI", pupil, src)
		}
		raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(src, prefix))
		if err != nil {
			t.Fatalf("card of %s: %v", pupil, err)
		}
		if _, err := png.Decode(bytes.NewReader(raw)); err != nil {
			t.Fatalf("card of %s: QR is not a valid PNG: %v", pupil, err)
		}
		out = append(out, printedCard{pupil, strings.TrimSpace(s.Find(".pupilcard-code code").Text()), raw, s.Find(".pupilcard-pictures li")})
	})
	return out
}

// checkCard proves a printed card works: its QR encodes <base>/carte/<code>
// and the code logs its pupil in.
func checkCard(t *testing.T, a *apptest.App, c printedCard) {
	t.Helper()
	want, err := qr.Encode(a.URL+"/carte/"+c.code, qr.M)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(c.png, want.PNG()) {
		t.Errorf("card of %s: the QR code does not encode %s/carte/<code>", c.pupil, a.URL)
	}
	u, err := a.Auth.LoginCard(context.Background(), c.code, ip)
	if err != nil || u.ID != c.pupil {
		t.Errorf("card of %s: login gives %q, %v", c.pupil, u.ID, err)
	}
}

func TestNewCardReplacesOld(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	ce1, lea := classOf(t, a, "eleve"), a.User("eleve")
	teacher := a.ClientAs("enseignant")
	issue := func() printedCard {
		resp, body := a.PostForm(teacher, "/classes/"+ce1.ID+"/eleves/"+lea.ID+"/carte", nil)
		wantStatus(t, resp, body, http.StatusOK)
		if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control %q on a page showing a card", cc)
		}
		cards := printedCards(t, body)
		if len(cards) != 1 || cards[0].pupil != lea.ID {
			t.Fatalf("want Léa's one card, got %d", len(cards))
		}
		card := parse(t, body).Find("article.pupilcard")
		if !strings.Contains(card.Find(".pupilcard-first").Text(), "Léa") || !strings.Contains(card.Text(), "CE1") ||
			!strings.Contains(card.Text(), a.Config.SchoolName) {
			t.Errorf("the card does not show first name, class and school: %q", card.Text())
		}
		return cards[0]
	}
	old := issue()
	checkCard(t, a, old)
	next := issue()
	checkCard(t, a, next)
	if _, err := a.Auth.LoginCard(context.Background(), old.code, ip); !errors.Is(err, auth.ErrBadCard) {
		t.Fatalf("old card: %v, want %v", err, auth.ErrBadCard)
	}
	_, body := a.Get(teacher, "/classes/"+ce1.ID)
	if parse(t, body).Find(`tr[data-pupil="`+lea.ID+`"] [data-login="carte"]`).Length() != 1 {
		t.Error("the class page does not say Léa now has a card")
	}
}

func TestClassCards(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	ce1 := classOf(t, a, "eleve")
	resp, body := a.PostForm(a.ClientAs("enseignant"), "/classes/"+ce1.ID+"/cartes", url.Values{"images": {"1"}})
	wantStatus(t, resp, body, http.StatusOK)
	pupils, err := a.Register.ClassPupils(context.Background(), ce1.ID)
	if err != nil {
		t.Fatal(err)
	}
	cards := printedCards(t, body)
	if len(cards) != len(pupils) || len(cards) != 6 {
		t.Fatalf("%d cards for %d pupils", len(cards), len(pupils))
	}
	seen := map[string]bool{}
	for _, c := range cards {
		seen[c.pupil] = true
		checkCard(t, a, c)
		pupil, err := a.Auth.User(context.Background(), c.pupil)
		if err != nil {
			t.Fatal(err)
		}
		if err := loginPictures(a, pupil, shownSequence(t, c.pictures)); err != nil {
			t.Errorf("pictures printed on %s's card: %v", pupil.DisplayName, err)
		}
	}
	for _, p := range pupils {
		if !seen[p.ID] {
			t.Errorf("no card for %s", p.DisplayName)
		}
	}
	if !strings.Contains(parse(t, body).Find(".classroom-warning").Text(), "ne marchent plus") {
		t.Error("the cards page does not say the old cards stopped working")
	}
}

func TestClassCardsKeepPicturesAndSkipDisabled(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	ce1, lea, hugo := classOf(t, a, "eleve"), a.User("eleve"), a.User("hugo.moreau")
	if err := a.Auth.SetDisabled(context.Background(), hugo.ID, true); err != nil {
		t.Fatal(err)
	}
	resp, body := a.PostForm(a.ClientAs("enseignant"), "/classes/"+ce1.ID+"/cartes", nil)
	wantStatus(t, resp, body, http.StatusOK)
	cards := printedCards(t, body)
	if len(cards) != 5 {
		t.Fatalf("%d cards, want 5 (6 pupils, one disabled)", len(cards))
	}
	for _, c := range cards {
		if c.pupil == hugo.ID {
			t.Error("a disabled pupil got a card")
		}
		if c.pictures.Length() != 0 {
			t.Errorf("card of %s shows pictures that were not regenerated", c.pupil)
		}
	}
	if !strings.Contains(parse(t, body).Find("main").Text(), "désactivé") {
		t.Error("the page does not say why a pupil has no card")
	}
	if err := loginPictures(a, lea, apptest.DemoPictures()); err != nil {
		t.Fatalf("cards without « nouvelles images » changed the pictures: %v", err)
	}
}

func TestClassAccess(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	if _, err := a.Auth.CreateUser(context.Background(), auth.NewUser{Login: "dsi", Display: "DSI", Profile: auth.DSI, Password: "demo"}); err != nil {
		t.Fatal(err)
	}
	ce1, cp := classOf(t, a, "eleve"), classOf(t, a, "jules.bernard")
	lea, jules := a.User("eleve"), a.User("jules.bernard")
	cases := []struct {
		who, method, path string
		want              int
	}{
		{"enseignant", "GET", "/classes/" + ce1.ID, http.StatusOK},
		{"directeur", "GET", "/classes/" + ce1.ID, http.StatusOK},
		{"dsi", "GET", "/classes/" + ce1.ID, http.StatusOK},
		{"helene.roux", "GET", "/classes/" + cp.ID, http.StatusOK},
		// A teacher of another class sees neither the page nor its actions.
		{"helene.roux", "GET", "/classes/" + ce1.ID, http.StatusForbidden},
		{"helene.roux", "POST", "/classes/" + ce1.ID + "/eleves/" + lea.ID + "/images", http.StatusForbidden},
		{"helene.roux", "POST", "/classes/" + ce1.ID + "/eleves/" + lea.ID + "/carte", http.StatusForbidden},
		{"helene.roux", "POST", "/classes/" + ce1.ID + "/cartes", http.StatusForbidden},
		{"enseignant", "GET", "/classes/" + cp.ID, http.StatusForbidden},
		// Nor can a pupil of another class be reached through one's own class.
		{"enseignant", "POST", "/classes/" + ce1.ID + "/eleves/" + jules.ID + "/images", http.StatusNotFound},
		{"enseignant", "POST", "/classes/" + ce1.ID + "/eleves/" + jules.ID + "/carte", http.StatusNotFound},
		{"helene.roux", "POST", "/classes/" + cp.ID + "/eleves/" + lea.ID + "/carte", http.StatusNotFound},
		{"directeur", "POST", "/classes/" + ce1.ID + "/eleves/" + jules.ID + "/carte", http.StatusNotFound},
		{"enseignant", "GET", "/classes/pas-une-classe", http.StatusNotFound},
		{"directeur", "POST", "/classes/pas-une-classe/cartes", http.StatusNotFound},
		{"directeur", "POST", "/classes/" + ce1.ID + "/eleves/" + lea.ID + "/carte", http.StatusOK},
		{"eleve", "GET", "/classes/" + ce1.ID, http.StatusForbidden},
		{"parent", "POST", "/classes/" + ce1.ID + "/eleves/" + lea.ID + "/carte", http.StatusForbidden},
	}
	for _, c := range cases {
		ctype := ""
		if c.method == "POST" {
			ctype = "application/x-www-form-urlencoded"
		}
		resp, body := a.Do(a.ClientAs(c.who), c.method, c.path, ctype, "")
		if resp.StatusCode != c.want {
			t.Errorf("%s %s as %s: status %d, want %d\n%.300s", c.method, c.path, c.who, resp.StatusCode, c.want, body)
		}
	}
	// Refused requests changed nothing: Léa's pictures still work, and she
	// got exactly one card, the director's.
	if err := loginPictures(a, lea, apptest.DemoPictures()); err != nil {
		t.Errorf("a refused request changed Léa's pictures: %v", err)
	}
	if !a.User("eleve").HasCard || a.User("jules.bernard").HasCard {
		t.Error("cards issued by refused requests")
	}
}
