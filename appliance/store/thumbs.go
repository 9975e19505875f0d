package store

import (
	"bytes"
	"errors"
	"image"
	_ "image/gif" // decoders the thumbnails read
	"image/jpeg"
	_ "image/png"
	"io"
	"mime"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp"
)

// Thumbnails are drawn from pictures once, on the first view, and kept
// beside the data (thumbs/, not in backups: they are drawn again from the
// files). Documents and sites' pictures share them.

const (
	thumbSize      = 320      // pixels, the longer side at most
	thumbMaxPixels = 50 << 20 // a larger picture is not decoded: a file that says it is huge may be a trap
	thumbsDir      = "thumbs"
)

// PhoneSize is the longer side of the copy of a photo a phone is sent
// (a class blog's), the original kept for downloads.
const PhoneSize = 1280

// pictureTypes are the image types thumbnails are drawn from.
var pictureTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

// IsPicture reports whether a file of type t (a MIME type, parameters
// allowed) gets a thumbnail.
func IsPicture(t string) bool {
	mt, _, _ := mime.ParseMediaType(t)
	return pictureTypes[mt]
}

// ErrNoThumbnail is a blob no thumbnail can be drawn from (not a picture
// a decoder reads, or too large to decode safely).
var ErrNoThumbnail = errors.New("no thumbnail for this file")

// Thumbnail is a JPEG of the picture stored as hash, at most thumbSize
// pixels across: ErrNotFound when the blob is not here (yet),
// ErrNoThumbnail when it is no picture.
func (b *Blobs) Thumbnail(hash string) ([]byte, error) { return b.Resized(hash, thumbSize) }

// Resized is a JPEG of the picture stored as hash, at most size pixels
// across (a picture already smaller keeps its size), drawn once and kept:
// a thumbnail for a card, a phone's copy of a class blog's photo. Errors
// as Thumbnail's.
func (b *Blobs) Resized(hash string, size int) ([]byte, error) {
	if !ValidHash(hash) || size <= 0 {
		return nil, ErrNotFound
	}
	p := b.thumbPath(hash, size)
	if data, err := os.ReadFile(p); err == nil {
		return data, nil
	}
	f, err := b.Open(hash)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := drawThumbnail(f, size)
	if err != nil {
		return nil, ErrNoThumbnail
	}
	// Kept for the next view; a failure to keep it only costs drawing again.
	if os.MkdirAll(filepath.Dir(p), 0o750) == nil {
		tmp := p + ".tmp"
		if os.WriteFile(tmp, data, 0o640) == nil {
			os.Rename(tmp, p)
		}
	}
	return data, nil
}

// thumbPath is where a blob's copy at size is kept: beside the blobs, not
// in backups.
func (b *Blobs) thumbPath(hash string, size int) string {
	name := hash + ".jpg"
	if size != thumbSize {
		name = hash + "-" + strconv.Itoa(size) + ".jpg"
	}
	return filepath.Join(filepath.Dir(b.dir), thumbsDir, hash[:2], name)
}

// drawThumbnail scales a picture down to fit size, as a JPEG.
func drawThumbnail(r io.ReadSeeker, size int) ([]byte, error) {
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
	if w > size || h > size {
		if w >= h {
			w, h = size, max(1, h*size/w)
		} else {
			w, h = max(1, w*size/h), size
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
