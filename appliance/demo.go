package appliance

import (
	"context"
	"embed"
	"fmt"
	"time"

	"preau/appliance/config"
	"preau/appliance/feature"
	"preau/appliance/store"
)

// The demo school: each feature brings its part (feature.Demo), and the
// root seeds each part once per school and node, keeping a mark of it in
// demo_seeds. A restart with --demo seeds nothing again, whatever became of
// what was seeded; a feature added since seeds its part of a school seeded
// before it.

//go:embed migrations/demo/*.sql
var demoMigrations embed.FS

// demoSchema is which features' parts of which demo schools this node has
// seeded. Local to the node: nothing of it replicates.
var demoSchema = store.Schema{Name: "demo", FS: store.Sub(demoMigrations, "migrations/demo")}

// demoSchool is this node's demo school.
func demoSchool(cfg config.Config) feature.DemoSchool {
	return feature.DemoSchool{ID: cfg.SchoolID, Name: cfg.SchoolName, Central: cfg.Role == config.RoleCentral}
}

// SeedDemo seeds the parts of a demo school that this node has not seeded
// yet, feature by feature in their order.
func (a *App) SeedDemo(ctx context.Context, school feature.DemoSchool) error {
	for _, f := range a.features {
		if f.Demo.Seed == nil {
			continue
		}
		var marked int
		if err := a.DB.Reader().QueryRowContext(ctx, "SELECT count(*) FROM demo_seeds WHERE school_id = ? AND feature = ?",
			school.ID, f.Name).Scan(&marked); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		if marked > 0 {
			continue
		}
		if err := f.Demo.Seed(ctx, a.Env, school); err != nil {
			return fmt.Errorf("demo %s: %w", f.Name, err)
		}
		if err := a.DB.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO demo_seeds(school_id, feature, seeded_at) VALUES (?, ?, ?)",
				school.ID, f.Name, time.Now().UTC().Format(time.RFC3339))
			return err
		}); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	return nil
}

// DemoAccounts lists the logins to try at a demo school, every feature's.
func DemoAccounts(school feature.DemoSchool) []feature.DemoAccount {
	return demoAccounts(Features, school)
}

func demoAccounts(features []feature.Feature, school feature.DemoSchool) []feature.DemoAccount {
	var out []feature.DemoAccount
	for _, f := range features {
		if f.Demo.Accounts != nil {
			out = append(out, f.Demo.Accounts(school)...)
		}
	}
	return out
}

// DemoAccountsOf lists the logins of the demo school cfg configures, for
// the start-up banner.
func DemoAccountsOf(cfg config.Config) []feature.DemoAccount { return DemoAccounts(demoSchool(cfg)) }
