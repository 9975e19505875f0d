package update

import (
	"context"
	"slices"

	"preau/appliance/apperr"
	"preau/appliance/store"
)

// checkReleaseRow: releases are the DSI's, global; a school's push of one
// is refused by the scope check before this rule, which refuses any that
// would pass.
func checkReleaseRow(context.Context, store.Pushed) error {
	return apperr.New(apperr.ErrForbidden, "update.push.release")
}

// checkReportRow: a school writes only its own report, one row under its
// own id, in a state the update check writes.
func checkReportRow(_ context.Context, p store.Pushed) error {
	r := p.Row
	if r.ID() != p.School || r.Str("school_id") != p.School {
		return apperr.New(apperr.ErrForbidden, "update.push.school")
	}
	if !slices.Contains([]string{Idle, Pending, Applied, RolledBack, Refused}, r.Str("state")) {
		return apperr.New(apperr.ErrForbidden, "update.push.state")
	}
	return nil
}

// checkLibraryRow: the library's signatures are the DSI's, global, as
// releases are.
func checkLibraryRow(context.Context, store.Pushed) error {
	return apperr.New(apperr.ErrForbidden, "update.push.library")
}

// checkLibraryReportRow: a school reports only on its own library, one
// row under its own id, in a state the school writes.
func checkLibraryReportRow(_ context.Context, p store.Pushed) error {
	r := p.Row
	if r.ID() != p.School || r.Str("school_id") != p.School {
		return apperr.New(apperr.ErrForbidden, "update.push.school")
	}
	if !slices.Contains([]string{LibraryVerified, LibraryRefused}, r.Str("state")) {
		return apperr.New(apperr.ErrForbidden, "update.push.state")
	}
	return nil
}
