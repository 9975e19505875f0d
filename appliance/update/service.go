package update

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"runtime"
	"slices"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/config"
	"preau/appliance/feature"
	"preau/appliance/store"
)

// The states a school reports of the last release it handled.
const (
	Idle       = "idle"        // nothing handled yet: the version it runs
	Pending    = "pending"     // verified and swapped, the new binary starting
	Applied    = "applied"     // the new binary runs and answered
	RolledBack = "rolled_back" // the new binary did not answer: the previous one is back
	Refused    = "refused"     // the bundle failed a check: nothing applied
)

// Published is a release as central keeps it and every node holds it.
type Published struct {
	ID      string    `json:"id"`
	Version string    `json:"version"`
	Bundle  string    `json:"bundle"` // SHA-256
	Size    int64     `json:"size"`
	Schools string    `json:"-"`
	Wave    string    `json:"-"`
	Author  string    `json:"author"`
	Created time.Time `json:"created"`
}

// Targets are the schools it is meant for now, nil for every school.
func (p Published) Targets() feature.Targets { return feature.ParseTargets(p.Schools) }

// FirstWave is the schools it was first published to, nil when it went
// to every school at once.
func (p Published) FirstWave() feature.Targets { return feature.ParseTargets(p.Wave) }

// Report is what a school says of its updates.
type Report struct {
	SchoolID       string            `json:"school_id"`
	Running        string            `json:"version"`
	ReleaseID      string            `json:"release_id,omitempty"`
	ReleaseVersion string            `json:"release_version,omitempty"`
	AppliedVersion string            `json:"applied_version,omitempty"` // the newest release applied here
	State          string            `json:"state"`
	Reason         string            `json:"reason,omitempty"` // a catalogue key
	ReasonArgs     map[string]string `json:"reason_args,omitempty"`
	Updated        time.Time         `json:"updated"`
}

// Service is the updates: on central the DSI's releases and the schools'
// reports; at a school, the check that applies what is meant for it.
type Service struct {
	db       *store.DB
	cfg      config.Config
	log      *slog.Logger
	register feature.Register
	library  func() feature.Library
	version  string // the running binary's
	now      func() time.Time
	// stop ends this process gracefully after a binary swap, for the
	// service manager (or whoever supervises it) to start the new one.
	stop func()
	// audit is the audit log, where a school records the city's
	// configuration it applies; nil in tests without one.
	audit feature.Auditor
	// trust is what a school verified of the library's signatures.
	trust libraryTrust
}

// NewService prepares the updates of a node running version.
func NewService(db *store.DB, cfg config.Config, log *slog.Logger, register feature.Register, library func() feature.Library, version string) *Service {
	return &Service{db: db, cfg: cfg, log: log, register: register, library: library, version: version, now: time.Now, stop: stopSelf}
}

// handles reports whether u runs the city's updates here: the DSI, on
// central.
func (s *Service) handles(u auth.User) bool {
	return u.Profile == auth.DSI && s.cfg.Role == config.RoleCentral
}

// Publish keeps a bundle the DSI signed and makes it meant for wave (school
// ids), or for every school when wave is empty. Central reads the
// release's version to show it; when it pins a root key too, it verifies
// the bundle in full before keeping it. The schools verify it again
// whatever central says.
func (s *Service) Publish(ctx context.Context, u auth.User, data []byte, wave []string) (Published, error) {
	if !s.handles(u) {
		return Published{}, apperr.New(apperr.ErrForbidden, "update.err.dsi_on_central")
	}
	version, err := ReleaseOf(data)
	if err != nil {
		return Published{}, err
	}
	if s.cfg.UpdateRootKey != "" {
		if _, err := Verify(data, s.cfg.UpdateRootKey, "", s.now()); err != nil {
			return Published{}, err
		}
	}
	slices.Sort(wave)
	wave = slices.Compact(wave)
	for _, id := range wave {
		if _, err := s.register.School(ctx, id); err != nil {
			return Published{}, apperr.New(apperr.ErrInvalid, "update.err.unknown_school", "School", id)
		}
	}
	hash, size, err := s.db.Blobs().Put(bytes.NewReader(data), MaxBundle)
	if err != nil {
		return Published{}, err
	}
	p := Published{ID: store.NewID(), Version: version, Bundle: hash, Size: size, Schools: feature.Targets(wave).String(),
		Wave: feature.Targets(wave).String(), Author: u.DisplayName, Created: s.now()}
	if err := s.insertRelease(ctx, p); err != nil {
		return Published{}, err
	}
	s.log.Info("update published", "version", version, "wave", p.Wave, "by", u.Login)
	return p, nil
}

// Extend makes a release published to a first wave meant for every school:
// the rest of the rollout.
func (s *Service) Extend(ctx context.Context, u auth.User, id string) (Published, error) {
	if !s.handles(u) {
		return Published{}, apperr.New(apperr.ErrForbidden, "update.err.dsi_on_central")
	}
	p, err := s.release(ctx, id)
	if err != nil {
		return p, err
	}
	if err := s.extend(ctx, id); err != nil {
		return p, err
	}
	s.log.Info("update extended to every school", "version", p.Version, "by", u.Login)
	p.Schools = ""
	return p, nil
}

// SchoolState is a school as the DSI's page shows it: its report, if it
// sent one.
type SchoolState struct {
	School auth.School `json:"-"`
	Report
	Reported bool `json:"reported"`
}

// Overview is every release and every school's state, for the DSI.
func (s *Service) Overview(ctx context.Context, u auth.User) ([]Published, []SchoolState, error) {
	if !s.handles(u) {
		return nil, nil, apperr.New(apperr.ErrForbidden, "update.err.dsi_on_central")
	}
	rels, err := s.releases(ctx)
	if err != nil {
		return nil, nil, err
	}
	schools, err := s.register.Schools(ctx)
	if err != nil {
		return nil, nil, err
	}
	reps, err := s.reports(ctx)
	if err != nil {
		return nil, nil, err
	}
	byID := map[string]Report{}
	for _, r := range reps {
		byID[r.SchoolID] = r
	}
	out := make([]SchoolState, 0, len(schools))
	for _, sc := range schools {
		r, ok := byID[sc.ID]
		if !ok {
			r = Report{SchoolID: sc.ID}
		}
		out = append(out, SchoolState{School: sc, Report: r, Reported: ok})
	}
	return rels, out, nil
}

// meantHere is the release the DSI published last among those meant for
// this school: a later publication supersedes an earlier one, so that an
// older version published after a newer one is verified, and refused as a
// rollback, rather than passed over.
func (s *Service) meantHere(ctx context.Context) (Published, bool, error) {
	rels, err := s.releases(ctx)
	if err != nil {
		return Published{}, false, err
	}
	for _, r := range rels {
		if r.Targets().Includes(s.cfg.SchoolID) {
			return r, true, nil
		}
	}
	return Published{}, false, nil
}

// check applies, at a school, the last release meant for it when it was
// not handled already and is not what runs: the bundle is fetched and
// verified against the pinned root (and as newer than both what runs and
// the newest release applied here), then the city's configuration it
// carries is written, and its binary swapped. A refusal (an older version
// among them) is logged and reported, and nothing is written.
func (s *Service) check(ctx context.Context) error {
	rel, ok, err := s.meantHere(ctx)
	if err != nil || !ok || rel.Version == s.version {
		return err
	}
	rep, err := s.current(ctx)
	if err != nil {
		return err
	}
	if rep.ReleaseID == rel.ID && rep.State != Idle && (rep.State != Pending || inFlight(s.cfg.DataDir)) {
		return nil // handled: a refused or rolled-back release is not tried again
	}
	if inFlight(s.cfg.DataDir) {
		return nil
	}
	lib := s.library()
	if lib == nil {
		return nil
	}
	if err := lib.Fetch(ctx, rel.Bundle); err != nil {
		return err // central out of reach: next time
	}
	data, err := s.readBundle(rel.Bundle)
	if err != nil {
		return err
	}
	newest := s.version
	if Compare(rep.AppliedVersion, newest) > 0 {
		newest = rep.AppliedVersion
	}
	v, err := Verify(data, s.cfg.UpdateRootKey, newest, s.now())
	var bin, city []byte
	var cityValues map[string]string
	if err == nil {
		bin, city = v.Targets[BinaryTarget(runtime.GOOS, runtime.GOARCH)], v.Targets[CityTarget]
		switch {
		case bin == nil && city == nil:
			err = reason("update.err.no_binary", "Platform", runtime.GOOS+"/"+runtime.GOARCH)
		case city != nil:
			if cityValues, err = config.ParseCity(city); err != nil {
				err = reason("update.err.bad_config", "Problem", err.Error())
			}
		}
	}
	if err != nil {
		return s.refuse(ctx, rep, rel, err)
	}
	s.log.Info("update verified, applying", "version", v.Version, "binary", bin != nil, "configuration", len(cityValues))
	if city != nil && s.audit != nil {
		// No account behind it: the city's signed configuration, applied
		// by the school itself, under the school's name.
		if err := s.audit.RecordConsole(ctx, auth.User{SchoolID: s.cfg.SchoolID}, "config.change", rel.Version); err != nil {
			s.log.Error("audit", "action", "config.change", "error", err)
		}
	}
	rep.ReleaseID, rep.ReleaseVersion, rep.Reason, rep.ReasonArgs = rel.ID, rel.Version, "", nil
	if bin == nil {
		if err := writeFile(config.CityFile(s.cfg.DataDir), city, 0o600); err != nil {
			return err
		}
		// The configuration alone: applied, read again at the restart.
		rep.State, rep.AppliedVersion = Applied, rel.Version
		if err := s.writeReport(ctx, rep); err != nil {
			return err
		}
		s.stop()
		return nil
	}
	rep.State = Pending
	if err := s.writeReport(ctx, rep); err != nil {
		return err
	}
	if err := s.applyBinary(bin, city, rel); err != nil {
		s.log.Error("update not applied", "version", v.Version, "err", err)
		rep.State, rep.Reason, rep.ReasonArgs = Refused, "update.err.apply", map[string]string{"Error": err.Error()}
		return s.writeReport(ctx, rep)
	}
	s.stop()
	return nil
}

// current is this school's report, idle when it has none yet.
func (s *Service) current(ctx context.Context) (Report, error) {
	rep, err := s.report(ctx, s.cfg.SchoolID)
	if errors.Is(err, apperr.ErrNotFound) {
		return Report{SchoolID: s.cfg.SchoolID, Running: s.version, State: Idle}, nil
	}
	return rep, err
}

// refuse logs and reports why a release is refused.
func (s *Service) refuse(ctx context.Context, rep Report, rel Published, err error) error {
	var r *Refusal
	if !errors.As(err, &r) {
		return err
	}
	s.log.Warn("update refused", "version", rel.Version, "reason", err.Error())
	rep.ReleaseID, rep.ReleaseVersion, rep.State, rep.Reason, rep.ReasonArgs = rel.ID, rel.Version, Refused, r.Key, r.Args
	return s.writeReport(ctx, rep)
}

func (s *Service) readBundle(hash string) ([]byte, error) {
	f, err := s.db.Blobs().Open(hash)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, MaxBundle+1))
}

// started is what a school does when it starts: it settles an update in
// flight (the new binary reports itself applied; the previous one, back,
// reports the rollback the watchdog decided) and reports the version it
// runs.
func (s *Service) started(ctx context.Context) error {
	rep, err := s.current(ctx)
	if err != nil {
		return err
	}
	p, ok := readPending(s.cfg.DataDir)
	switch {
	case ok && p.Result == RolledBack:
		s.log.Warn("update rolled back", "version", p.Version, "reason", p.Reason)
		rep.ReleaseID, rep.ReleaseVersion, rep.State, rep.Reason, rep.ReasonArgs = p.ReleaseID, p.Version, RolledBack, p.Reason, p.ReasonArgs
		clearPending(s.cfg.DataDir)
	case ok && p.Version == s.version:
		if err := markStarted(s.cfg.DataDir, s.version); err != nil {
			return err
		}
		s.log.Info("update applied", "version", s.version, "previous", p.Previous)
		rep.ReleaseID, rep.ReleaseVersion, rep.State, rep.Reason, rep.ReasonArgs = p.ReleaseID, p.Version, Applied, "", nil
		rep.AppliedVersion = p.Version
	case rep.Running == s.version && !rep.Updated.IsZero():
		return nil
	}
	rep.Running = s.version
	return s.writeReport(ctx, rep)
}

// run is a school's update loop: settle what the last start left, then
// look for a release at every sync interval (at most a minute apart).
func (s *Service) run(ctx context.Context) {
	if err := s.started(ctx); err != nil {
		s.log.Error("update state not recorded", "err", err)
	}
	every := min(s.cfg.SyncInterval, time.Minute)
	if every <= 0 {
		every = time.Minute
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := s.check(ctx); err != nil && ctx.Err() == nil {
			s.log.Debug("update check", "err", err)
		}
	}
}
