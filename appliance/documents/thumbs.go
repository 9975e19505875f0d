package documents

import (
	"context"
	"errors"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/store"
)

// Pictures get thumbnails (the blob store draws and keeps them). PDFs and
// other files show an icon of their kind: no pure-Go library draws a PDF's
// page.

// Thumbnail is a JPEG of a document's picture, small enough for a card,
// for u who may read it.
func (s *Service) Thumbnail(ctx context.Context, u auth.User, id string) ([]byte, error) {
	d, err := s.Readable(ctx, u, id)
	if err != nil {
		return nil, err
	}
	if !store.IsPicture(d.Type) {
		return nil, apperr.New(apperr.ErrNotFound, "documents.err.no_thumbnail")
	}
	b, err := s.db.Blobs().Thumbnail(d.Blob)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, apperr.New(apperr.ErrNotFound, "documents.err.file_coming")
	case err != nil:
		return nil, apperr.New(apperr.ErrNotFound, "documents.err.no_thumbnail")
	}
	return b, nil
}
