package agenda

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-webdav"
	"github.com/emersion/go-webdav/caldav"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/web"
)

// CalDAVPath is where ordinary calendar programs reach the agenda, with
// the person's login and password: /caldav/{login}/agendas/{calendar}/.
const CalDAVPath = "/caldav"

// The calendars CalDAV shows, by their path's last part: the person's own,
// which they write, and what they read.
const (
	calPersonal = "personnel"
	calSchool   = "ecole"
	calClasses  = "classes"
	calFollowed = "suivi" // what other features show: homework due, notes' days
)

// followWindow is how far the followed calendar reaches, back and ahead.
const followBack, followAhead = 60 * 24 * time.Hour, 400 * 24 * time.Hour

type userKey struct{}

// davHandler serves CalDAV to a person it authenticates by their login and
// password (HTTP Basic, over the school's LAN or central's HTTPS).
type davHandler struct {
	s   *Service
	dav *caldav.Handler
}

func newDAV(s *Service) *davHandler {
	h := &davHandler{s: s}
	h.dav = &caldav.Handler{Backend: &davBackend{s: s}, Prefix: CalDAVPath}
	return h
}

func (h *davHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u, err := h.authenticate(r)
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Basic realm="Préau", charset="UTF-8"`)
		status := http.StatusUnauthorized
		var th *auth.ThrottledError
		if errors.As(err, &th) {
			status = http.StatusTooManyRequests
		}
		http.Error(w, web.ErrText(r, err), status)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/.well-known/caldav") {
		http.Redirect(w, r, principal(u), http.StatusMovedPermanently)
		return
	}
	// The root answers who is asking (their principal); below it, only
	// their own.
	if p := r.URL.Path; p != CalDAVPath+"/" && !strings.HasPrefix(p+"/", principal(u)) {
		http.Error(w, web.T(r, "agenda.err.not_your_calendars"), http.StatusForbidden)
		return
	}
	if r.Method == http.MethodPut {
		if err := readableCalendar(r); err != nil {
			http.Error(w, web.ErrText(r, err), http.StatusBadRequest)
			return
		}
	}
	h.dav.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), userKey{}, u)))
}

// readableCalendar refuses a PUT's body that go-ical cannot read without
// panicking (go-ical indexes an empty slice on "0;0="), before go-webdav
// decodes it; the body is left for it to read again.
func readableCalendar(r *http.Request) (err error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return apperr.New(apperr.ErrInvalid, "agenda.err.unreadable_calendar")
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	defer func() {
		if recover() != nil {
			err = apperr.New(apperr.ErrInvalid, "agenda.err.unreadable_calendar")
		}
	}()
	ical.NewDecoder(bytes.NewReader(body)).Decode()
	return nil
}

// authenticate checks the request's login and password: a calendar
// program sends them with every request, which ClientLogin remembers.
func (h *davHandler) authenticate(r *http.Request) (auth.User, error) {
	login, password, ok := r.BasicAuth()
	if !ok {
		return auth.User{}, apperr.Text("agenda.err.login_required")
	}
	return h.s.env.Auth.ClientLogin(r.Context(), login, password, web.ClientIP(r))
}

// principal is a person's CalDAV principal, their home within it.
func principal(u auth.User) string { return CalDAVPath + "/" + url.PathEscape(u.Login) + "/" }
func homeSet(u auth.User) string   { return principal(u) + "agendas/" }

// davBackend is the agenda as go-webdav's CalDAV server asks it.
type davBackend struct{ s *Service }

func userOf(ctx context.Context) auth.User { u, _ := ctx.Value(userKey{}).(auth.User); return u }

func (b *davBackend) CurrentUserPrincipal(ctx context.Context) (string, error) {
	return principal(userOf(ctx)), nil
}

func (b *davBackend) CalendarHomeSetPath(ctx context.Context) (string, error) {
	return homeSet(userOf(ctx)), nil
}

func (b *davBackend) calendars(u auth.User) []caldav.Calendar {
	var out []caldav.Calendar
	for _, name := range []string{calPersonal, calSchool, calClasses, calFollowed} {
		out = append(out, caldav.Calendar{Path: homeSet(u) + name + "/", Name: name, SupportedComponentSet: []string{ical.CompEvent},
			MaxResourceSize: 1 << 20})
	}
	return out
}

func (b *davBackend) ListCalendars(ctx context.Context) ([]caldav.Calendar, error) {
	return b.calendars(userOf(ctx)), nil
}

func (b *davBackend) GetCalendar(ctx context.Context, p string) (*caldav.Calendar, error) {
	for _, c := range b.calendars(userOf(ctx)) {
		if strings.TrimSuffix(c.Path, "/") == strings.TrimSuffix(p, "/") {
			return &c, nil
		}
	}
	return nil, webdav.NewHTTPError(http.StatusNotFound, fmt.Errorf("no calendar %s", p))
}

func (b *davBackend) CreateCalendar(ctx context.Context, c *caldav.Calendar) error {
	return webdav.NewHTTPError(http.StatusForbidden, errors.New("Préau's calendars are made by Préau"))
}

// split reads an object's path: its calendar and file name.
func (b *davBackend) split(ctx context.Context, p string) (string, string, error) {
	rest, ok := strings.CutPrefix(p, homeSet(userOf(ctx)))
	if !ok {
		return "", "", webdav.NewHTTPError(http.StatusNotFound, errors.New("not here"))
	}
	cal, file, _ := strings.Cut(rest, "/")
	return cal, file, nil
}

// objects are a calendar's objects for u, each an event, by file name.
func (b *davBackend) objects(ctx context.Context, cal string) ([]caldav.CalendarObject, error) {
	u := userOf(ctx)
	now := b.s.now()
	var out []caldav.CalendarObject
	add := func(file string, c *ical.Component, etag string, mod time.Time) {
		ic := newCalendar("")
		ic.Children = append(ic.Children, c)
		out = append(out, caldav.CalendarObject{Path: homeSet(u) + cal + "/" + file, ETag: etag, ModTime: mod, Data: ic})
	}
	if cal == calFollowed {
		occ, err := b.s.followed(ctx, u, now.Add(-followBack), now.Add(followAhead))
		for _, o := range occ {
			c := occurrenceEvent(o, now)
			uid, _ := c.Props.Text(ical.PropUID)
			add(url.PathEscape(uid)+".ics", c, etagOf(c), now)
		}
		return out, err
	}
	events, err := b.s.Events(ctx, u)
	if err != nil {
		return nil, err
	}
	for _, e := range events {
		if calendarOf(e) == cal {
			add(url.PathEscape(e.UID)+".ics", vevent(e, now), strconv.FormatInt(e.HLC, 36), now)
		}
	}
	return out, nil
}

// calendarOf is the CalDAV calendar an event shows in.
func calendarOf(e Event) string {
	switch e.Calendar {
	case Personal:
		return calPersonal
	case School:
		return calSchool
	}
	return calClasses
}

// etagOf is a version of what an object says, for the objects Préau
// computes rather than keeps.
func etagOf(c *ical.Component) string {
	var buf bytes.Buffer
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropProductID, prodID)
	cal.Children = append(cal.Children, c)
	ical.NewEncoder(&buf).Encode(cal)
	sum := sha256.Sum256(buf.Bytes())
	return fmt.Sprintf("%x", sum[:8])
}

func (b *davBackend) ListCalendarObjects(ctx context.Context, p string, req *caldav.CalendarCompRequest) ([]caldav.CalendarObject, error) {
	cal, _, err := b.split(ctx, p)
	if err != nil {
		return nil, err
	}
	return b.objects(ctx, cal)
}

func (b *davBackend) GetCalendarObject(ctx context.Context, p string, req *caldav.CalendarCompRequest) (*caldav.CalendarObject, error) {
	cal, _, err := b.split(ctx, p)
	if err != nil {
		return nil, err
	}
	objs, err := b.objects(ctx, cal)
	if err != nil {
		return nil, err
	}
	// Objects are named by their UID escaped; go-webdav hands over the
	// path unescaped (a UID with a space, an accent or a slash).
	for _, o := range objs {
		if name, err := url.PathUnescape(o.Path); o.Path == p || err == nil && name == p {
			return &o, nil
		}
	}
	return nil, webdav.NewHTTPError(http.StatusNotFound, fmt.Errorf("no object %s", p))
}

func (b *davBackend) QueryCalendarObjects(ctx context.Context, p string, q *caldav.CalendarQuery) ([]caldav.CalendarObject, error) {
	objs, err := b.ListCalendarObjects(ctx, p, &q.CompRequest)
	if err != nil {
		return nil, err
	}
	return caldav.Filter(q, objs)
}

// personalEvent finds the person's own event a file names.
func (b *davBackend) personalEvent(ctx context.Context, p string) (Event, bool, error) {
	cal, file, err := b.split(ctx, p)
	if err != nil {
		return Event{}, false, err
	}
	if cal != calPersonal {
		return Event{}, false, webdav.NewHTTPError(http.StatusForbidden, errors.New("this calendar is read-only"))
	}
	// p is the path as go-webdav read it, unescaped: the file name is
	// the UID as it is, slashes included.
	uid := strings.TrimSuffix(file, ".ics")
	events, err := b.s.query(ctx, "calendar = 'personal' AND owner_id = ? AND uid = ?", userOf(ctx).ID, uid)
	if err != nil || len(events) == 0 {
		return Event{UID: uid}, false, err
	}
	return events[0], true, nil
}

func (b *davBackend) PutCalendarObject(ctx context.Context, p string, cal *ical.Calendar, opts *caldav.PutCalendarObjectOptions) (*caldav.CalendarObject, error) {
	old, exists, err := b.personalEvent(ctx, p)
	if err != nil {
		return nil, err
	}
	d, err := fromICal(cal)
	if err != nil {
		return nil, davError(err)
	}
	u := userOf(ctx)
	if !exists && d.UID != "" && d.UID != old.UID {
		// A program may name the file otherwise than the event's UID
		// (Préau files it under its UID, as Location says): sent again,
		// it is the same event, not a second one.
		if old, exists, err = b.personalEvent(ctx, homeSet(u)+calPersonal+"/"+d.UID+".ics"); err != nil {
			return nil, err
		}
	}
	etag := strconv.FormatInt(old.HLC, 36)
	if exists && opts.IfNoneMatch.IsWildcard() {
		return nil, webdav.NewHTTPError(http.StatusPreconditionFailed, errors.New("it exists"))
	}
	if opts.IfMatch.IsSet() {
		if want, _ := opts.IfMatch.ETag(); !exists || want != etag {
			return nil, webdav.NewHTTPError(http.StatusPreconditionFailed, errors.New("it changed"))
		}
	}
	if d.UID == "" {
		d.UID = old.UID
	}
	d.Calendar = Personal
	var e Event
	if exists {
		e, err = b.s.Update(ctx, u, old.ID, d)
	} else {
		e, err = b.s.Create(ctx, u, d)
	}
	if err != nil {
		return nil, davError(err)
	}
	if e, err = b.s.get(ctx, e.ID); err != nil {
		return nil, err
	}
	return &caldav.CalendarObject{Path: homeSet(u) + calPersonal + "/" + url.PathEscape(e.UID) + ".ics", ETag: strconv.FormatInt(e.HLC, 36),
		ModTime: b.s.now()}, nil
}

func (b *davBackend) DeleteCalendarObject(ctx context.Context, p string) error {
	e, exists, err := b.personalEvent(ctx, p)
	if err != nil {
		return err
	}
	if !exists {
		return webdav.NewHTTPError(http.StatusNotFound, errors.New("no such event"))
	}
	_, err = b.s.Delete(ctx, userOf(ctx), e.ID)
	return davError(err)
}

// davError is a service's refusal as CalDAV answers it.
func davError(err error) error {
	if err == nil {
		return nil
	}
	if status := web.ErrStatus(err); status < http.StatusInternalServerError {
		return webdav.NewHTTPError(status, errors.New(err.Error()))
	}
	return err
}
