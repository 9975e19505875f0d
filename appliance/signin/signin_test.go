package signin_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"preau/appliance/apptest"
	"preau/appliance/store"
	"preau/appliance/web"
)

func doc(t *testing.T, body string) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func sessionCookie(resp *http.Response) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == web.SessionCookie {
			return c
		}
	}
	return nil
}

func TestLoginPageAndDemoHint(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	resp, body := a.Get(a.Client(), "/connexion")
	if resp.StatusCode != 200 {
		t.Fatal(resp.Status)
	}
	d := doc(t, body)
	if p, _ := d.Find("body").Attr("data-profile"); p != "anonymous" {
		t.Fatalf("data-profile = %q", p)
	}
	if d.Find("form[action='/connexion'] input[name=login]").Length() != 1 || d.Find("input[type=password]").Length() != 1 {
		t.Fatal("no login form")
	}
	hint := d.Find(".demo-hint").Text()
	for _, want := range []string{"directeur", "enseignant", "eleve", "parent", "demo", "Soleil", "Chat", "Pomme"} {
		if !strings.Contains(hint, want) {
			t.Errorf("demo hint lacks %q", want)
		}
	}
	if d.Find("a[href='/connexion/images']").Length() != 1 || d.Find("a[href='/connexion/carte']").Length() != 1 {
		t.Error("pupil login choices missing")
	}
}

func TestPasswordLogin(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	c := a.Client()
	resp, body := a.PostForm(c, "/connexion", url.Values{"login": {"directeur"}, "password": {"faux"}})
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(doc(t, body).Find(".error").Text(), "identifiant ou mot de passe incorrect") {
		t.Fatalf("wrong password: %d %q", resp.StatusCode, doc(t, body).Find(".error").Text())
	}
	if v, _ := doc(t, body).Find("input[name=login]").Attr("value"); v != "directeur" {
		t.Errorf("login not kept in the form after an error: %q", v)
	}
	resp, _ = a.PostForm(c, "/connexion", url.Values{"login": {"directeur"}, "password": {"demo"}, "suite": {"/mot-de-passe"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/mot-de-passe" {
		t.Fatalf("login: %d → %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	ck := sessionCookie(resp)
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Secure {
		t.Fatalf("session cookie: %+v (HttpOnly, SameSite=Lax, not Secure over plain HTTP)", ck)
	}
	_, body = a.Get(c, "/accueil")
	if p, _ := doc(t, body).Find("body").Attr("data-profile"); p != "director" {
		t.Fatalf("dashboard profile %q", p)
	}
	// Logout ends the session server-side: the old cookie no longer works.
	resp, _ = a.Do(c, "POST", "/deconnexion", "", "")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatal(resp.Status)
	}
	stale := a.Client()
	u, _ := url.Parse(a.URL)
	stale.Jar.SetCookies(u, []*http.Cookie{ck})
	if resp, _ := a.Get(stale, "/accueil"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("session still valid after logout: %d", resp.StatusCode)
	}
}

func TestNextIsKeptOnSite(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	for _, next := range []string{"//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"} {
		resp, _ := a.PostForm(a.Client(), "/connexion", url.Values{"login": {"parent"}, "password": {"demo"}, "suite": {next}})
		if loc := resp.Header.Get("Location"); loc != "/accueil" {
			t.Errorf("suite=%q redirected to %q", next, loc)
		}
	}
	// An anonymous visit to a page comes back to it after login.
	resp, _ := a.Get(a.Client(), "/mot-de-passe")
	if loc := resp.Header.Get("Location"); loc != "/connexion?suite=%2Fmot-de-passe" {
		t.Fatalf("redirect to login: %q", loc)
	}
}

func TestThrottledLoginMessage(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	for i := 0; i < 5; i++ {
		a.PostForm(a.Client(), "/connexion", url.Values{"login": {"enseignant"}, "password": {"faux"}})
	}
	resp, body := a.PostForm(a.Client(), "/connexion", url.Values{"login": {"enseignant"}, "password": {"demo"}})
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "trop de tentatives") {
		t.Fatalf("throttle: %d", resp.StatusCode)
	}
	// Another account from the same address is not affected.
	if resp, _ := a.PostForm(a.Client(), "/connexion", url.Values{"login": {"parent"}, "password": {"demo"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("other account blocked: %d", resp.StatusCode)
	}
}

// Whether a login exists does not show in the answers: after as many
// failures as lock an account, a known and an unknown login get the same
// status and body, through the form and through the API.
func TestLoginAnswersDoNotRevealAccounts(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	form := func(login string) (int, string) {
		resp, body := a.PostForm(a.Client(), "/connexion", url.Values{"login": {login}, "password": {"faux"}})
		// The form gives the login typed back; the rest must not differ.
		return resp.StatusCode, strings.ReplaceAll(body, login, "LOGIN")
	}
	api := func(login string) (int, string) {
		resp, body := a.Do(a.Client(), "POST", "/api/v1/session", "application/json", `{"login":"`+login+`","password":"faux"}`)
		return resp.StatusCode, body
	}
	for name, try := range map[string]func(string) (int, string){"form": form, "api": api} {
		known, unknown := "helene.roux", "personne.inconnue"
		if name == "api" {
			known, unknown = "parent", "autre.inconnu"
		}
		for i := 1; i <= 6; i++ {
			ks, kb := try(known)
			us, ub := try(unknown)
			if ks != us || kb != ub {
				t.Fatalf("%s, attempt %d: known login %d, unknown login %d, same body: %v\n%s\n%s", name, i, ks, us, kb == ub, kb, ub)
			}
			if i == 6 && ks != http.StatusTooManyRequests {
				t.Fatalf("%s: not throttled after 5 failures: %d", name, ks)
			}
		}
	}
}

func TestPictureLoginFlow(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	c := a.Client()
	_, body := a.Get(c, "/connexion/images")
	ce1, ok := doc(t, body).Find("a.class-tile:contains('CE1')").Attr("href")
	if !ok {
		t.Fatal("no CE1 class on the picture login page")
	}
	_, body = a.Get(c, ce1)
	lea, ok := doc(t, body).Find("a.choice:contains('Léa M.')").Attr("href")
	if !ok {
		t.Fatalf("Léa not listed:\n%s", body)
	}
	if strings.Contains(body, "Martin") {
		t.Error("full last names shown on the public picture page")
	}
	_, body = a.Get(c, lea)
	if n := doc(t, body).Find("button[name=pick]").Length(); n != 9 {
		t.Fatalf("%d pictures in the grid, want 9", n)
	}
	// Wrong order first: the child is told and starts again.
	seq := ""
	var resp *http.Response
	for _, pick := range []string{"1", "0", "4"} {
		resp, body = a.PostForm(c, lea, url.Values{"seq": {seq}, "pick": {pick}})
		seq, _ = doc(t, body).Find("input[name=seq]").Attr("value")
	}
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "pas les bonnes images") {
		t.Fatalf("wrong pictures: %d", resp.StatusCode)
	}
	seq = ""
	for i, pick := range []string{"0", "1", "4"} {
		resp, body = a.PostForm(c, lea, url.Values{"seq": {seq}, "pick": {pick}})
		if i < 2 {
			d := doc(t, body)
			seq, _ = d.Find("input[name=seq]").Attr("value")
			if d.Find(".slot img").Length() != i+1 {
				t.Fatalf("after %d picks, %d pictures shown as chosen", i+1, d.Find(".slot img").Length())
			}
		}
	}
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/accueil" {
		t.Fatalf("picture login: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = a.Get(c, "/accueil")
	if p, _ := doc(t, body).Find("body").Attr("data-profile"); p != "pupil" {
		t.Fatalf("pupil dashboard expected, got %q", p)
	}
}

func TestPictureLoginOnlyForPupilsWithPictures(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	teacher := a.User("enseignant")
	if resp, _ := a.Get(a.Client(), "/connexion/images/eleve/"+teacher.ID); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("teacher offered picture login: %d", resp.StatusCode)
	}
	cm2 := a.User("tom.martin") // CM2 pupils type their password
	if resp, _ := a.Get(a.Client(), "/connexion/images/eleve/"+cm2.ID); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("pupil without pictures offered picture login: %d", resp.StatusCode)
	}
}

func TestCentralHasNoPictureLogin(t *testing.T) {
	a := apptest.New(t, apptest.Options{Role: "central"})
	if resp, _ := a.Get(a.Client(), "/connexion/images"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("central lists classes publicly: %d", resp.StatusCode)
	}
	_, body := a.Get(a.Client(), "/connexion")
	if strings.Contains(body, "/connexion/images") {
		t.Error("central's login page offers picture login")
	}
}

func TestCardLogin(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	secret, err := a.Auth.NewCard(t.Context(), a.User("eleve").ID)
	if err != nil {
		t.Fatal(err)
	}
	c := a.Client()
	resp, body := a.Get(c, "/carte/"+secret)
	if resp.StatusCode != 200 || doc(t, body).Find("form[action='/carte/"+secret+"'] button").Length() != 1 {
		t.Fatal("card page has no Entrer button")
	}
	resp, _ = a.Do(c, "POST", "/carte/"+secret, "", "")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("card login: %d", resp.StatusCode)
	}
	// A scanner typing the whole URL into the code field works too.
	resp, _ = a.PostForm(a.Client(), "/connexion/carte", url.Values{"code": {a.URL + "/carte/" + secret}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("scanned code: %d", resp.StatusCode)
	}
	resp, body = a.PostForm(a.Client(), "/connexion/carte", url.Values{"code": {"n-importe-quoi"}})
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "plus valable") {
		t.Fatalf("bad card: %d", resp.StatusCode)
	}
}

func TestMustChangePassword(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	u := a.User("helene.roux")
	if err := a.Auth.SetPassword(t.Context(), u.ID, "provisoire", true); err != nil {
		t.Fatal(err)
	}
	c := a.Client()
	resp, _ := a.PostForm(c, "/connexion", url.Values{"login": {"helene.roux"}, "password": {"provisoire"}})
	if resp.Header.Get("Location") != "/mot-de-passe" {
		t.Fatalf("first login not sent to the password page: %s", resp.Header.Get("Location"))
	}
	if resp, _ := a.Get(c, "/accueil"); resp.Header.Get("Location") != "/mot-de-passe" {
		t.Fatalf("pages reachable before the password change: %d", resp.StatusCode)
	}
	resp, body := a.PostForm(c, "/mot-de-passe", url.Values{"current": {"provisoire"}, "new": {"nouveau-mdp"}, "confirm": {"autre-mdp"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "pas identiques") {
		t.Fatalf("mismatched confirmation: %d", resp.StatusCode)
	}
	resp, _ = a.PostForm(c, "/mot-de-passe", url.Values{"current": {"provisoire"}, "new": {"nouveau-mdp"}, "confirm": {"nouveau-mdp"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("change: %d", resp.StatusCode)
	}
	if resp, _ := a.Get(c, "/accueil"); resp.StatusCode != http.StatusOK {
		t.Fatalf("dashboard after change: %d", resp.StatusCode)
	}
	if _, err := a.Auth.LoginPassword(t.Context(), "helene.roux", "nouveau-mdp", ""); err != nil {
		t.Fatal(err)
	}
}

// Changing one's password on the page ends one's other sessions and keeps
// this one; guesses at the current password are throttled.
func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	here, elsewhere := a.ClientAs("enseignant"), a.ClientAs("enseignant")
	resp, _ := a.PostForm(here, "/mot-de-passe", url.Values{"current": {"demo"}, "new": {"nouveau-mdp"}, "confirm": {"nouveau-mdp"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("change: %d", resp.StatusCode)
	}
	if resp, _ := a.Get(here, "/accueil"); resp.StatusCode != http.StatusOK {
		t.Fatalf("the session that changed the password was ended: %d", resp.StatusCode)
	}
	if resp, _ := a.Get(elsewhere, "/accueil"); resp.StatusCode != http.StatusSeeOther ||
		!strings.HasPrefix(resp.Header.Get("Location"), "/connexion") {
		t.Fatalf("another session survived the change: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	wrong := url.Values{"current": {"devine"}, "new": {"autre-mdp"}, "confirm": {"autre-mdp"}}
	for i := 0; i < 5; i++ {
		if resp, body := a.PostForm(here, "/mot-de-passe", wrong); resp.StatusCode != http.StatusBadRequest ||
			!strings.Contains(doc(t, body).Find(".error").Text(), "mot de passe actuel incorrect") {
			t.Fatalf("guess %d: %d", i+1, resp.StatusCode)
		}
	}
	resp, body := a.PostForm(here, "/mot-de-passe", url.Values{"current": {"nouveau-mdp"}, "new": {"autre-mdp"}, "confirm": {"autre-mdp"}})
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(doc(t, body).Find(".error").Text(), "trop de tentatives") {
		t.Fatalf("current password not throttled after 5 guesses: %d", resp.StatusCode)
	}
}

// bearer sends a JSON request with a bearer token, "" for none.
func bearer(t *testing.T, a *apptest.App, token, method, path, body string) (*http.Response, map[string]string) {
	t.Helper()
	req, err := http.NewRequest(method, a.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]string{}
	json.NewDecoder(resp.Body).Decode(&out)
	return resp, out
}

func TestPasswordAPI(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	here, elsewhere := a.Token("parent"), a.Token("parent")
	const path = "/api/v1/me/password"
	if resp, e := bearer(t, a, "", "POST", path, `{"current":"demo","new":"nouveau-mdp"}`); resp.StatusCode != http.StatusUnauthorized || e["error"] == "" {
		t.Fatalf("anonymous: %d %v", resp.StatusCode, e)
	}
	resp, e := bearer(t, a, here, "POST", path, `{"current":"faux","new":"nouveau-mdp"}`)
	if resp.StatusCode != http.StatusBadRequest || e["error"] != "mot de passe actuel incorrect" {
		t.Fatalf("wrong current password: %d %v", resp.StatusCode, e)
	}
	resp, e = bearer(t, a, here, "POST", path, `{"current":"demo","new":"court"}`)
	if resp.StatusCode != http.StatusBadRequest || e["error"] != "le mot de passe doit faire au moins 8 caractères" {
		t.Fatalf("weak new password: %d %v", resp.StatusCode, e)
	}
	resp, me := bearer(t, a, here, "POST", path, `{"current":"demo","new":"nouveau-mdp"}`)
	if resp.StatusCode != http.StatusOK || me["login"] != "parent" || me["profile"] != "parent" {
		t.Fatalf("change: %d %v", resp.StatusCode, me)
	}
	if resp, _ := bearer(t, a, here, "GET", "/api/v1/me", ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("the session that changed the password was ended: %d", resp.StatusCode)
	}
	if resp, _ := bearer(t, a, elsewhere, "GET", "/api/v1/me", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("another session survived the change: %d", resp.StatusCode)
	}
	if _, err := a.Auth.LoginPassword(t.Context(), "parent", "nouveau-mdp", ""); err != nil {
		t.Fatalf("new password refused: %v", err)
	}
	for i := 0; i < 5; i++ {
		bearer(t, a, here, "POST", path, `{"current":"devine","new":"autre-mdp"}`)
	}
	resp, e = bearer(t, a, here, "POST", path, `{"current":"nouveau-mdp","new":"autre-mdp"}`)
	if resp.StatusCode != http.StatusTooManyRequests || !strings.HasPrefix(e["error"], "trop de tentatives") {
		t.Fatalf("current password not throttled after 5 guesses: %d %v", resp.StatusCode, e)
	}
}

func TestSessionAPI(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	c := a.Client()
	resp, body := a.Do(c, "POST", "/api/v1/session", "application/json", `{"login":"parent","password":"faux"}`)
	var e map[string]string
	json.Unmarshal([]byte(body), &e)
	if resp.StatusCode != http.StatusUnauthorized || e["error"] != "identifiant ou mot de passe incorrect" {
		t.Fatalf("wrong credentials: %d %s", resp.StatusCode, body)
	}
	resp, body = a.Do(c, "POST", "/api/v1/session", "application/json", `{"login":"parent","password":"demo"}`)
	var tok map[string]string
	json.Unmarshal([]byte(body), &tok)
	if resp.StatusCode != 200 || tok["token"] == "" || sessionCookie(resp) == nil {
		t.Fatalf("login: %d %s", resp.StatusCode, body)
	}
	bearer := func(method, path string) (*http.Response, string) {
		req, _ := http.NewRequest(method, a.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+tok["token"])
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		var sb strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := r.Body.Read(buf)
			sb.Write(buf[:n])
			if err != nil {
				break
			}
		}
		return r, sb.String()
	}
	resp, body = bearer("GET", "/api/v1/me")
	var me map[string]string
	json.Unmarshal([]byte(body), &me)
	if resp.StatusCode != 200 || me["login"] != "parent" || me["profile"] != "parent" || me["display_name"] != "Sophie Martin" ||
		me["id"] == "" || me["school_id"] != "demo" || me["email"] != "parent@preau.local" {
		t.Fatalf("me: %d %s", resp.StatusCode, body)
	}
	if resp, _ := bearer("DELETE", "/api/v1/session"); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	resp, body = bearer("GET", "/api/v1/me")
	json.Unmarshal([]byte(body), &e)
	if resp.StatusCode != http.StatusUnauthorized || e["error"] == "" {
		t.Fatalf("token valid after logout: %d %s", resp.StatusCode, body)
	}
}

func TestBadRequests(t *testing.T) {
	a := apptest.New(t, apptest.Options{Config: map[string]string{"http.max_body": "1KB"}})
	c := a.Client()
	resp, body := a.Do(c, "POST", "/api/v1/session", "application/json", `{"login":`)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "JSON invalide") {
		t.Fatalf("malformed JSON: %d %s", resp.StatusCode, body)
	}
	resp, body = a.Do(c, "POST", "/api/v1/session", "application/json", `{"login":"parent","password":"demo","extra":1}`)
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("unknown field: %d %s", resp.StatusCode, body)
	}
	big := `{"login":"` + strings.Repeat("x", 4096) + `","password":"demo"}`
	resp, body = a.Do(c, "POST", "/api/v1/session", "application/json", big)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "trop volumineux") {
		t.Fatalf("too large JSON: %d %s", resp.StatusCode, body)
	}
	resp, body = a.PostForm(c, "/connexion", url.Values{"login": {strings.Repeat("x", 4096)}})
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "trop volumineux") {
		t.Fatalf("too large form: %d", resp.StatusCode)
	}
	resp, body = a.Get(c, "/nulle-part")
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "Page introuvable") {
		t.Fatalf("404 page: %d", resp.StatusCode)
	}
	resp, body = a.Get(c, "/api/v1/nulle-part")
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, `"error"`) {
		t.Fatalf("API 404 must be JSON: %d %s", resp.StatusCode, body)
	}
}

// An expired or unknown session sends pages to the login form (clearing the
// cookie) and gets the API a 401.
func TestExpiredSession(t *testing.T) {
	a := apptest.New(t, apptest.Options{Config: map[string]string{"auth.session_ttl": "1ms"}})
	c := a.ClientAs("enseignant")
	resp, _ := a.Get(c, "/accueil")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/connexion") {
		t.Fatalf("expired session: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if ck := sessionCookie(resp); ck == nil || ck.MaxAge >= 0 {
		t.Fatal("stale cookie not cleared")
	}
	resp, body := a.Get(a.ClientAs("enseignant"), "/api/v1/me")
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "connexion requise") {
		t.Fatalf("API with expired session: %d %s", resp.StatusCode, body)
	}
}

// The configured idle limit ends a pupil's session (shared classroom
// computers); an adult's goes on.
func TestPupilSessionIdleConfigured(t *testing.T) {
	a := apptest.New(t, apptest.Options{Config: map[string]string{"auth.pupil_session_idle": "1ms"}})
	pupil, adult := a.ClientAs("eleve"), a.ClientAs("enseignant")
	time.Sleep(2 * time.Millisecond)
	if resp, _ := a.Get(pupil, "/accueil"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/connexion") {
		t.Fatalf("idle pupil's session still open: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := a.Get(adult, "/accueil"); resp.StatusCode != http.StatusOK {
		t.Fatalf("adult's session ended by the pupils' idle limit: %d", resp.StatusCode)
	}
}

// A login renamed by sync is announced to its owner until they acknowledge it.
func TestRenamedLoginNotice(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	u := a.User("helene.roux")
	err := a.DB.Write(t.Context(), func(tx *store.Tx) error {
		_, err := tx.Exec("UPDATE users SET login = 'helene.roux-1a2b', login_renamed = 1, hlc = ?, origin = ? WHERE id = ?", tx.HLC, tx.Origin, u.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	c := a.ClientAs("helene.roux-1a2b")
	_, body := a.Get(c, "/accueil")
	if n := doc(t, body).Find("form.notice-renamed strong:contains('helene.roux-1a2b')").Length(); n != 1 {
		t.Fatal("renamed login not announced")
	}
	if resp, _ := a.Do(c, "POST", "/identifiant/vu", "", ""); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("acknowledge: %d", resp.StatusCode)
	}
	_, body = a.Get(c, "/accueil")
	if doc(t, body).Find("form.notice-renamed").Length() != 0 {
		t.Fatal("notice still shown after acknowledging")
	}
}
