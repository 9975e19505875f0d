package loadtest_test

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"preau/appliance/apptest"
	"preau/appliance/feature"
	"preau/appliance/loadtest"
)

// A lesson document of 100 MB, sent and fetched again.
const (
	transferSize   = 100 << 20
	transferRounds = 3
	transferTarget = 0.80 // of a plain net/http transfer's speed
)

// BenchmarkDocumentTransfer sends a 100 MB file to the real binary as a
// teacher (POST /api/v1/documents, multipart, streamed from disk) and
// fetches it back as a pupil (GET /api/v1/documents/{id}/content), in turns
// with a plain net/http server in its own process that keeps the file part
// of the same request on disk and serves it back with http.ServeFile. It
// reports each side's speed, preau's as a share of the plain one's, and
// how much preau's resident memory grew at its peak, after a file of 10 MB
// and after the files of 100 MB: it must not follow the file's size.
func BenchmarkDocumentTransfer(b *testing.B) {
	dir := b.TempDir()
	file := filepath.Join(dir, "cours.bin")
	writeRandomFile(b, file, transferSize)
	srv := apptest.StartServer(b, apptest.Binary(b), dir, "--demo")
	plain := loadtest.StartPlainFiles(b, b.TempDir())
	teacher := login(b, srv.URL, "enseignant", feature.DemoPassword)
	pupil := login(b, srv.URL, "eleve", feature.DemoPassword)
	class := firstClass(b, srv.URL, pupil)
	rssBefore, err := srv.RSS()
	if err != nil {
		b.Fatal(err)
	}
	// A file ten times smaller first: what the peak memory reaches with
	// it, to compare with the 100 MB files'.
	small := filepath.Join(dir, "petit.bin")
	writeRandomFile(b, small, transferSize/10)
	if _, err := uploadDocument(srv.URL+"/api/v1/documents", teacher, class, small); err != nil {
		b.Fatal(err)
	}
	peakSmall, err := srv.PeakRSS()
	if err != nil {
		b.Fatal(err)
	}
	var up, down, plainUp, plainDown time.Duration
	b.ResetTimer()
	for range b.N * transferRounds {
		// Each round a file of other content: a file stored already would
		// be recognised, not stored again.
		writeRandomFile(b, file, transferSize)
		var id string
		up += timed(b, func() (err error) {
			id, err = uploadDocument(srv.URL+"/api/v1/documents", teacher, class, file)
			return err
		})
		plainUp += timed(b, func() error { _, err := uploadDocument(plain.URL+"/file", "", "", file); return err })
		down += timed(b, func() error { return download(srv.URL+"/api/v1/documents/"+id+"/content", pupil) })
		plainDown += timed(b, func() error { return download(plain.URL+"/file", "") })
	}
	b.StopTimer()
	peak, err := srv.PeakRSS()
	if err != nil {
		b.Fatal(err)
	}
	mbps := func(d time.Duration) float64 {
		return float64(b.N*transferRounds*transferSize) / (1 << 20) / d.Seconds()
	}
	upShare, downShare := plainUp.Seconds()/up.Seconds(), plainDown.Seconds()/down.Seconds()
	b.ReportMetric(mbps(up), "upload_MB/s")
	b.ReportMetric(mbps(plainUp), "plain_upload_MB/s")
	b.ReportMetric(upShare*100, "upload_pct_of_plain")
	b.ReportMetric(mbps(down), "download_MB/s")
	b.ReportMetric(mbps(plainDown), "plain_download_MB/s")
	b.ReportMetric(downShare*100, "download_pct_of_plain")
	b.ReportMetric(float64(peak-rssBefore)/(1<<20), "peak_rss_growth_MB")
	b.ReportMetric(float64(peakSmall-rssBefore)/(1<<20), "peak_rss_growth_10MB_file_MB")
	b.Logf("100 MB upload: preau %.0f MB/s, plain %.0f MB/s (%.0f %%: target ≥ %.0f %% %s); download: preau %.0f MB/s, plain %.0f MB/s (%.0f %%: %s); "+
		"preau's peak resident memory %.1f MB over its %.1f MB before (%.1f MB after a 10 MB file)", mbps(up), mbps(plainUp), upShare*100,
		transferTarget*100, verdict(upShare >= transferTarget), mbps(down), mbps(plainDown), downShare*100, verdict(downShare >= transferTarget),
		float64(peak-rssBefore)/(1<<20), float64(rssBefore)/(1<<20), float64(peakSmall-rssBefore)/(1<<20))
}

// writeRandomFile fills path with size random bytes.
func writeRandomFile(b *testing.B, path string, size int64) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if _, err := io.CopyN(f, rand.Reader, size); err != nil {
		b.Fatal(err)
	}
}

// firstClass is the first class the session's user reads.
func firstClass(b *testing.B, base, token string) string {
	req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/classes", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var classes []struct{ ID string }
	if err := json.NewDecoder(resp.Body).Decode(&classes); err != nil || len(classes) == 0 {
		b.Fatalf("classes: %v", err)
	}
	return classes[0].ID
}

// uploadDocument streams path as the file of a multipart POST, its class
// first, and returns the document's id (none from the plain server).
func uploadDocument(url, token, class, path string) (string, error) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		f, err := os.Open(path)
		if err != nil {
			pw.CloseWithError(err)
			return
		}
		defer f.Close()
		mw.WriteField("class_id", class)
		part, err := mw.CreateFormFile("file", filepath.Base(path))
		if err == nil {
			_, err = io.Copy(part, f)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, _ := http.NewRequest(http.MethodPost, url, pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct{ ID string }
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("upload to %s: %d %s", url, resp.StatusCode, body)
	}
	json.Unmarshal(body, &out)
	return out.ID, nil
}

// download reads a file to its end.
func download(url, token string) error {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK || n != transferSize {
		return fmt.Errorf("download %s: %d, %d bytes, %v", url, resp.StatusCode, n, err)
	}
	return nil
}
