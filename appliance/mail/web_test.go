package mail_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/mail"
)

func TestWebmailPages(t *testing.T) {
	a, s := node(t)
	teacher := a.User("enseignant")
	parent, _ := parentOf(t, a, teacher)
	tc := a.ClientAs("enseignant")
	// the teacher writes to a parent through the form
	form := url.Values{"a": {parent.DisplayName + " <" + s.Address(parent).Email + ">"}, "objet": {"Cahier oublié"}, "texte": {"Bonjour,\nle cahier est resté en classe."}}
	resp, body := a.Do(tc, "POST", "/messagerie/envoyer", "application/x-www-form-urlencoded", form.Encode())
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("send: %d %s", resp.StatusCode, body)
	}
	pc := a.ClientAs(parent.Login)
	resp, body = a.Get(pc, "/messagerie")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Cahier oublié") || !strings.Contains(body, "unread") {
		t.Fatalf("parent's inbox: %d", resp.StatusCode)
	}
	page, _ := s.List(t.Context(), parent, mail.Inbox, 0, 10)
	id := page.Items[0].CopyID
	resp, body = a.Get(pc, "/messagerie/"+id)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "le cahier est resté en classe") {
		t.Fatalf("read: %d", resp.StatusCode)
	}
	// the teacher cannot read the parent's copy
	if resp, _ := a.Get(tc, "/messagerie/"+id); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("teacher read the parent's copy: %d", resp.StatusCode)
	}
	// a refused recipient is named, the form comes back filled, nothing is sent
	form = url.Values{"a": {"eleve"}, "objet": {"Coucou"}, "texte": {"x"}}
	resp, body = a.Do(pc, "POST", "/messagerie/envoyer", "application/x-www-form-urlencoded", form.Encode())
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "Vous ne pouvez pas écrire à") || !strings.Contains(body, "Coucou") {
		t.Fatalf("refused: %d", resp.StatusCode)
	}
	if sent, _ := s.List(t.Context(), parent, mail.Sent, 0, 10); sent.Total != 0 {
		t.Fatal("a refused message was kept")
	}
	// every profile's pages draw
	for _, login := range []string{"eleve", "parent", "enseignant", "directeur"} {
		c := a.ClientAs(login)
		for _, path := range []string{"/messagerie", "/messagerie/ecrire", "/messagerie?dossier=sent", "/messagerie?q=cahier"} {
			if resp, body := a.Get(c, path); resp.StatusCode != http.StatusOK {
				t.Errorf("%s %s: %d %s", login, path, resp.StatusCode, body)
			}
		}
	}
	if resp, _ := a.Get(a.ClientAs("directeur"), "/messagerie/reglages"); resp.StatusCode != http.StatusOK {
		t.Errorf("settings: %d", resp.StatusCode)
	}
	if resp, _ := a.Get(tc, "/messagerie/validation"); resp.StatusCode != http.StatusOK {
		t.Errorf("held: %d", resp.StatusCode)
	}
}

func TestMailAPI(t *testing.T) {
	a, s := node(t)
	teacher := a.User("enseignant")
	parent, _ := parentOf(t, a, teacher)
	tc := a.ClientAs("enseignant")
	body := `{"to": ["` + parent.ID + `"], "subject": "Réunion", "text": "Jeudi 18 h", "attachments": [{"name": "plan.txt", "type": "text/plain", "data": "cGxhbg=="}]}`
	resp, out := a.Do(tc, "POST", "/api/v1/mail/messages", "application/json", body)
	if resp.StatusCode != http.StatusCreated || !strings.Contains(out, `"state":"sent"`) {
		t.Fatalf("send: %d %s", resp.StatusCode, out)
	}
	pc := a.ClientAs(parent.Login)
	var list struct {
		Total    int
		Messages []struct {
			ID, Subject string
			Seen        bool
			Attachments int
		}
	}
	resp, out = a.Get(pc, "/api/v1/mail/messages?folder=inbox")
	json.Unmarshal([]byte(out), &list)
	if list.Messages[0].Subject != "Réunion" || list.Messages[0].Seen || list.Messages[0].Attachments != 1 {
		t.Fatalf("list: %s", out)
	}
	id := list.Messages[0].ID
	resp, out = a.Get(pc, "/api/v1/mail/messages/"+id)
	if resp.StatusCode != http.StatusOK || !strings.Contains(out, "Jeudi 18 h") || !strings.Contains(out, "/attachments/0") {
		t.Fatalf("get: %d %s", resp.StatusCode, out)
	}
	resp, out = a.Get(pc, "/api/v1/mail/messages/"+id+"/attachments/0")
	if resp.StatusCode != http.StatusOK || out != "plan" || resp.Header.Get("Content-Type") != "application/octet-stream" {
		t.Fatalf("attachment: %d %q %s", resp.StatusCode, out, resp.Header.Get("Content-Type"))
	}
	resp, out = a.Do(pc, "PATCH", "/api/v1/mail/messages/"+id, "application/json", `{"seen": false, "folder": "archive"}`)
	if resp.StatusCode != http.StatusOK || !strings.Contains(out, `"folder":"archive"`) || !strings.Contains(out, `"seen":false`) {
		t.Fatalf("patch: %d %s", resp.StatusCode, out)
	}
	if resp, out = a.Do(pc, "PATCH", "/api/v1/mail/messages/"+id, "application/json", `{"folder": "nulle-part"}`); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("move to nowhere: %d %s", resp.StatusCode, out)
	}
	if resp, _ = a.Do(tc, "DELETE", "/api/v1/mail/messages/"+id, "", ""); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("the teacher deleted the parent's copy: %d", resp.StatusCode)
	}
	if resp, _ = a.Do(pc, "DELETE", "/api/v1/mail/messages/"+id, "", ""); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %d", resp.StatusCode)
	}
	// the directory offers the class's parents' group to the teacher
	resp, out = a.Get(tc, "/api/v1/mail/directory?q=parents")
	if resp.StatusCode != http.StatusOK || !strings.Contains(out, `"group":true`) {
		t.Fatalf("directory: %s", out)
	}
	// bad input: refused with the reason, nothing written
	before, _ := s.List(t.Context(), teacher, mail.Sent, 0, 10)
	for _, bad := range []string{`{"to": []}`, `{"to": ["x@gmail.com"], "text": "x"}`, `{"to": "pas une liste"}`, `{"subject": "a\nb", "to": ["` + parent.ID + `"]}`} {
		if resp, out := a.Do(tc, "POST", "/api/v1/mail/messages", "application/json", bad); resp.StatusCode != http.StatusBadRequest || !strings.Contains(out, "error") {
			t.Errorf("%s: %d %s", bad, resp.StatusCode, out)
		}
	}
	if after, _ := s.List(t.Context(), teacher, mail.Sent, 0, 10); after.Total != before.Total {
		t.Error("a refused message was kept")
	}
	_ = apptest.Options{}
}

// HTML mail from outside (brought in by a mail client) is shown through
// the one sanitizer: no script, no handler, no remote image, which the
// page says it left out.
func TestHTMLMailShownSanitized(t *testing.T) {
	a, s := node(t)
	parent := a.User("parent")
	raw := "From: Mairie <mairie@ville.example>\r\nTo: parent@preau.local\r\nSubject: Inscriptions cantine\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" +
		`<p onmouseover="steal()">Les <b>inscriptions</b> sont ouvertes.</p><script>steal()</script>` +
		`<img src="https://pixel.example/track.gif"><a href="javascript:steal()">ici</a>` + "\r\n"
	id, err := s.Append(t.Context(), parent, mail.Inbox, []byte(raw), mail.Flags{}, time.Time{}, "")
	if err != nil {
		t.Fatal(err)
	}
	resp, body := a.Get(a.ClientAs("parent"), "/messagerie/"+id)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "<b>inscriptions</b>") {
		t.Fatalf("read: %d", resp.StatusCode)
	}
	for _, bad := range []string{"onmouseover", "<script>steal", "pixel.example", "javascript:"} {
		if strings.Contains(body, bad) {
			t.Errorf("%q reached the page", bad)
		}
	}
	if !strings.Contains(body, "images distantes") {
		t.Error("the page does not say remote images were blocked")
	}
}
