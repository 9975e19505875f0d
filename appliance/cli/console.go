package cli

import (
	"context"
	"flag"
	"io"
	"os"

	"preau/appliance"
	"preau/appliance/auth"
	"preau/appliance/config"
	"preau/appliance/feature"
	"preau/appliance/i18n"
)

// The command line as the features' commands see it (feature.Console): the
// same options, configuration and data directory as the commands here.

var _ feature.Console = (*env)(nil)

func (e *env) Stdout() io.Writer { return e.stdout }
func (e *env) Stderr() io.Writer { return e.stderr }
func (e *env) Version() string   { return appliance.Version }

// L speaks the terminal's language (see terminal).
func (e *env) L() *i18n.Localizer { return terminal() }

// terminal speaks the terminal's locale, else PREAU_I18N_DEFAULT_LANGUAGE,
// else French: a command runs before (or without) the configuration file.
func terminal() *i18n.Localizer {
	if l, ok := i18n.FromEnv(os.Getenv); ok {
		return i18n.For(l)
	}
	if l, ok := i18n.Parse(os.Getenv("PREAU_I18N_DEFAULT_LANGUAGE")); ok {
		return i18n.For(l)
	}
	return i18n.For(i18n.FR)
}

// FlagSet is the flag set of "preau <name>" with --config and --data-dir.
func (e *env) FlagSet(name string) *flag.FlagSet {
	fs := newFlagSet(name, e)
	cf := &configFlags{}
	cf.register(fs, false)
	if e.flags == nil {
		e.flags = make(map[*flag.FlagSet]*configFlags)
	}
	e.flags[fs] = cf
	return fs
}

func (e *env) Parse(fs *flag.FlagSet, args []string) ([]string, error) { return parseArgs(fs, args) }

// Config loads the configuration with the flags given to a FlagSet's set.
func (e *env) Config(fs *flag.FlagSet) (config.Config, error) {
	cf, ok := e.flags[fs]
	if !ok {
		cf = &configFlags{}
	}
	return cf.load(fs)
}

// Open opens the data directory's store with every feature's schema, and
// its accounts.
func (e *env) Open(ctx context.Context, cfg config.Config) (*feature.Node, error) {
	log := newLogger(cfg, e.stderr)
	db, err := appliance.OpenStore(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	return &feature.Node{Config: cfg, Log: log, DB: db, Auth: auth.NewService(db, log, cfg.HashConcurrency, cfg.SessionTTL),
		Audit: appliance.Auditor(db, cfg)}, nil
}

func (e *env) Secret(prompt string) (string, error) { return readSecret(e, prompt) }
