package requests_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"preau/appliance/apptest"
)

// multipartRequest is a request to file as the API takes it with files:
// the JSON object in "request", each file in "files".
func multipartRequest(t *testing.T, request string, files map[string][]byte) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("request", request)
	for name, body := range files {
		fw, _ := mw.CreateFormFile("files", name)
		fw.Write(body)
	}
	mw.Close()
	return mw.FormDataContentType(), buf.String()
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
		ct, body := multipartRequest(t, c.request, c.files)
		if resp, out := a.Do(director, "POST", "/api/v1/requests", ct, body); resp.StatusCode != c.status || !strings.Contains(out, `"error"`) {
			t.Errorf("%s: %d %s, want %d with the reason", c.name, resp.StatusCode, out, c.status)
		}
	}
	if n, e := count(t, a.DB, "requests"), count(t, a.DB, "request_events"); n != before || e != events {
		t.Fatalf("refused requests wrote %d requests and %d events", n-before, e-events)
	}

	ct, body := multipartRequest(t, intervention, map[string][]byte{"fuite.png": png, "plafond.png": png})
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
