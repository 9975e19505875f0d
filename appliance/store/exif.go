package store

import (
	"bytes"
	"encoding/binary"
	"io"
)

// A phone writes where a photo was taken into the photo itself (EXIF's
// GPS directory). Photos of pupils must not tell where a family lives:
// StripLocation blanks that directory in a JPEG before it is kept, in
// place, so that every other tag (the orientation a copy is turned by)
// and every offset stays as it was.

// StripLocation blanks the GPS directory of a JPEG's EXIF, in place, and
// reports whether there was one. Anything it cannot read is left as it
// is: a JPEG without EXIF, or with EXIF it does not understand, carries no
// location it could find either.
func StripLocation(jpeg []byte) bool {
	if len(jpeg) < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8 {
		return false
	}
	stripped := false
	for i := 2; i+4 <= len(jpeg); {
		if jpeg[i] != 0xFF {
			return stripped
		}
		marker, n := jpeg[i+1], int(binary.BigEndian.Uint16(jpeg[i+2:]))
		if marker == 0xDA || n < 2 || i+2+n > len(jpeg) { // the picture's data: no EXIF after it
			return stripped
		}
		if marker == 0xE1 {
			stripped = stripGPS(jpeg[i+4:i+2+n]) || stripped
		}
		i += 2 + n
	}
	return stripped
}

// exifTIFF finds the TIFF structure of an APP1 segment ("Exif\0\0", then
// a TIFF header): its bytes, their byte order and where its first
// directory is.
func exifTIFF(seg []byte) (t []byte, order binary.ByteOrder, ifd0 int, ok bool) {
	if len(seg) < 14 || string(seg[:6]) != "Exif\x00\x00" {
		return nil, nil, 0, false
	}
	t = seg[6:]
	switch string(t[:2]) {
	case "II":
		order = binary.LittleEndian
	case "MM":
		order = binary.BigEndian
	default:
		return nil, nil, 0, false
	}
	ifd0 = int(order.Uint32(t[4:8]))
	if ifd0 < 8 || ifd0+2 > len(t) {
		return nil, nil, 0, false
	}
	return t, order, ifd0, true
}

// tiffTag finds a tag's 12-byte entry in a directory, -1 when absent.
func tiffTag(t []byte, order binary.ByteOrder, ifd int, tag uint16) int {
	if ifd < 8 || ifd+2 > len(t) {
		return -1
	}
	for i := range int(order.Uint16(t[ifd:])) {
		e := ifd + 2 + 12*i
		if e+12 > len(t) {
			return -1
		}
		if order.Uint16(t[e:]) == tag {
			return e
		}
	}
	return -1
}

// typeSizes are the bytes of one value of each TIFF type.
var typeSizes = map[uint16]int{1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8}

// stripGPS blanks the GPS directory an APP1 segment's first directory
// points to: each entry's values, then the entries, then their count.
func stripGPS(seg []byte) bool {
	t, order, ifd0, ok := exifTIFF(seg)
	if !ok {
		return false
	}
	ptr := tiffTag(t, order, ifd0, 0x8825)
	if ptr < 0 {
		return false
	}
	gps := int(order.Uint32(t[ptr+8:]))
	if gps < 8 || gps+2 > len(t) {
		return false
	}
	n := int(order.Uint16(t[gps:]))
	if n == 0 {
		return false // blank already
	}
	for i := range n {
		e := gps + 2 + 12*i
		if e+12 > len(t) {
			break
		}
		size := typeSizes[order.Uint16(t[e+2:])] * int(order.Uint32(t[e+4:]))
		if off := int(order.Uint32(t[e+8:])); size > 4 && off >= 8 && off+size <= len(t) {
			clear(t[off : off+size])
		}
		clear(t[e : e+12])
	}
	clear(t[gps : gps+2])
	return true
}

// PutUpload keeps a file people uploaded, of type typ, as Put does: a
// JPEG is read whole (up to limit and one byte more, so that Put still
// refuses one too large) and its location blanked first.
func (b *Blobs) PutUpload(r io.Reader, typ string, limit int64) (string, int64, error) {
	if typ == "image/jpeg" {
		data, err := io.ReadAll(io.LimitReader(r, limit+1))
		if err != nil {
			return "", 0, err
		}
		StripLocation(data)
		r = bytes.NewReader(data)
	}
	return b.Put(r, limit)
}
