package store

import (
	"bufio"
	"bytes"
	"encoding/binary"
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

// drawThumbnail scales a picture down to fit size, as a JPEG, upright
// as its camera's orientation tag says (a phone's photo is stored
// sideways with the tag; the copy carries no tag).
func drawThumbnail(r io.ReadSeeker, size int) ([]byte, error) {
	cfg, format, err := image.DecodeConfig(r)
	if err != nil {
		return nil, err
	}
	orientation := 1
	if format == "jpeg" {
		if _, err := r.Seek(0, io.SeekStart); err != nil {
			return nil, err
		}
		orientation = exifOrientation(r)
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
	dst = orient(dst, orientation)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 80}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// exifOrientation reads a JPEG's EXIF orientation (1 to 8), 1 when it has
// none or it cannot be read: only the markers before the picture's data
// are read, the first APP1 segment being where cameras write EXIF.
func exifOrientation(r io.Reader) int {
	br := bufio.NewReader(r)
	var head [4]byte
	if _, err := io.ReadFull(br, head[:2]); err != nil || head[0] != 0xFF || head[1] != 0xD8 {
		return 1
	}
	for {
		if _, err := io.ReadFull(br, head[:]); err != nil || head[0] != 0xFF {
			return 1
		}
		marker, n := head[1], int(binary.BigEndian.Uint16(head[2:]))-2
		if marker == 0xDA || n < 0 { // the picture's data: no EXIF before it
			return 1
		}
		if marker != 0xE1 {
			if _, err := br.Discard(n); err != nil {
				return 1
			}
			continue
		}
		seg := make([]byte, min(n, 64<<10))
		if _, err := io.ReadFull(br, seg); err != nil {
			return 1
		}
		return tiffOrientation(seg)
	}
}

// tiffOrientation reads the orientation tag of an APP1 segment's first
// directory ("Exif\0\0", then a TIFF header).
func tiffOrientation(seg []byte) int {
	t, order, ifd0, ok := exifTIFF(seg)
	if !ok {
		return 1
	}
	e := tiffTag(t, order, ifd0, 0x0112)
	if e < 0 {
		return 1
	}
	if o := int(order.Uint16(t[e+8:])); o >= 1 && o <= 8 {
		return o
	}
	return 1
}

// orient turns a picture drawn as stored into the picture as seen, for
// an EXIF orientation.
func orient(src *image.RGBA, o int) *image.RGBA {
	if o <= 1 || o > 8 {
		return src
	}
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := range h {
		for x := range w {
			var dx, dy int
			switch o {
			case 2: // mirrored
				dx, dy = w-1-x, y
			case 3: // upside down
				dx, dy = w-1-x, h-1-y
			case 4: // mirrored upside down
				dx, dy = x, h-1-y
			case 5: // mirrored, turned a quarter left
				dx, dy = y, x
			case 6: // turned a quarter left: turn it right
				dx, dy = h-1-y, x
			case 7: // mirrored, turned a quarter right
				dx, dy = h-1-y, w-1-x
			case 8: // turned a quarter right: turn it left
				dx, dy = y, w-1-x
			}
			i, j := src.PixOffset(b.Min.X+x, b.Min.Y+y), dst.PixOffset(dx, dy)
			copy(dst.Pix[j:j+4], src.Pix[i:i+4])
		}
	}
	return dst
}
