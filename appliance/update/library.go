package update

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/store"
)

// The city's signed library. The DSI signs the list of its library's
// files with the keys it signs releases with (preau update sign-library:
// a bundle of TUF metadata whose targets name each file, its SHA-256 and
// length, and carry no bytes) and publishes it to central (preau update
// publish). Schools hold every signature through sync, verify it against
// the root key they pin, and cache and serve a file of the library only
// when the newest signature they trust lists it: a file central changed,
// added or kept after the DSI withdrew it is refused, logged, and
// reported for the DSI's page. A signature older than one a school
// trusted is refused (rollback), an expired one too (freeze): the DSI
// signs the library again before it expires. A node that pins no root
// key verifies nothing and takes central's word, as before signatures.

// LibraryPrefix is where the library's files are among a library
// bundle's targets ("library/guide-rentree.pdf").
const LibraryPrefix = "library/"

// The states a school reports of the signed library.
const (
	LibraryVerified = "verified" // the files asked for were signed
	LibraryRefused  = "refused"  // files were refused: Files and Reason say which and why
)

// SignedLibrary is the city's library as the DSI signed it.
type SignedLibrary struct {
	// Version is the signature's: a later signature has a higher one.
	Version int64
	// Expires is when its earliest role expires.
	Expires time.Time
	// Files are the files it lists, by SHA-256 (hex).
	Files map[string]LibraryFile
}

// LibraryFile is a file the library's signature lists.
type LibraryFile struct {
	Name string // without LibraryPrefix
	Size int64
}

// LibrarySignature is a signature of the library as central keeps it and
// every node holds it.
type LibrarySignature struct {
	ID      string    `json:"id"`
	Version int64     `json:"version"`
	Bundle  string    `json:"bundle"` // SHA-256
	Size    int64     `json:"size"`
	Files   int       `json:"files"`
	Expires time.Time `json:"expires"`
	Author  string    `json:"author"`
	Created time.Time `json:"created"`
}

// LibraryReport is what a school says of the signed library.
type LibraryReport struct {
	SchoolID   string            `json:"school_id"`
	Version    int64             `json:"version"` // the signature trusted, 0 for none
	State      string            `json:"state"`
	Files      []string          `json:"files"`            // the names of the files refused, the first maxRefusedNames
	Refused    int               `json:"refused"`          // how many files were refused
	Reason     string            `json:"reason,omitempty"` // the last refusal's, a catalogue key
	ReasonArgs map[string]string `json:"reason_args,omitempty"`
	Updated    time.Time         `json:"updated"`
}

// SignLibrary makes a library bundle with the keys of dir (Keygen's):
// files are the library's, by name, each read from its path here.
func SignLibrary(dir string, files map[string]string, expires time.Duration, now time.Time) ([]byte, error) {
	if len(files) == 0 {
		return nil, reason("update.err.no_targets")
	}
	if expires <= 0 {
		return nil, reason("update.err.bad_expiry")
	}
	tg := metadata.Targets(now.Add(expires).UTC().Truncate(time.Second))
	for name, path := range files {
		body, err := os.ReadFile(path)
		if err != nil {
			return nil, apperr.New(apperr.ErrInvalid, "update.cmd.no_file", "File", path)
		}
		t, err := metadata.TargetFile().FromBytes(LibraryPrefix+name, body, "sha256")
		if err != nil {
			return nil, err
		}
		tg.Signed.Targets[LibraryPrefix+name] = t
	}
	return signBundle(dir, tg, nil, now)
}

// IsLibrary reports whether a well-formed bundle is a library's (its
// targets are under LibraryPrefix) rather than a release's.
func IsLibrary(data []byte) bool {
	tg, err := readTargets(data)
	if err != nil || len(tg.Signed.Targets) == 0 {
		return false
	}
	for name := range tg.Signed.Targets {
		if !strings.HasPrefix(name, LibraryPrefix) {
			return false
		}
	}
	return true
}

// LibraryOf reads a library bundle without trusting it: what central
// shows of a signature it keeps (schools verify before they believe it).
func LibraryOf(data []byte) (*SignedLibrary, error) {
	tg, err := readTargets(data)
	if err != nil {
		return nil, err
	}
	return libraryOf(tg)
}

func readTargets(data []byte) (*metadata.Metadata[metadata.TargetsType], error) {
	files, err := readTar(data)
	if err != nil {
		return nil, err
	}
	tg, err := (&metadata.Metadata[metadata.TargetsType]{}).FromBytes(files[targetsFile])
	if err != nil {
		return nil, reason("update.err.malformed_role", "Role", "targets")
	}
	return tg, nil
}

// libraryOf is the list a library's targets make: every target under
// LibraryPrefix, with a SHA-256.
func libraryOf(tg *metadata.Metadata[metadata.TargetsType]) (*SignedLibrary, error) {
	lib := &SignedLibrary{Version: tg.Signed.Version, Expires: tg.Signed.Expires, Files: map[string]LibraryFile{}}
	for name, t := range tg.Signed.Targets {
		file, ok := strings.CutPrefix(name, LibraryPrefix)
		sum := t.Hashes["sha256"]
		if !ok || file == "" || len(sum) != 32 || t.Length < 0 {
			return nil, reason("update.err.not_library", "Name", name)
		}
		lib.Files[hex.EncodeToString(sum)] = LibraryFile{Name: file, Size: t.Length}
	}
	if len(lib.Files) == 0 {
		return nil, reason("update.err.no_targets")
	}
	return lib, nil
}

// VerifyLibrary checks a library bundle against the pinned root key
// (hex Ed25519) at time now, as Verify checks a release: an error says
// which check failed, in the catalogue's words.
func VerifyLibrary(data []byte, rootKey string, now time.Time) (*SignedLibrary, error) {
	files, tg, expires, err := verifyRoles(data, rootKey, now)
	if err != nil {
		return nil, err
	}
	for name := range files {
		if strings.HasPrefix(name, targetsDir) {
			return nil, reason("update.err.unexpected_file", "Name", name)
		}
	}
	lib, err := libraryOf(tg)
	if err != nil {
		return nil, err
	}
	lib.Expires = expires
	return lib, nil
}

// PublishLibrary keeps a signature of the library the DSI made. Central
// reads it to show it; when it pins a root key too, it verifies it in
// full first. A signature not newer than the newest published is
// refused: the schools would refuse it as a rollback.
func (s *Service) PublishLibrary(ctx context.Context, u auth.User, data []byte) (LibrarySignature, error) {
	if !s.handles(u) {
		return LibrarySignature{}, apperr.New(apperr.ErrForbidden, "update.err.dsi_on_central")
	}
	lib, err := LibraryOf(data)
	if err != nil {
		return LibrarySignature{}, err
	}
	if s.cfg.UpdateRootKey != "" {
		if lib, err = VerifyLibrary(data, s.cfg.UpdateRootKey, s.now()); err != nil {
			return LibrarySignature{}, err
		}
	}
	published, err := s.librarySignatures(ctx)
	if err != nil {
		return LibrarySignature{}, err
	}
	if len(published) > 0 && lib.Version <= published[0].Version {
		return LibrarySignature{}, reason("update.err.library_not_newer")
	}
	hash, size, err := s.db.Blobs().Put(bytes.NewReader(data), maxLibrary)
	if err != nil {
		return LibrarySignature{}, err
	}
	l := LibrarySignature{ID: store.NewID(), Version: lib.Version, Bundle: hash, Size: size, Files: len(lib.Files), Expires: lib.Expires,
		Author: u.DisplayName, Created: s.now()}
	if err := s.insertLibrary(ctx, l); err != nil {
		return LibrarySignature{}, err
	}
	s.log.Info("library signature published", "version", l.Version, "files", l.Files, "by", u.Login)
	return l, nil
}

// maxLibrary is the largest library bundle: its four metadata files.
const maxLibrary = 4 * maxMetadata

// LibraryOverview is every signature published and every school's
// report on them, for the DSI.
func (s *Service) LibraryOverview(ctx context.Context, u auth.User) ([]LibrarySignature, []LibraryReport, error) {
	if !s.handles(u) {
		return nil, nil, apperr.New(apperr.ErrForbidden, "update.err.dsi_on_central")
	}
	sigs, err := s.librarySignatures(ctx)
	if err != nil {
		return nil, nil, err
	}
	reps, err := s.libraryReports(ctx)
	return sigs, reps, err
}

// libraryTrust is a school's memory of the signatures it verified, by
// bundle: verifying is a few signatures and a parse, done once.
type libraryTrust struct {
	mu       sync.Mutex
	verified map[string]libraryCheck
	refused  map[string]bool // "version hash reason": reported already
}

type libraryCheck struct {
	lib *SignedLibrary
	err error
}

// Vouch is feature.Signatures' at a school: nil when the newest signature
// of the library this school trusts lists the file, with its length; an
// error wrapping feature.ErrUnsigned otherwise, logged and reported.
func (s *Service) Vouch(ctx context.Context, name, hash string, size int64) error {
	if s.cfg.UpdateRootKey == "" {
		return nil
	}
	lib, err := s.signedLibrary(ctx)
	if err == nil {
		if f, ok := lib.Files[hash]; !ok || f.Size != size {
			err = reason("update.err.library_unsigned")
		}
	}
	if err != nil {
		if rerr := s.refuseFile(ctx, lib, name, hash, err); rerr != nil {
			s.log.Error("library refusal not reported", "name", name, "err", rerr)
		}
		return fmt.Errorf("%w: %w", feature.ErrUnsigned, err)
	}
	return s.libraryVerified(ctx, lib)
}

// signedLibrary is the newest signature of the library that verifies
// here and is not older than one trusted before; the error of the
// newest otherwise.
func (s *Service) signedLibrary(ctx context.Context) (*SignedLibrary, error) {
	sigs, err := s.librarySignatures(ctx)
	if err != nil {
		return nil, err
	}
	trusted, err := s.trustedLibrary(ctx)
	if err != nil {
		return nil, err
	}
	var first error
	for _, sig := range sigs {
		lib, err := s.verifiedLibrary(sig.Bundle)
		if err == nil && lib.Version < trusted {
			err = reason("update.err.library_rollback")
		}
		if err != nil {
			first = cmpOrErr(first, err)
			continue
		}
		if lib.Version > trusted {
			if err := s.trustLibrary(ctx, lib.Version); err != nil {
				return nil, err
			}
		}
		return lib, nil
	}
	return nil, cmpOrErr(first, reason("update.err.library_none"))
}

func cmpOrErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// verifiedLibrary verifies a signature's bundle once, then only its
// expiry; a bundle not here yet is not, and says so.
func (s *Service) verifiedLibrary(bundle string) (*SignedLibrary, error) {
	s.trust.mu.Lock()
	c, ok := s.trust.verified[bundle]
	s.trust.mu.Unlock()
	if !ok {
		if !s.db.Blobs().Has(bundle) {
			return nil, reason("update.err.library_coming")
		}
		data, err := s.readBundle(bundle)
		if err != nil {
			return nil, err
		}
		c.lib, c.err = VerifyLibrary(data, s.cfg.UpdateRootKey, s.now())
		s.trust.mu.Lock()
		if s.trust.verified == nil {
			s.trust.verified = map[string]libraryCheck{}
		}
		s.trust.verified[bundle] = c
		s.trust.mu.Unlock()
	}
	if c.err == nil && s.now().After(c.lib.Expires) {
		return nil, reason("update.err.library_expired", "Date", c.lib.Expires.Format(time.DateOnly))
	}
	return c.lib, c.err
}

// maxRefusedNames is how many refused files a report names: enough for
// the DSI to see what to sign, small enough for one row.
const maxRefusedNames = 20

// refuseFile logs and reports a file refused, once under the same
// signature: a refused file asked for again (at every prefetch) writes
// nothing.
func (s *Service) refuseFile(ctx context.Context, lib *SignedLibrary, name, hash string, err error) error {
	var r *Refusal
	if !errors.As(err, &r) {
		return err
	}
	var version int64
	if lib != nil {
		version = lib.Version
	}
	key := fmt.Sprint(version, " ", hash, " ", r.Key)
	s.trust.mu.Lock()
	seen := s.trust.refused[key]
	if s.trust.refused == nil {
		s.trust.refused = map[string]bool{}
	}
	s.trust.refused[key] = true
	s.trust.mu.Unlock()
	if seen {
		return nil
	}
	cur, ok, err := s.libraryReport(ctx)
	if err != nil {
		return err
	}
	rep := LibraryReport{State: LibraryRefused, Version: version, Reason: r.Key, ReasonArgs: r.Args, Files: []string{}}
	if ok && cur.State == LibraryRefused && cur.Version == version {
		rep.Files, rep.Refused = cur.Files, cur.Refused
	}
	if slices.Contains(rep.Files, name) && rep.Reason == cur.Reason {
		return nil // reported before this process started
	}
	if !slices.Contains(rep.Files, name) {
		rep.Refused++
		if len(rep.Files) < maxRefusedNames {
			rep.Files = append(rep.Files, name)
		}
	}
	s.log.Warn("library file refused", "name", name, "hash", hash[:min(12, len(hash))], "reason", r.Error())
	return s.writeLibraryReport(ctx, rep)
}

// libraryVerified reports the signature trusted, when it is new here: a
// file refused under it stays on the DSI's page until the DSI signs
// again.
func (s *Service) libraryVerified(ctx context.Context, lib *SignedLibrary) error {
	cur, ok, err := s.libraryReport(ctx)
	if err != nil || (ok && cur.Version == lib.Version) {
		return err
	}
	s.log.Info("library signature trusted", "version", lib.Version, "files", len(lib.Files), "expires", lib.Expires)
	return s.writeLibraryReport(ctx, LibraryReport{State: LibraryVerified, Version: lib.Version})
}
