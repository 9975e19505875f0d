package roster

import (
	"context"

	"preau/appliance/auth"
	"preau/appliance/feature"
)

// personalExport is the register's part of a person's export: their
// account as the school keeps it, their classes, their family links and
// the requests to link them. Never a password, picture-password or card
// secret: those are sign-in's to mention, not to hand out.
func personalExport(env *feature.Env, ctx context.Context, u auth.User, x feature.Export) error {
	parts := []struct{ name, query string }{
		{"account", `SELECT u.id, u.login, u.first_name, u.last_name, u.display_name, u.profile, u.school_id,
			coalesce(s.name, '') AS school, u.email, u.language, u.must_change, u.disabled, u.created_at
			FROM users u LEFT JOIN schools s ON s.id = u.school_id WHERE u.id = ?1`},
		{"classes", `SELECT c.id, c.name, c.level, c.school_id, m.role FROM memberships m JOIN classes c ON c.id = m.class_id
			WHERE m.deleted = 0 AND c.deleted = 0 AND m.user_id = ?1 ORDER BY c.name`},
		{"family", `SELECT g.parent_id, p.display_name AS parent, g.child_id, c.display_name AS child
			FROM guardians g JOIN users p ON p.id = g.parent_id JOIN users c ON c.id = g.child_id
			WHERE g.deleted = 0 AND (g.parent_id = ?1 OR g.child_id = ?1) ORDER BY child, parent`},
		{"link_requests", `SELECT r.parent_id, r.child_id, coalesce(c.display_name, '') AS child, r.school_id, r.status, r.created_at, r.answered_at
			FROM guardian_requests r LEFT JOIN users c ON c.id = r.child_id
			WHERE r.deleted = 0 AND (r.parent_id = ?1 OR r.child_id = ?1) ORDER BY r.created_at`},
	}
	for _, p := range parts {
		if _, err := env.ExportRows(ctx, x, p.name, p.query, u.ID); err != nil {
			return err
		}
	}
	return nil
}
