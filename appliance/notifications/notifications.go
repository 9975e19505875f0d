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
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/i18n"
	"preau/appliance/notify"
	"preau/appliance/web"
)

// Feature is the notifications' timeline and live channel.
var Feature = feature.Feature{Name: "notifications", Schema: notify.Schema, Routes: routes, Personal: feature.Personal{Export: personalExport, Erase: erase}}

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
// gorilla's default). Most connections only wait: they share write
// buffers from a pool, holding one only while a message goes out, and
// read through the buffer the HTTP server already gave them.
var upgrader = websocket.Upgrader{WriteBufferSize: 512, WriteBufferPool: &sync.Pool{}}

// Timings of the live channel: a ping every pingEvery keeps proxies from
// closing an idle connection and finds dead ones.
const (
	pingEvery = 30 * time.Second
	writeWait = 10 * time.Second
)

// live is the live channel: the unread count now, then each change. Once
// the connection is a websocket the handler returns, and two small
// goroutines keep it: a page that waits costs little more than its
// socket, not a whole request's stack.
func (h *handlers) live(w http.ResponseWriter, r *http.Request) {
	u, lang := web.CurrentUser(r), web.Lang(r)
	n, err := h.hub.Unread(r.Context(), u.ID)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader answered the client already
	}
	sub, err := h.hub.Subscribe(u.ID)
	if err != nil {
		conn.Close()
		return
	}
	go h.serveLive(conn, sub, lang, n)
}

// serveLive sends a page its events until the page goes.
func (h *handlers) serveLive(conn *websocket.Conn, sub *notify.Sub, lang i18n.Lang, unread int) {
	defer conn.Close()
	defer h.hub.Unsubscribe(sub)
	ctx, cancel := context.WithCancel(context.Background())
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
	send := func(ev liveJSON) error {
		conn.SetWriteDeadline(time.Now().Add(writeWait))
		return conn.WriteJSON(ev)
	}
	if send(liveJSON{Unread: unread}) != nil {
		return
	}
	last := ""
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
