package roster

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/config"
	"preau/appliance/feature"
	"preau/appliance/text"
)

// The register's commands: preau user add and preau user import, for
// whoever runs preau on the server. They work on the data directory
// directly, the server running or not.

var commands = []feature.Command{
	{Name: "user add", Run: runAdd, Usage: `  preau user add --login L --name "Prénom Nom" --profile PROFIL [--school ID] [--class CLASSE]... [--password MOT|-]
      Profils : teacher, director, pupil, parent, dsi. « --password - » lit le mot de passe sur l'entrée standard ;
      sans --password, un mot de passe provisoire est créé et affiché.`},
	{Name: "user import", Run: runImport, Usage: "  " + importUsage},
}

// open opens the data directory and its register for a command.
func open(ctx context.Context, c feature.Console, fs *flag.FlagSet) (*feature.Node, *Service, error) {
	cfg, err := c.Config(fs)
	if err != nil {
		return nil, nil, err
	}
	n, err := c.Open(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	return n, NewService(n.DB, n.Auth), nil
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

// runAdd creates one account, with the rules of AddFromConsole.
func runAdd(c feature.Console, args []string) error {
	var o addOptions
	fs := c.FlagSet("user add")
	fs.StringVar(&o.login, "login", "", "identifiant (par défaut prénom.nom)")
	fs.StringVar(&o.name, "name", "", "« Prénom Nom »")
	fs.StringVar(&o.profile, "profile", "", "teacher, director, pupil, parent ou dsi")
	fs.StringVar(&o.school, "school", "", "identifiant de l'école (par défaut school.id)")
	fs.Var(&o.classes, "class", "classe, par son nom (répétable)")
	fs.StringVar(&o.password, "password", "", "mot de passe, ou - pour le lire sur l'entrée standard")
	rest, err := c.Parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("argument inattendu %q", rest[0])
	}
	fs.Visit(func(f *flag.Flag) {
		o.schoolSet = o.schoolSet || f.Name == "school"
		o.passwordSet = o.passwordSet || f.Name == "password"
	})
	ctx := context.Background()
	node, register, err := open(ctx, c, fs)
	if err != nil {
		return err
	}
	defer node.Close()
	n, generated, err := o.newUser(ctx, c, register, node.Config)
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
	fmt.Fprintf(c.Stdout(), "Compte créé : %s (%s, %s%s)\n", u.Login, u.DisplayName, u.Profile.Label(), where)
	if generated {
		fmt.Fprintf(c.Stdout(), "Mot de passe provisoire : %s (à changer à la première connexion)\n", n.Password)
	}
	return nil
}

// newUser reads the options against the data and builds the account.
func (o addOptions) newUser(ctx context.Context, c feature.Console, register *Service, cfg config.Config) (n NewUser, generated bool, err error) {
	// Checked whole before it is split into first and last names, so that the
	// message names the option typed.
	if _, err := text.Name("--name", o.name); err != nil {
		return n, false, err
	}
	names := strings.Fields(o.name)
	if len(names) == 0 {
		return n, false, errors.New(`--name est obligatoire : --name "Prénom Nom"`)
	}
	n = NewUser{NewUser: auth.NewUser{Login: o.login, FirstName: names[0], LastName: strings.Join(names[1:], " "),
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
		if n.Password, err = c.Secret("Mot de passe : "); err != nil {
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
func (o addOptions) schoolFor(ctx context.Context, register *Service, cfg config.Config) (string, error) {
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
func (o addOptions) classIDs(ctx context.Context, register *Service, schoolID string, p auth.Profile) ([]string, error) {
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

const importUsage = "preau user import FICHIER.csv [--school ID] [--dry-run]"

// runImport imports a CSV file of pupils, parents and teachers with the
// same checks as the web import: a report line by line, nothing written when
// a line has a problem or with --dry-run, otherwise everything in one
// transaction, then the first-login credentials.
func runImport(c feature.Console, args []string) error {
	fs := c.FlagSet("user import")
	school := fs.String("school", "", "identifiant de l'école (par défaut school.id)")
	dryRun := fs.Bool("dry-run", false, "vérifie le fichier et affiche le rapport, sans rien écrire")
	rest, err := c.Parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return fmt.Errorf("indiquez un fichier, et un seul : %s", importUsage)
	}
	data, err := readImportFile(rest[0])
	if err != nil {
		return err
	}
	ctx := context.Background()
	node, register, err := open(ctx, c, fs)
	if err != nil {
		return err
	}
	defer node.Close()
	schoolID, err := importSchool(ctx, register, node.Config, *school)
	if err != nil {
		return err
	}
	plan, err := register.Check(ctx, schoolID, data)
	var fe *FileError
	if errors.As(err, &fe) {
		return fmt.Errorf("%s : %s ; rien n'a été importé", rest[0], fe.Msg)
	}
	if err != nil {
		return err
	}
	out := c.Stdout()
	printImportReport(out, plan)
	switch {
	case !plan.OK():
		return fmt.Errorf("lignes en erreur : %d ; rien n'a été importé, corrigez le fichier et relancez la commande", plan.Invalid)
	case *dryRun:
		fmt.Fprintln(out, "Simulation (--dry-run) : rien n'a été écrit.")
		return nil
	case !plan.Changes():
		fmt.Fprintln(out, "Rien à importer : tout est déjà présent.")
		return nil
	}
	creds, err := register.Apply(ctx, schoolID, "", plan)
	if err != nil {
		return fmt.Errorf("import annulé, rien n'a été écrit : %w", err)
	}
	printCredentials(out, creds)
	return nil
}

// readImportFile reads at most one byte more than an import may hold, so
// that a huge file is refused without being read whole.
func readImportFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("lecture du fichier : %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxImportSize+1))
	if err != nil {
		return nil, fmt.Errorf("lecture de %s : %w", name, err)
	}
	return data, nil
}

// importSchool is --school, or the configured school on a school's server.
func importSchool(ctx context.Context, register *Service, cfg config.Config, id string) (string, error) {
	if id == "" {
		if cfg.Role != config.RoleSchool {
			return "", errors.New("--school est obligatoire sur le serveur central")
		}
		id = cfg.SchoolID
	}
	if _, err := register.School(ctx, id); errors.Is(err, apperr.ErrNotFound) {
		return "", fmt.Errorf("école %q inconnue : créez d'abord ses classes en démarrant le serveur (preau serve)", text.Short(id))
	} else if err != nil {
		return "", err
	}
	return id, nil
}

var importProfiles = map[auth.Profile]string{auth.Pupil: "élève", auth.Parent: "parent", auth.Teacher: "enseignant"}

// printImportReport writes what the import does with each line.
func printImportReport(w io.Writer, p Plan) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, l := range p.Lines {
		profile := importProfiles[l.Profile]
		if profile == "" {
			profile = l.ProfileText
		}
		who := l.Name()
		if l.Class != "" {
			who += " (" + l.Class + ")"
		}
		result := l.Message
		if l.Outcome == Invalid {
			result = "ERREUR : " + result
		}
		if l.Warning != "" {
			result += " (attention : " + l.Warning + ")"
		}
		fmt.Fprintf(tw, "ligne %d\t%s\t%s\t%s\n", l.Line, profile, who, result)
	}
	tw.Flush()
	fmt.Fprintf(w, "Résumé : à créer %d, déjà présents %d (dont à compléter %d), en erreur %d.\n",
		p.Create, p.Present+p.Update, p.Update, p.Invalid)
}

// printCredentials writes the new accounts' first-login secrets, one per
// line, tab-separated so that they paste into a spreadsheet.
func printCredentials(w io.Writer, c Credentials) {
	fmt.Fprintf(w, "\nComptes créés : %d. Identifiants de première connexion, affichés une seule fois (Préau n'en garde qu'une empreinte) :\n",
		c.Created())
	fmt.Fprintln(w, "groupe\tnom\tidentifiant\tmot de passe\timages")
	line := func(group string, cr Credential) {
		var pics []string
		for _, p := range cr.Pictures {
			pics = append(pics, p.Label)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", group, cr.Name, cr.Login, cr.Password, strings.Join(pics, ", "))
	}
	for _, s := range c.Classes {
		for _, cr := range s.Cards {
			line(s.Class.Name, cr)
		}
	}
	for _, cr := range c.Parents {
		line("parents", cr)
	}
	for _, cr := range c.Teachers {
		line("enseignants", cr)
	}
}
