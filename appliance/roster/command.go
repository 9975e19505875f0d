package roster

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/config"
	"preau/appliance/feature"
	"preau/appliance/i18n"
	"preau/appliance/text"
)

// The register's commands: preau user add and preau user import, for
// whoever runs preau on the server. They work on the data directory
// directly, the server running or not.

var commands = []feature.Command{
	{Name: "user add", Run: runAdd, Usage: "roster.cmd.add_usage"},
	{Name: "user import", Run: runImport, Usage: "roster.cmd.import_usage"},
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
	l := c.L()
	fs.StringVar(&o.login, "login", "", l.T("roster.cmd.flag_login"))
	fs.StringVar(&o.name, "name", "", l.T("roster.cmd.flag_name"))
	fs.StringVar(&o.profile, "profile", "", l.T("roster.cmd.flag_profile"))
	fs.StringVar(&o.school, "school", "", l.T("roster.cmd.flag_school"))
	fs.Var(&o.classes, "class", l.T("roster.cmd.flag_class"))
	fs.StringVar(&o.password, "password", "", l.T("roster.cmd.flag_password"))
	rest, err := c.Parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return apperr.New(apperr.ErrInvalid, "roster.cmd.unexpected", "Arg", text.Short(rest[0]))
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
	node.Audited(ctx, u.SchoolID, "account.create", u.Login)
	profile := l.T("profile." + string(u.Profile))
	if u.SchoolID != "" {
		fmt.Fprintln(c.Stdout(), l.T("roster.cmd.created_in", "Login", u.Login, "Name", u.DisplayName, "Profile", profile, "School", u.SchoolID))
	} else {
		fmt.Fprintln(c.Stdout(), l.T("roster.cmd.created", "Login", u.Login, "Name", u.DisplayName, "Profile", profile))
	}
	if generated {
		fmt.Fprintln(c.Stdout(), l.T("roster.cmd.provisional", "Password", n.Password))
	}
	return nil
}

// newUser reads the options against the data and builds the account.
func (o addOptions) newUser(ctx context.Context, c feature.Console, register *Service, cfg config.Config) (n NewUser, generated bool, err error) {
	// Checked whole before it is split into first and last names, so that the
	// message names the option typed.
	if _, err := text.Name("field.name_option", o.name); err != nil {
		return n, false, err
	}
	names := strings.Fields(o.name)
	if len(names) == 0 {
		return n, false, apperr.New(apperr.ErrInvalid, "roster.cmd.name_required")
	}
	n = NewUser{NewUser: auth.NewUser{Login: o.login, FirstName: names[0], LastName: strings.Join(names[1:], " "),
		Display: strings.Join(names, " "), Profile: auth.Profile(o.profile)}}
	if !n.Profile.Valid() {
		return n, false, apperr.New(apperr.ErrInvalid, "roster.cmd.bad_profile", "Value", text.Short(o.profile))
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
		if n.Password, err = c.Secret(c.L().T("roster.cmd.password_prompt") + " "); err != nil {
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
			return "", apperr.New(apperr.ErrInvalid, "roster.cmd.dsi_on_central")
		}
		if o.schoolSet {
			return "", apperr.New(apperr.ErrInvalid, "roster.cmd.dsi_no_school")
		}
		return "", nil
	}
	id := o.school
	if !o.schoolSet {
		if cfg.Role != config.RoleSchool {
			return "", apperr.New(apperr.ErrInvalid, "roster.cmd.school_required")
		}
		id = cfg.SchoolID
	}
	if cfg.Role == config.RoleSchool {
		if err := register.EnsureSchool(ctx, cfg.SchoolID, cfg.SchoolName); err != nil {
			return "", err
		}
	}
	if _, err := register.School(ctx, id); errors.Is(err, apperr.ErrNotFound) {
		return "", apperr.New(apperr.ErrNotFound, "roster.cmd.unknown_school", "ID", text.Short(id))
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
		return nil, apperr.New(apperr.ErrInvalid, "roster.cmd.class_for")
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
				return nil, apperr.New(apperr.ErrInvalid, "roster.cmd.no_class_yet", "Name", text.Short(name), "School", schoolID)
			}
			return nil, apperr.New(apperr.ErrInvalid, "roster.cmd.unknown_class", "Name", text.Short(name), "School", schoolID, "Classes", strings.Join(known, ", "))
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// runImport imports a CSV file of pupils, parents and teachers with the
// same checks as the web import: a report line by line, nothing written when
// a line has a problem or with --dry-run, otherwise everything in one
// transaction, then the first-login credentials.
func runImport(c feature.Console, args []string) error {
	fs := c.FlagSet("user import")
	l := c.L()
	school := fs.String("school", "", l.T("roster.cmd.flag_school"))
	dryRun := fs.Bool("dry-run", false, l.T("roster.cmd.flag_dry_run"))
	rest, err := c.Parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return apperr.New(apperr.ErrInvalid, "roster.cmd.one_file", "Usage", l.T("roster.cmd.import_usage"))
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
		return apperr.New(apperr.ErrInvalid, "roster.cmd.file_refused", "File", rest[0], "Problem", fe.Msg)
	}
	if err != nil {
		return err
	}
	out := c.Stdout()
	printImportReport(out, l, plan)
	switch {
	case !plan.OK():
		return apperr.New(apperr.ErrInvalid, "roster.cmd.lines_in_error", "Count", plan.Invalid)
	case *dryRun:
		fmt.Fprintln(out, l.T("roster.cmd.dry_run"))
		return nil
	case !plan.Changes():
		fmt.Fprintln(out, l.T("roster.cmd.nothing"))
		return nil
	}
	creds, err := register.Apply(ctx, schoolID, "", plan)
	if err != nil {
		return fmt.Errorf("import cancelled, nothing written: %w", err)
	}
	node.Audited(ctx, schoolID, "import.apply", schoolID+" ("+strconv.Itoa(creds.Created())+")")
	printCredentials(out, l, creds)
	return nil
}

// readImportFile reads at most one byte more than an import may hold, so
// that a huge file is refused without being read whole.
func readImportFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, apperr.New(apperr.ErrInvalid, "roster.cmd.read_file", "File", name, "Reason", err.Error())
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxImportSize+1))
	if err != nil {
		return nil, apperr.New(apperr.ErrInvalid, "roster.cmd.read_file", "File", name, "Reason", err.Error())
	}
	return data, nil
}

// importSchool is --school, or the configured school on a school's server.
func importSchool(ctx context.Context, register *Service, cfg config.Config, id string) (string, error) {
	if id == "" {
		if cfg.Role != config.RoleSchool {
			return "", apperr.New(apperr.ErrInvalid, "roster.cmd.school_required")
		}
		id = cfg.SchoolID
	}
	if _, err := register.School(ctx, id); errors.Is(err, apperr.ErrNotFound) {
		return "", apperr.New(apperr.ErrNotFound, "roster.cmd.unknown_school_import", "ID", text.Short(id))
	} else if err != nil {
		return "", err
	}
	return id, nil
}

// printImportReport writes what the import does with each line.
func printImportReport(w io.Writer, loc *i18n.Localizer, p Plan) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, l := range p.Lines {
		profile := l.ProfileText
		if l.Profile != "" {
			profile = loc.T("profile." + string(l.Profile))
		}
		who := l.Name()
		if l.Class != "" {
			who += " (" + l.Class + ")"
		}
		result := l.Message.In(loc.Lang)
		if l.Outcome == Invalid {
			result = loc.T("roster.cmd.error", "Text", result)
		}
		if l.Warning.Key != "" {
			result = loc.T("roster.cmd.warning", "Text", result, "Warning", l.Warning)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", loc.T("roster.cmd.line", "Line", l.Line), profile, who, result)
	}
	tw.Flush()
	fmt.Fprintln(w, loc.T("roster.cmd.summary", "Create", p.Create, "Present", p.Present+p.Update, "Update", p.Update, "Invalid", p.Invalid))
}

// printCredentials writes the new accounts' first-login secrets, one per
// line, tab-separated so that they paste into a spreadsheet.
func printCredentials(w io.Writer, loc *i18n.Localizer, c Credentials) {
	fmt.Fprintln(w, "\n"+loc.T("roster.cmd.credentials", "N", c.Created()))
	fmt.Fprintln(w, loc.T("roster.cmd.credentials_head"))
	line := func(group string, cr Credential) {
		var pics []string
		for _, p := range cr.Pictures {
			pics = append(pics, loc.T("picture."+p.Key))
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", group, cr.Name, cr.Login, cr.Password, strings.Join(pics, ", "))
	}
	for _, s := range c.Classes {
		for _, cr := range s.Cards {
			line(s.Class.Name, cr)
		}
	}
	for _, cr := range c.Parents {
		line(loc.T("roster.cmd.group_parents"), cr)
	}
	for _, cr := range c.Teachers {
		line(loc.T("roster.cmd.group_teachers"), cr)
	}
}
