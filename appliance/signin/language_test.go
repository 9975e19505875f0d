package signin_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"preau/appliance/apptest"
	"preau/appliance/web"
)

// get sends a GET with an Accept-Language header ("" for none).
func get(t *testing.T, a *apptest.App, c *http.Client, path, acceptLanguage string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", a.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if acceptLanguage != "" {
		req.Header.Set("Accept-Language", acceptLanguage)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// htmlLang returns <html>'s lang and dir and the page's h1.
func htmlLang(t *testing.T, body string) (lang, dir, h1 string) {
	t.Helper()
	d := doc(t, body)
	lang, _ = d.Find("html").Attr("lang")
	dir, _ = d.Find("html").Attr("dir")
	return lang, dir, strings.TrimSpace(d.Find("h1").First().Text())
}

func TestLoginPageFollowsTheBrowser(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	cases := []struct{ accept, lang, dir, h1 string }{
		{"ar", "ar", "rtl", "مرحبًا بك في Préau"},
		{"ar-MA,ar;q=0.9,fr;q=0.5", "ar", "rtl", "مرحبًا بك في Préau"},
		{"en-GB,en;q=0.9", "en", "ltr", "Welcome to Préau"},
		{"", "fr", "ltr", "Bienvenue sur Préau"},
		{"de-DE", "fr", "ltr", "Bienvenue sur Préau"},         // a language Préau does not speak
		{"q=;;,,garbage", "fr", "ltr", "Bienvenue sur Préau"}, // a header that cannot be read
	}
	for _, c := range cases {
		resp, body := get(t, a, a.Client(), "/connexion", c.accept)
		lang, dir, h1 := htmlLang(t, body)
		if resp.StatusCode != 200 || lang != c.lang || dir != c.dir || h1 != c.h1 {
			t.Errorf("Accept-Language %q: %d lang=%q dir=%q h1=%q; want %s %s %q", c.accept, resp.StatusCode, lang, dir, h1, c.lang, c.dir, c.h1)
		}
	}
}

// TestLanguageSwitch: the login page's links override the browser, and the
// choice is remembered on the browser; an unknown one changes nothing.
func TestLanguageSwitch(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	c := a.Client()
	_, body := get(t, a, c, "/connexion", "ar")
	if href := doc(t, body).Find(`nav.lang-switch a[lang=en]`).AttrOr("href", ""); !strings.HasPrefix(href, "/langue/en?suite=") {
		t.Fatalf("no link to English on the login page: %q", href)
	}
	resp, _ := get(t, a, c, "/langue/en?suite=/connexion", "ar")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/connexion" {
		t.Fatalf("switch: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = get(t, a, c, "/connexion", "ar")
	if lang, dir, h1 := htmlLang(t, body); lang != "en" || dir != "ltr" || h1 != "Welcome to Préau" {
		t.Fatalf("after choosing English with an Arabic browser: %s %s %q", lang, dir, h1)
	}
	if cur := doc(t, body).Find(`nav.lang-switch a[aria-current=true]`).AttrOr("lang", ""); cur != "en" {
		t.Errorf("current language marked %q", cur)
	}
	// An unknown language in the link, then in the cookie itself: no error,
	// the browser's language or the default.
	resp, _ = get(t, a, c, "/langue/xx?suite=/connexion", "")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("unknown language: %d", resp.StatusCode)
	}
	u, _ := url.Parse(a.URL)
	c.Jar.SetCookies(u, []*http.Cookie{{Name: web.LangCookie, Value: "klingon", Path: "/"}})
	resp, body = get(t, a, c, "/connexion", "ar")
	if lang, _, _ := htmlLang(t, body); resp.StatusCode != 200 || lang != "ar" {
		t.Errorf("bad cookie with an Arabic browser: %d %s", resp.StatusCode, lang)
	}
	resp, body = get(t, a, c, "/connexion", "")
	if lang, _, _ := htmlLang(t, body); resp.StatusCode != 200 || lang != "fr" {
		t.Errorf("bad cookie alone: %d %s", resp.StatusCode, lang)
	}
	// The switch never sends the browser off the site.
	resp, _ = get(t, a, c, "/langue/ar?suite=//evil.example/x", "")
	if loc := resp.Header.Get("Location"); strings.Contains(loc, "evil") {
		t.Errorf("switch redirects to %q", loc)
	}
}

type me struct {
	Language string `json:"language"`
	Error    string `json:"error"`
}

func apiMe(t *testing.T, a *apptest.App, c *http.Client, method, body, accept string) (int, me) {
	t.Helper()
	req, _ := http.NewRequest(method, a.URL+"/api/v1/me", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if accept != "" {
		req.Header.Set("Accept-Language", accept)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m me
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatalf("%s /api/v1/me: %v", method, err)
	}
	return resp.StatusCode, m
}

// TestAccountLanguage: the language chosen on the account follows the
// person (the API, every page, its errors), outranks the browser and the
// cookie, and anything but fr, en or ar is refused with nothing written.
func TestAccountLanguage(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	c := a.ClientAs("parent")
	if code, m := apiMe(t, a, c, "GET", "", ""); code != 200 || m.Language != "fr" {
		t.Fatalf("GET me before choosing: %d %+v", code, m)
	}
	for _, bad := range []string{`{"language":"de"}`, `{"language":"AR"}`, `{"language":""}`} {
		code, m := apiMe(t, a, c, "PATCH", bad, "en")
		if code != 400 || !strings.Contains(m.Error, "unknown language") || !strings.Contains(m.Error, "fr, en or ar") {
			t.Errorf("PATCH %s: %d %q", bad, code, m.Error)
		}
	}
	if code, m := apiMe(t, a, c, "PATCH", `{"language":5}`, "ar"); code != 400 || !strings.Contains(m.Error, "طلب JSON غير صالح") {
		t.Errorf("PATCH a number, Arabic browser: %d %q", code, m.Error)
	}
	if u := a.User("parent"); u.Language != "" {
		t.Fatalf("a refused language was written: %q", u.Language)
	}
	if code, m := apiMe(t, a, c, "PATCH", `{"language":"ar"}`, ""); code != 200 || m.Language != "ar" {
		t.Fatalf("PATCH ar: %d %+v", code, m)
	}
	// Now Arabic everywhere for this account, whatever the browser asks.
	_, body := get(t, a, c, "/accueil", "en")
	if lang, dir, _ := htmlLang(t, body); lang != "ar" || dir != "rtl" {
		t.Errorf("home after choosing Arabic: %s %s", lang, dir)
	}
	if code, m := apiMe(t, a, c, "PATCH", `{"language":"xx"}`, "en"); code != 400 || !strings.Contains(m.Error, "اللغة") {
		t.Errorf("API error after choosing Arabic: %d %q", code, m.Error)
	}
	_, body = get(t, a, c, "/cette-page-n-existe-pas", "")
	if d := doc(t, body); d.Find("h1").Text() != "الصفحة غير موجودة" {
		t.Errorf("404 page in Arabic: %q", d.Find("h1").Text())
	}

	// The account page's form: English, a confirmation said in English, and
	// the browser remembers it for the login page after logout.
	_, body = a.Get(c, "/mon-compte")
	if n := doc(t, body).Find(`form.lang-choice[action="/mon-compte/langue"] button[name=language][value=en]`).Length(); n != 1 {
		t.Fatal("no English button on the account page")
	}
	resp, _ := a.PostForm(c, "/mon-compte/langue", url.Values{"language": {"en"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST language: %d", resp.StatusCode)
	}
	_, body = a.Get(c, "/mon-compte")
	d := doc(t, body)
	if lang, _ := d.Find("html").Attr("lang"); lang != "en" || !strings.Contains(d.Find(".flash").Text(), "Préau now speaks to you in English") {
		t.Errorf("account page after choosing English: lang %s, flash %q", lang, d.Find(".flash").Text())
	}
	if pressed := d.Find(`button[value=en]`).AttrOr("aria-pressed", ""); pressed != "true" {
		t.Errorf("English not marked as chosen: %q", pressed)
	}
	if u := a.User("parent"); u.Language != "en" {
		t.Errorf("account holds %q", u.Language)
	}
	resp, _ = a.PostForm(c, "/mon-compte/langue", url.Values{"language": {"tlh"}})
	if resp.StatusCode != http.StatusBadRequest || a.User("parent").Language != "en" {
		t.Errorf("unknown language in the form: %d, account %q", resp.StatusCode, a.User("parent").Language)
	}
	a.PostForm(c, "/deconnexion", nil)
	_, body = get(t, a, c, "/connexion", "ar")
	if lang, _, _ := htmlLang(t, body); lang != "en" {
		t.Errorf("login page after logout: %s, want the language chosen on the account", lang)
	}
}

// TestDefaultLanguage: i18n.default_language speaks to whoever has chosen
// nothing and whose browser asks for nothing Préau speaks.
func TestDefaultLanguage(t *testing.T) {
	a := apptest.New(t, apptest.Options{Config: map[string]string{"i18n.default_language": "ar"}})
	_, body := get(t, a, a.Client(), "/connexion", "de")
	if lang, dir, _ := htmlLang(t, body); lang != "ar" || dir != "rtl" {
		t.Errorf("default Arabic: %s %s", lang, dir)
	}
	if code, m := apiMe(t, a, a.ClientAs("enseignant"), "GET", "", ""); code != 200 || m.Language != "ar" {
		t.Errorf("me without a choice: %d %+v", code, m)
	}
}
