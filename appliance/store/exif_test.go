package store

import (
	"bytes"
	"encoding/binary"
	"image/jpeg"
	"testing"
)

// withLocation is a JPEG whose EXIF holds an orientation and, as phones
// write it, where it was taken: 48° 51' 24" N.
func withLocation(t *testing.T) []byte {
	t.Helper()
	b := bytes.NewBuffer(nil)
	plain := withOrientation(t, 40, 20, 1)[2:] // its own EXIF is left behind the new one
	// TIFF, big-endian: IFD0 at 8 with two entries (orientation 6, GPS at
	// 38), then the GPS directory with two entries (latitude ref "N",
	// latitude as three rationals at 68), then the rationals.
	tiff := make([]byte, 68+24)
	copy(tiff, "MM\x00\x2a\x00\x00\x00\x08")
	be := binary.BigEndian
	be.PutUint16(tiff[8:], 2)
	be.PutUint16(tiff[10:], 0x0112)
	be.PutUint16(tiff[12:], 3)
	be.PutUint32(tiff[14:], 1)
	be.PutUint16(tiff[18:], 6)
	be.PutUint16(tiff[22:], 0x8825)
	be.PutUint16(tiff[24:], 4)
	be.PutUint32(tiff[26:], 1)
	be.PutUint32(tiff[30:], 38)
	be.PutUint16(tiff[38:], 2)
	be.PutUint16(tiff[40:], 1) // GPSLatitudeRef, ASCII "N\0", inline
	be.PutUint16(tiff[42:], 2)
	be.PutUint32(tiff[44:], 2)
	copy(tiff[48:], "N\x00")
	be.PutUint16(tiff[52:], 2) // GPSLatitude, three RATIONALs at 68
	be.PutUint16(tiff[54:], 5)
	be.PutUint32(tiff[56:], 3)
	be.PutUint32(tiff[60:], 68)
	for i, v := range []uint32{48, 1, 51, 1, 24, 1} {
		be.PutUint32(tiff[68+4*i:], v)
	}
	app1 := append([]byte("Exif\x00\x00"), tiff...)
	seg := append([]byte{0xFF, 0xE1, 0, 0}, app1...)
	be.PutUint16(seg[2:], uint16(len(app1)+2))
	b.Write([]byte{0xFF, 0xD8})
	b.Write(seg)
	b.Write(plain)
	return b.Bytes()
}

// A photo's location goes; its orientation, its size and the picture stay.
func TestStripLocation(t *testing.T) {
	photo := withLocation(t)
	before := len(photo)
	if !StripLocation(photo) {
		t.Fatal("no location found")
	}
	if len(photo) != before {
		t.Errorf("the file changed size: %d → %d", before, len(photo))
	}
	if bytes.Contains(photo, []byte("N\x00")) && bytes.Contains(photo, []byte{0, 0, 0, 48, 0, 0, 0, 1, 0, 0, 0, 51}) {
		t.Error("the latitude is still there")
	}
	if o := exifOrientation(bytes.NewReader(photo)); o != 6 {
		t.Errorf("orientation %d after, want 6", o)
	}
	if _, err := jpeg.Decode(bytes.NewReader(photo)); err != nil {
		t.Errorf("the photo no longer decodes: %v", err)
	}
	if StripLocation(photo) {
		t.Error("a location found again")
	}
	if StripLocation([]byte("not a jpeg")) || StripLocation(withOrientation(t, 10, 10, 1)) {
		t.Error("a location found where there is none")
	}
}
