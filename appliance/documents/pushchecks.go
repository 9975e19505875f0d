package documents

import (
	"context"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/store"
)

// The rules central applies to what a school pushes of the documents (see
// store.PushCheck): documents of the school's classes, shared by its staff,
// their file named by a hash.
var pushChecks = map[string]store.PushCheck{"documents": checkDocumentRow}

func checkDocumentRow(ctx context.Context, p store.Pushed) error {
	if !auth.PushedClass(ctx, p, p.Row.Str("class_id")) {
		return apperr.New(apperr.ErrForbidden, "documents.push.class")
	}
	if !auth.PushedStaff(ctx, p, p.Row.Str("author_id")) {
		return apperr.New(apperr.ErrForbidden, "documents.push.author")
	}
	if !store.ValidHash(p.Row.Str("blob")) {
		return apperr.New(apperr.ErrInvalid, "documents.push.blob")
	}
	return nil
}
