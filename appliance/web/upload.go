package web

import (
	"io"
	"net/http"
	"strings"

	"preau/appliance/apperr"
)

// Upload is a file a person sends with a form, read when the service has
// checked everything else.
type Upload struct {
	Name, Type string // as the browser sent them: the service decides what to keep
	Size       int64
	Open       func() (io.ReadCloser, error)
}

// Uploads are the files a multipart form sends in field, several at once
// where the input allows it; none for a form that is not multipart, or a
// file input left empty. Files over a megabyte wait on disk, not in memory.
func Uploads(r *http.Request, field string) ([]Upload, error) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return nil, nil
	}
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		if TooLarge(err) {
			return nil, apperr.New(apperr.ErrInvalid, "upload.too_big")
		}
		return nil, apperr.New(apperr.ErrInvalid, "upload.unreadable")
	}
	var out []Upload
	for _, fh := range r.MultipartForm.File[field] {
		if fh.Filename == "" && fh.Size == 0 {
			continue // the input left empty
		}
		out = append(out, Upload{Name: fh.Filename, Type: fh.Header.Get("Content-Type"), Size: fh.Size,
			Open: func() (io.ReadCloser, error) { return fh.Open() }})
	}
	return out, nil
}
