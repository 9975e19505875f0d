// Package notifications is the notification hub's face: each person's
// timeline of what concerns them, read and unread, the bell of the top
// bar and its live channel, a websocket the page opens with a few lines of
// plain JavaScript (assets/js/live.js). Features publish through the hub
// (notify, in env.Notify); this package only shows.
//
// It imports notify, auth, web and feature; no other feature.
package notifications

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/websocket"

	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/i18n"
	"preau/appliance/notify"
	"preau/appliance/web"
)

// Feature is the notifications' timeline and live channel.
var Feature = feature.Feature{Name: "notifications", Schema: notify.Schema, Routes: routes}

// Path is the timeline's page.
const Path = "/notifications"

// listLimit is how many of the latest a timeline shows.
const listLimit = 100

type handlers struct {
	*feature.Env
	hub *notify.Hub
}

var everyone = web.Only(auth.Pupil, auth.Parent, auth.Teacher, auth.Director, auth.DSI)

func routes(env *feature.Env) {
	h := &handlers{Env: env, hub: env.Notify}
	env.SetUnread(func(r *http.Request) (int, error) { return h.hub.Unread(r.Context(), web.CurrentUser(r).ID) })
	env.Handle("GET "+Path, everyone, h.page)
	env.Handle("POST "+Path+"/lues", everyone, h.readAll)
	env.Handle("POST "+Path+"/{id}", everyone, h.open)
	env.Handle("GET /api/v1/notifications", everyone, h.apiList)
	env.Handle("POST /api/v1/notifications/{id}/read", everyone, h.apiRead)
	env.Handle("GET /api/v1/notifications/ws", everyone, h.live)
}

func (h *handlers) page(w http.ResponseWriter, r *http.Request) {
	items, err := h.hub.List(r.Context(), web.CurrentUser(r).ID, listLimit)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Render(w, r, "notifications/list", web.T(r, "notifications.title"), items)
}

// open marks a notification read and goes where it leads.
func (h *handlers) open(w http.ResponseWriter, r *http.Request) {
	it, err := h.hub.MarkRead(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	target := it.URL
	if !strings.HasPrefix(target, "/") || strings.HasPrefix(target, "//") {
		target = Path // only ever a page of Préau's
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

func (h *handlers) readAll(w http.ResponseWriter, r *http.Request) {
	if err := h.hub.MarkAllRead(r.Context(), web.CurrentUser(r)); err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, Path, "notifications.flash.all_read")
}

// itemJSON is a notification as the API and the live channel show it.
type itemJSON struct {
	ID      string    `json:"id"`
	Kind    string    `json:"kind"`
	Title   string    `json:"title"`
	URL     string    `json:"url"`
	Read    bool      `json:"read"`
	Created time.Time `json:"created"`
}

func toJSON(it notify.Item, lang i18n.Lang) itemJSON {
	return itemJSON{ID: it.ID, Kind: it.Kind, Title: it.Title.In(lang), URL: it.URL, Read: it.Read, Created: it.Created}
}

func (h *handlers) apiList(w http.ResponseWriter, r *http.Request) {
	items, err := h.hub.List(r.Context(), web.CurrentUser(r).ID, listLimit)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	out := make([]itemJSON, len(items))
	for i, it := range items {
		out[i] = toJSON(it, web.Lang(r))
	}
	web.JSON(w, http.StatusOK, out)
}

func (h *handlers) apiRead(w http.ResponseWriter, r *http.Request) {
	it, err := h.hub.MarkRead(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	it.Read = true
	web.JSON(w, http.StatusOK, toJSON(it, web.Lang(r)))
}

// liveJSON is what the live channel sends: the unread count, the latest
// unread, and whether that one just arrived (the page shows it a moment).
type liveJSON struct {
	Unread int       `json:"unread"`
	Latest *itemJSON `json:"latest,omitempty"`
	Fresh  bool      `json:"fresh"`
}

// upgrader accepts only this server's own pages (the Origin check is
// gorilla's default), with small buffers: most connections only wait.
var upgrader = websocket.Upgrader{ReadBufferSize: 256, WriteBufferSize: 512}

// Timings of the live channel: a ping every pingEvery keeps proxies from
// closing an idle connection and finds dead ones.
const (
	pingEvery = 30 * time.Second
	writeWait = 10 * time.Second
)

// live is the live channel: the unread count now, then each change.
func (h *handlers) live(w http.ResponseWriter, r *http.Request) {
	u, lang := web.CurrentUser(r), web.Lang(r)
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader answered the client already
	}
	defer conn.Close()
	sub, err := h.hub.Subscribe(u.ID)
	if err != nil {
		return
	}
	defer h.hub.Unsubscribe(sub)
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	go func() { // the page sends nothing but closes: reading finds out
		defer cancel()
		conn.SetReadLimit(512)
		for {
			if _, _, err := conn.NextReader(); err != nil {
				return
			}
		}
	}()
	n, err := h.hub.Unread(ctx, u.ID)
	if err != nil {
		return
	}
	last := ""
	send := func(ev liveJSON) error {
		conn.SetWriteDeadline(time.Now().Add(writeWait))
		return conn.WriteJSON(ev)
	}
	if send(liveJSON{Unread: n}) != nil {
		return
	}
	ping := time.NewTicker(pingEvery)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ping.C:
			if conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)) != nil {
				return
			}
		case ev := <-sub.C:
			out := liveJSON{Unread: ev.Unread}
			if ev.Latest != nil {
				j := toJSON(*ev.Latest, lang)
				out.Latest, out.Fresh = &j, ev.Latest.ID != last
				last = ev.Latest.ID
			}
			if send(out) != nil {
				return
			}
		}
	}
}
