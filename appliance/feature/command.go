package feature

import (
	"context"
	"flag"
	"io"
	"log/slog"

	"preau/appliance/auth"
	"preau/appliance/config"
	"preau/appliance/i18n"
	"preau/appliance/store"
)

// Command is a command a feature adds to preau's command line.
type Command struct {
	// Name is a command of its own ("sync"), or a subcommand of one the
	// command line has ("user import").
	Name string
	// Summary is a command's line in preau's list of commands; Usage, a
	// subcommand's lines in its command's usage.
	Summary, Usage string
	Run            func(c Console, args []string) error
}

// Console is the command line as a feature's command sees it; package cli
// implements it, so that every command reads its options and configuration
// and opens the data directory the same way.
type Console interface {
	Stdout() io.Writer
	Stderr() io.Writer
	// FlagSet is the flag set of "preau <name>", with the options of every
	// command that reads the configuration: --config and --data-dir.
	FlagSet(name string) *flag.FlagSet
	// Parse parses fs's flags wherever they stand among args (preau user
	// import FILE --dry-run) and returns the other arguments.
	Parse(fs *flag.FlagSet, args []string) ([]string, error)
	// Config is the configuration, with the flags given to fs.
	Config(fs *flag.FlagSet) (config.Config, error)
	// Open opens the data directory cfg names, as a second SQLite client
	// beside a running server: its store with every feature's schema, and
	// its accounts.
	Open(ctx context.Context, cfg config.Config) (*Node, error)
	// Secret reads one line of standard input (a password), prompting on a
	// terminal.
	Secret(prompt string) (string, error)
	// Version is the binary's.
	Version() string
	// L speaks the terminal's language (its locale, else
	// PREAU_I18N_DEFAULT_LANGUAGE, else French): every line a command
	// prints for people comes from the catalogue through it.
	L() *i18n.Localizer
}

// Node is a data directory a command opened.
type Node struct {
	Config config.Config
	Log    *slog.Logger
	DB     *store.DB
	Auth   *auth.Service
	// Audit is the audit log, where a command records the administrative
	// actions it does (accounts added, imports) with the address
	// "console".
	Audit Auditor
}

// Audited records in the audit log an action a command has done for the
// school schoolID ("" for the city), with no account behind it. The
// action is done: a log that cannot be written is said, not failed on.
func (n *Node) Audited(ctx context.Context, schoolID, action, target string) {
	if n.Audit == nil {
		return // a test's node without the audit log
	}
	if err := n.Audit.RecordConsole(ctx, auth.User{SchoolID: schoolID}, action, target); err != nil {
		n.Log.ErrorContext(ctx, "audit", "action", action, "target", target, "error", err)
	}
}

// Close closes the node's store.
func (n *Node) Close() error { return n.DB.Close() }
