package agenda

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/emersion/go-ical"

	"preau/appliance/web"
)

// The feed: each person's agenda as an ICS file at a secret address, for
// a phone or a calendar program to subscribe to.

// feedURL is the address of u's feed with its secret.
func (h *handlers) feedURL(r *http.Request, token string) string {
	return web.BaseURL(r, h.Config.PublicURL) + Path + "/flux/" + url.PathEscape(token) + ".ics"
}

// davURL is where a CalDAV program finds u's calendars.
func (h *handlers) davURL(r *http.Request) string {
	return web.BaseURL(r, h.Config.PublicURL) + principal(web.CurrentUser(r))
}

// feedPage shows the feed's address, as text and as a QR code to scan
// from a phone, and the CalDAV address; the secret is made on the first
// visit.
func (h *handlers) feedPage(w http.ResponseWriter, r *http.Request) {
	token, err := h.s.Token(r.Context(), web.CurrentUser(r), false)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	link := h.feedURL(r, token)
	qr, err := web.QRImage(link)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	h.Render(w, r, "agenda/feed", web.T(r, "agenda.feed.title"), map[string]any{"URL": link, "QR": qr,
		"Webcal": template.URL("webcal" + strings.TrimPrefix(strings.TrimPrefix(link, "https"), "http")), "DAV": h.davURL(r)})
}

// feedChange renews the secret (the old address stops working) or
// revokes it.
func (h *handlers) feedChange(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	var err error
	key := "agenda.flash.renewed"
	if r.PostFormValue("action") == "revoquer" {
		err, key = h.s.Revoke(r.Context(), u), "agenda.flash.revoked"
	} else {
		_, err = h.s.Token(r.Context(), u, true)
	}
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if key == "agenda.flash.revoked" {
		h.Redirect(w, r, Path, key)
		return
	}
	h.Redirect(w, r, Path+"/abonnement", key)
}

// feed serves a person's agenda as an ICS file: their events, repeating
// ones with their rule, and what the other features show, from two months
// back to a year ahead.
func (h *handlers) feed(w http.ResponseWriter, r *http.Request) {
	u, err := h.s.ByToken(r.Context(), strings.TrimSuffix(r.PathValue("file"), ".ics"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	events, err := h.s.Events(r.Context(), u)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	now := h.s.now()
	followed, err := h.s.followed(r.Context(), u, now.Add(-followBack), now.Add(followAhead))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	cal := newCalendar(web.T(r, "agenda.feed.name", "Name", u.DisplayName))
	for _, e := range events {
		cal.Children = append(cal.Children, vevent(e, now))
	}
	for _, o := range followed {
		cal.Children = append(cal.Children, occurrenceEvent(o, now))
	}
	var buf bytes.Buffer
	if err := ical.NewEncoder(&buf).Encode(cal); err != nil {
		h.Fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `inline; filename="agenda.ics"`)
	w.Header().Set("Cache-Control", "private, no-cache")
	w.Write(buf.Bytes())
}
