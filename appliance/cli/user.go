package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"preau/appliance/i18n"
	"strings"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/text"
)

// The user command: passwd and disable act on an account's credentials
// here; the register adds its subcommands (add, import).

func runUser(e *env, args []string) error {
	names, added := subcommands("user")
	var usage strings.Builder
	l := e.L()
	usage.WriteString(l.T("cli.usage_head") + "\n")
	for _, n := range names {
		usage.WriteString(l.T(added[n].Usage) + "\n")
	}
	usage.WriteString(l.T("cli.user.usage") + "\n" + l.T("cli.user.options"))
	all := append(names, "passwd", "disable")
	choices := l.T("cli.or", "List", strings.Join(all[:len(all)-1], ", "), "Last", all[len(all)-1])
	if len(args) == 0 {
		fmt.Fprintln(e.stderr, usage.String())
		return i18n.Error(nil, "cli.user.expected", "Choices", choices)
	}
	if c, ok := added[args[0]]; ok {
		return c.Run(e, args[1:])
	}
	switch args[0] {
	case "passwd":
		return userPasswd(e, args[1:])
	case "disable":
		return userDisable(e, args[1:])
	case "help", "-h", "--help":
		fmt.Fprintln(e.stdout, usage.String())
		return nil
	}
	fmt.Fprintln(e.stderr, usage.String())
	return i18n.Error(nil, "cli.user.unknown", "Name", args[0], "Choices", choices)
}

func userPasswd(e *env, args []string) error {
	var generate *bool
	flags := func(fs *flag.FlagSet) {
		generate = fs.Bool("generate", false, e.L().T("cli.user.flag_generate"))
	}
	return onUser(e, "user passwd", args, flags, func(ctx context.Context, accounts *auth.Service, u auth.User) (string, error) {
		password := auth.GeneratePassword()
		if !*generate {
			var err error
			if password, err = readSecret(e, e.L().T("cli.user.new_password")+" "); err != nil {
				return "", err
			}
		}
		if err := accounts.SetPassword(ctx, u.ID, password, *generate); err != nil {
			return "", err
		}
		fmt.Fprintln(e.stdout, e.L().T("cli.user.password_changed", "Login", u.Login))
		if *generate {
			fmt.Fprintln(e.stdout, e.L().T("roster.cmd.provisional", "Password", password))
		}
		return "account.password_reset", nil
	})
}

func userDisable(e *env, args []string) error {
	var enable *bool
	flags := func(fs *flag.FlagSet) { enable = fs.Bool("enable", false, e.L().T("cli.user.flag_enable")) }
	return onUser(e, "user disable", args, flags, func(ctx context.Context, accounts *auth.Service, u auth.User) (string, error) {
		if err := accounts.SetDisabled(ctx, u.ID, !*enable); err != nil {
			return "", err
		}
		if *enable {
			fmt.Fprintln(e.stdout, e.L().T("cli.user.enabled", "Login", u.Login))
			return "account.enable", nil
		}
		fmt.Fprintln(e.stdout, e.L().T("cli.user.disabled", "Login", u.Login))
		return "account.disable", nil
	})
}

// onUser runs a command on the account named by its single LOGIN argument;
// flags registers the command's own options. fn answers the action it did,
// for the audit log, where it is recorded as the console's.
func onUser(e *env, name string, args []string, flags func(fs *flag.FlagSet),
	fn func(ctx context.Context, accounts *auth.Service, u auth.User) (string, error)) error {
	var cf configFlags
	fs := newFlagSet(name, e)
	cf.register(fs, false)
	flags(fs)
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return i18n.Error(nil, "cli.user.one_login", "Command", name)
	}
	ctx := context.Background()
	cfg, err := cf.load(fs)
	if err != nil {
		return err
	}
	n, err := e.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer n.Close()
	accounts := n.Auth
	u, err := accounts.UserByLogin(ctx, rest[0])
	if errors.Is(err, apperr.ErrNotFound) {
		return i18n.Error([]error{apperr.ErrNotFound}, "cli.user.not_found", "Login", text.Short(rest[0]))
	}
	if err != nil {
		return err
	}
	action, err := fn(ctx, accounts, u)
	if err != nil {
		return err
	}
	n.Audited(ctx, u.SchoolID, action, u.Login)
	return nil
}

// readSecret reads one line from standard input, prompting on a terminal.
func readSecret(e *env, prompt string) (string, error) {
	if f, ok := e.stdin.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			fmt.Fprint(e.stderr, prompt)
		}
	}
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", i18n.Error(nil, "cli.user.empty_password")
	}
	return line, nil
}
