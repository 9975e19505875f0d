package requests_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"preau/appliance/apptest"
	"preau/appliance/auth"
	"preau/appliance/feature"
)

// multipartForm is a form as the API takes it with files: one text
// field, then each file under fileField; it returns its content type and
// body.
func multipartForm(field, value, fileField string, files map[string][]byte) (string, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField(field, value)
	for name, body := range files {
		fw, _ := mw.CreateFormFile(fileField, name)
		fw.Write(body)
	}
	mw.Close()
	return mw.FormDataContentType(), buf.String()
}

// multipartRequest is a request to file with files: the JSON object in
// "request", each file in "files".
func multipartRequest(request string, files map[string][]byte) (string, string) {
	return multipartForm("request", request, "files", files)
}

// commentForm is a comment with files: its text in "body", each file in
// "file".
func commentForm(body string, files map[string][]byte) (string, string) {
	return multipartForm("body", body, "file", files)
}

// The API files an intervention with its photos, as the page does, and
// serves them as the page does; bad files are refused with the reason,
// and nothing is written.
func TestFileWithPhotosOverTheAPI(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	director := a.ClientAs("directeur")
	png := []byte("\x89PNG\r\n\x1a\n" + strings.Repeat("\x00", 64))
	intervention := `{"kind":"intervention","title":"Fuite","fields":{"room":"Préau","equipment":"Toiture","description":"Il pleut dedans.","urgency":"urgent"}}`
	before, events := count(t, a.DB, "requests"), count(t, a.DB, "request_events")
	tooMany := map[string][]byte{}
	for _, n := range []string{"1.png", "2.png", "3.png", "4.png", "5.png", "6.png"} {
		tooMany[n] = png
	}
	for _, c := range []struct {
		name, request string
		files         map[string][]byte
		status        int
	}{
		{"an empty photo", intervention, map[string][]byte{"vide.png": nil}, 400},
		{"too many photos", intervention, tooMany, 400},
		{"photos on an order", `{"kind":"supplies","title":"Encre","fields":{"items":[{"item":"` + firstItem(t, a.DB, "supplies") + `","quantity":2}]}}`,
			map[string][]byte{"1.png": png}, 400},
		{"no request beside the files", ``, map[string][]byte{"1.png": png}, 400},
		{"a request that is no JSON", `{"kind":`, map[string][]byte{"1.png": png}, 400},
	} {
		ct, body := multipartRequest(c.request, c.files)
		if resp, out := a.Do(director, "POST", "/api/v1/requests", ct, body); resp.StatusCode != c.status || !strings.Contains(out, `"error"`) {
			t.Errorf("%s: %d %s, want %d with the reason", c.name, resp.StatusCode, out, c.status)
		}
	}
	if n, e := count(t, a.DB, "requests"), count(t, a.DB, "request_events"); n != before || e != events {
		t.Fatalf("refused requests wrote %d requests and %d events", n-before, e-events)
	}

	ct, body := multipartRequest(intervention, map[string][]byte{"fuite.png": png, "plafond.png": png})
	resp, out := a.Do(director, "POST", "/api/v1/requests", ct, body)
	var got struct{ ID, Status string }
	json.Unmarshal([]byte(out), &got)
	if resp.StatusCode != http.StatusCreated || got.ID == "" || got.Status != "queued" {
		t.Fatalf("an intervention with two photos: %d %s", resp.StatusCode, out)
	}
	if e := count(t, a.DB, "request_events"); e != events+2 {
		t.Fatalf("%d events written, want the two photos", e-events)
	}
	_, page := a.Get(director, "/demandes/"+got.ID)
	for _, name := range []string{"fuite.png", "plafond.png"} {
		if !strings.Contains(page, name) {
			t.Errorf("the request's page does not show %s", name)
		}
	}
}

// Comments and attachments through the API, on both sides: the director
// comments with a photo at the school; the DSI, on central, reads the
// request's story with its file's address, answers, and the file is
// served from that address. Bad comments are refused with the reason and
// nothing is written.
func TestCommentsOverTheAPI(t *testing.T) {
	central := apptest.New(t, apptest.Options{Role: "central"})
	director, dsi := central.ClientAs("directeur"), central.ClientAs("dsi")
	resp, out := central.Do(director, "POST", "/api/v1/requests", "application/json",
		`{"kind":"intervention","title":"Fuite","fields":{"room":"Préau","equipment":"Toiture","description":"Il pleut dedans.","urgency":"urgent"}}`)
	var filed struct{ ID string }
	if resp.StatusCode != http.StatusCreated || json.Unmarshal([]byte(out), &filed) != nil {
		t.Fatalf("file: %d %s", resp.StatusCode, out)
	}
	path := "/api/v1/requests/" + filed.ID
	png := []byte("\x89PNG\r\n\x1a\n" + strings.Repeat("\x00", 64))

	events := count(t, central.DB, "request_events")
	for _, c := range []struct {
		name, ctype, body string
	}{
		{"nothing said", "application/json", `{"body":"  "}`},
		{"not JSON", "application/json", `{"body":`},
		{"an unknown key", "application/json", `{"texte":"Merci"}`},
		{"an empty file", "", ""},
		{"two files", "", ""},
		{"a long text", "application/json", `{"body":"` + strings.Repeat("a", 5001) + `"}`},
	} {
		switch c.name {
		case "an empty file":
			c.ctype, c.body = commentForm("Voici", map[string][]byte{"vide.png": nil})
		case "two files":
			c.ctype, c.body = commentForm("Voici", map[string][]byte{"1.png": png, "2.png": png})
		}
		if resp, out := central.Do(director, "POST", path+"/comments", c.ctype, c.body); resp.StatusCode != http.StatusBadRequest ||
			!strings.Contains(out, `"error"`) {
			t.Errorf("%s: %d %s, want 400 with the reason", c.name, resp.StatusCode, out)
		}
	}
	if e := count(t, central.DB, "request_events"); e != events {
		t.Fatalf("refused comments wrote %d events", e-events)
	}

	ct, body := commentForm("La fuite, vue du couloir.", map[string][]byte{"couloir.png": png})
	resp, out = central.Do(director, "POST", path+"/comments", ct, body)
	var ev struct {
		ID, Author, Body string
		File             struct{ Name, Type, URL string }
	}
	if resp.StatusCode != http.StatusCreated || json.Unmarshal([]byte(out), &ev) != nil || ev.ID == "" || ev.File.Name != "couloir.png" ||
		ev.File.Type != "image/png" || ev.Body != "La fuite, vue du couloir." {
		t.Fatalf("the director's comment with a photo: %d %s", resp.StatusCode, out)
	}
	if resp, out := central.Do(dsi, "POST", path+"/comments", "application/json", `{"body":"Un agent passe jeudi."}`); resp.StatusCode != http.StatusCreated {
		t.Fatalf("the DSI's answer: %d %s", resp.StatusCode, out)
	}

	resp, out = central.Get(dsi, path)
	var got struct {
		ID, Kind, Title, Status string
		Fields                  struct{ Room, Urgency string }
		Events                  []struct {
			ID, Author, Body string
			File             *struct{ Name, URL string }
		}
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(out), &got) != nil || got.Kind != "intervention" || got.Fields.Room != "Préau" ||
		len(got.Events) != 2 {
		t.Fatalf("the request read by the DSI: %d %s", resp.StatusCode, out)
	}
	first, last := got.Events[0], got.Events[1]
	if first.ID != ev.ID || first.File == nil || first.File.URL == "" || last.Body != "Un agent passe jeudi." || last.File != nil {
		t.Fatalf("the story: %+v", got.Events)
	}
	if resp, data := central.Get(dsi, first.File.URL); resp.StatusCode != http.StatusOK || data != string(png) {
		t.Errorf("the photo at its address: %d, %d bytes", resp.StatusCode, len(data))
	}
	// Another school's director sees nothing of it.
	if err := central.Register.CreateSchool(t.Context(), "autre", "Autre école"); err != nil {
		t.Fatal(err)
	}
	if _, err := central.Auth.CreateUser(t.Context(), auth.NewUser{Login: "dir.autre", Display: "Dir autre", Profile: auth.Director, SchoolID: "autre",
		Password: feature.DemoPassword}); err != nil {
		t.Fatal(err)
	}
	other := central.ClientAs("dir.autre")
	for _, p := range []string{path, first.File.URL} {
		if resp, _ := central.Get(other, p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("another school's director reads %s: %d", p, resp.StatusCode)
		}
	}
	if resp, _ := central.Do(other, "POST", path+"/comments", "application/json", `{"body":"Intrus"}`); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another school's director comments: %d", resp.StatusCode)
	}
}
