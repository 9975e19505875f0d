package minisites

import (
	"context"
	"regexp"
	"slices"
	"strings"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/store"
	"preau/appliance/text"
)

// pushChecks are the rules central applies to the mini-sites' rows a
// school pushes (see store.PushCheck): the school's own sites, for one of
// its classes, started by its staff for its pupils; their pages, pictures
// and published pages belong to one of its sites.
var pushChecks = map[string]store.PushCheck{
	"minisites":          checkSiteRow,
	"minisite_pages":     checkPageRow,
	"minisite_images":    checkImageRow,
	"minisite_published": checkPublishedRow,
}

var staff = []auth.Profile{auth.Teacher, auth.Director}

func checkSiteRow(ctx context.Context, p store.Pushed) error {
	switch {
	case p.Row.Str("school_id") != p.School || p.Row.Str("scope") != p.School:
		return apperr.New(apperr.ErrForbidden, "minisites.push.school")
	case !auth.PushedClass(ctx, p, p.Row.Str("class_id")):
		return apperr.New(apperr.ErrForbidden, "minisites.push.class")
	case !auth.PushedUser(ctx, p, p.Row.Str("author_id"), staff...):
		return apperr.New(apperr.ErrForbidden, "minisites.push.author")
	case p.Prior != nil && !p.Unchanged("school_id", "class_id", "author_id"):
		return apperr.New(apperr.ErrForbidden, "minisites.push.moved")
	}
	for _, id := range strings.Fields(p.Row.Str("pupils")) {
		if !auth.PushedUser(ctx, p, id, auth.Pupil) {
			return apperr.New(apperr.ErrForbidden, "minisites.push.pupils")
		}
	}
	return nil
}

// ownSite is whether a row's site is one of the pushing school's.
func ownSite(ctx context.Context, p store.Pushed) bool {
	var school string
	err := p.Tx.QueryRowContext(ctx, "SELECT school_id FROM minisites WHERE id = ?", p.Row.Str("site_id")).Scan(&school)
	return err == nil && school == p.School && p.Row.Str("school_id") == p.School && p.Row.Str("scope") == p.School
}

func checkPageRow(ctx context.Context, p store.Pushed) error {
	switch {
	case !ownSite(ctx, p):
		return apperr.New(apperr.ErrForbidden, "minisites.push.site")
	case p.Prior != nil && !p.Unchanged("site_id", "school_id"):
		return apperr.New(apperr.ErrForbidden, "minisites.push.moved")
	}
	return nil
}

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

func checkImageRow(ctx context.Context, p store.Pushed) error {
	switch {
	case !ownSite(ctx, p):
		return apperr.New(apperr.ErrForbidden, "minisites.push.site")
	case !sha256Hex.MatchString(p.Row.Str("hash")):
		return apperr.New(apperr.ErrForbidden, "minisites.push.file_hash")
	case !store.IsPicture(p.Row.Str("type")):
		// Served as its type: HTML would run on the reader's origin.
		return apperr.New(apperr.ErrForbidden, "minisites.push.image_type")
	case !auth.PushedUser(ctx, p, p.Row.Str("author_id"), append(slices.Clone(staff), auth.Pupil)...):
		return apperr.New(apperr.ErrForbidden, "minisites.push.image_author")
	case p.Prior != nil && !p.Unchanged("site_id", "school_id", "page_id", "token", "hash", "author_id"):
		return apperr.New(apperr.ErrForbidden, "minisites.push.moved")
	}
	return nil
}

func checkPublishedRow(ctx context.Context, p store.Pushed) error {
	safe, _ := text.SafeHTML(p.Row.Str("html"))
	switch {
	case !ownSite(ctx, p):
		return apperr.New(apperr.ErrForbidden, "minisites.push.site")
	case safe != p.Row.Str("html"):
		// Shown sanitized anyway; refused so that a school's tampering is
		// said where it happens.
		return apperr.New(apperr.ErrForbidden, "minisites.push.html")
	case p.Prior != nil && !p.Unchanged("site_id", "school_id", "page_id", "title", "html", "images"):
		return apperr.New(apperr.ErrForbidden, "minisites.push.moved")
	}
	return nil
}
