package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/config"
	"preau/appliance/text"
)

// The user command: passwd and disable act on an account's credentials
// here; the register adds its subcommands (add, import).

const ownUserUsage = `  preau user passwd LOGIN [--generate]
  preau user disable LOGIN [--enable]`

func runUser(e *env, args []string) error {
	names, added := subcommands("user")
	var usage strings.Builder
	usage.WriteString("Usage :\n")
	for _, n := range names {
		usage.WriteString(added[n].Usage + "\n")
	}
	usage.WriteString(ownUserUsage + "\nChaque sous-commande accepte aussi --config et --data-dir.")
	all := append(names, "passwd", "disable")
	choices := strings.Join(all[:len(all)-1], ", ") + " ou " + all[len(all)-1]
	if len(args) == 0 {
		fmt.Fprintln(e.stderr, usage.String())
		return fmt.Errorf("sous-commande attendue : %s", choices)
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
	return fmt.Errorf("sous-commande inconnue %q : %s", args[0], choices)
}

// openAccounts opens the data directory's accounts for a command, with the
// configuration given by --config and --data-dir.
func openAccounts(ctx context.Context, e *env, cf *configFlags, fs *flag.FlagSet) (*auth.Service, config.Config, func(), error) {
	cfg, err := cf.load(fs)
	if err != nil {
		return nil, cfg, nil, err
	}
	n, err := e.Open(ctx, cfg)
	if err != nil {
		return nil, cfg, nil, err
	}
	return n.Auth, cfg, func() { n.Close() }, nil
}

func userPasswd(e *env, args []string) error {
	var generate *bool
	flags := func(fs *flag.FlagSet) {
		generate = fs.Bool("generate", false, "crée un mot de passe provisoire, affiché, à changer à la connexion")
	}
	return onUser(e, "user passwd", args, flags, func(ctx context.Context, accounts *auth.Service, u auth.User) error {
		password := auth.GeneratePassword()
		if !*generate {
			var err error
			if password, err = readSecret(e, "Nouveau mot de passe : "); err != nil {
				return err
			}
		}
		if err := accounts.SetPassword(ctx, u.ID, password, *generate); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Mot de passe de %s changé ; ses sessions sont fermées.\n", u.Login)
		if *generate {
			fmt.Fprintf(e.stdout, "Mot de passe provisoire : %s (à changer à la première connexion)\n", password)
		}
		return nil
	})
}

func userDisable(e *env, args []string) error {
	var enable *bool
	flags := func(fs *flag.FlagSet) { enable = fs.Bool("enable", false, "réactive le compte") }
	return onUser(e, "user disable", args, flags, func(ctx context.Context, accounts *auth.Service, u auth.User) error {
		if err := accounts.SetDisabled(ctx, u.ID, !*enable); err != nil {
			return err
		}
		if *enable {
			fmt.Fprintf(e.stdout, "Compte %s réactivé.\n", u.Login)
		} else {
			fmt.Fprintf(e.stdout, "Compte %s désactivé ; ses sessions sont fermées.\n", u.Login)
		}
		return nil
	})
}

// onUser runs a command on the account named by its single LOGIN argument;
// flags registers the command's own options.
func onUser(e *env, name string, args []string, flags func(fs *flag.FlagSet),
	fn func(ctx context.Context, accounts *auth.Service, u auth.User) error) error {
	var cf configFlags
	fs := newFlagSet(name, e)
	cf.register(fs, false)
	flags(fs)
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return fmt.Errorf("indiquez un identifiant, et un seul : preau %s LOGIN", name)
	}
	ctx := context.Background()
	accounts, _, done, err := openAccounts(ctx, e, &cf, fs)
	if err != nil {
		return err
	}
	defer done()
	u, err := accounts.UserByLogin(ctx, rest[0])
	if errors.Is(err, apperr.ErrNotFound) {
		return fmt.Errorf("compte %q introuvable", text.Short(rest[0]))
	}
	if err != nil {
		return err
	}
	return fn(ctx, accounts, u)
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
		return "", errors.New("mot de passe vide : donnez-le sur une ligne de l'entrée standard (ou --generate pour passwd)")
	}
	return line, nil
}
