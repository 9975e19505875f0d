// Package cli is the preau command tree: serve, init, user, backup, restore,
// service, version, and the commands the features add through their
// contract (preau sync, preau user add|import), which it runs with a
// feature.Console. Each command parses its flags, loads the configuration
// and calls the appliance; none holds business logic of its own.
//
// It imports the root and the layers below the features; never a feature.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"preau/appliance/i18n"
	"sort"
	"strings"

	"preau/appliance"
	"preau/appliance/config"
	"preau/appliance/feature"
	"preau/appliance/service"
)

// command is one subcommand.
type command struct {
	summary string
	run     func(env *env, args []string) error
}

// env is what commands write to; it is also the features' commands'
// feature.Console.
type env struct {
	stdout, stderr io.Writer
	stdin          io.Reader
	flags          map[*flag.FlagSet]*configFlags // of the sets FlagSet made
}

// commands are the command line's own, and those the features add.
func commands() map[string]command {
	cmds := map[string]command{
		"serve":   {"cli.cmd.serve", runServe},
		"init":    {"cli.cmd.init", runInit},
		"user":    {"cli.cmd.user", runUser},
		"backup":  {"cli.cmd.backup", runBackup},
		"restore": {"cli.cmd.restore", runRestore},
		"service": {"cli.cmd.service", runService},
		"version": {"cli.cmd.version", runVersion},
	}
	for _, c := range featureCommands() {
		if !strings.Contains(c.Name, " ") {
			run := c.Run
			cmds[c.Name] = command{c.Summary, func(e *env, args []string) error { return run(e, args) }}
		}
	}
	return cmds
}

// featureCommands lists the features' commands; tests put their own.
var featureCommands = appliance.Commands

// subcommands are the features' subcommands of the command parent, by name.
func subcommands(parent string) (names []string, byName map[string]feature.Command) {
	byName = map[string]feature.Command{}
	for _, c := range featureCommands() {
		if p, name, ok := strings.Cut(c.Name, " "); ok && p == parent {
			names = append(names, name)
			byName[name] = c
		}
	}
	return names, byName
}

// Main runs the command line and returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	e := &env{stdout: stdout, stderr: stderr, stdin: os.Stdin}
	cmds := commands()
	l := e.L()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout, l, cmds)
		return 0
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintln(stderr, l.T("cli.unknown_command", "Name", args[0]))
		usage(stderr, l, cmds)
		return 2
	}
	if err := c.run(e, args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, l.T("cli.failed", "Command", args[0], "Error", i18n.ErrorText(err, l.Lang)))
		return 1
	}
	return 0
}

func usage(w io.Writer, l *i18n.Localizer, cmds map[string]command) {
	fmt.Fprintln(w, l.T("cli.usage"))
	fmt.Fprintln(w, "\n"+l.T("cli.commands"))
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, l.T(cmds[n].summary))
	}
	fmt.Fprintln(w, "\n"+l.T("cli.help_hint"))
}

// configFlags are the flags every command that reads the configuration
// accepts; set ones override the file and the environment.
type configFlags struct {
	file    string
	dataDir string
	role    string
	demo    bool
	dev     bool
	addr    string
	set     map[string]bool
}

func newFlagSet(name string, e *env) *flag.FlagSet {
	fs := flag.NewFlagSet("preau "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

// parseArgs parses flags wherever they stand among the arguments, so that
// "preau user passwd marie --generate" works, and returns the others.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil
		}
		positional, args = append(positional, rest[0]), rest[1:]
	}
}

// parseFlags parses a command without positional arguments and tells which
// flags were given, for options whose default depends on the configuration.
func parseFlags(fs *flag.FlagSet, args []string) (given map[string]bool, err error) {
	rest, err := parseArgs(fs, args)
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 {
		return nil, i18n.Error(nil, "roster.cmd.unexpected", "Arg", rest[0])
	}
	given = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	return given, nil
}

func (c *configFlags) register(fs *flag.FlagSet, server bool) {
	l := terminal()
	fs.StringVar(&c.file, "config", "", l.T("cli.flag.config"))
	fs.StringVar(&c.dataDir, "data-dir", "", l.T("cli.flag.data_dir"))
	if server {
		fs.StringVar(&c.role, "role", "", l.T("cli.flag.role"))
		fs.BoolVar(&c.demo, "demo", false, l.T("cli.flag.demo"))
		fs.BoolVar(&c.dev, "dev", false, l.T("cli.flag.dev"))
		fs.StringVar(&c.addr, "http-addr", "", l.T("cli.flag.http_addr"))
	}
}

// load reads the configuration with the flags that were given.
func (c *configFlags) load(fs *flag.FlagSet) (config.Config, error) {
	flags := map[string]string{}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "data-dir":
			flags["data_dir"] = c.dataDir
		case "role":
			flags["role"] = c.role
		case "demo":
			flags["demo"] = fmt.Sprint(c.demo)
		case "dev":
			flags["dev"] = fmt.Sprint(c.dev)
		case "http-addr":
			flags["http.addr"] = c.addr
		}
	})
	return config.Load(c.file, flags)
}

// newLogger builds the process logger from log.format and log.level.
func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func runServe(e *env, args []string) error {
	var cf configFlags
	fs := newFlagSet("serve", e)
	cf.register(fs, true)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := cf.load(fs)
	if err != nil {
		return err
	}
	return service.Run(func(ctx context.Context) error { return serve(ctx, cfg, e) })
}

// serve runs the appliance until ctx ends: Ctrl-C in a terminal, or a stop
// from the service manager ("preau service" installs this same command).
func serve(ctx context.Context, cfg config.Config, e *env) error {
	tuneGC(cfg.HashConcurrency)
	log := newLogger(cfg, e.stderr)
	app, err := appliance.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer app.Close()
	printBanner(e.stdout, e.L(), cfg)
	return app.Run(ctx)
}

func printBanner(w io.Writer, l *i18n.Localizer, cfg config.Config) {
	scheme, addr := "http", cfg.HTTPAddr
	if cfg.TLS() {
		scheme, addr = "https", cfg.HTTPSAddr
	}
	host := addr
	if strings.HasPrefix(host, ":") {
		host = "localhost" + host
	}
	role := l.T("cli.banner.school", "Name", cfg.SchoolName)
	if cfg.Role == config.RoleCentral {
		role = l.T("cli.banner.central")
	}
	fmt.Fprintf(w, "Préau %s — %s\n", appliance.Version, role)
	fmt.Fprintln(w, l.T("cli.banner.open", "URL", scheme+"://"+host))
	fmt.Fprintln(w, l.T("cli.banner.data", "Dir", cfg.DataDir))
	if cfg.Demo {
		fmt.Fprintln(w, "\n"+l.T("cli.banner.demo", "Password", feature.DemoPassword))
		accounts := appliance.DemoAccountsOf(cfg)
		width := 0
		for _, a := range accounts {
			width = max(width, len(a.Login))
		}
		for _, a := range accounts {
			fmt.Fprintf(w, "  %-*s  %s\n", width, a.Login, a.Who.In(l.Lang))
		}
	}
}

func runVersion(e *env, args []string) error {
	fmt.Fprintf(e.stdout, "preau %s\n", appliance.Version)
	return nil
}
