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

	"preau/appliance"
	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/config"
	"preau/appliance/roster"
	"preau/appliance/text"
)

// userImport runs "preau user import"; the CSV import sets it from its own
// file, so that this one does not depend on it.
var userImport func(e *env, args []string) error

const userUsage = `Usage :
  preau user add --login L --name "Prénom Nom" --profile PROFIL [--school ID] [--class CLASSE]... [--password MOT|-]
  preau user import ...
  preau user passwd LOGIN [--generate]
  preau user disable LOGIN [--enable]
Profils : teacher, director, pupil, parent, dsi. « --password - » lit le mot de passe sur l'entrée standard ;
sans --password, un mot de passe provisoire est créé et affiché.
Chaque sous-commande accepte aussi --config et --data-dir.`

func runUser(e *env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(e.stderr, userUsage)
		return errors.New("sous-commande attendue : add, import, passwd ou disable")
	}
	switch args[0] {
	case "add":
		return userAdd(e, args[1:])
	case "import":
		if userImport == nil {
			return errors.New("import indisponible")
		}
		return userImport(e, args[1:])
	case "passwd":
		return userPasswd(e, args[1:])
	case "disable":
		return userDisable(e, args[1:])
	case "help", "-h", "--help":
		fmt.Fprintln(e.stdout, userUsage)
		return nil
	}
	fmt.Fprintln(e.stderr, userUsage)
	return fmt.Errorf("sous-commande inconnue %q : add, import, passwd ou disable", args[0])
}

// openAccounts opens the data directory's accounts for a command, with the
// configuration given by --config and --data-dir.
func openAccounts(ctx context.Context, e *env, cf *configFlags, fs *flag.FlagSet) (*auth.Service, config.Config, func(), error) {
	accounts, _, cfg, done, err := openRegister(ctx, e, cf, fs)
	return accounts, cfg, done, err
}

// openRegister is openAccounts with the school register.
func openRegister(ctx context.Context, e *env, cf *configFlags, fs *flag.FlagSet) (*auth.Service, *roster.Service, config.Config, func(), error) {
	cfg, err := cf.load(fs)
	if err != nil {
		return nil, nil, cfg, nil, err
	}
	log := newLogger(cfg, e.stderr)
	db, err := appliance.OpenStore(ctx, cfg, log)
	if err != nil {
		return nil, nil, cfg, nil, err
	}
	accounts := auth.NewService(db, log, cfg.HashConcurrency, cfg.SessionTTL)
	return accounts, roster.NewService(db, accounts), cfg, func() { db.Close() }, nil
}

// stringList is a repeatable flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

type addOptions struct {
	login, name, profile, school, password string
	classes                                stringList
	schoolSet, passwordSet                 bool
}

func userAdd(e *env, args []string) error {
	var cf configFlags
	var o addOptions
	fs := newFlagSet("user add", e)
	cf.register(fs, false)
	fs.StringVar(&o.login, "login", "", "identifiant (par défaut prénom.nom)")
	fs.StringVar(&o.name, "name", "", "« Prénom Nom »")
	fs.StringVar(&o.profile, "profile", "", "teacher, director, pupil, parent ou dsi")
	fs.StringVar(&o.school, "school", "", "identifiant de l'école (par défaut school.id)")
	fs.Var(&o.classes, "class", "classe, par son nom (répétable)")
	fs.StringVar(&o.password, "password", "", "mot de passe, ou - pour le lire sur l'entrée standard")
	given, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	o.schoolSet, o.passwordSet = given["school"], given["password"]
	ctx := context.Background()
	_, register, cfg, done, err := openRegister(ctx, e, &cf, fs)
	if err != nil {
		return err
	}
	defer done()
	n, generated, err := o.newUser(ctx, e, register, cfg)
	if err != nil {
		return err
	}
	u, err := register.AddFromConsole(ctx, n)
	if err != nil {
		return err
	}
	where := ""
	if u.SchoolID != "" {
		where = ", école " + u.SchoolID
	}
	fmt.Fprintf(e.stdout, "Compte créé : %s (%s, %s%s)\n", u.Login, u.DisplayName, u.Profile.Label(), where)
	if generated {
		fmt.Fprintf(e.stdout, "Mot de passe provisoire : %s (à changer à la première connexion)\n", n.Password)
	}
	return nil
}

// newUser checks the options against the data and builds the account.
func (o addOptions) newUser(ctx context.Context, e *env, register *roster.Service, cfg config.Config) (n roster.NewUser, generated bool, err error) {
	// Checked whole before it is split into first and last names, so that the
	// message names the option typed.
	if _, err := text.Name("--name", o.name); err != nil {
		return n, false, err
	}
	names := strings.Fields(o.name)
	if len(names) == 0 {
		return n, false, errors.New(`--name est obligatoire : --name "Prénom Nom"`)
	}
	n = roster.NewUser{NewUser: auth.NewUser{Login: o.login, FirstName: names[0], LastName: strings.Join(names[1:], " "),
		Display: strings.Join(names, " "), Profile: auth.Profile(o.profile)}}
	if !n.Profile.Valid() {
		return n, false, fmt.Errorf("--profile %q inconnu : teacher, director, pupil, parent ou dsi", text.Short(o.profile))
	}
	if n.SchoolID, err = o.schoolFor(ctx, register, cfg); err != nil {
		return n, false, err
	}
	if n.ClassIDs, err = o.classIDs(ctx, register, n.SchoolID, n.Profile); err != nil {
		return n, false, err
	}
	switch {
	case !o.passwordSet:
		n.Password, n.MustChange, generated = auth.GeneratePassword(), true, true
	case o.password == "-":
		if n.Password, err = readSecret(e, "Mot de passe : "); err != nil {
			return n, false, err
		}
	default:
		n.Password = o.password
	}
	return n, generated, nil
}

// schoolFor picks the account's school: none for the DSI, the configured
// school by default on a school's server, which is created on first use
// exactly as the server would (a "preau user add" right after "preau init").
func (o addOptions) schoolFor(ctx context.Context, register *roster.Service, cfg config.Config) (string, error) {
	if auth.Profile(o.profile) == auth.DSI {
		if cfg.Role == config.RoleSchool {
			// Its password would never leave central, nor work here.
			return "", errors.New("un compte dsi se crée sur le serveur central, où la DSI se connecte, pas sur celui d'une école")
		}
		if o.schoolSet {
			return "", errors.New("un compte dsi n'appartient à aucune école : retirez --school")
		}
		return "", nil
	}
	id := o.school
	if !o.schoolSet {
		if cfg.Role != config.RoleSchool {
			return "", errors.New("--school est obligatoire sur le serveur central")
		}
		id = cfg.SchoolID
	}
	if cfg.Role == config.RoleSchool {
		if err := register.EnsureSchool(ctx, cfg.SchoolID, cfg.SchoolName); err != nil {
			return "", err
		}
	}
	if _, err := register.School(ctx, id); errors.Is(err, apperr.ErrNotFound) {
		return "", fmt.Errorf("école %q inconnue", text.Short(id))
	} else if err != nil {
		return "", err
	}
	return id, nil
}

// classIDs resolves class names in the school.
func (o addOptions) classIDs(ctx context.Context, register *roster.Service, schoolID string, p auth.Profile) ([]string, error) {
	if len(o.classes) == 0 {
		return nil, nil
	}
	if p != auth.Pupil && p != auth.Teacher && p != auth.Director {
		return nil, errors.New("--class ne concerne que les élèves, les enseignants et la direction")
	}
	classes, err := register.SchoolClasses(ctx, schoolID)
	if err != nil {
		return nil, err
	}
	var ids, known []string
	for _, name := range o.classes {
		id := ""
		for _, c := range classes {
			if strings.EqualFold(c.Name, strings.TrimSpace(name)) {
				id = c.ID
			}
		}
		if id == "" {
			for _, c := range classes {
				known = append(known, c.Name)
			}
			if len(known) == 0 {
				return nil, fmt.Errorf("classe %q inconnue : l'école %s n'a encore aucune classe", text.Short(name), schoolID)
			}
			return nil, fmt.Errorf("classe %q inconnue dans l'école %s (classes : %s)", text.Short(name), schoolID, strings.Join(known, ", "))
		}
		ids = append(ids, id)
	}
	return ids, nil
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
