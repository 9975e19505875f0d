package sites

import (
	"context"
	"slices"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/store"
)

// checkSiteRow is the rule central applies to the sites a school pushes
// (see store.PushCheck): the school's own, chosen by its staff, for one of
// its classes or a known level, its picture named by a hash. The city's
// sites are global: a school never pushes them (the scope check refuses
// them before this rule).
func checkSiteRow(ctx context.Context, p store.Pushed) error {
	if p.Row.Str("school_id") != p.School {
		return apperr.New(apperr.ErrForbidden, "sites.push.school")
	}
	if !auth.PushedStaff(ctx, p, p.Row.Str("author_id")) {
		return apperr.New(apperr.ErrForbidden, "sites.push.author")
	}
	classID, level := p.Row.Str("class_id"), p.Row.Str("level")
	switch {
	case classID != "" && level != "":
		return apperr.New(apperr.ErrForbidden, "sites.push.level")
	case classID != "" && !auth.PushedClass(ctx, p, classID):
		return apperr.New(apperr.ErrForbidden, "sites.push.class")
	case classID == "" && !slices.Contains(feature.Levels, level):
		return apperr.New(apperr.ErrForbidden, "sites.push.level")
	}
	if pic := p.Row.Str("picture"); pic != "" && !store.ValidHash(pic) {
		return apperr.New(apperr.ErrInvalid, "sites.push.picture")
	}
	return nil
}
