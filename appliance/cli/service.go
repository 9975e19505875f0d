package cli

import (
	"errors"
	"fmt"
	"preau/appliance/i18n"
	"strings"

	"preau/appliance/service"
)

func runService(e *env, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return errors.New("action attendue : preau service install|uninstall|start|stop|restart|status [--config FICHIER] [--data-dir DOSSIER]")
	}
	action := args[0]
	var cf configFlags
	fs := newFlagSet("service "+action, e)
	cf.register(fs, false)
	if _, err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	var o service.Options
	if action == "install" {
		var err error
		if o, err = installOptions(&cf); err != nil {
			return err
		}
		// Refuse to install a service that would not start.
		if _, err := cf.load(fs); err != nil {
			return err
		}
	}
	m, err := service.New(o)
	if err != nil {
		return err
	}
	if action == "status" {
		st, err := m.Status()
		if err != nil {
			return i18n.Error([]error{err}, "cli.service.status_unreadable", "Error", err.Error())
		}
		fmt.Fprintln(e.stdout, e.L().T("cli.service.status", "Name", service.Name, "Status", i18n.M(st.Key())))
		return nil
	}
	if err := m.Control(action); err != nil {
		return err
	}
	return reportService(e, action, o)
}

// installOptions finds the configuration file the service will read: the
// one given, or ./config.yaml. A service started by the system has no
// useful working directory, so running without a file is refused.
func installOptions(cf *configFlags) (service.Options, error) {
	if cf.file == "" {
		if !exists("config.yaml") {
			return service.Options{}, i18n.Error(nil, "cli.service.no_config")
		}
		cf.file = "config.yaml"
	}
	return service.Options{ConfigFile: cf.file, DataDir: cf.dataDir}, nil
}

func reportService(e *env, action string, o service.Options) error {
	switch action {
	case "install":
		exe, args, err := o.Command()
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, e.L().T("cli.service.installed", "Name", service.Name, "Command", exe+" "+strings.Join(args, " ")))
		fmt.Fprintln(e.stdout, e.L().T("cli.service.start_it"))
	default:
		fmt.Fprintln(e.stdout, e.L().T("cli.service."+action, "Name", service.Name))
	}
	return nil
}
