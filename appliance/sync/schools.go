package sync

import (
	"context"
	"net/http"
	"strings"
	"time"

	"preau/appliance/auth"
	"preau/appliance/store"
	"preau/appliance/web"
)

// The DSI's view of the schools on central: their sync state, and adding,
// re-enrolling or revoking a school.

func registerSchoolsPages(s *web.Server, c *Central) {
	h := &schoolsPages{s: s, c: c}
	s.Handle("GET /ecoles", web.Only(auth.DSI), h.list)
	s.Handle("POST /ecoles", web.Only(auth.DSI), h.add)
	s.Handle("POST /ecoles/{id}/jeton", web.Only(auth.DSI), h.newToken)
	s.Handle("POST /ecoles/{id}/revoquer", web.Only(auth.DSI), h.revoke)
}

type schoolsPages struct {
	s *web.Server
	c *Central
}

// SchoolState is one school's line on the DSI's dashboard.
type SchoolState struct {
	ID, Name      string
	Enrolled      bool
	Revoked       bool
	TokenPending  bool
	LastSeen      time.Time // central last heard the school
	Live          bool      // the school holds its live request now
	Version       string
	Pending       int64
	ClockOffsetMs int64
	LastError     string
}

// ClockSuspect flags a school whose clock is off by more than a minute.
func (s SchoolState) ClockSuspect() bool { return s.ClockOffsetMs > 60000 || s.ClockOffsetMs < -60000 }

// Schools lists every school with its sync state.
func (c *Central) Schools(ctx context.Context) ([]SchoolState, error) {
	rows, err := c.db.Reader().QueryContext(ctx, `SELECT s.id, s.name, coalesce(n.enrolled_at, ''), coalesce(n.revoked, 0),
		coalesce(n.token_hash, '') != '' AND coalesce(n.token_node, '') = '', coalesce(n.last_seen, ''), coalesce(n.version, ''), coalesce(n.pending, 0),
		coalesce(n.clock_offset, 0), coalesce(n.last_error, '')
		FROM schools s LEFT JOIN sync_nodes n ON n.school_id = s.id WHERE s.deleted = 0 ORDER BY s.name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SchoolState
	for rows.Next() {
		var st SchoolState
		var enrolled, seen string
		if err := rows.Scan(&st.ID, &st.Name, &enrolled, &st.Revoked, &st.TokenPending, &seen, &st.Version, &st.Pending,
			&st.ClockOffsetMs, &st.LastError); err != nil {
			return nil, err
		}
		st.Enrolled = enrolled != ""
		st.LastSeen, _ = time.Parse(time.RFC3339, seen)
		if at, live := c.live.contact(st.ID); st.Enrolled {
			st.Live = live && !st.Revoked
			if at.After(st.LastSeen) {
				st.LastSeen = at
			}
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

// VolumeBar is one hour of the sync-volume chart.
type VolumeBar struct {
	Hour         string
	In, Out      int64
	HeightIn     int // in chart units: the tallest bar is the chart's height
	HeightOut    int
	Label        string
	ShowLabel    bool
	X, YIn, YOut int
}

// Volume returns the rows moved per hour over the last 48 hours.
func (c *Central) Volume(ctx context.Context) ([]VolumeBar, int64, error) {
	now := time.Now().UTC().Truncate(time.Hour)
	from := now.Add(-47 * time.Hour)
	rows, err := c.db.Reader().QueryContext(ctx, `SELECT hour, sum(rows_in), sum(rows_out) FROM sync_volume
		WHERE hour >= ? GROUP BY hour`, from.Format("2006-01-02T15"))
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	byHour := map[string][2]int64{}
	for rows.Next() {
		var h string
		var in, out int64
		if err := rows.Scan(&h, &in, &out); err != nil {
			return nil, 0, err
		}
		byHour[h] = [2]int64{in, out}
	}
	var bars []VolumeBar
	var peak int64 = 1
	for t := from; !t.After(now); t = t.Add(time.Hour) {
		v := byHour[t.Format("2006-01-02T15")]
		bars = append(bars, VolumeBar{Hour: t.Format("2006-01-02T15"), In: v[0], Out: v[1],
			Label: t.Local().Format("15"), ShowLabel: t.Local().Hour()%6 == 0})
		peak = max(peak, v[0], v[1])
	}
	const height = 120
	for i := range bars {
		bars[i].HeightIn = int(bars[i].In * height / peak)
		bars[i].HeightOut = int(bars[i].Out * height / peak)
		bars[i].X = i * 14
		bars[i].YIn = height - bars[i].HeightIn
		bars[i].YOut = height - bars[i].HeightOut
	}
	return bars, peak, rows.Err()
}

type schoolsData struct {
	Schools  []SchoolState
	Bars     []VolumeBar
	Peak     int
	Moved    bool // any row moved in the period
	NewToken string
	TokenFor string
	Central  string
}

func (h *schoolsPages) render(w http.ResponseWriter, r *http.Request, status int, d schoolsData, errMsg string) {
	var err error
	if d.Schools, err = h.c.Schools(r.Context()); err != nil {
		h.s.Fail(w, r, err)
		return
	}
	var peak int64
	if d.Bars, peak, err = h.c.Volume(r.Context()); err != nil {
		h.s.Fail(w, r, err)
		return
	}
	d.Peak = int(peak)
	for _, b := range d.Bars {
		d.Moved = d.Moved || b.In > 0 || b.Out > 0
	}
	d.Central = h.s.Config.PublicURL
	if d.Central == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		d.Central = scheme + "://" + r.Host
	}
	if d.NewToken != "" {
		w.Header().Set("Cache-Control", "no-store") // a one-time secret
	}
	h.s.RenderStatus(w, r, status, "sync/schools", web.T(r, "sync.schools.title"), d, errMsg)
}

func (h *schoolsPages) list(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, schoolsData{}, "")
}

func (h *schoolsPages) add(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimSpace(r.PostFormValue("id"))
	token, err := h.c.AddSchool(r.Context(), id, r.PostFormValue("name"))
	if err != nil {
		h.render(w, r, web.ErrStatus(err), schoolsData{}, err.Error())
		return
	}
	h.render(w, r, http.StatusOK, schoolsData{NewToken: token, TokenFor: id}, "")
}

func (h *schoolsPages) newToken(w http.ResponseWriter, r *http.Request) {
	sc, err := h.c.register.School(r.Context(), r.PathValue("id"))
	if err != nil {
		h.s.Error(w, r, http.StatusNotFound, "roster.err.no_such_school")
		return
	}
	token, err := h.c.AddSchool(r.Context(), sc.ID, sc.Name)
	if err != nil {
		h.s.Fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, schoolsData{NewToken: token, TokenFor: sc.ID}, "")
}

func (h *schoolsPages) revoke(w http.ResponseWriter, r *http.Request) {
	if err := h.c.Revoke(r.Context(), r.PathValue("id")); err != nil {
		if err == store.ErrNotFound {
			h.s.Error(w, r, http.StatusNotFound, "sync.err.school_not_enrolled")
			return
		}
		h.s.Fail(w, r, err)
		return
	}
	h.s.Redirect(w, r, "/ecoles", "sync.schools.revoked_flash")
}
