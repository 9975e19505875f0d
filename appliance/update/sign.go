package update

import (
	"archive/tar"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/theupdateframework/go-tuf/v2/metadata"

	"preau/appliance/apperr"
)

// The DSI's side: keys made once on a machine kept off the servers, and
// each release signed there. One Ed25519 key per TUF role, threshold one;
// the root key signs the root, which names the others' keys, and is the
// one schools pin.

// Roles are the TUF top-level roles, each with its key file <role>.key.
var Roles = []string{metadata.ROOT, metadata.TARGETS, metadata.SNAPSHOT, metadata.TIMESTAMP}

// rootLifetime is how long the root made by Keygen stays valid: a new
// root (new keys) is made before then.
const rootLifetime = 5 * 365 * 24 * time.Hour

// Keygen makes a key per role in dir (which must hold none yet), and the
// root metadata signed by the root key; it returns the root public key
// in hex, what schools pin as update.root_key.
func Keygen(dir string, now time.Time) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	for _, role := range append(slices.Clone(Roles), metadata.ROOT+".json") {
		name := filepath.Join(dir, role)
		if filepath.Ext(name) != ".json" {
			name += ".key"
		}
		if _, err := os.Stat(name); err == nil {
			return "", apperr.New(apperr.ErrConflict, "update.err.keys_exist", "File", name)
		}
	}
	root := metadata.Root(now.Add(rootLifetime).UTC().Truncate(time.Second))
	privs := map[string]ed25519.PrivateKey{}
	for _, role := range Roles {
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return "", err
		}
		key, err := metadata.KeyFromPublicKey(pub)
		if err != nil {
			return "", err
		}
		if err := root.Signed.AddKey(key, role); err != nil {
			return "", err
		}
		privs[role] = priv
	}
	if err := sign(root, privs[metadata.ROOT]); err != nil {
		return "", err
	}
	for role, priv := range privs {
		der, err := x509.MarshalPKCS8PrivateKey(priv)
		if err != nil {
			return "", err
		}
		block := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
		if err := os.WriteFile(filepath.Join(dir, role+".key"), block, 0o600); err != nil {
			return "", err
		}
	}
	data, err := root.ToBytes(true)
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, rootFile), data, 0o644); err != nil {
		return "", err
	}
	return hex.EncodeToString(privs[metadata.ROOT].Public().(ed25519.PublicKey)), nil
}

// Release is what the DSI signs: a version and its files (the binary of
// each platform, under BinaryTarget's name).
type Release struct {
	Version string
	Files   map[string][]byte
	// Expires is how long the signed metadata stays valid: a school that
	// receives the bundle later refuses it (a frozen or replayed release).
	Expires time.Duration
}

// Sign makes the bundle of a release with the keys of dir (Keygen's).
func Sign(dir string, rel Release, now time.Time) ([]byte, error) {
	if !validVersion(rel.Version) {
		return nil, reason("update.err.bad_version", "Version", rel.Version)
	}
	if len(rel.Files) == 0 {
		return nil, reason("update.err.no_targets")
	}
	if rel.Expires <= 0 {
		return nil, reason("update.err.bad_expiry")
	}
	meta, _ := json.Marshal(custom{Version: rel.Version})
	raw := json.RawMessage(meta)
	tg := metadata.Targets(now.Add(rel.Expires).UTC().Truncate(time.Second))
	for name, body := range rel.Files {
		t, err := metadata.TargetFile().FromBytes(name, body, "sha256")
		if err != nil {
			return nil, err
		}
		t.Custom = &raw
		tg.Signed.Targets[name] = t
	}
	return signBundle(dir, tg, rel.Files, now)
}

// signBundle signs targets, then the snapshot and timestamp that name
// them, with the keys of dir, and writes the bundle: the metadata, then
// the bodies given (by target name). The metadata's versions are the
// signing time in seconds, so that each signature's are higher than the
// last's; they expire with the targets.
func signBundle(dir string, tg *metadata.Metadata[metadata.TargetsType], bodies map[string][]byte, now time.Time) ([]byte, error) {
	keys := map[string]ed25519.PrivateKey{}
	for _, role := range Roles[1:] {
		k, err := readKey(filepath.Join(dir, role+".key"))
		if err != nil {
			return nil, err
		}
		keys[role] = k
	}
	rootData, err := os.ReadFile(filepath.Join(dir, rootFile))
	if err != nil {
		return nil, reason("update.err.key_file", "File", filepath.Join(dir, rootFile))
	}
	expires := tg.Signed.Expires
	version := now.Unix()
	tg.Signed.Version = version
	if err := sign(tg, keys[metadata.TARGETS]); err != nil {
		return nil, err
	}
	tgData, err := tg.ToBytes(false)
	if err != nil {
		return nil, err
	}
	snap := metadata.Snapshot(expires)
	snap.Signed.Version = version
	snap.Signed.Meta[targetsFile] = metaFile(version, tgData)
	if err := sign(snap, keys[metadata.SNAPSHOT]); err != nil {
		return nil, err
	}
	snapData, err := snap.ToBytes(false)
	if err != nil {
		return nil, err
	}
	ts := metadata.Timestamp(expires)
	ts.Signed.Version = version
	ts.Signed.Meta[snapshotFile] = metaFile(version, snapData)
	if err := sign(ts, keys[metadata.TIMESTAMP]); err != nil {
		return nil, err
	}
	tsData, err := ts.ToBytes(false)
	if err != nil {
		return nil, err
	}

	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	add := func(name string, body []byte) error {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), ModTime: now}); err != nil {
			return err
		}
		_, err := tw.Write(body)
		return err
	}
	err = errors.Join(add(rootFile, rootData), add(timestampFile, tsData), add(snapshotFile, snapData), add(targetsFile, tgData))
	names := make([]string, 0, len(bodies))
	for name := range bodies {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		err = errors.Join(err, add(targetsDir+name, bodies[name]))
	}
	if err = errors.Join(err, tw.Close()); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// metaFile is how a role names another's metadata: version, length, hash.
func metaFile(version int64, data []byte) *metadata.MetaFiles {
	m := metadata.MetaFile(version)
	m.Length = int64(len(data))
	sum := sha256.Sum256(data)
	m.Hashes["sha256"] = sum[:]
	return m
}

type signable interface {
	Sign(signature.Signer) (*metadata.Signature, error)
}

func sign(m signable, priv ed25519.PrivateKey) error {
	s, err := signature.LoadED25519Signer(priv)
	if err != nil {
		return err
	}
	_, err = m.Sign(s)
	return err
}

// readKey reads a role's private key file.
func readKey(name string) (ed25519.PrivateKey, error) {
	data, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) || err != nil {
		return nil, reason("update.err.key_file", "File", name)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, reason("update.err.key_file", "File", name)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	priv, ok := k.(ed25519.PrivateKey)
	if err != nil || !ok {
		return nil, reason("update.err.key_file", "File", name)
	}
	return priv, nil
}
