package update

import (
	"archive/tar"
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"preau/appliance/apperr"
)

// A bundle is what the DSI signs and a school applies: one tar file that
// carries a TUF repository frozen at one release, so that it travels
// through sync like any file and is verified offline, with no fetch:
//
//	root.json, timestamp.json, snapshot.json, targets.json   the signed metadata
//	targets/<name>                                           each target's bytes
//
// The school verifies it as a TUF client verifies a repository (the
// specification's client workflow, without the downloads): the root is
// signed by the key pinned in update.root_key and by its own threshold,
// the timestamp names the snapshot's hash and version, the snapshot the
// targets', the targets every file's length and hashes; no role may be
// expired; and the release must be newer than what runs. go-tuf's updater
// fetches repositories over HTTP and keeps trusted metadata on disk:
// a bundle needs neither, so its metadata package does the checks here.

// The metadata files of a bundle, in the order they come.
const (
	rootFile      = "root.json"
	timestampFile = "timestamp.json"
	snapshotFile  = "snapshot.json"
	targetsFile   = "targets.json"
	targetsDir    = "targets/"
)

// Limits of what a bundle may hold: a metadata file is small, the
// binary is tens of megabytes.
const (
	maxMetadata = 1 << 20
	// MaxBundle is the largest bundle central accepts and a school reads.
	MaxBundle = 256 << 20
)

// CityTarget is the city's configuration among a bundle's targets: YAML
// of the keys config.CityKeys, which a school keeps in config.CityFile.
const CityTarget = "config.yaml"

// BinaryTarget names the binary of a platform among a bundle's targets
// ("preau/linux-amd64").
func BinaryTarget(goos, goarch string) string { return "preau/" + goos + "-" + goarch }

// custom is what a bundle's targets say of themselves, signed with them.
type custom struct {
	Version string `json:"version"`
}

// Verified is a bundle that passed every check.
type Verified struct {
	// Version is the release's ("1.4.0"), as the binary reports it.
	Version string
	// Targets are the files it carries, by name.
	Targets map[string][]byte
	// Expires is when its earliest role expires.
	Expires time.Time
}

// ReleaseOf reads a bundle's release version without trusting it: what
// central shows of a bundle it keeps (schools verify before they believe
// it). The bundle must be well formed.
func ReleaseOf(data []byte) (string, error) {
	files, err := readTar(data)
	if err != nil {
		return "", err
	}
	tg, err := (&metadata.Metadata[metadata.TargetsType]{}).FromBytes(files[targetsFile])
	if err != nil {
		return "", reason("update.err.malformed_role", "Role", "targets")
	}
	return releaseOf(tg)
}

// releaseOf is the version every target of a release names; a bundle
// without one, or whose targets disagree, is malformed.
func releaseOf(tg *metadata.Metadata[metadata.TargetsType]) (string, error) {
	version := ""
	for _, t := range tg.Signed.Targets {
		var c custom
		if t.Custom == nil || json.Unmarshal(*t.Custom, &c) != nil || !validVersion(c.Version) || (version != "" && c.Version != version) {
			return "", reason("update.err.no_version")
		}
		version = c.Version
	}
	if version == "" {
		return "", reason("update.err.no_targets")
	}
	return version, nil
}

// Verify checks a bundle against the pinned root key (hex Ed25519) at
// time now, and that its release is newer than running: an error says
// which check failed, in the catalogue's words.
func Verify(data []byte, rootKey, running string, now time.Time) (*Verified, error) {
	files, tg, expires, err := verifyRoles(data, rootKey, now)
	if err != nil {
		return nil, err
	}
	v := &Verified{Targets: map[string][]byte{}, Expires: expires}
	if v.Version, err = releaseOf(tg); err != nil {
		return nil, err
	}
	for name, t := range tg.Signed.Targets {
		body, ok := files[targetsDir+name]
		if !ok || t.VerifyLengthHashes(body) != nil {
			return nil, reason("update.err.tampered", "Name", name)
		}
		v.Targets[name] = body
	}
	for name := range files {
		if t, ok := strings.CutPrefix(name, targetsDir); ok && tg.Signed.Targets[t] == nil {
			return nil, reason("update.err.unsigned_file", "Name", t)
		}
	}
	if Compare(v.Version, running) <= 0 {
		return nil, reason("update.err.rollback", "Version", v.Version, "Running", running)
	}
	return v, nil
}

// verifyRoles reads a bundle and checks its metadata as a TUF client
// does, from the pinned root down to the targets: it returns the
// bundle's files, its verified targets and when its earliest role
// expires.
func verifyRoles(data []byte, rootKey string, now time.Time) (map[string][]byte, *metadata.Metadata[metadata.TargetsType], time.Time, error) {
	var never time.Time
	pinned, err := pinnedRoot(rootKey)
	if err != nil {
		return nil, nil, never, err
	}
	files, err := readTar(data)
	if err != nil {
		return nil, nil, never, err
	}
	root, err := (&metadata.Metadata[metadata.RootType]{}).FromBytes(files[rootFile])
	if err != nil {
		return nil, nil, never, reason("update.err.malformed_role", "Role", "root")
	}
	// The pinned key must vouch for the root, and the root for itself
	// (its own threshold of its own keys).
	if pinned.VerifyDelegate(metadata.ROOT, root) != nil || root.VerifyDelegate(metadata.ROOT, root) != nil {
		return nil, nil, never, reason("update.err.signature", "Role", "root")
	}
	if root.Signed.IsExpired(now) {
		return nil, nil, never, reason("update.err.expired", "Role", "root", "Date", root.Signed.Expires.Format(time.DateOnly))
	}
	ts, err := (&metadata.Metadata[metadata.TimestampType]{}).FromBytes(files[timestampFile])
	if err != nil {
		return nil, nil, never, reason("update.err.malformed_role", "Role", "timestamp")
	}
	if root.VerifyDelegate(metadata.TIMESTAMP, ts) != nil {
		return nil, nil, never, reason("update.err.signature", "Role", "timestamp")
	}
	if ts.Signed.IsExpired(now) {
		return nil, nil, never, reason("update.err.expired", "Role", "timestamp", "Date", ts.Signed.Expires.Format(time.DateOnly))
	}
	snapMeta := ts.Signed.Meta[snapshotFile]
	if snapMeta == nil || snapMeta.VerifyLengthHashes(files[snapshotFile]) != nil {
		return nil, nil, never, reason("update.err.tampered", "Name", snapshotFile)
	}
	snap, err := (&metadata.Metadata[metadata.SnapshotType]{}).FromBytes(files[snapshotFile])
	if err != nil {
		return nil, nil, never, reason("update.err.malformed_role", "Role", "snapshot")
	}
	if root.VerifyDelegate(metadata.SNAPSHOT, snap) != nil {
		return nil, nil, never, reason("update.err.signature", "Role", "snapshot")
	}
	if snap.Signed.Version != snapMeta.Version {
		return nil, nil, never, reason("update.err.tampered", "Name", snapshotFile)
	}
	if snap.Signed.IsExpired(now) {
		return nil, nil, never, reason("update.err.expired", "Role", "snapshot", "Date", snap.Signed.Expires.Format(time.DateOnly))
	}
	tgMeta := snap.Signed.Meta[targetsFile]
	if tgMeta == nil || tgMeta.VerifyLengthHashes(files[targetsFile]) != nil {
		return nil, nil, never, reason("update.err.tampered", "Name", targetsFile)
	}
	tg, err := (&metadata.Metadata[metadata.TargetsType]{}).FromBytes(files[targetsFile])
	if err != nil {
		return nil, nil, never, reason("update.err.malformed_role", "Role", "targets")
	}
	if root.VerifyDelegate(metadata.TARGETS, tg) != nil {
		return nil, nil, never, reason("update.err.signature", "Role", "targets")
	}
	if tg.Signed.Version != tgMeta.Version {
		return nil, nil, never, reason("update.err.tampered", "Name", targetsFile)
	}
	if tg.Signed.IsExpired(now) {
		return nil, nil, never, reason("update.err.expired", "Role", "targets", "Date", tg.Signed.Expires.Format(time.DateOnly))
	}
	return files, tg, earliest(root.Signed.Expires, ts.Signed.Expires, snap.Signed.Expires, tg.Signed.Expires), nil
}

// pinnedRoot is a root that trusts only the pinned key for the root role:
// what the bundle's root must be signed by.
func pinnedRoot(rootKey string) (*metadata.Metadata[metadata.RootType], error) {
	if rootKey == "" {
		return nil, reason("update.err.no_root_key")
	}
	pub, err := hex.DecodeString(rootKey)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return nil, reason("update.err.bad_root_key")
	}
	key, err := metadata.KeyFromPublicKey(ed25519.PublicKey(pub))
	if err != nil {
		return nil, reason("update.err.bad_root_key")
	}
	pinned := metadata.Root(time.Now().AddDate(1, 0, 0))
	if err := pinned.Signed.AddKey(key, metadata.ROOT); err != nil {
		return nil, reason("update.err.bad_root_key")
	}
	return pinned, nil
}

// readTar reads a bundle's files: the four metadata files, then targets,
// each once, nothing else.
func readTar(data []byte) (map[string][]byte, error) {
	if len(data) > MaxBundle {
		return nil, reason("update.err.too_large", "Max", MaxBundle>>20)
	}
	files := map[string][]byte{}
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, reason("update.err.truncated")
		}
		name := h.Name
		meta := name == rootFile || name == timestampFile || name == snapshotFile || name == targetsFile
		target, isTarget := strings.CutPrefix(name, targetsDir)
		if h.Typeflag != tar.TypeReg || (!meta && (!isTarget || target == "" || path.Clean(name) != name)) || files[name] != nil {
			return nil, reason("update.err.unexpected_file", "Name", name)
		}
		limit := int64(MaxBundle)
		if meta {
			limit = maxMetadata
		}
		if h.Size < 0 || h.Size > limit {
			return nil, reason("update.err.too_large", "Max", limit>>20)
		}
		if h.Size > int64(len(data)) {
			return nil, reason("update.err.truncated") // said larger than the whole bundle: nothing to allocate for
		}
		body := make([]byte, h.Size)
		if _, err := io.ReadFull(tr, body); err != nil {
			return nil, reason("update.err.truncated")
		}
		files[name] = body
	}
	for _, name := range []string{rootFile, timestampFile, snapshotFile, targetsFile} {
		if files[name] == nil {
			return nil, reason("update.err.missing", "Name", name)
		}
	}
	return files, nil
}

func earliest(ts ...time.Time) time.Time {
	out := ts[0]
	for _, t := range ts[1:] {
		if t.Before(out) {
			out = t
		}
	}
	return out
}

// Refusal is why a bundle is refused: invalid input, in the catalogue's
// words, whose key and arguments a school reports to central for the DSI
// to read in their own language.
type Refusal struct {
	Key  string
	Args map[string]string
	err  error
}

func (r *Refusal) Error() string { return r.err.Error() }
func (r *Refusal) Unwrap() error { return r.err }

// reason is a Refusal of key with args (name, value pairs).
func reason(key string, args ...any) error {
	r := &Refusal{Key: key, Args: map[string]string{}, err: apperr.New(apperr.ErrInvalid, key, args...)}
	for i := 0; i+1 < len(args); i += 2 {
		r.Args[fmt.Sprint(args[i])] = fmt.Sprint(args[i+1])
	}
	return r
}
