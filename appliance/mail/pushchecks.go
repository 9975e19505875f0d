package mail

import (
	"context"
	"slices"
	"strings"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/store"
)

// The rules central applies to what a school pushes of the mail (see
// store.PushCheck). A school writes the messages and copies of the people
// who use it: its own accounts and its pupils' parents. It cannot claim a
// message delivered (central delivers between schools, checking the rules
// again) nor change one once written but to let a held one go.
var pushChecks = map[string]store.PushCheck{
	"mail_messages": checkMessageRow,
	"mail_copies":   checkCopyRow,
	"mail_folders":  checkFolderRow,
	"mail_settings": checkSettingsRow,
}

// ofSchool reports whether an account uses the pushing school.
func ofSchool(ctx context.Context, p store.Pushed, userID string) bool {
	return auth.PushedUser(ctx, p, userID, auth.Pupil, auth.Parent, auth.Teacher, auth.Director) || auth.PushedFamily(ctx, p, userID)
}

func checkMessageRow(ctx context.Context, p store.Pushed) error {
	if !ofSchool(ctx, p, p.Row.Str("sender_id")) {
		return apperr.New(apperr.ErrForbidden, "mail.push.sender")
	}
	if p.Row.Str("delivered_at") != "" && !p.Unchanged("delivered_at") {
		return apperr.New(apperr.ErrForbidden, "mail.push.delivered")
	}
	if p.Prior != nil && !p.Unchanged("sender_id", "header_id", "subject", "recipients", "schools", "raw", "blob", "size") {
		return apperr.New(apperr.ErrForbidden, "mail.push.changed")
	}
	// the schools it goes to are those of its recipients, so that the
	// audience takes it nowhere else
	homes := map[string]bool{}
	for _, id := range strings.Fields(p.Row.Str("recipients")) {
		var school string
		if p.Tx.QueryRowContext(ctx, "SELECT school_id FROM users WHERE id = ?", id).Scan(&school) == nil {
			homes[cmpOr(school, cityScope)] = true
		}
	}
	for _, school := range strings.Fields(p.Row.Str("schools")) {
		if !homes[school] {
			return apperr.New(apperr.ErrForbidden, "mail.push.schools")
		}
	}
	return nil
}

func checkCopyRow(ctx context.Context, p store.Pushed) error {
	if !ofSchool(ctx, p, p.Row.Str("owner_id")) {
		return apperr.New(apperr.ErrForbidden, "mail.push.owner")
	}
	// a copy is its sender's or a recipient's: no one reads a message
	// that was not theirs through a copy made up
	owner := p.Row.Str("owner_id")
	var sender, recipients string
	err := p.Tx.QueryRowContext(ctx, "SELECT sender_id, recipients FROM mail_messages WHERE id = ?", p.Row.Str("message_id")).Scan(&sender, &recipients)
	if err != nil || (owner != sender && !slices.Contains(strings.Fields(recipients), owner)) {
		return apperr.New(apperr.ErrForbidden, "mail.push.message")
	}
	return nil
}

func checkFolderRow(ctx context.Context, p store.Pushed) error {
	if !ofSchool(ctx, p, p.Row.Str("owner_id")) {
		return apperr.New(apperr.ErrForbidden, "mail.push.owner")
	}
	return nil
}

func checkSettingsRow(ctx context.Context, p store.Pushed) error {
	if p.Row.ID() != p.School {
		return apperr.New(apperr.ErrForbidden, "mail.push.settings")
	}
	return nil
}
