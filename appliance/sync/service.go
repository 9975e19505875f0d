package sync

import (
	"context"
	"log/slog"
	"net/http"
	"preau/appliance/i18n"

	"preau/appliance/auth"
	"preau/appliance/config"
	"preau/appliance/feature"
	"preau/appliance/store"
	"preau/appliance/web"
)

// Service is sync as the appliance runs it: the central side on central,
// the client on a school.
type Service struct {
	cfg     config.Config
	db      *store.DB
	log     *slog.Logger
	Central *Central // central role only
	Client  *Client  // school role only
}

// New builds the service for the configured role.
func New(cfg config.Config, db *store.DB, register feature.Register, log *slog.Logger, version string) *Service {
	s := &Service{cfg: cfg, db: db, log: log}
	if cfg.Role == config.RoleCentral {
		s.Central = NewCentral(db, register, log)
		s.Central.Lang = i18n.Lang(cfg.DefaultLanguage)
	} else {
		s.Client = NewClient(db, log, cfg.SchoolID, version)
		s.Client.SetTimeouts(cfg.SyncStall, cfg.SyncNowTimeout)
		s.Client.SetCacheMax(cfg.CacheMaxSize)
		s.Client.Lang = i18n.Lang(cfg.DefaultLanguage)
	}
	return s
}

// Register wires sync's pages and API.
func (s *Service) Register(w *web.Server) {
	if s.Central != nil {
		registerCentral(w, s.Central)
		registerSchoolsPages(w, s.Central)
		return
	}
	h := &schoolHandlers{s: w, c: s.Client}
	w.Handle("GET /api/v1/sync/status", web.Only(auth.Director, auth.DSI), h.apiStatus)
	w.Handle("POST /api/v1/sync/now", web.Only(auth.Director, auth.DSI), h.apiNow)
	w.Handle("GET /synchronisation", web.Only(auth.Director, auth.DSI), h.page)
	w.Handle("POST /synchronisation", web.Only(auth.Director, auth.DSI), h.now)
	w.Handle("POST /synchronisation/conflits/{id}", web.Only(auth.Director, auth.DSI), h.restore)
}

// Run enrolls a school from its configuration when needed (retrying until
// central answers), then keeps it in sync until ctx ends. On central, it
// answers the schools' live requests when ctx ends, so that shutdown does
// not wait for them.
func (s *Service) Run(ctx context.Context) {
	if s.Client == nil {
		<-ctx.Done()
		s.Central.Close()
		return
	}
	s.Client.EnrollWith(s.cfg.CentralURL, s.cfg.EnrollmentToken)
	s.Client.Run(ctx, s.cfg.SyncInterval)
}

type schoolHandlers struct {
	s *web.Server
	c *Client
}

func (h *schoolHandlers) apiStatus(w http.ResponseWriter, r *http.Request) {
	st, err := h.c.Status(r.Context())
	if err != nil {
		h.s.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, st)
}

// apiNow syncs and answers when it has finished, or after
// sync.now_timeout, with the status.
func (h *schoolHandlers) apiNow(w http.ResponseWriter, r *http.Request) {
	st, err := h.syncNow(r.Context())
	if err != nil && !st.Enrolled {
		h.s.Error(w, r, http.StatusConflict, "sync.err.not_enrolled")
		return
	}
	web.JSON(w, http.StatusOK, st)
}

// syncNow runs a sync and returns the status when it ends, or after
// sync.now_timeout; the error is only ErrNotEnrolled.
func (h *schoolHandlers) syncNow(ctx context.Context) (Status, error) {
	if _, err := h.c.Link(ctx); err != nil {
		st, _ := h.c.Status(ctx)
		return st, err
	}
	st, err := h.c.Now(ctx)
	if err != nil {
		st, _ = h.c.Status(ctx)
	}
	return st, nil
}

type statusPage struct {
	Status    Status
	Link      Link
	Conflicts []store.Conflict
	Percent   int
}

func (h *schoolHandlers) page(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	st, err := h.c.Status(ctx)
	if err != nil {
		h.s.Fail(w, r, err)
		return
	}
	p := statusPage{Status: st}
	p.Link, _ = h.c.Link(ctx)
	if p.Conflicts, err = h.c.db.Conflicts(ctx, h.s.Config.SchoolID); err != nil {
		h.s.Fail(w, r, err)
		return
	}
	if st.Total > 0 {
		p.Percent = int(100 * st.Done / st.Total)
	}
	h.s.Render(w, r, "sync/status", web.T(r, "sync.status.title"), p)
}

func (h *schoolHandlers) now(w http.ResponseWriter, r *http.Request) {
	st, _ := h.syncNow(r.Context())
	if st.LastError != nil {
		h.s.Redirect(w, r, "/synchronisation", "sync.status.failed", "Error", *st.LastError)
		return
	}
	h.s.Redirect(w, r, "/synchronisation", "sync.status.done")
}

// restore brings a version that lost a conflict back, as a new edit.
func (h *schoolHandlers) restore(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	cs, err := h.c.db.Conflicts(r.Context(), h.s.Config.SchoolID)
	if err != nil {
		h.s.Fail(w, r, err)
		return
	}
	for _, c := range cs {
		if c.ID == id {
			if err := h.c.db.RestoreConflict(r.Context(), id); err != nil {
				h.s.Fail(w, r, err)
				return
			}
			h.s.Redirect(w, r, "/synchronisation", "sync.conflicts.restored_flash")
			return
		}
	}
	h.s.Error(w, r, http.StatusNotFound, "sync.conflicts.no_such")
}
