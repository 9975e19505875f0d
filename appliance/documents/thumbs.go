package documents

import (
	"bytes"
	"context"
	"errors"
	"image"
	_ "image/gif" // decoders the thumbnails read
	"image/jpeg"
	_ "image/png"
	"io"
	"mime"
	"os"
	"path/filepath"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp"

	"preau/appliance/apperr"
	"preau/appliance/auth"
)

// Thumbnails are drawn from images once, on the first view, and kept
// beside the data (thumbs/, not in backups: they are drawn again from the
// files). PDFs and other files show an icon of their kind: no pure-Go
// library draws a PDF's page.

const (
	thumbSize      = 320      // pixels, the longer side at most
	thumbMaxPixels = 50 << 20 // a larger picture is not decoded: a file that says it is huge may be a trap
	thumbsDir      = "thumbs"
)

// thumbTypes are the image types thumbnails are drawn from.
var thumbTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

// HasThumbnail reports whether a document of type t gets a thumbnail.
func HasThumbnail(t string) bool {
	mt, _, _ := mime.ParseMediaType(t)
	return thumbTypes[mt]
}

// Thumbnail is a JPEG of a document's picture, at most thumbSize pixels
// across, for u who may read it.
func (s *Service) Thumbnail(ctx context.Context, u auth.User, id string) ([]byte, error) {
	d, err := s.Readable(ctx, u, id)
	if err != nil {
		return nil, err
	}
	if !HasThumbnail(d.Type) {
		return nil, apperr.New(apperr.ErrNotFound, "documents.err.no_thumbnail")
	}
	p := filepath.Join(s.db.Dir(), thumbsDir, d.Blob[:2], d.Blob+".jpg")
	if b, err := os.ReadFile(p); err == nil {
		return b, nil
	}
	f, err := s.db.Blobs().Open(d.Blob)
	if err != nil {
		return nil, apperr.New(apperr.ErrNotFound, "documents.err.file_coming")
	}
	defer f.Close()
	b, err := drawThumbnail(f)
	if err != nil {
		return nil, apperr.New(apperr.ErrNotFound, "documents.err.no_thumbnail")
	}
	// Kept for the next view; a failure to keep it only costs drawing again.
	if os.MkdirAll(filepath.Dir(p), 0o750) == nil {
		tmp := p + ".tmp"
		if os.WriteFile(tmp, b, 0o640) == nil {
			os.Rename(tmp, p)
		}
	}
	return b, nil
}

// drawThumbnail scales a picture down to fit thumbSize, as a JPEG.
func drawThumbnail(r io.ReadSeeker) ([]byte, error) {
	cfg, _, err := image.DecodeConfig(r)
	if err != nil {
		return nil, err
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > thumbMaxPixels {
		return nil, errors.New("picture too large to draw")
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	src, _, err := image.Decode(r)
	if err != nil {
		return nil, err
	}
	w, h := cfg.Width, cfg.Height
	if w > thumbSize || h > thumbSize {
		if w >= h {
			w, h = thumbSize, max(1, h*thumbSize/w)
		} else {
			w, h = max(1, w*thumbSize/h), thumbSize
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	// White under what is transparent: a JPEG has no transparency.
	draw.Draw(dst, dst.Bounds(), image.White, image.Point{}, draw.Src)
	draw.ApproxBiLinear.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Over, nil)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 80}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
