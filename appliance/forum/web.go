package forum

import (
	"net/http"
	"strings"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/web"
)

// The forums' pages. They work without JavaScript; on a thread's page,
// assets/js/forum.js brings new posts in when the live channel tells of
// one.

// errNotHere is a thread asked for under another forum's path.
var errNotHere = apperr.New(apperr.ErrNotFound, "forum.err.thread_not_found")

// listPage is the forums a person sees, grouped by audience.
type listPage struct {
	Groups []group
	Opener bool
	Queue  int // what waits for their moderation
}

type group struct {
	Audience string
	Forums   []ForumView
}

func (h *handlers) list(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	views, err := h.s.Forums(r.Context(), u)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	p := listPage{Opener: h.opens(u)}
	for _, a := range Audiences {
		g := group{Audience: a}
		for _, v := range views {
			if v.Audience == a {
				g.Forums = append(g.Forums, v)
			}
		}
		if len(g.Forums) > 0 {
			p.Groups = append(p.Groups, g)
		}
	}
	if u.Profile != auth.Pupil && u.Profile != auth.Parent {
		if p.Queue, err = h.s.QueueSize(r.Context(), u); err != nil {
			h.Fail(w, r, err)
			return
		}
	}
	h.Render(w, r, "forum/list", web.T(r, "forum.title"), p)
}

// opens reports whether u opens forums here.
func (h *handlers) opens(u auth.User) bool {
	return u.Profile == auth.Teacher || u.Profile == auth.Director || (u.Profile == auth.DSI && h.s.central)
}

// forumForm is the form that opens a forum.
type forumForm struct {
	ForumDraft
	ID        string // the forum being changed, "" for a new one
	Audiences []string
	Classes   []auth.Class
}

func (h *handlers) renderForumForm(w http.ResponseWriter, r *http.Request, status int, d ForumDraft, errMsg string) {
	u := web.CurrentUser(r)
	f := forumForm{ForumDraft: d}
	switch u.Profile {
	case auth.DSI:
		f.Audiences = []string{City}
	case auth.Director:
		f.Audiences = []string{Class, Parents, School, Staff}
	default:
		f.Audiences = []string{Class, Parents}
	}
	if f.Audience == "" {
		f.Audience = f.Audiences[0]
	}
	var err error
	if f.Classes, err = feature.StaffClasses(r.Context(), h.Register, u); err != nil {
		h.Fail(w, r, err)
		return
	}
	h.RenderStatus(w, r, status, "forum/new", web.T(r, "forum.new_title"), f, errMsg)
}

// draftOf reads the form that opens or changes a forum.
func draftOf(r *http.Request) ForumDraft {
	return ForumDraft{Title: r.FormValue("titre"), About: r.FormValue("presentation"), Audience: r.FormValue("pour"), ClassID: r.FormValue("classe"),
		Categories: r.FormValue("categories"), Moderated: r.FormValue("validation") != ""}
}

func (h *handlers) settings(w http.ResponseWriter, r *http.Request) {
	f, acc, err := h.s.Forum(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err == nil && !acc.Moderate {
		err = apperr.New(apperr.ErrForbidden, "forum.err.not_moderator")
	}
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	d := ForumDraft{Title: f.Title, About: f.About, Categories: strings.Join(f.Categories, "\n"), Moderated: f.Moderated}
	h.RenderStatus(w, r, http.StatusOK, "forum/new", web.T(r, "forum.settings_title"), forumForm{ForumDraft: d, ID: f.ID}, "")
}

func (h *handlers) saveSettings(w http.ResponseWriter, r *http.Request) {
	d := draftOf(r)
	f, err := h.s.UpdateForum(r.Context(), web.CurrentUser(r), r.PathValue("id"), d)
	if err != nil {
		if status := web.ErrStatus(err); status == http.StatusBadRequest {
			h.RenderStatus(w, r, status, "forum/new", web.T(r, "forum.settings_title"), forumForm{ForumDraft: d, ID: f.ID}, web.ErrText(r, err))
			return
		}
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, ForumPath(f.ID), "forum.flash.settings", "Title", f.Title)
}

func (h *handlers) newForumPage(w http.ResponseWriter, r *http.Request) {
	if !h.opens(web.CurrentUser(r)) {
		h.Error(w, r, http.StatusForbidden, "forum.err.city_on_central")
		return
	}
	h.renderForumForm(w, r, http.StatusOK, ForumDraft{}, "")
}

func (h *handlers) createForum(w http.ResponseWriter, r *http.Request) {
	d := draftOf(r)
	id, err := h.s.CreateForum(r.Context(), web.CurrentUser(r), d)
	if err != nil {
		if status := web.ErrStatus(err); status < http.StatusInternalServerError {
			h.renderForumForm(w, r, status, d, web.ErrText(r, err))
			return
		}
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, ForumPath(id), "forum.flash.opened", "Title", d.Title)
}

// forumPage is a forum with its threads, and the form that opens one.
type forumPage struct {
	Forum    Forum
	Access   Access
	Threads  []Thread
	Category string // the one shown, "" for all
	Draft    ThreadDraft
}

func (h *handlers) forum(w http.ResponseWriter, r *http.Request) {
	h.renderForum(w, r, http.StatusOK, ThreadDraft{}, "")
}

func (h *handlers) renderForum(w http.ResponseWriter, r *http.Request, status int, d ThreadDraft, errMsg string) {
	category := r.URL.Query().Get("categorie")
	f, acc, threads, err := h.s.Threads(r.Context(), web.CurrentUser(r), r.PathValue("id"), category)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.RenderStatus(w, r, status, "forum/forum", f.Title, forumPage{Forum: f, Access: acc, Threads: threads, Category: category, Draft: d}, errMsg)
}

// postOf reads a post's form, with its files.
func postOf(r *http.Request) (PostDraft, error) {
	files, err := web.Uploads(r, "fichiers")
	return PostDraft{Body: r.FormValue("texte"), Files: files}, err
}

func (h *handlers) newThread(w http.ResponseWriter, r *http.Request) {
	p, err := postOf(r)
	d := ThreadDraft{Title: r.FormValue("titre"), Category: r.FormValue("categorie"), Post: p}
	var t Thread
	var post Post
	if err == nil {
		t, post, err = h.s.NewThread(r.Context(), web.CurrentUser(r), r.PathValue("id"), d)
	}
	if err != nil {
		if status := web.ErrStatus(err); status < http.StatusInternalServerError && status != http.StatusNotFound {
			d.Post.Files = nil
			h.renderForum(w, r, status, d, web.ErrText(r, err))
			return
		}
		h.Fail(w, r, err)
		return
	}
	flash := "forum.flash.thread"
	if post.Status == Held {
		flash = "forum.flash.held"
	}
	h.Redirect(w, r, ThreadPath(t.ForumID, t.ID), flash, "Title", t.Title)
}

// threadPage is a thread with its posts and the reply form.
type threadPage struct {
	Forum  Forum
	Access Access
	Thread Thread
	Posts  []Post
	Me     string // the reader's id: their own posts have their buttons
	Reply  string // the reply's text: a quote, or what was typed
}

func (h *handlers) thread(w http.ResponseWriter, r *http.Request) {
	h.renderThread(w, r, http.StatusOK, "", "")
}

func (h *handlers) renderThread(w http.ResponseWriter, r *http.Request, status int, reply, errMsg string) {
	u := web.CurrentUser(r)
	f, acc, t, posts, err := h.s.Thread(r.Context(), u, r.PathValue("thread"))
	if err == nil && f.ID != r.PathValue("id") {
		err = errNotHere
	}
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if q := r.URL.Query().Get("citer"); q != "" && reply == "" {
		for _, p := range posts {
			if p.ID == q && p.Status == Published {
				reply = Quote(p)
			}
		}
	}
	h.RenderStatus(w, r, status, "forum/thread", t.Title, threadPage{Forum: f, Access: acc, Thread: t, Posts: posts, Me: u.ID, Reply: reply}, errMsg)
}

// Quote is a post quoted in Markdown, to begin a reply with.
func Quote(p Post) string {
	var b strings.Builder
	b.WriteString("> **" + strings.NewReplacer("*", `\*`, "_", `\_`).Replace(p.Author) + "**\n")
	for _, line := range strings.Split(p.Body, "\n") {
		b.WriteString("> " + line + "\n")
	}
	return b.String() + "\n"
}

func (h *handlers) reply(w http.ResponseWriter, r *http.Request) {
	d, err := postOf(r)
	var p Post
	if err == nil {
		p, err = h.s.Reply(r.Context(), web.CurrentUser(r), r.PathValue("thread"), d)
	}
	if err != nil {
		if status := web.ErrStatus(err); status < http.StatusInternalServerError && status != http.StatusNotFound {
			h.renderThread(w, r, status, d.Body, web.ErrText(r, err))
			return
		}
		h.Fail(w, r, err)
		return
	}
	flash := "forum.flash.posted"
	if p.Status == Held {
		flash = "forum.flash.held_reply"
	}
	h.Redirect(w, r, ThreadPath(p.ForumID, p.ThreadID)+"#m-"+p.ID, flash)
}

func (h *handlers) pin(w http.ResponseWriter, r *http.Request) {
	on := r.FormValue("etat") == "1"
	f, t, err := h.s.SetPinned(r.Context(), web.CurrentUser(r), r.PathValue("thread"), on)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	key := "forum.flash.unpinned"
	if on {
		key = "forum.flash.pinned"
	}
	h.Redirect(w, r, ThreadPath(f.ID, t.ID), key)
}

func (h *handlers) lock(w http.ResponseWriter, r *http.Request) {
	on := r.FormValue("etat") == "1"
	f, t, err := h.s.SetLocked(r.Context(), web.CurrentUser(r), r.PathValue("thread"), on)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	key := "forum.flash.unlocked"
	if on {
		key = "forum.flash.locked"
	}
	h.Redirect(w, r, ThreadPath(f.ID, t.ID), key)
}

// editPage is the form that changes a post.
type editPage struct {
	Forum  Forum
	Thread Thread
	Post   Post
}

func (h *handlers) editPage(w http.ResponseWriter, r *http.Request) {
	f, t, p, err := h.s.Editable(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Render(w, r, "forum/edit", web.T(r, "forum.edit_title"), editPage{Forum: f, Thread: t, Post: p})
}

func (h *handlers) save(w http.ResponseWriter, r *http.Request) {
	u := web.CurrentUser(r)
	body := r.FormValue("texte")
	p, err := h.s.Edit(r.Context(), u, r.PathValue("id"), body)
	if err != nil {
		if status := web.ErrStatus(err); status < http.StatusInternalServerError && status != http.StatusNotFound && status != http.StatusForbidden {
			f, t, p, _ := h.s.Editable(r.Context(), u, r.PathValue("id"))
			p.Body = body
			h.RenderStatus(w, r, status, "forum/edit", web.T(r, "forum.edit_title"), editPage{Forum: f, Thread: t, Post: p}, web.ErrText(r, err))
			return
		}
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, ThreadPath(p.ForumID, p.ThreadID)+"#m-"+p.ID, "forum.flash.saved")
}

func (h *handlers) remove(w http.ResponseWriter, r *http.Request) {
	f, t, err := h.s.Delete(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if _, err := h.s.getThread(r.Context(), t.ID); err != nil {
		h.Redirect(w, r, ForumPath(f.ID), "forum.flash.thread_deleted", "Title", t.Title)
		return
	}
	h.Redirect(w, r, ThreadPath(f.ID, t.ID), "forum.flash.deleted")
}

func (h *handlers) report(w http.ResponseWriter, r *http.Request) {
	f, t, err := h.s.ReportPost(r.Context(), web.CurrentUser(r), r.PathValue("id"), r.FormValue("raison"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, ThreadPath(f.ID, t.ID), "forum.flash.reported")
}

// queuePage is what waits for a moderator.
type queuePage struct {
	Held    []Post
	Reports []Report
}

func (h *handlers) moderation(w http.ResponseWriter, r *http.Request) {
	held, reports, err := h.s.Queue(r.Context(), web.CurrentUser(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Render(w, r, "forum/moderation", web.T(r, "forum.moderation.title"), queuePage{Held: held, Reports: reports})
}

func (h *handlers) approve(w http.ResponseWriter, r *http.Request) {
	if _, err := h.s.Approve(r.Context(), web.CurrentUser(r), r.PathValue("id")); err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Audited(r, "moderation.approve", "forum/"+r.PathValue("id"))
	h.Redirect(w, r, ModerationPath, "forum.flash.approved")
}

func (h *handlers) refuse(w http.ResponseWriter, r *http.Request) {
	if _, err := h.s.Refuse(r.Context(), web.CurrentUser(r), r.PathValue("id")); err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Audited(r, "moderation.refuse", "forum/"+r.PathValue("id"))
	h.Redirect(w, r, ModerationPath, "forum.flash.refused")
}

func (h *handlers) keep(w http.ResponseWriter, r *http.Request) {
	if err := h.s.CloseReport(r.Context(), web.CurrentUser(r), r.PathValue("id"), false); err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Redirect(w, r, ModerationPath, "forum.flash.kept")
}

func (h *handlers) takeDown(w http.ResponseWriter, r *http.Request) {
	if err := h.s.CloseReport(r.Context(), web.CurrentUser(r), r.PathValue("id"), true); err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Audited(r, "moderation.remove", "forum/"+r.PathValue("id"))
	h.Redirect(w, r, ModerationPath, "forum.flash.removed")
}

// media sends a post's file to someone who sees the post: an image
// shown in the page, anything else as a download, never as a page of
// Préau's.
func (h *handlers) media(w http.ResponseWriter, r *http.Request) {
	f, rc, err := h.s.OpenFile(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	defer rc.Close()
	web.FileHeaders(w, f.Name, f.Type, !f.IsImage())
	w.Header().Set("Content-Security-Policy", web.FileCSP+"; sandbox")
	w.Header().Set("Cache-Control", "private, max-age=86400")
	http.ServeContent(w, r, "", time.Time{}, rc)
}
