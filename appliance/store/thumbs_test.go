package store

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"testing"
)

// withOrientation is a JPEG w×h, red on its left half and blue on its
// right, with an EXIF orientation tag o, as a phone writes it.
func withOrientation(t *testing.T, w, h int, o uint16) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{220, 20, 20, 255}
			if x >= w/2 {
				c = color.RGBA{20, 20, 220, 255}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	tiff := []byte("MM\x00\x2a\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00")
	binary.BigEndian.PutUint16(tiff[18:], o)
	app1 := append([]byte("Exif\x00\x00"), tiff...)
	seg := append([]byte{0xFF, 0xE1, 0, 0}, app1...)
	binary.BigEndian.PutUint16(seg[2:], uint16(len(app1)+2))
	return append(append([]byte{0xFF, 0xD8}, seg...), b.Bytes()[2:]...)
}

// A phone's photo stored sideways with its orientation tag comes out
// upright; one without a tag as it is.
func TestCopiesAreUpright(t *testing.T) {
	isRed := func(c color.Color) bool { r, _, b, _ := c.RGBA(); return r > b }
	for _, tc := range []struct {
		o          uint16
		w, h       int
		topLeftRed bool // after turning
		bottomRed  bool
	}{
		{1, 80, 40, true, true},
		{6, 40, 80, true, false}, // turned right: the left half goes on top
		{8, 40, 80, false, true}, // turned left: the left half goes below
		{3, 80, 40, false, false},
	} {
		out, err := drawThumbnail(bytes.NewReader(withOrientation(t, 80, 40, tc.o)), 320)
		if err != nil {
			t.Fatal(err)
		}
		img, err := jpeg.Decode(bytes.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		b := img.Bounds()
		if b.Dx() != tc.w || b.Dy() != tc.h {
			t.Errorf("orientation %d: %d×%d, want %d×%d", tc.o, b.Dx(), b.Dy(), tc.w, tc.h)
			continue
		}
		if got := isRed(img.At(2, 2)); got != tc.topLeftRed {
			t.Errorf("orientation %d: top left red %v", tc.o, got)
		}
		if got := isRed(img.At(2, b.Dy()-3)); got != tc.bottomRed {
			t.Errorf("orientation %d: bottom left red %v", tc.o, got)
		}
	}
}
