package loadtest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"text/template"

	"preau/appliance/apptest"
)

// Dovecot, the reference IMAP server: Debian's dovecot-imapd, started on
// loopback with a configuration of its own in a temporary directory (none
// of the machine's /etc/dovecot is read, no system service is involved),
// and stopped when the benchmark ends.

// dovecotPath is where Debian's dovecot-core puts the server.
const dovecotPath = "/usr/sbin/dovecot"

// FindDovecot returns the path of the dovecot binary and its version, or
// an error saying how to install it.
func FindDovecot() (path, version string, err error) {
	path, err = exec.LookPath("dovecot")
	if err != nil {
		if _, serr := os.Stat(dovecotPath); serr != nil {
			return "", "", errors.New("dovecot not found: install Debian's dovecot-imapd (apt-get install dovecot-imapd; `make bench` does it)")
		}
		path = dovecotPath
	}
	out, err := exec.Command(path, "--version").Output()
	if err != nil {
		return "", "", fmt.Errorf("%s --version: %w", path, err)
	}
	version, _, _ = strings.Cut(strings.TrimSpace(string(out)), " ")
	// Dovecot 2.4 renamed most of the settings written below.
	if !strings.HasPrefix(version, "2.3.") {
		return "", "", fmt.Errorf("dovecot %s: the benchmark writes a Dovecot 2.3 configuration (Debian 12's dovecot-imapd)", version)
	}
	return path, version, nil
}

// Dovecot is a Dovecot started by StartDovecot.
type Dovecot struct {
	*apptest.Process
	Addr string // host:port of its IMAP listener
	dir  string
}

// Log is what Dovecot logged, for failure messages.
func (d *Dovecot) Log() string {
	b, _ := os.ReadFile(filepath.Join(d.dir, "dovecot.log"))
	return string(b)
}

// StartDovecot starts bin (FindDovecot's) on a free loopback port, with
// users who log in with plain LOGIN and their passwords, their mail kept
// as maildir in a temporary directory, INBOX, Sent, Drafts, Archive and
// Trash as Préau has them. It stops when the test ends, and its directory
// is removed.
//
// As root, Dovecot runs as it does when installed: the master as root,
// logins as dovenull, its own processes as dovecot, and the users' mail
// processes as nobody (it refuses to give a user's mail root's rights);
// otherwise everything runs as the current user.
func StartDovecot(tb testing.TB, bin string, users []IMAPUser) *Dovecot {
	tb.Helper()
	dir, err := os.MkdirTemp("", "preau-dovecot-")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	conf := dovecotConf{Dir: dir, Addr: apptest.FreeAddr(tb)}
	_, port, _ := strings.Cut(conf.Addr, ":")
	conf.Port = port
	if err := conf.accounts(); err != nil {
		tb.Fatalf("dovecot: %v", err)
	}
	var passwd strings.Builder
	for _, u := range users {
		fmt.Fprintf(&passwd, "%s:{PLAIN}%s::::::\n", u.Login, u.Password)
	}
	home := filepath.Join(dir, "home")
	for _, err := range []error{
		// The auth process (as dovecot) reads the users, mail processes
		// (as nobody) write under home.
		os.Chmod(dir, 0o755),
		os.WriteFile(filepath.Join(dir, "users"), []byte(passwd.String()), 0o644),
		os.Mkdir(home, 0o755),
		os.Chown(home, conf.MailUID, conf.MailGID),
		writeTemplate(filepath.Join(dir, "dovecot.conf"), dovecotConfTemplate, conf),
	} {
		if err != nil {
			tb.Fatalf("dovecot configuration: %v", err)
		}
	}
	cmd := exec.Command(bin, "-F", "-c", filepath.Join(dir, "dovecot.conf"))
	d := &Dovecot{Addr: conf.Addr, dir: dir}
	d.Process = apptest.StartListener(tb, cmd, conf.Addr)
	return d
}

// dovecotConf is what the configuration is written from.
type dovecotConf struct {
	Dir, Addr, Port         string
	LoginUser, InternalUser string
	InternalGroup           string // "" for Dovecot's own, dovecot
	MailUID, MailGID        int
	Rootless                bool
}

// accounts chooses the system accounts Dovecot's processes run as.
func (c *dovecotConf) accounts() error {
	if os.Getuid() != 0 {
		me, err := user.Current()
		if err != nil {
			return err
		}
		group, err := user.LookupGroupId(strconv.Itoa(os.Getgid()))
		if err != nil {
			return err
		}
		c.LoginUser, c.InternalUser, c.InternalGroup, c.Rootless = me.Username, me.Username, group.Name, true
		c.MailUID, c.MailGID = os.Getuid(), os.Getgid()
		return nil
	}
	for _, name := range []string{"dovenull", "dovecot"} {
		if _, err := user.Lookup(name); err != nil {
			return fmt.Errorf("user %s, which dovecot-core creates: %w", name, err)
		}
	}
	c.LoginUser, c.InternalUser = "dovenull", "dovecot"
	nobody, err := user.Lookup("nobody")
	if err != nil {
		return err
	}
	c.MailUID, _ = strconv.Atoi(nobody.Uid)
	c.MailGID, _ = strconv.Atoi(nobody.Gid)
	return nil
}

// dovecotConfTemplate is a Dovecot 2.3 configuration of IMAP alone, on
// loopback, without TLS. Everything else is Dovecot's default, as
// installed: no full-text search plugin (SEARCH TEXT reads the messages),
// mail_fsync = optimized, a process per connection.
var dovecotConfTemplate = template.Must(template.New("dovecot.conf").Parse(`# Written by preau's IMAP benchmark; removed when it ends.
protocols = imap
listen = 127.0.0.1
base_dir = {{.Dir}}/run
state_dir = {{.Dir}}/state
instance_name = preau-bench-{{.Port}}
log_path = {{.Dir}}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {{.LoginUser}}
default_internal_user = {{.InternalUser}}
{{- if .InternalGroup}}
default_internal_group = {{.InternalGroup}}
{{- end}}
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {{.Dir}}/users
}
userdb {
  driver = static
  args = uid={{.MailUID}} gid={{.MailGID}} home={{.Dir}}/home/%u
}
mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  separator = /
  mailbox Drafts {
    auto = subscribe
    special_use = \Drafts
  }
  mailbox Sent {
    auto = subscribe
    special_use = \Sent
  }
  mailbox Archive {
    auto = subscribe
    special_use = \Archive
  }
  mailbox Trash {
    auto = subscribe
    special_use = \Trash
  }
}
protocol imap {
  mail_max_userip_connections = 20
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = {{.Port}}
  }
  inet_listener imaps {
    port = 0
  }
{{- if .Rootless}}
  chroot =
{{- end}}
}
{{- if .Rootless}}
service anvil {
  chroot =
}
{{- end}}
`))

func writeTemplate(path string, t *template.Template, data any) error {
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
