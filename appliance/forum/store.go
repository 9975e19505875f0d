package forum

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"strings"
	"time"

	"preau/appliance/apperr"
	"preau/appliance/feature"
	"preau/appliance/store"
)

// The forums' SQL, all of it.

//go:embed migrations/*.sql
var migrations embed.FS

// tables are the forums' replicated tables; all but forums and
// forum_reads carry the city flag.
var tables = []string{"forums", "forum_threads", "forum_posts", "forum_files", "forum_reads", "forum_reports"}

// Schema is the forums' part of the database: a school's forums of its
// scope, the city's global; what a school writes in the city's goes to
// every school (city = 1). Files follow their row as blobs.
var Schema = store.Schema{
	Name:       "forum",
	FS:         store.Sub(migrations, "migrations"),
	Replicated: tables,
	Audience: map[string]string{
		"forum_threads": "city = 1",
		"forum_posts":   "city = 1",
		"forum_files":   "city = 1",
		"forum_reports": "city = 1",
	},
	Blobs:      map[string]string{"forum_files": "hash"},
	PushChecks: pushChecks,
	Labels: map[string]store.Label{
		"forums":        {Row: "forum.label.forum", Columns: []store.ColumnLabel{{Column: "title", Label: "forum.label.title"}}},
		"forum_threads": {Row: "forum.label.thread", Columns: []store.ColumnLabel{{Column: "title", Label: "forum.label.title"}}},
		"forum_posts":   {Row: "forum.label.post", Columns: []store.ColumnLabel{{Column: "body", Label: "forum.label.body"}}},
		"forum_files":   {Row: "forum.label.file", Columns: []store.ColumnLabel{{Column: "name", Label: "forum.label.name"}}},
		"forum_reads":   {Row: "forum.label.read"},
		"forum_reports": {Row: "forum.label.report", Columns: []store.ColumnLabel{{Column: "reason", Label: "forum.label.reason"}}},
	},
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func parseTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

func notFound(err error, key string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.New(apperr.ErrNotFound, key)
	}
	return err
}

const forumColumns = "id, school_id, audience, class_id, title, about, categories, moderated, author_id, created_at"

func scanForum(row store.Scanner) (Forum, error) {
	var f Forum
	var cats, created string
	err := row.Scan(&f.ID, &f.SchoolID, &f.Audience, &f.ClassID, &f.Title, &f.About, &cats, &f.Moderated, &f.AuthorID, &created)
	if cats != "" {
		f.Categories = strings.Split(cats, "\n")
	}
	f.CreatedAt = parseTime(created)
	return f, notFound(err, "forum.err.not_found")
}

func (s *Service) getForum(ctx context.Context, id string) (Forum, error) {
	return scanForum(s.db.Reader().QueryRowContext(ctx, "SELECT "+forumColumns+" FROM forums WHERE deleted = 0 AND id = ?", id))
}

func (s *Service) queryForums(ctx context.Context, where string, args ...any) ([]Forum, error) {
	return store.Query(ctx, s.db.Reader(), scanForum, "SELECT "+forumColumns+" FROM forums WHERE deleted = 0 AND "+where, args...)
}

func (s *Service) insertForum(ctx context.Context, f Forum) (string, error) {
	id := store.NewID()
	scope := f.SchoolID
	if f.IsCity() {
		scope = store.GlobalScope
	}
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO forums(id, scope, hlc, origin, school_id, audience, class_id, title, about, categories, moderated, author_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, scope, tx.HLC, tx.Origin, f.SchoolID, f.Audience, f.ClassID, f.Title, f.About,
			strings.Join(f.Categories, "\n"), f.Moderated, f.AuthorID, stamp(s.now()))
		return err
	})
	return id, err
}

func (s *Service) updateForum(ctx context.Context, f Forum) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE forums SET title = ?, about = ?, categories = ?, moderated = ?, hlc = ?, origin = ? WHERE deleted = 0 AND id = ?",
			f.Title, f.About, strings.Join(f.Categories, "\n"), f.Moderated, tx.HLC, tx.Origin, f.ID)
		return err
	})
}

// threadColumns read a thread with what its list shows: its published
// posts, the latest one's time.
const threadColumns = `t.id, t.forum_id, t.category, t.title, t.author_id, t.pinned, t.locked, t.created_at, t.city,
	(SELECT count(*) FROM forum_posts p WHERE p.thread_id = t.id AND p.deleted = 0 AND p.status = 'published'),
	coalesce((SELECT max(p.created_at) FROM forum_posts p WHERE p.thread_id = t.id AND p.deleted = 0 AND p.status = 'published'), '')`

func scanThread(row store.Scanner) (Thread, error) {
	var t Thread
	var created, last string
	err := row.Scan(&t.ID, &t.ForumID, &t.Category, &t.Title, &t.AuthorID, &t.Pinned, &t.Locked, &created, &t.City, &t.Posts, &last)
	t.CreatedAt, t.LastPost, t.Visible = parseTime(created), parseTime(last), t.Posts > 0
	if t.LastPost.IsZero() {
		t.LastPost = t.CreatedAt
	}
	return t, notFound(err, "forum.err.thread_not_found")
}

func (s *Service) getThread(ctx context.Context, id string) (Thread, error) {
	return scanThread(s.db.Reader().QueryRowContext(ctx, "SELECT "+threadColumns+" FROM forum_threads t WHERE t.deleted = 0 AND t.id = ?", id))
}

// queryThreads lists a forum's threads, pinned first then the latest
// active, each with whether userID has read its latest post.
func (s *Service) queryThreads(ctx context.Context, userID, forumID, category string) ([]Thread, error) {
	where, args := "t.deleted = 0 AND t.forum_id = ?", []any{forumID}
	if category != "" {
		where, args = where+" AND t.category = ?", append(args, category)
	}
	type row struct {
		Thread
		read string
	}
	rows, err := store.Query(ctx, s.db.Reader(), func(r store.Scanner) (row, error) {
		var x row
		var created, last string
		err := r.Scan(&x.ID, &x.ForumID, &x.Category, &x.Title, &x.AuthorID, &x.Pinned, &x.Locked, &created, &x.City, &x.Posts, &last, &x.read)
		x.CreatedAt, x.LastPost, x.Visible = parseTime(created), parseTime(last), x.Posts > 0
		if x.LastPost.IsZero() {
			x.LastPost = x.CreatedAt
		}
		return x, err
	}, "SELECT "+threadColumns+`, coalesce((SELECT r.read_at FROM forum_reads r WHERE r.deleted = 0 AND r.user_id = ? AND r.thread_id = t.id), '')
		FROM forum_threads t WHERE `+where+" ORDER BY t.pinned DESC, 11 DESC, t.id DESC LIMIT ?", append(append([]any{userID}, args...), maxThreads)...)
	if err != nil {
		return nil, err
	}
	out := make([]Thread, len(rows))
	for i, x := range rows {
		out[i] = x.Thread
		out[i].Unread = x.Visible && (x.read == "" || parseTime(x.read).Before(x.LastPost))
	}
	return out, s.withThreadAuthors(ctx, out)
}

func (s *Service) insertThread(ctx context.Context, scope string, t Thread, p Post) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO forum_threads(id, scope, hlc, origin, city, forum_id, category, title, author_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, t.ID, scope, tx.HLC, tx.Origin, t.City, t.ForumID, t.Category, t.Title, t.AuthorID, stamp(t.CreatedAt)); err != nil {
			return err
		}
		return insertPostTx(ctx, tx, scope, p)
	})
}

func (s *Service) insertPost(ctx context.Context, scope string, p Post) error {
	return s.db.Write(ctx, func(tx *store.Tx) error { return insertPostTx(ctx, tx, scope, p) })
}

func insertPostTx(ctx context.Context, tx *store.Tx, scope string, p Post) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO forum_posts(id, scope, hlc, origin, city, thread_id, forum_id, author_id, body, status, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, p.ID, scope, tx.HLC, tx.Origin, p.City, p.ThreadID, p.ForumID, p.AuthorID, p.Body, p.Status,
		stamp(p.CreatedAt)); err != nil {
		return err
	}
	for _, f := range p.Files {
		if _, err := tx.ExecContext(ctx, `INSERT INTO forum_files(id, scope, hlc, origin, city, post_id, forum_id, author_id, hash, name, type, size, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, f.ID, scope, tx.HLC, tx.Origin, p.City, p.ID, p.ForumID, p.AuthorID, f.Hash, f.Name, f.Type,
			f.Size, stamp(p.CreatedAt)); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) updateThread(ctx context.Context, t Thread) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE forum_threads SET pinned = ?, locked = ?, hlc = ?, origin = ? WHERE deleted = 0 AND id = ?",
			t.Pinned, t.Locked, tx.HLC, tx.Origin, t.ID)
		return err
	})
}

const postColumns = "p.id, p.thread_id, p.forum_id, p.author_id, p.body, p.status, p.created_at, p.edited_at, p.city"

func scanPost(row store.Scanner) (Post, error) {
	var p Post
	var created, edited string
	err := row.Scan(&p.ID, &p.ThreadID, &p.ForumID, &p.AuthorID, &p.Body, &p.Status, &created, &edited, &p.City)
	p.CreatedAt, p.EditedAt = parseTime(created), parseTime(edited)
	return p, notFound(err, "forum.err.post_not_found")
}

func (s *Service) getPost(ctx context.Context, id string) (Post, error) {
	p, err := scanPost(s.db.Reader().QueryRowContext(ctx, "SELECT "+postColumns+" FROM forum_posts p WHERE p.deleted = 0 AND p.id = ?", id))
	if err == nil {
		p.Author = s.name(ctx, p.AuthorID)
	}
	return p, err
}

func (s *Service) queryPosts(ctx context.Context, where string, args ...any) ([]Post, error) {
	posts, err := store.Query(ctx, s.db.Reader(), scanPost, "SELECT "+postColumns+" FROM forum_posts p WHERE p.deleted = 0 AND "+where, args...)
	for i := range posts {
		posts[i].Author = s.name(ctx, posts[i].AuthorID)
	}
	return posts, err
}

// name is a person's name as the forums show it; "" for an account
// this node does not hold.
func (s *Service) name(ctx context.Context, id string) string {
	u, err := s.users.User(ctx, id)
	if err != nil {
		return ""
	}
	return u.DisplayName
}

func (s *Service) withThreadAuthors(ctx context.Context, threads []Thread) error {
	for i := range threads {
		threads[i].Author = s.name(ctx, threads[i].AuthorID)
	}
	return nil
}

func (s *Service) firstPost(ctx context.Context, threadID string) (string, error) {
	var id string
	err := s.db.Reader().QueryRowContext(ctx, "SELECT id FROM forum_posts WHERE deleted = 0 AND thread_id = ? ORDER BY created_at, id LIMIT 1", threadID).Scan(&id)
	return id, notFound(err, "forum.err.post_not_found")
}

func (s *Service) updatePost(ctx context.Context, p Post) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE forum_posts SET body = ?, edited_at = ?, hlc = ?, origin = ? WHERE deleted = 0 AND id = ?",
			p.Body, stamp(p.EditedAt), tx.HLC, tx.Origin, p.ID)
		return err
	})
}

// deletePost tombstones a post and its files; withThread, its thread too.
func (s *Service) deletePost(ctx context.Context, id string, withThread bool) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE forum_posts SET deleted = 1, hlc = ?, origin = ? WHERE deleted = 0 AND id = ?", tx.HLC, tx.Origin, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE forum_files SET deleted = 1, hlc = ?, origin = ? WHERE deleted = 0 AND post_id = ?", tx.HLC, tx.Origin, id); err != nil {
			return err
		}
		if !withThread {
			return nil
		}
		_, err := tx.ExecContext(ctx, `UPDATE forum_threads SET deleted = 1, hlc = ?, origin = ?
			WHERE deleted = 0 AND id = (SELECT thread_id FROM forum_posts WHERE id = ?)`, tx.HLC, tx.Origin, id)
		return err
	})
}

func (s *Service) setStatus(ctx context.Context, postID, status string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE forum_posts SET status = ?, hlc = ?, origin = ? WHERE deleted = 0 AND id = ?", status, tx.HLC, tx.Origin, postID)
		return err
	})
}

const fileColumns = "id, post_id, forum_id, author_id, hash, name, type, size"

func scanFile(row store.Scanner) (File, error) {
	var f File
	err := row.Scan(&f.ID, &f.PostID, &f.ForumID, &f.AuthorID, &f.Hash, &f.Name, &f.Type, &f.Size)
	return f, notFound(err, "forum.err.file_not_found")
}

func (s *Service) getFile(ctx context.Context, id string) (File, error) {
	return scanFile(s.db.Reader().QueryRowContext(ctx, "SELECT "+fileColumns+" FROM forum_files WHERE deleted = 0 AND id = ?", id))
}

func (s *Service) queryFiles(ctx context.Context, postID string) ([]File, error) {
	return store.Query(ctx, s.db.Reader(), scanFile, "SELECT "+fileColumns+" FROM forum_files WHERE deleted = 0 AND post_id = ? ORDER BY created_at, id", postID)
}

// usage is what a person's files in the forums hold.
func (s *Service) usage(ctx context.Context, userID string) (int64, error) {
	var n int64
	err := s.db.Reader().QueryRowContext(ctx, "SELECT coalesce(sum(size), 0) FROM forum_files WHERE deleted = 0 AND author_id = ?", userID).Scan(&n)
	return n, err
}

// withFiles reads the posts' files.
func (s *Service) withFiles(ctx context.Context, posts []Post) error {
	if len(posts) == 0 {
		return nil
	}
	ids := make([]string, len(posts))
	at := map[string]int{}
	for i, p := range posts {
		ids[i], at[p.ID] = p.ID, i
	}
	list, args := store.In(ids)
	files, err := store.Query(ctx, s.db.Reader(), scanFile, "SELECT "+fileColumns+" FROM forum_files WHERE deleted = 0 AND post_id IN ("+list+") ORDER BY created_at, id", args...)
	for _, f := range files {
		posts[at[f.PostID]].Files = append(posts[at[f.PostID]].Files, f)
	}
	return err
}

// upsertRead records how far a person read a thread, only forward.
func (s *Service) upsertRead(ctx context.Context, scope, userID, forumID, threadID string, at time.Time) error {
	id := store.NaturalID("forum-read", userID, threadID)
	var prior string
	err := s.db.Reader().QueryRowContext(ctx, "SELECT read_at FROM forum_reads WHERE id = ? AND deleted = 0", id).Scan(&prior)
	if err == nil && !parseTime(prior).Before(at) {
		return nil
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO forum_reads(id, scope, hlc, origin, user_id, thread_id, forum_id, read_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(id) DO UPDATE SET read_at = excluded.read_at, hlc = excluded.hlc, origin = excluded.origin, deleted = 0
			WHERE excluded.read_at > forum_reads.read_at`, id, scope, tx.HLC, tx.Origin, userID, threadID, forumID, stamp(at))
		return err
	})
}

// followers are who wrote in a thread or read it.
func (s *Service) followers(ctx context.Context, threadID string) ([]string, error) {
	return store.Query(ctx, s.db.Reader(), func(r store.Scanner) (string, error) {
		var id string
		return id, r.Scan(&id)
	}, `SELECT author_id FROM forum_posts WHERE deleted = 0 AND status = 'published' AND thread_id = ?
		UNION SELECT user_id FROM forum_reads WHERE deleted = 0 AND thread_id = ?`, threadID, threadID)
}

func (s *Service) insertReport(ctx context.Context, scope string, city bool, r Report) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO forum_reports(id, scope, hlc, origin, city, post_id, forum_id, reporter_id, reason, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(id) DO UPDATE SET reason = excluded.reason, status = 'open', handled_by = '', deleted = 0, hlc = excluded.hlc, origin = excluded.origin
			WHERE forum_reports.status != 'open'`, r.ID, scope, tx.HLC, tx.Origin, city, r.PostID, r.ForumID, r.ReporterID, r.Reason, stamp(r.CreatedAt))
		return err
	})
}

const reportColumns = "id, post_id, forum_id, reporter_id, reason, status, created_at"

func scanReport(row store.Scanner) (Report, error) {
	var r Report
	var created string
	err := row.Scan(&r.ID, &r.PostID, &r.ForumID, &r.ReporterID, &r.Reason, &r.Status, &created)
	r.CreatedAt = parseTime(created)
	return r, notFound(err, "forum.err.report_not_found")
}

func (s *Service) getReport(ctx context.Context, id string) (Report, error) {
	return scanReport(s.db.Reader().QueryRowContext(ctx, "SELECT "+reportColumns+" FROM forum_reports WHERE deleted = 0 AND id = ?", id))
}

// openReports are the open reports of the forums listed, with their
// posts and threads.
func (s *Service) openReports(ctx context.Context, list string, args []any) ([]Report, error) {
	reports, err := store.Query(ctx, s.db.Reader(), scanReport, "SELECT "+reportColumns+
		" FROM forum_reports WHERE deleted = 0 AND status = 'open' AND forum_id IN ("+list+") ORDER BY created_at, id", args...)
	if err != nil {
		return nil, err
	}
	out := reports[:0]
	for _, r := range reports {
		if r.Post, err = s.getPost(ctx, r.PostID); err != nil {
			continue // the post is gone: nothing left to judge
		}
		if r.Thread, err = s.getThread(ctx, r.Post.ThreadID); err != nil {
			continue
		}
		r.Reporter = s.name(ctx, r.ReporterID)
		out = append(out, r)
	}
	return out, nil
}

// closeReports closes a report; remove takes its post down and closes
// every open report of it.
func (s *Service) closeReports(ctx context.Context, by string, r Report, remove bool) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if !remove {
			_, err := tx.ExecContext(ctx, "UPDATE forum_reports SET status = 'kept', handled_by = ?, hlc = ?, origin = ? WHERE id = ?", by, tx.HLC, tx.Origin, r.ID)
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE forum_posts SET status = 'removed', hlc = ?, origin = ? WHERE id = ?", tx.HLC, tx.Origin, r.PostID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE forum_reports SET status = 'removed', handled_by = ?, hlc = ?, origin = ?
			WHERE deleted = 0 AND status = 'open' AND post_id = ?`, by, tx.HLC, tx.Origin, r.PostID)
		return err
	})
}

// searchEntries reads what the search keeps of posts by id: the thread's
// title and the post's text, for the forum's audience.
func searchEntries(ctx context.Context, s *Service, ids []string) ([]feature.SearchEntry, error) {
	list, args := store.In(ids)
	type row struct {
		feature.SearchEntry
		forumID, threadID string
	}
	rows, err := store.Query(ctx, s.db.Reader(), func(r store.Scanner) (row, error) {
		var x row
		err := r.Scan(&x.ID, &x.forumID, &x.threadID, &x.Title, &x.Body)
		return x, err
	}, `SELECT p.id, p.forum_id, p.thread_id, t.title, p.body FROM forum_posts p JOIN forum_threads t ON t.id = p.thread_id
		WHERE p.deleted = 0 AND t.deleted = 0 AND p.status = 'published' AND p.id IN (`+list+")", args...)
	if err != nil {
		return nil, err
	}
	forums := map[string][]string{}
	var out []feature.SearchEntry
	for _, x := range rows {
		audiences, ok := forums[x.forumID]
		if !ok {
			f, err := s.getForum(ctx, x.forumID)
			if err != nil {
				forums[x.forumID] = nil
				continue
			}
			if audiences, err = s.audiences(ctx, f); err != nil {
				return nil, err
			}
			forums[x.forumID] = audiences
		}
		if len(audiences) == 0 {
			continue
		}
		x.URL = ThreadPath(x.forumID, x.threadID) + "#m-" + x.ID
		x.Audiences = audiences
		out = append(out, x.SearchEntry)
	}
	return out, nil
}
