package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"time"

	"preau/appliance"
	"preau/appliance/config"
	"preau/appliance/feature"
	"preau/appliance/store"
	psync "preau/appliance/sync"
)

const syncUsage = `Usage :
  preau sync enroll --central URL --token JETON   inscrit cette école auprès du serveur central
  preau sync now                                  synchronise maintenant et affiche l'état
  preau sync status                               affiche l'état de la synchronisation
Chaque sous-commande accepte aussi --config et --data-dir. Elle passe par le serveur
s'il tourne, sinon elle travaille directement sur le dossier de données.`

func runSync(e *env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(e.stderr, syncUsage)
		return errors.New("sous-commande attendue : enroll, now ou status")
	}
	var central, token string
	var cf configFlags
	fs := newFlagSet("sync "+args[0], e)
	cf.register(fs, false)
	switch args[0] {
	case "enroll":
		fs.StringVar(&central, "central", "", "adresse du serveur central, https://ent.ville.example")
		fs.StringVar(&token, "token", "", "jeton d'inscription donné par la DSI")
	case "now", "status":
	case "help", "-h", "--help":
		fmt.Fprintln(e.stdout, syncUsage)
		return nil
	default:
		fmt.Fprintln(e.stderr, syncUsage)
		return fmt.Errorf("sous-commande inconnue %q : enroll, now ou status", args[0])
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	cfg, err := cf.load(fs)
	if err != nil {
		return err
	}
	if cfg.Role != "school" {
		return errors.New("la synchronisation se commande depuis le serveur d'une école")
	}
	if args[0] == "enroll" && (central == "" || token == "") {
		return errors.New("--central et --token sont obligatoires")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Minute)
	defer cancel()

	var st psync.Status
	err = syncViaServer(ctx, cfg.DataDir, args[0], central, token, &st)
	if errors.Is(err, feature.ErrNoServer) {
		err = syncDirect(ctx, e, cfg, args[0], central, token, &st)
	}
	if err != nil {
		return err
	}
	printStatus(e, st)
	return nil
}

// syncViaServer asks the running server, which holds the data directory.
func syncViaServer(ctx context.Context, dataDir, cmd, central, token string, st *psync.Status) error {
	switch cmd {
	case "enroll":
		var en psync.Enrollment
		if err := feature.Control(ctx, dataDir, "POST", "/sync/enroll", map[string]string{"Central": central, "Token": token}, &en); err != nil {
			return err
		}
		return feature.Control(ctx, dataDir, "POST", "/sync/now", nil, st)
	case "now":
		return feature.Control(ctx, dataDir, "POST", "/sync/now", nil, st)
	}
	return feature.Control(ctx, dataDir, "GET", "/sync/status", nil, st)
}

// syncDirect works on the data directory itself when no server runs.
func syncDirect(ctx context.Context, e *env, cfg config.Config, cmd, central, token string, st *psync.Status) error {
	lock, err := store.Lock(cfg.DataDir)
	if err != nil {
		return err
	}
	defer lock.Release()
	log := newLogger(cfg, e.stderr)
	db, err := appliance.OpenStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	c := psync.NewClient(db, log, cfg.SchoolID, appliance.Version)
	switch cmd {
	case "enroll":
		if _, err := c.Enroll(ctx, central, token); err != nil {
			return err
		}
		*st, err = c.SyncOnce(ctx)
		return err
	case "now":
		*st, err = c.SyncOnce(ctx)
		return err
	}
	*st, err = c.Status(ctx)
	return err
}

func printStatus(e *env, st psync.Status) {
	if !st.Enrolled {
		fmt.Fprintln(e.stdout, "École non inscrite : lancez « preau sync enroll --central URL --token JETON ».")
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
	fmt.Fprintf(e.stdout, "Liaison : %s\nDernière synchronisation : %s\nÀ envoyer : %d\nÀ recevoir : %d\n", link, last, st.PendingOut, st.PendingIn)
	if st.LastError != nil {
		fmt.Fprintf(e.stdout, "Dernière erreur : %s\n", *st.LastError)
	}
}
