package forum

import (
	"context"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/store"
)

// The rules central applies to the forums' rows a school pushes (see
// store.PushCheck): what the school's own people could have written
// through the pages and the API. The city's forums are global: a school
// never pushes one (the scope check refuses it before these rules); what
// it writes in one carries city = 1, and only there, since that flag
// sends the row to every school.
var pushChecks = map[string]store.PushCheck{
	"forums":        checkForumRow,
	"forum_threads": inForum("", "", "author_id"),
	"forum_posts":   inForum("forum_threads", "thread_id", "author_id"),
	"forum_files":   checkFileRow,
	"forum_reads":   checkReadRow,
	"forum_reports": inForum("forum_posts", "post_id", "reporter_id"),
}

func checkForumRow(ctx context.Context, p store.Pushed) error {
	if p.Row.Str("school_id") != p.School || p.Row.Str("audience") == City {
		return apperr.New(apperr.ErrForbidden, "forum.push.school")
	}
	if !auth.PushedStaff(ctx, p, p.Row.Str("author_id")) {
		return apperr.New(apperr.ErrForbidden, "forum.push.author")
	}
	if a := p.Row.Str("audience"); (a == Class || a == Parents) && !auth.PushedClass(ctx, p, p.Row.Str("class_id")) {
		return apperr.New(apperr.ErrForbidden, "forum.push.class")
	}
	return nil
}

// pushedForum checks that a row belongs to one of the pushing school's
// forums, or to the city's with its flag set (and to no other with it),
// and returns the forum's audience.
func pushedForum(ctx context.Context, p store.Pushed, forumID string, flagged bool) (string, error) {
	var school, audience string
	if err := p.Tx.QueryRowContext(ctx, "SELECT school_id, audience FROM forums WHERE id = ?", forumID).Scan(&school, &audience); err != nil {
		return "", apperr.New(apperr.ErrForbidden, "forum.push.forum")
	}
	flag, _ := p.Row.Values["city"].(int64)
	city := flag != 0
	switch {
	case school == "" && flagged && city:
		return audience, nil
	case school == p.School && !city:
		return audience, nil
	}
	return "", apperr.New(apperr.ErrForbidden, "forum.push.forum")
}

// pushedWriter checks that someone wrote in a forum of the pushing
// school: one of its pupils or staff, or a parent of one of its pupils;
// only staff in the city's.
func pushedWriter(ctx context.Context, p store.Pushed, audience, userID string) error {
	ok := auth.PushedStaff(ctx, p, userID)
	if audience != City && !ok {
		ok = auth.PushedUser(ctx, p, userID, auth.Pupil) || auth.PushedFamily(ctx, p, userID)
	}
	if !ok {
		return apperr.New(apperr.ErrForbidden, "forum.push.author")
	}
	return nil
}

// inForum is the rule of a row written in a forum: in one of the
// school's, or flagged in the city's; pointing (its column parentCol) to a
// row of parentTable of the same forum, when it names one; written by one
// of the school's people (its column writerCol).
func inForum(parentTable, parentCol, writerCol string) store.PushCheck {
	return func(ctx context.Context, p store.Pushed) error {
		audience, err := pushedForum(ctx, p, p.Row.Str("forum_id"), true)
		if err != nil {
			return err
		}
		if parentTable != "" {
			if err := pushedIn(ctx, p, parentTable, p.Row.Str(parentCol)); err != nil {
				return err
			}
		}
		return pushedWriter(ctx, p, audience, p.Row.Str(writerCol))
	}
}

// checkFileRow: a file of a post of the forum's, named by its SHA-256.
func checkFileRow(ctx context.Context, p store.Pushed) error {
	if !store.ValidHash(p.Row.Str("hash")) {
		return apperr.New(apperr.ErrForbidden, "forum.push.file_hash")
	}
	return inForum("forum_posts", "post_id", "author_id")(ctx, p)
}

// checkReadRow: how far one of the school's people read a thread of one
// of its forums or of the city's.
func checkReadRow(ctx context.Context, p store.Pushed) error {
	var school, audience string
	if err := p.Tx.QueryRowContext(ctx, "SELECT school_id, audience FROM forums WHERE id = ?", p.Row.Str("forum_id")).Scan(&school, &audience); err != nil ||
		(school != "" && school != p.School) {
		return apperr.New(apperr.ErrForbidden, "forum.push.forum")
	}
	if err := pushedIn(ctx, p, "forum_threads", p.Row.Str("thread_id")); err != nil {
		return err
	}
	if p.Row.Str("id") != store.NaturalID("forum-read", p.Row.Str("user_id"), p.Row.Str("thread_id")) {
		return apperr.New(apperr.ErrForbidden, "forum.push.read")
	}
	return pushedWriter(ctx, p, audience, p.Row.Str("user_id"))
}

// pushedIn checks that a row points to a row of a table of the same forum.
func pushedIn(ctx context.Context, p store.Pushed, table, id string) error {
	var forumID string
	if err := p.Tx.QueryRowContext(ctx, "SELECT forum_id FROM "+table+" WHERE id = ?", id).Scan(&forumID); err != nil || forumID != p.Row.Str("forum_id") {
		return apperr.New(apperr.ErrForbidden, "forum.push.forum")
	}
	return nil
}
