package blog

import (
	"context"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/store"
)

// The rules central applies to the class blog's rows a school pushes (see
// store.PushCheck): what its own users could have written through the
// pages and the API.

// checkPostRow: the school's own, for one of its classes, by its staff or
// one of its pupils (held for approval).
func checkPostRow(ctx context.Context, p store.Pushed) error {
	if err := ownClass(ctx, p); err != nil {
		return err
	}
	author := p.Row.Str("author_id")
	if auth.PushedStaff(ctx, p, author) {
		return nil
	}
	if auth.PushedUser(ctx, p, author, auth.Pupil) && p.Row.Str("audience") == Class {
		return nil
	}
	return apperr.New(apperr.ErrForbidden, "blog.push.author")
}

// checkMediaRow: a file of one of the school's posts, as a SHA-256.
func checkMediaRow(ctx context.Context, p store.Pushed) error {
	if err := ownClass(ctx, p); err != nil {
		return err
	}
	if !store.ValidHash(p.Row.Str("blob")) {
		return apperr.New(apperr.ErrForbidden, "blog.push.blob")
	}
	return ownPost(ctx, p)
}

// checkCommentRow: under one of the school's posts, by its staff or a
// parent of one of its pupils.
func checkCommentRow(ctx context.Context, p store.Pushed) error {
	if err := ownClass(ctx, p); err != nil {
		return err
	}
	author := p.Row.Str("author_id")
	if !auth.PushedStaff(ctx, p, author) && !auth.PushedFamily(ctx, p, author) {
		return apperr.New(apperr.ErrForbidden, "blog.push.commenter")
	}
	return ownPost(ctx, p)
}

// checkSettingsRow: the choices of one of the school's classes.
func checkSettingsRow(ctx context.Context, p store.Pushed) error {
	if p.Row.Str("school_id") != p.School || !auth.PushedClass(ctx, p, p.Row.ID()) {
		return apperr.New(apperr.ErrForbidden, "blog.push.class")
	}
	return nil
}

func ownClass(ctx context.Context, p store.Pushed) error {
	if p.Row.Str("school_id") != p.School {
		return apperr.New(apperr.ErrForbidden, "blog.push.school")
	}
	if !auth.PushedClass(ctx, p, p.Row.Str("class_id")) {
		return apperr.New(apperr.ErrForbidden, "blog.push.class")
	}
	return nil
}

// ownPost: the row's post is one of the school's, of the same class.
func ownPost(ctx context.Context, p store.Pushed) error {
	var school, class string
	err := p.Tx.QueryRowContext(ctx, "SELECT school_id, class_id FROM blog_posts WHERE id = ?", p.Row.Str("post_id")).Scan(&school, &class)
	if err != nil || school != p.School || class != p.Row.Str("class_id") {
		return apperr.New(apperr.ErrForbidden, "blog.push.post")
	}
	return nil
}
