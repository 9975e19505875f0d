package cli

import (
	"errors"
	"fmt"
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
			return fmt.Errorf("état du service illisible : %w", err)
		}
		fmt.Fprintf(e.stdout, "Service %s : %s\n", service.Name, st)
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
			return service.Options{}, errors.New("aucun fichier de configuration : créez-le avec « preau init » ou indiquez --config")
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
		fmt.Fprintf(e.stdout, "Service %s installé : %s %s\n", service.Name, exe, strings.Join(args, " "))
		fmt.Fprintln(e.stdout, "Démarrez-le avec : preau service start")
	case "uninstall":
		fmt.Fprintf(e.stdout, "Service %s désinstallé.\n", service.Name)
	case "start":
		fmt.Fprintf(e.stdout, "Service %s démarré.\n", service.Name)
	case "stop":
		fmt.Fprintf(e.stdout, "Service %s arrêté.\n", service.Name)
	case "restart":
		fmt.Fprintf(e.stdout, "Service %s redémarré.\n", service.Name)
	}
	return nil
}
