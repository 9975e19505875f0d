package sync

import (
	"context"
	"errors"
	"fmt"
	"os"
	ossignal "os/signal"
	"time"

	"preau/appliance/config"
	"preau/appliance/feature"
	"preau/appliance/store"
)

// preau sync: a school's link with central, from the command line. Each
// subcommand goes through the server when it runs (the control socket),
// and otherwise works on the data directory itself.

var commands = []feature.Command{{Name: "sync", Summary: "synchronisation avec le serveur central : enroll, now, status", Run: runCommand}}

const commandUsage = `Usage :
  preau sync enroll --central URL --token JETON   inscrit cette école auprès du serveur central
  preau sync now                                  synchronise maintenant et affiche l'état
  preau sync status                               affiche l'état de la synchronisation
Chaque sous-commande accepte aussi --config et --data-dir. Elle passe par le serveur
s'il tourne, sinon elle travaille directement sur le dossier de données.`

func runCommand(c feature.Console, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(c.Stderr(), commandUsage)
		return errors.New("sous-commande attendue : enroll, now ou status")
	}
	var central, token string
	fs := c.FlagSet("sync " + args[0])
	switch args[0] {
	case "enroll":
		fs.StringVar(&central, "central", "", "adresse du serveur central, https://ent.ville.example")
		fs.StringVar(&token, "token", "", "jeton d'inscription donné par la DSI")
	case "now", "status":
	case "help", "-h", "--help":
		fmt.Fprintln(c.Stdout(), commandUsage)
		return nil
	default:
		fmt.Fprintln(c.Stderr(), commandUsage)
		return fmt.Errorf("sous-commande inconnue %q : enroll, now ou status", args[0])
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	cfg, err := c.Config(fs)
	if err != nil {
		return err
	}
	if cfg.Role != config.RoleSchool {
		return errors.New("la synchronisation se commande depuis le serveur d'une école")
	}
	if args[0] == "enroll" && (central == "" || token == "") {
		return errors.New("--central et --token sont obligatoires")
	}
	ctx, stop := ossignal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Minute)
	defer cancel()

	var st Status
	err = viaServer(ctx, cfg.DataDir, args[0], central, token, &st)
	if errors.Is(err, feature.ErrNoServer) {
		err = direct(ctx, c, cfg, args[0], central, token, &st)
	}
	if err != nil {
		return err
	}
	printStatus(c, st)
	return nil
}

// viaServer asks the running server, which holds the data directory.
func viaServer(ctx context.Context, dataDir, cmd, central, token string, st *Status) error {
	switch cmd {
	case "enroll":
		var en Enrollment
		if err := feature.Control(ctx, dataDir, "POST", "/sync/enroll", map[string]string{"Central": central, "Token": token}, &en); err != nil {
			return err
		}
		return feature.Control(ctx, dataDir, "POST", "/sync/now", nil, st)
	case "now":
		return feature.Control(ctx, dataDir, "POST", "/sync/now", nil, st)
	}
	return feature.Control(ctx, dataDir, "GET", "/sync/status", nil, st)
}

// direct works on the data directory itself when no server runs.
func direct(ctx context.Context, c feature.Console, cfg config.Config, cmd, central, token string, st *Status) error {
	lock, err := store.Lock(cfg.DataDir)
	if err != nil {
		return err
	}
	defer lock.Release()
	node, err := c.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer node.Close()
	client := NewClient(node.DB, node.Log, cfg.SchoolID, c.Version())
	switch cmd {
	case "enroll":
		if _, err := client.Enroll(ctx, central, token); err != nil {
			return err
		}
		*st, err = client.SyncOnce(ctx)
		return err
	case "now":
		*st, err = client.SyncOnce(ctx)
		return err
	}
	*st, err = client.Status(ctx)
	return err
}

func printStatus(c feature.Console, st Status) {
	out := c.Stdout()
	if !st.Enrolled {
		fmt.Fprintln(out, "École non inscrite : lancez « preau sync enroll --central URL --token JETON ».")
		return
	}
	link := "coupée"
	if st.Link == "up" {
		link = "active"
	}
	last := "jamais"
	if st.LastSync != nil {
		last = *st.LastSync
	}
	fmt.Fprintf(out, "Liaison : %s\nDernière synchronisation : %s\nÀ envoyer : %d\nÀ recevoir : %d\n", link, last, st.PendingOut, st.PendingIn)
	if st.LastError != nil {
		fmt.Fprintf(out, "Dernière erreur : %s\n", *st.LastError)
	}
}
