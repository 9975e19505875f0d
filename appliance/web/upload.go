package web

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
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

// Sniff sets Type from the file's first bytes: what the browser said is
// not trusted.
func (u *Upload) Sniff() error {
	f, err := u.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	u.Type = http.DetectContentType(head[:n])
	return nil
}

// Uploads are the files a multipart form sends in field, several at once
// where the input allows it; none for a form that is not multipart, or a
// file input left empty. Files over a megabyte wait on disk, not in memory.
func Uploads(r *http.Request, field string) ([]Upload, error) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return nil, nil
	}
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		return nil, unreadable(err)
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

// unreadable is a form that could not be read to its end: too large, or
// cut on the way.
func unreadable(err error) error {
	if TooLarge(err) {
		return apperr.New(apperr.ErrTooLarge, "upload.too_big")
	}
	return apperr.New(apperr.ErrInvalid, "upload.unreadable")
}

// StreamFiles reads a multipart form as it arrives, for files too large
// to keep before they are checked (Uploads keeps them): each file of
// field is handed to each with the form's fields read before it (a
// form's fields come before its files) and its name as sent, to be read
// there and then. The first error stops it. The fields are returned;
// a form that is not multipart has fields and no file.
func StreamFiles(r *http.Request, field string, each func(fields url.Values, name string, body io.Reader) error) (url.Values, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		r.ParseForm()
		return r.PostForm, nil
	}
	fields := url.Values{}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return fields, nil
		}
		if err != nil {
			return fields, unreadable(err)
		}
		err = streamPart(part, field, fields, each)
		part.Close()
		if err != nil {
			return fields, err
		}
	}
}

// streamPart hands a file of field to each, or keeps a text field.
func streamPart(part *multipart.Part, field string, fields url.Values, each func(url.Values, string, io.Reader) error) error {
	switch {
	case part.FormName() == field && part.FileName() != "":
		return each(fields, part.FileName(), part)
	case part.FileName() != "" || part.FormName() == field:
		return nil // another field's file, or the input left empty
	}
	b, err := io.ReadAll(io.LimitReader(part, 4<<10))
	if err != nil {
		return unreadable(err)
	}
	fields.Add(part.FormName(), string(b))
	return nil
}
