package update

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	ossignal "os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/config"
	"preau/appliance/feature"
)

// preau update: the DSI's keygen, sign and publish, on a machine of its
// own; verify, anywhere, against the pinned root; and watch, the
// watchdog a school starts on itself during a binary update.

var commands = []feature.Command{{Name: "update", Summary: "update.cmd.summary", Run: runCommand}}

func runCommand(c feature.Console, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(c.Stderr(), c.L().T("update.cmd.usage"))
		return apperr.New(apperr.ErrInvalid, "update.cmd.expected")
	}
	switch args[0] {
	case "keygen":
		return keygen(c, args[1:])
	case "sign":
		return signCmd(c, args[1:])
	case "sign-library":
		return signLibrary(c, args[1:])
	case "publish":
		return publish(c, args[1:])
	case "verify":
		return verify(c, args[1:])
	case "watch":
		return watch(c, args[1:])
	case "help", "-h", "--help":
		fmt.Fprintln(c.Stdout(), c.L().T("update.cmd.usage"))
		return nil
	}
	fmt.Fprintln(c.Stderr(), c.L().T("update.cmd.usage"))
	return apperr.New(apperr.ErrInvalid, "update.cmd.unknown", "Name", args[0])
}

func keygen(c feature.Console, args []string) error {
	fs := c.FlagSet("update keygen")
	dir := fs.String("keys", "", c.L().T("update.cmd.flag_keys"))
	if _, err := c.Parse(fs, args); err != nil {
		return err
	}
	if *dir == "" {
		return apperr.New(apperr.ErrInvalid, "update.cmd.need_keys")
	}
	root, err := Keygen(*dir, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintln(c.Stdout(), c.L().T("update.cmd.keygen_done", "Dir", *dir))
	fmt.Fprintln(c.Stdout(), "update.root_key: "+root)
	return nil
}

func signCmd(c feature.Console, args []string) error {
	fs := c.FlagSet("update sign")
	l := c.L()
	dir := fs.String("keys", "", l.T("update.cmd.flag_keys"))
	version := fs.String("version", "", l.T("update.cmd.flag_version"))
	binary := fs.String("binary", "", l.T("update.cmd.flag_binary"))
	city := fs.String("city-config", "", l.T("update.cmd.flag_config"))
	platform := fs.String("platform", runtime.GOOS+"/"+runtime.GOARCH, l.T("update.cmd.flag_platform"))
	expires := fs.Duration("expires", 30*24*time.Hour, l.T("update.cmd.flag_expires"))
	out := fs.String("out", "", l.T("update.cmd.flag_out"))
	if _, err := c.Parse(fs, args); err != nil {
		return err
	}
	if *dir == "" || (*binary == "" && *city == "") || *out == "" {
		return apperr.New(apperr.ErrInvalid, "update.cmd.need_sign")
	}
	goos, goarch, ok := strings.Cut(*platform, "/")
	if !ok || goos == "" || goarch == "" {
		return apperr.New(apperr.ErrInvalid, "update.cmd.bad_platform", "Platform", *platform)
	}
	files := map[string][]byte{}
	if *binary != "" {
		bin, err := os.ReadFile(*binary)
		if err != nil {
			return apperr.New(apperr.ErrInvalid, "update.cmd.no_file", "File", *binary)
		}
		files[BinaryTarget(goos, goarch)] = bin
	}
	if *city != "" {
		data, err := os.ReadFile(*city)
		if err != nil {
			return apperr.New(apperr.ErrInvalid, "update.cmd.no_file", "File", *city)
		}
		// Refused here rather than by every school.
		if _, err := config.ParseCity(data); err != nil {
			return err
		}
		files[CityTarget] = data
	}
	data, err := Sign(*dir, Release{Version: *version, Files: files, Expires: *expires}, time.Now())
	if err != nil {
		return err
	}
	if err := writeFile(*out, data, 0o644); err != nil {
		return err
	}
	fmt.Fprintln(c.Stdout(), l.T("update.cmd.signed", "File", *out, "Version", *version))
	return nil
}

// signLibrary signs the list of the city's library's files: the files
// named, and those of the folders named (not their subfolders), each by
// its name, which must be unique.
func signLibrary(c feature.Console, args []string) error {
	fs := c.FlagSet("update sign-library")
	l := c.L()
	dir := fs.String("keys", "", l.T("update.cmd.flag_keys"))
	expires := fs.Duration("expires", 90*24*time.Hour, l.T("update.cmd.flag_expires"))
	out := fs.String("out", "", l.T("update.cmd.flag_out"))
	rest, err := c.Parse(fs, args)
	if err != nil {
		return err
	}
	if *dir == "" || *out == "" || len(rest) == 0 {
		return apperr.New(apperr.ErrInvalid, "update.cmd.need_sign_library")
	}
	files, err := libraryFiles(rest)
	if err != nil {
		return err
	}
	data, err := SignLibrary(*dir, files, *expires, time.Now())
	if err != nil {
		return err
	}
	if err := writeFile(*out, data, 0o644); err != nil {
		return err
	}
	fmt.Fprintln(c.Stdout(), l.N("update.cmd.signed_library", len(files), "File", *out))
	return nil
}

// libraryFiles are the files of paths (files, or folders' files) by name.
func libraryFiles(paths []string) (map[string]string, error) {
	files := map[string]string{}
	add := func(name, path string) error {
		if prev, ok := files[name]; ok {
			return apperr.New(apperr.ErrInvalid, "update.cmd.same_name", "Name", name, "File", prev, "Other", path)
		}
		files[name] = path
		return nil
	}
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, apperr.New(apperr.ErrInvalid, "update.cmd.no_file", "File", p)
		}
		if !info.IsDir() {
			if err := add(filepath.Base(p), p); err != nil {
				return nil, err
			}
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			return nil, apperr.New(apperr.ErrInvalid, "update.cmd.no_file", "File", p)
		}
		for _, e := range entries {
			if e.Type().IsRegular() {
				if err := add(e.Name(), filepath.Join(p, e.Name())); err != nil {
					return nil, err
				}
			}
		}
	}
	return files, nil
}

func publish(c feature.Console, args []string) error {
	fs := c.FlagSet("update publish")
	l := c.L()
	central := fs.String("central", "", l.T("update.cmd.flag_central"))
	login := fs.String("login", "", l.T("update.cmd.flag_login"))
	token := fs.String("token", "", l.T("update.cmd.flag_token"))
	schools := fs.String("schools", "", l.T("update.cmd.flag_schools"))
	rest, err := c.Parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 || *central == "" || (*login == "" && *token == "") {
		return apperr.New(apperr.ErrInvalid, "update.cmd.need_publish")
	}
	data, err := os.ReadFile(rest[0])
	if err != nil {
		return apperr.New(apperr.ErrInvalid, "update.cmd.no_file", "File", rest[0])
	}
	// A release goes to a wave or to every school; the library's
	// signature to every school, which all hold the library.
	library := IsLibrary(data)
	path := "/api/v1/updates?schools=" + url.QueryEscape(*schools)
	if library {
		path = "/api/v1/updates/library"
	} else if _, err := ReleaseOf(data); err != nil {
		return err
	}
	base := strings.TrimRight(*central, "/")
	client := &http.Client{Timeout: 10 * time.Minute}
	if *token == "" {
		password, err := c.Secret(l.T("update.cmd.password"))
		if err != nil {
			return err
		}
		if *token, err = session(client, base, *login, password); err != nil {
			return err
		}
	}
	req, err := http.NewRequest("POST", base+path, bytes.NewReader(data))
	if err != nil {
		return apperr.New(apperr.ErrInvalid, "update.cmd.bad_central", "URL", *central)
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("Authorization", "Bearer "+*token)
	resp, err := client.Do(req)
	if err != nil {
		return apperr.New(apperr.ErrUnavailable, "update.cmd.unreachable", "URL", *central, "Error", err.Error())
	}
	defer resp.Body.Close()
	var body struct {
		ID      string          `json:"id"`
		Version json.RawMessage `json:"version"` // a release's "1.4.0", a library signature's number
		Files   int             `json:"files"`
		Error   string          `json:"error"`
	}
	json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != http.StatusCreated {
		return apperr.New(apperr.ErrInvalid, "update.cmd.refused", "Status", resp.StatusCode, "Error", body.Error)
	}
	if library {
		fmt.Fprintln(c.Stdout(), l.N("update.cmd.published_library", body.Files, "ID", body.ID))
		return nil
	}
	fmt.Fprintln(c.Stdout(), l.T("update.cmd.published", "Version", strings.Trim(string(body.Version), `"`), "ID", body.ID))
	return nil
}

// session logs the DSI in on central for a bearer token.
func session(client *http.Client, base, login, password string) (string, error) {
	in, _ := json.Marshal(map[string]string{"login": login, "password": password})
	resp, err := client.Post(base+"/api/v1/session", "application/json", bytes.NewReader(in))
	if err != nil {
		return "", apperr.New(apperr.ErrUnavailable, "update.cmd.unreachable", "URL", base, "Error", err.Error())
	}
	defer resp.Body.Close()
	var out struct {
		Token string `json:"token"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&out) != nil || out.Token == "" {
		return "", apperr.New(apperr.ErrForbidden, "update.cmd.login_failed", "Status", resp.StatusCode)
	}
	return out.Token, nil
}

// verify checks a bundle against the configuration's pinned root and the
// version this binary is: the reason of a refusal is the command's error.
func verify(c feature.Console, args []string) error {
	fs := c.FlagSet("update verify")
	rest, err := c.Parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return apperr.New(apperr.ErrInvalid, "update.cmd.need_file")
	}
	cfg, err := c.Config(fs)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(rest[0])
	if err != nil {
		return apperr.New(apperr.ErrInvalid, "update.cmd.no_file", "File", rest[0])
	}
	if IsLibrary(data) {
		lib, err := VerifyLibrary(data, cfg.UpdateRootKey, time.Now())
		if err != nil {
			return err
		}
		fmt.Fprintln(c.Stdout(), c.L().N("update.cmd.verified_library", len(lib.Files), "File", filepath.Base(rest[0]),
			"Expires", lib.Expires.Format(time.DateTime)))
		return nil
	}
	v, err := Verify(data, cfg.UpdateRootKey, c.Version(), time.Now())
	if err != nil {
		return err
	}
	names := make([]string, 0, len(v.Targets))
	for n := range v.Targets {
		names = append(names, n)
	}
	fmt.Fprintln(c.Stdout(), c.L().T("update.cmd.verified", "File", filepath.Base(rest[0]), "Version", v.Version,
		"Expires", v.Expires.Format(time.DateTime), "Targets", strings.Join(names, ", ")))
	return nil
}

// watch is the watchdog of a binary update (see apply.go); a school's
// server starts it, nobody else needs to.
func watch(c feature.Console, args []string) error {
	fs := c.FlagSet("update watch")
	if _, err := c.Parse(fs, args); err != nil {
		return err
	}
	cfg, err := c.Config(fs)
	if err != nil {
		return err
	}
	ctx, stop := ossignal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	log := slog.New(slog.NewTextHandler(c.Stderr(), nil))
	return Watch(ctx, cfg, log)
}
