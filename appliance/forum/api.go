package forum

import (
	"net/http"
	"strings"
	"time"

	"preau/appliance/web"
)

// The forums' JSON API, over the same service as the pages.

// forumJSON is a forum as the API shows it.
type forumJSON struct {
	ID         string   `json:"id"`
	Title      string   `json:"title"`
	Audience   string   `json:"audience"`
	About      string   `json:"about"`
	ClassID    string   `json:"class_id,omitempty"`
	SchoolID   string   `json:"school_id"`
	Categories []string `json:"categories"`
	Moderated  bool     `json:"moderated"`
	Threads    int      `json:"threads"`
	Unread     int      `json:"unread"`
}

// threadJSON is a thread as the API shows it.
type threadJSON struct {
	ID       string    `json:"id"`
	ForumID  string    `json:"forum_id"`
	Title    string    `json:"title"`
	Category string    `json:"category"`
	AuthorID string    `json:"author_id"`
	Author   string    `json:"author"`
	Pinned   bool      `json:"pinned"`
	Locked   bool      `json:"locked"`
	Posts    int       `json:"posts"`
	Unread   bool      `json:"unread"`
	LastPost time.Time `json:"last_post"`
}

// postJSON is a post as the API shows it: its Markdown and its HTML
// through the one policy.
type postJSON struct {
	ID       string     `json:"id"`
	AuthorID string     `json:"author_id"`
	Author   string     `json:"author"`
	Body     string     `json:"body"`
	HTML     string     `json:"html"`
	Status   string     `json:"status"`
	Created  time.Time  `json:"created"`
	Edited   *time.Time `json:"edited,omitempty"`
	Files    []fileJSON `json:"files,omitempty"`
}

type fileJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"`
	Size int64  `json:"size"`
	URL  string `json:"url"`
}

func threadToJSON(t Thread) threadJSON {
	return threadJSON{ID: t.ID, ForumID: t.ForumID, Title: t.Title, Category: t.Category, AuthorID: t.AuthorID, Author: t.Author,
		Pinned: t.Pinned, Locked: t.Locked, Posts: t.Posts, Unread: t.Unread, LastPost: t.LastPost}
}

func postToJSON(p Post) postJSON {
	out := postJSON{ID: p.ID, AuthorID: p.AuthorID, Author: p.Author, Body: p.Body, HTML: string(p.HTML), Status: p.Status, Created: p.CreatedAt}
	if !p.EditedAt.IsZero() {
		out.Edited = &p.EditedAt
	}
	for _, f := range p.Files {
		out.Files = append(out.Files, fileJSON{ID: f.ID, Name: f.Name, Type: f.Type, Size: f.Size, URL: f.URL()})
	}
	return out
}

// apiForums: the forums the caller sees.
func (h *handlers) apiForums(w http.ResponseWriter, r *http.Request) {
	views, err := h.s.Forums(r.Context(), web.CurrentUser(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	out := make([]forumJSON, len(views))
	for i, v := range views {
		out[i] = forumJSON{ID: v.ID, Title: v.Title, Audience: v.Audience, About: v.About, ClassID: v.ClassID, SchoolID: v.SchoolID,
			Categories: v.Categories, Moderated: v.Moderated, Threads: v.Threads, Unread: v.Unread}
		if out[i].Categories == nil {
			out[i].Categories = []string{}
		}
	}
	web.JSON(w, http.StatusOK, out)
}

// apiUpdateForum: {"title", "about", "categories": [...], "moderated"} →
// the forum, for its moderators.
func (h *handlers) apiUpdateForum(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Title      string   `json:"title"`
		About      string   `json:"about"`
		Categories []string `json:"categories"`
		Moderated  bool     `json:"moderated"`
	}
	if !h.DecodeJSON(w, r, &in) {
		return
	}
	f, err := h.s.UpdateForum(r.Context(), web.CurrentUser(r), r.PathValue("id"),
		ForumDraft{Title: in.Title, About: in.About, Categories: strings.Join(in.Categories, "\n"), Moderated: in.Moderated})
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	out := forumJSON{ID: f.ID, Title: f.Title, Audience: f.Audience, About: f.About, ClassID: f.ClassID, SchoolID: f.SchoolID,
		Categories: f.Categories, Moderated: f.Moderated}
	if out.Categories == nil {
		out.Categories = []string{}
	}
	web.JSON(w, http.StatusOK, out)
}

// apiThreads: a forum's threads, pinned first; ?category= for one.
func (h *handlers) apiThreads(w http.ResponseWriter, r *http.Request) {
	_, _, threads, err := h.s.Threads(r.Context(), web.CurrentUser(r), r.PathValue("id"), r.URL.Query().Get("category"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	out := make([]threadJSON, len(threads))
	for i, t := range threads {
		out[i] = threadToJSON(t)
	}
	web.JSON(w, http.StatusOK, out)
}

// apiNewThread: {"title", "body", "category"} → 201 {"id", "post_id", "status"}.
func (h *handlers) apiNewThread(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Title    string `json:"title"`
		Body     string `json:"body"`
		Category string `json:"category"`
	}
	if !h.DecodeJSON(w, r, &in) {
		return
	}
	t, p, err := h.s.NewThread(r.Context(), web.CurrentUser(r), r.PathValue("id"), ThreadDraft{Title: in.Title, Category: in.Category, Post: PostDraft{Body: in.Body}})
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, map[string]string{"id": t.ID, "post_id": p.ID, "status": p.Status})
}

// apiThread: a thread with its posts.
func (h *handlers) apiThread(w http.ResponseWriter, r *http.Request) {
	_, _, t, posts, err := h.s.Thread(r.Context(), web.CurrentUser(r), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	out := struct {
		threadJSON
		Items []postJSON `json:"posts"`
	}{threadJSON: threadToJSON(t), Items: make([]postJSON, len(posts))}
	for i, p := range posts {
		out.Items[i] = postToJSON(p)
	}
	web.JSON(w, http.StatusOK, out)
}

// apiReply: {"body"} → 201 {"id", "html", "status"}.
func (h *handlers) apiReply(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Body string `json:"body"`
	}
	if !h.DecodeJSON(w, r, &in) {
		return
	}
	p, err := h.s.Reply(r.Context(), web.CurrentUser(r), r.PathValue("id"), PostDraft{Body: in.Body})
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, map[string]string{"id": p.ID, "html": string(p.HTML), "status": p.Status})
}

// apiEdit: {"body"} → the post.
func (h *handlers) apiEdit(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Body string `json:"body"`
	}
	if !h.DecodeJSON(w, r, &in) {
		return
	}
	p, err := h.s.Edit(r.Context(), web.CurrentUser(r), r.PathValue("id"), in.Body)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, postToJSON(p))
}

func (h *handlers) apiDelete(w http.ResponseWriter, r *http.Request) {
	if _, _, err := h.s.Delete(r.Context(), web.CurrentUser(r), r.PathValue("id")); err != nil {
		h.Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// apiReport: {"reason"} → 201.
func (h *handlers) apiReport(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Reason string `json:"reason"`
	}
	if !h.DecodeJSON(w, r, &in) {
		return
	}
	if _, _, err := h.s.ReportPost(r.Context(), web.CurrentUser(r), r.PathValue("id"), in.Reason); err != nil {
		h.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, map[string]string{"status": "open"})
}
