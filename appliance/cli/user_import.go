package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/config"
	"preau/appliance/roster"
	"preau/appliance/text"
)

func init() { userImport = runUserImport }

const userImportUsage = "preau user import FICHIER.csv [--school ID] [--dry-run]"

// runUserImport imports a CSV file of pupils, parents and teachers with the
// same checks as the web import: a report line by line, nothing written when
// a line has a problem or with --dry-run, otherwise everything in one
// transaction, then the first-login credentials.
func runUserImport(e *env, args []string) error {
	var cf configFlags
	fs := newFlagSet("user import", e)
	cf.register(fs, false)
	school := fs.String("school", "", "identifiant de l'école (par défaut school.id)")
	dryRun := fs.Bool("dry-run", false, "vérifie le fichier et affiche le rapport, sans rien écrire")
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return fmt.Errorf("indiquez un fichier, et un seul : %s", userImportUsage)
	}
	data, err := readImportFile(rest[0])
	if err != nil {
		return err
	}
	ctx := context.Background()
	_, register, cfg, done, err := openRegister(ctx, e, &cf, fs)
	if err != nil {
		return err
	}
	defer done()
	schoolID, err := importSchool(ctx, register, cfg, *school)
	if err != nil {
		return err
	}
	plan, err := register.Check(ctx, schoolID, data)
	var fe *roster.FileError
	if errors.As(err, &fe) {
		return fmt.Errorf("%s : %s ; rien n'a été importé", rest[0], fe.Msg)
	}
	if err != nil {
		return err
	}
	printImportReport(e.stdout, plan)
	switch {
	case !plan.OK():
		return fmt.Errorf("lignes en erreur : %d ; rien n'a été importé, corrigez le fichier et relancez la commande", plan.Invalid)
	case *dryRun:
		fmt.Fprintln(e.stdout, "Simulation (--dry-run) : rien n'a été écrit.")
		return nil
	case !plan.Changes():
		fmt.Fprintln(e.stdout, "Rien à importer : tout est déjà présent.")
		return nil
	}
	creds, err := register.Apply(ctx, schoolID, "", plan)
	if err != nil {
		return fmt.Errorf("import annulé, rien n'a été écrit : %w", err)
	}
	printCredentials(e.stdout, creds)
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
	data, err := io.ReadAll(io.LimitReader(f, roster.MaxImportSize+1))
	if err != nil {
		return nil, fmt.Errorf("lecture de %s : %w", name, err)
	}
	return data, nil
}

// importSchool is --school, or the configured school on a school's server.
func importSchool(ctx context.Context, register *roster.Service, cfg config.Config, id string) (string, error) {
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
func printImportReport(w io.Writer, p roster.Plan) {
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
		if l.Outcome == roster.Invalid {
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
func printCredentials(w io.Writer, c roster.Credentials) {
	fmt.Fprintf(w, "\nComptes créés : %d. Identifiants de première connexion, affichés une seule fois (Préau n'en garde qu'une empreinte) :\n",
		c.Created())
	fmt.Fprintln(w, "groupe\tnom\tidentifiant\tmot de passe\timages")
	line := func(group string, cr roster.Credential) {
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
