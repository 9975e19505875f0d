package requests_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"preau/appliance/apptest"
)

// A file filed with a request that a browser would run (a page, an SVG)
// is saved as bytes, never shown inside Préau; a photo is shown.
func TestActiveFilesAreDownloaded(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range map[string]string{"type": "intervention", "titre": "Vitre", "salle": "CE1", "equipement": "Fenêtre",
		"description": "Fêlée.", "urgence": "urgent"} {
		mw.WriteField(k, v)
	}
	files := map[string]string{"page.html": "<html><script>alert(1)</script></html>",
		"plan.svg": `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`}
	for name, content := range files {
		w, _ := mw.CreateFormFile("photos", name)
		w.Write([]byte(content))
	}
	mw.Close()
	director := a.ClientAs("directeur")
	if resp, out := a.Do(director, http.MethodPost, "/demandes", mw.FormDataContentType(), body.String()); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("filing: %d %.300s", resp.StatusCode, out)
	}
	rows, err := a.DB.Reader().QueryContext(t.Context(), "SELECT id, file_name FROM request_events WHERE deleted = 0 AND file_name IN ('page.html', 'plan.svg')")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id, name string
		rows.Scan(&id, &name)
		n++
		resp, _ := a.Get(director, "/demandes/fichiers/"+id)
		if ct, cd := resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"); resp.StatusCode != http.StatusOK ||
			ct != "application/octet-stream" || !strings.HasPrefix(cd, "attachment") {
			t.Errorf("%s: %d served as %q, %q; want application/octet-stream, attachment", name, resp.StatusCode, ct, cd)
		}
	}
	if n != len(files) {
		t.Fatalf("%d files filed, want %d", n, len(files))
	}
}
