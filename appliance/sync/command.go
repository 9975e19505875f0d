package sync

import (
	"context"
	"errors"
	"fmt"
	"os"
	ossignal "os/signal"
	"preau/appliance/apperr"
	"time"

	"preau/appliance/config"
	"preau/appliance/feature"
	"preau/appliance/store"
)

// preau sync: a school's link with central, from the command line. Each
// subcommand goes through the server when it runs (the control socket),
// and otherwise works on the data directory itself.

var commands = []feature.Command{{Name: "sync", Summary: "sync.cmd.summary", Run: runCommand}}

func runCommand(c feature.Console, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(c.Stderr(), c.L().T("sync.cmd.usage"))
		return apperr.New(apperr.ErrInvalid, "sync.cmd.expected")
	}
	var central, token string
	fs := c.FlagSet("sync " + args[0])
	switch args[0] {
	case "enroll":
		fs.StringVar(&central, "central", "", c.L().T("sync.cmd.flag_central"))
		fs.StringVar(&token, "token", "", c.L().T("sync.cmd.flag_token"))
	case "now", "status":
	case "help", "-h", "--help":
		fmt.Fprintln(c.Stdout(), c.L().T("sync.cmd.usage"))
		return nil
	default:
		fmt.Fprintln(c.Stderr(), c.L().T("sync.cmd.usage"))
		return apperr.New(apperr.ErrInvalid, "sync.cmd.unknown", "Name", args[0])
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	cfg, err := c.Config(fs)
	if err != nil {
		return err
	}
	if cfg.Role != config.RoleSchool {
		return apperr.New(apperr.ErrInvalid, "sync.cmd.school_only")
	}
	if args[0] == "enroll" && (central == "" || token == "") {
		return apperr.New(apperr.ErrInvalid, "sync.cmd.central_token")
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
	out, l := c.Stdout(), c.L()
	if !st.Enrolled {
		fmt.Fprintln(out, l.T("sync.cmd.not_enrolled"))
		return
	}
	link := l.T("sync.status.down")
	if st.Link == "up" {
		link = l.T("sync.status.up")
	}
	last := l.T("sync.never")
	if st.LastSync != nil {
		last = *st.LastSync
	}
	fmt.Fprintln(out, l.T("sync.cmd.status", "Link", link, "Last", last, "Out", st.PendingOut, "In", st.PendingIn))
	if st.LastError != nil {
		fmt.Fprintln(out, l.T("sync.status.last_error")+" "+*st.LastError)
	}
}
