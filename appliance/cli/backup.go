package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"preau/appliance"
	"preau/appliance/config"
	"preau/appliance/store"
)

func runBackup(e *env, args []string) error {
	var cf configFlags
	fs := newFlagSet("backup", e)
	cf.register(fs, false)
	dst, cfg, err := archiveArgs(fs, &cf, args, "indiquez le fichier à écrire : preau backup FICHIER.tar.gz (- pour la sortie standard)")
	if err != nil {
		return err
	}
	if !exists(filepath.Join(cfg.DataDir, store.DBFile)) {
		return fmt.Errorf("aucune base Préau dans %s : vérifiez --data-dir ou --config", cfg.DataDir)
	}
	if dst != "-" && inside(cfg.DataDir, dst) {
		return errors.New("écrivez la sauvegarde hors du dossier de données")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The server may be running: this is a second, ordinary SQLite client.
	db, err := appliance.OpenStore(ctx, cfg, newLogger(cfg, e.stderr))
	if err != nil {
		return err
	}
	defer db.Close()
	if dst == "-" {
		_, err := db.Backup(ctx, e.stdout, appliance.Version)
		return err
	}
	var m store.Manifest
	err = writeAtomically(dst, func(w io.Writer) error {
		m, err = db.Backup(ctx, w, appliance.Version)
		return err
	})
	if err != nil {
		return err
	}
	size := ""
	if fi, err := os.Stat(dst); err == nil {
		size = fmt.Sprintf(" (%s)", humanSize(fi.Size()))
	}
	fmt.Fprintf(e.stdout, "Sauvegarde écrite dans %s%s : données du %s.\n", dst, size,
		m.CreatedAt.Local().Format("02/01/2006 à 15:04:05"))
	fmt.Fprintf(e.stdout, "Pour la restaurer : preau restore %s\n", dst)
	return nil
}

// archiveArgs parses a command whose one argument is an archive file and
// loads the configuration.
func archiveArgs(fs *flag.FlagSet, cf *configFlags, args []string, missing string) (string, config.Config, error) {
	rest, err := parseArgs(fs, args)
	if err != nil {
		return "", config.Config{}, err
	}
	if len(rest) != 1 {
		return "", config.Config{}, errors.New(missing)
	}
	cfg, err := cf.load(fs)
	return rest[0], cfg, err
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f Go", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f Mo", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d Ko", (n+1023)/1024)
}

// writeAtomically lets write fill a temporary file next to path and puts
// it in place only when complete: an earlier backup is never replaced by
// half of a new one.
func writeAtomically(path string, write func(w io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("écriture de %s : %w", path, err)
	}
	defer os.Remove(f.Name())
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// inside reports whether path lies in dir.
func inside(dir, path string) bool {
	abs, err := filepath.Abs(path)
	if err != nil {
		return false
	}
	rel, err := filepath.Rel(dir, abs)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

func runRestore(e *env, args []string) error {
	var cf configFlags
	fs := newFlagSet("restore", e)
	cf.register(fs, false)
	force := fs.Bool("force", false, "remplace un dossier de données non vide (l'ancien est mis de côté, pas effacé)")
	src, cfg, err := archiveArgs(fs, &cf, args, "indiquez la sauvegarde à restaurer : preau restore FICHIER.tar.gz")
	if err != nil {
		return err
	}
	var r io.Reader = e.stdin
	if src != "-" {
		f, err := os.Open(src)
		if err != nil {
			return fmt.Errorf("sauvegarde illisible : %w", err)
		}
		defer f.Close()
		r = f
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := store.Restore(ctx, r, cfg.DataDir, *force, newLogger(cfg, e.stderr))
	switch {
	case errors.Is(err, store.ErrNotEmpty):
		return fmt.Errorf("%w ; relancez avec --force pour le remplacer (il sera mis de côté, pas effacé)", err)
	case errors.Is(err, store.ErrLocked):
		return fmt.Errorf("%s : %w ; arrêtez le serveur (preau service stop) avant de restaurer", cfg.DataDir, err)
	case err != nil:
		return fmt.Errorf("rien n'a été modifié : %w", err)
	}
	if m := res.Manifest; !m.CreatedAt.IsZero() {
		fmt.Fprintf(e.stdout, "Données du %s (Préau %s) restaurées dans %s.\n",
			m.CreatedAt.Local().Format("02/01/2006 à 15:04:05"), m.Version, cfg.DataDir)
	} else {
		fmt.Fprintf(e.stdout, "Données restaurées dans %s.\n", cfg.DataDir)
	}
	if res.Aside != "" {
		fmt.Fprintf(e.stdout, "L'ancien dossier est mis de côté dans %s.\n", res.Aside)
	}
	fmt.Fprintf(e.stdout, "Nouvelle époque du nœud : %s (la synchronisation ne réutilisera aucun compteur).\n", res.Epoch)
	return nil
}
