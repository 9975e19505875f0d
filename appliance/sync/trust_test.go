package sync_test

import (
	"net/http"
	"strings"
	"testing"
	"testing/fstest"

	"preau/appliance/auth"
	"preau/appliance/documents"
	"preau/appliance/mail"
	"preau/appliance/roster"
	"preau/appliance/stats"
	"preau/appliance/store"
	psync "preau/appliance/sync"
)

// What central trusts of a school: root on a school's server holds its node
// key, so these tests push, as that node, rows its users could never have
// written through the pages or the API. Each is refused whole with 403 and a
// reason naming the rule, and central is left untouched.

// city is central with school A enrolled and school B's people on central.
type city struct {
	pair
	dirA, teacherA, pupilA, parentA auth.User
	classA                          auth.Class
	teacherB, pupilB, parentB       auth.User
	classB                          auth.Class
	membershipA, guardianA          store.Row
	teacherRow, pupilRow, schoolRow store.Row
	classRow                        store.Row
}

func newCity(t *testing.T) city {
	t.Helper()
	c := city{pair: newPair(t, "ecole-a")}
	ctx := t.Context()
	must := func(u auth.User, err error) auth.User {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	var err error
	// School B exists on central only, with its people.
	if err := c.central.Register.CreateSchool(ctx, "ecole-b", "École B"); err != nil {
		t.Fatal(err)
	}
	if c.classB, err = c.central.Register.CreateClass(ctx, "ecole-b", "CM1", "CM1"); err != nil {
		t.Fatal(err)
	}
	c.teacherB = must(c.central.Register.CreateUser(ctx, roster.NewUser{NewUser: auth.NewUser{Login: "prof.b", Display: "Prof B", Profile: auth.Teacher, SchoolID: "ecole-b"}, ClassIDs: []string{c.classB.ID}}))
	c.pupilB = must(c.central.Register.CreateUser(ctx, roster.NewUser{NewUser: auth.NewUser{Login: "eleve.b", Display: "Élève B", Profile: auth.Pupil, SchoolID: "ecole-b"}, ClassIDs: []string{c.classB.ID}}))
	c.parentB = must(c.central.Register.CreateUser(ctx, roster.NewUser{NewUser: auth.NewUser{Login: "parent.b", Display: "Parent B", Profile: auth.Parent, SchoolID: "ecole-b", Email: "bea@exemple.fr"}, ChildIDs: []string{c.pupilB.ID}}))
	// The DSI names A's director on central; A has its class and people.
	c.dirA = must(c.central.Auth.CreateUser(ctx, auth.NewUser{Login: "dir.a", Display: "Dir A", Profile: auth.Director, SchoolID: "ecole-a", Password: "motdepasse"}))
	if c.classA, err = c.school.Register.CreateClass(ctx, "ecole-a", "CE1", "CE1"); err != nil {
		t.Fatal(err)
	}
	c.teacherA = must(c.school.Register.CreateUser(ctx, roster.NewUser{NewUser: auth.NewUser{Login: "prof.a", Display: "Prof A", Profile: auth.Teacher, SchoolID: "ecole-a", Password: "motdepasse"}, ClassIDs: []string{c.classA.ID}}))
	c.pupilA = must(c.school.Register.CreateUser(ctx, roster.NewUser{NewUser: auth.NewUser{Login: "eleve.a", Display: "Élève A", Profile: auth.Pupil, SchoolID: "ecole-a"}, ClassIDs: []string{c.classA.ID}}))
	c.parentA = must(c.school.Register.CreateUser(ctx, roster.NewUser{NewUser: auth.NewUser{Login: "parent.a", Display: "Parent A", Profile: auth.Parent, SchoolID: "ecole-a"}, ChildIDs: []string{c.pupilA.ID}}))
	syncOnce(t, c.school)
	syncOnce(t, c.school)
	read := func(table, id string) store.Row {
		t.Helper()
		r, err := c.school.DB.ReadRow(ctx, c.school.DB.Reader(), table, id)
		if err != nil {
			t.Fatalf("%s %s: %v", table, id, err)
		}
		return r
	}
	c.teacherRow, c.pupilRow = read("users", c.teacherA.ID), read("users", c.pupilA.ID)
	c.schoolRow, c.classRow = read("schools", "ecole-a"), read("classes", c.classA.ID)
	c.membershipA = read("memberships", store.NaturalID("membership", c.classA.ID, c.teacherA.ID))
	c.guardianA = read("guardians", store.NaturalID("guardian", c.parentA.ID, c.pupilA.ID))
	return c
}

// forge is a copy of r with new values and a fresh stamp of the school's.
func (c city) forge(r store.Row, set map[string]any) store.Row {
	out := store.Row{Table: r.Table, Values: map[string]any{}}
	for k, v := range r.Values {
		out.Values[k] = v
	}
	out.Values["hlc"] = c.school.DB.Clock().Now()
	out.Values["origin"] = c.school.DB.Node().ID
	for k, v := range set {
		out.Values[k] = v
	}
	return out
}

// push sends rows as school A's node.
func (c city) push(t *testing.T, rows ...store.Row) (int, string) {
	t.Helper()
	self := c.school.DB.Node()
	resp, body := rawPush(t, c.pair, psync.Batch{Node: self.ID, Epoch: self.Epoch, From: 0, To: 1, Rows: rows}, nil)
	return resp.StatusCode, body
}

func TestHostilePushesRefused(t *testing.T) {
	c := newCity(t)
	ctx := t.Context()
	request := func(set map[string]any) store.Row {
		r := store.Row{Table: "guardian_requests", Values: map[string]any{
			"id": store.NewID(), "scope": "ecole-a", "hlc": int64(0), "origin": "", "deleted": int64(0),
			"parent_id": c.parentB.ID, "child_id": c.pupilA.ID, "school_id": "ecole-a", "requested_by": c.dirA.ID,
			"status": "pending", "created_at": "2026-12-03T08:00:00Z", "answered_at": ""}}
		return c.forge(r, set)
	}
	entry := func(set map[string]any) store.Row {
		r := store.Row{Table: "homework", Values: map[string]any{
			"id": store.NewID(), "scope": "ecole-a", "hlc": int64(0), "origin": "", "deleted": int64(0),
			"class_id": c.classA.ID, "author_id": c.teacherA.ID, "day": "2026-12-03", "done": "", "due": "2026-12-04",
			"title": "Lire", "body": "", "created_at": "2026-12-03T08:00:00Z"}}
		return c.forge(r, set)
	}
	// A tick needs its entry on central: the school's honest one.
	entryID := store.NewID()
	if err := c.school.DB.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO homework(id, scope, hlc, origin, class_id, author_id, day, due, title, created_at)
			VALUES (?, 'ecole-a', ?, ?, ?, ?, '2026-12-03', '2026-12-04', 'Lire', '2026-12-03T08:00:00Z')`, entryID, tx.HLC, tx.Origin, c.classA.ID, c.teacherA.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// Replies and acknowledgements need their note on central: an honest one.
	noteID := store.NewID()
	if err := c.school.DB.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO liaison_notes(id, scope, hlc, origin, class_id, author_id, title, signature, replies, created_at)
			VALUES (?, 'ecole-a', ?, ?, ?, ?, 'Sortie', 1, 1, '2026-12-03T08:00:00Z')`, noteID, tx.HLC, tx.Origin, c.classA.ID, c.teacherA.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// Forums' rows need their forum and thread on central: school A's
	// honest class forum and thread, school B's and the city's forums.
	forumA, threadA, postA := store.NewID(), store.NewID(), store.NewID()
	forumB, cityForum := store.NewID(), store.NewID()
	if err := c.school.DB.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO forums(id, scope, hlc, origin, school_id, audience, class_id, title, author_id, created_at)
			VALUES (?, 'ecole-a', ?, ?, 'ecole-a', 'class', ?, 'Classe', ?, '2026-12-03T08:00:00Z')`, forumA, tx.HLC, tx.Origin, c.classA.ID, c.teacherA.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO forum_threads(id, scope, hlc, origin, forum_id, title, author_id, created_at)
			VALUES (?, 'ecole-a', ?, ?, ?, 'Sujet', ?, '2026-12-03T08:00:00Z')`, threadA, tx.HLC, tx.Origin, forumA, c.teacherA.ID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO forum_posts(id, scope, hlc, origin, thread_id, forum_id, author_id, body, created_at)
			VALUES (?, 'ecole-a', ?, ?, ?, ?, ?, 'Bonjour', '2026-12-03T08:00:00Z')`, postA, tx.HLC, tx.Origin, threadA, forumA, c.teacherA.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := c.central.DB.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO forums(id, scope, hlc, origin, school_id, audience, class_id, title, author_id, created_at)
			VALUES (?, 'ecole-b', ?, ?, 'ecole-b', 'class', ?, 'Classe B', ?, '2026-12-03T08:00:00Z')`, forumB, tx.HLC, tx.Origin, c.classB.ID, c.teacherB.ID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO forums(id, scope, hlc, origin, school_id, audience, title, author_id, created_at)
			VALUES (?, 'global', ?, ?, '', 'city', 'Ville', 'dsi', '2026-12-03T08:00:00Z')`, cityForum, tx.HLC, tx.Origin)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// Media and comments need their post on central: an honest one.
	blogPostID := store.NewID()
	if err := c.school.DB.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO blog_posts(id, scope, hlc, origin, school_id, class_id, author_id, title, audience, status, created_at)
			VALUES (?, 'ecole-a', ?, ?, 'ecole-a', ?, ?, 'Sortie', 'class', 'published', '2026-12-03T08:00:00Z')`, blogPostID, tx.HLC, tx.Origin, c.classA.ID, c.teacherA.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// Updates and versions need their page on central: an honest one.
	pageID, pageUpdateID := store.NewID(), store.NewID()
	if err := c.school.DB.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO pages(id, scope, hlc, origin, school_id, class_id, kind, title, author_id, created_at, updated_at)
			VALUES (?, 'ecole-a', ?, ?, 'ecole-a', ?, 'wiki', 'Insectes', ?, '2026-12-03T08:00:00Z', '2026-12-03T08:00:00Z')`,
			pageID, tx.HLC, tx.Origin, c.classA.ID, c.pupilA.ID)
		if err == nil {
			_, err = tx.ExecContext(ctx, `INSERT INTO page_updates(id, scope, hlc, origin, page_id, school_id, author_id, data, created_at)
				VALUES (?, 'ecole-a', ?, ?, ?, 'ecole-a', ?, x'0102', '2026-12-03T08:00:00Z')`, pageUpdateID, tx.HLC, tx.Origin, pageID, c.pupilA.ID)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// Mini-sites' rows need their site on central: school A's honest one,
	// with a page, a picture and a published page; school B's on central.
	siteA, siteB, sitePageA, siteImageA, sitePublishedA := store.NewID(), store.NewID(), store.NewID(), store.NewID(), store.NewID()
	if err := c.school.DB.Write(ctx, func(tx *store.Tx) error {
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO minisites(id, scope, hlc, origin, school_id, class_id, title, theme, pupils, status, author_id, created_at, updated_at)
				VALUES (?, 'ecole-a', ?, ?, 'ecole-a', ?, 'Oiseaux', 'sea', ?, 'draft', ?, '2026-12-03T08:00:00Z', '2026-12-03T08:00:00Z')`,
				[]any{siteA, tx.HLC, tx.Origin, c.classA.ID, c.pupilA.ID, c.teacherA.ID}},
			{`INSERT INTO minisite_pages(id, scope, hlc, origin, site_id, school_id, parent_id, position) VALUES (?, 'ecole-a', ?, ?, ?, 'ecole-a', '', 0)`,
				[]any{sitePageA, tx.HLC, tx.Origin, siteA}},
			{`INSERT INTO minisite_images(id, scope, hlc, origin, site_id, school_id, page_id, token, hash, type, name, author_id, created_at)
				VALUES (?, 'ecole-a', ?, ?, ?, 'ecole-a', ?, ?, ?, 'image/png', 'a.png', ?, '2026-12-03T08:00:00Z')`,
				[]any{siteImageA, tx.HLC, tx.Origin, siteA, sitePageA, store.NewID(), strings.Repeat("d", 64), c.pupilA.ID}},
			{`INSERT INTO minisite_published(id, scope, hlc, origin, site_id, school_id, page_id, parent_id, position, title, html, images, published_at)
				VALUES (?, 'ecole-a', ?, ?, ?, 'ecole-a', ?, '', 0, 'Oiseaux', '<p>x</p>', '', '2026-12-03T08:00:00Z')`,
				[]any{sitePublishedA, tx.HLC, tx.Origin, siteA, sitePageA}},
		} {
			if _, err := tx.ExecContext(ctx, q.sql, q.args...); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := c.central.DB.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO minisites(id, scope, hlc, origin, school_id, class_id, title, theme, pupils, status, author_id, created_at, updated_at)
			VALUES (?, 'ecole-b', ?, ?, 'ecole-b', ?, 'Site B', 'sun', ?, 'draft', ?, '2026-12-03T08:00:00Z', '2026-12-03T08:00:00Z')`,
			siteB, tx.HLC, tx.Origin, c.classB.ID, c.pupilB.ID, c.teacherB.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// audit: an honest entry of school A's journal, for the attempts to
	// change or delete it once central holds it.
	if err := c.school.Env.Audit.RecordConsole(ctx, c.dirA, "account.create", "prof.a"); err != nil {
		t.Fatal(err)
	}
	var auditID string
	if err := c.school.DB.Reader().QueryRowContext(ctx, "SELECT id FROM audit_entries").Scan(&auditID); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, c.school)
	forgedRow := func(table string, values, set map[string]any) store.Row {
		r := store.Row{Table: table, Values: map[string]any{"id": store.NewID(), "scope": "ecole-a", "hlc": int64(0), "origin": "", "deleted": int64(0)}}
		for k, v := range values {
			r.Values[k] = v
		}
		return c.forge(r, set)
	}
	document := func(set map[string]any) store.Row {
		return forgedRow("documents", map[string]any{"class_id": c.classA.ID, "folder": "", "name": "fiche.pdf", "type": "application/pdf",
			"size": int64(10), "blob": strings.Repeat("b", 64), "author_id": c.teacherA.ID, "created_at": "2026-12-03T08:00:00Z", "schools": ""}, set)
	}
	note := func(set map[string]any) store.Row {
		return forgedRow("liaison_notes", map[string]any{"class_id": c.classA.ID, "author_id": c.teacherA.ID, "title": "Sortie", "body": "",
			"signature": int64(1), "replies": int64(0), "day": "", "reminded_at": "", "created_at": "2026-12-03T08:00:00Z"}, set)
	}
	about := func(pupil string, set map[string]any) store.Row {
		return forgedRow("liaison_recipients", map[string]any{"id": noteID + ":" + pupil, "note_id": noteID, "pupil_id": pupil}, set)
	}
	ack := func(set map[string]any) store.Row {
		return forgedRow("liaison_acks", map[string]any{"id": noteID + ":" + c.pupilA.ID, "note_id": noteID, "pupil_id": c.pupilA.ID,
			"by_id": c.parentA.ID, "paper": int64(0), "at": "2026-12-03T09:00:00Z"}, set)
	}
	reply := func(set map[string]any) store.Row {
		return forgedRow("liaison_replies", map[string]any{"note_id": noteID, "pupil_id": c.pupilA.ID, "author_id": c.parentA.ID,
			"body": "Oui", "created_at": "2026-12-03T09:00:00Z"}, set)
	}
	news := func(set map[string]any) store.Row {
		return forgedRow("news", map[string]any{"school_id": "ecole-a", "audience": "school", "class_id": "", "author_id": c.teacherA.ID,
			"title": "Fête", "body": "", "image": "", "image_type": "", "created_at": "2026-12-03T08:00:00Z"}, set)
	}
	cityRequest := func(set map[string]any) store.Row {
		return forgedRow("requests", map[string]any{"school_id": "ecole-a", "kind": "pharmacy", "title": "Infirmerie", "fields": `{"items":[]}`,
			"author_id": c.dirA.ID, "created_at": "2026-12-03T08:00:00Z"}, set)
	}
	requestEvent := func(set map[string]any) store.Row {
		return forgedRow("request_events", map[string]any{"request_id": store.NewID(), "school_id": "ecole-a", "author_id": c.dirA.ID,
			"author_name": "Dir A", "status": "", "assignee": "", "body": "Merci", "file": "", "file_name": "", "file_type": "",
			"created_at": "2026-12-03T08:00:00Z"}, set)
	}
	updateReport := func(set map[string]any) store.Row {
		return forgedRow("update_reports", map[string]any{"id": "ecole-a", "school_id": "ecole-a", "running": "1.0.0", "release_id": "",
			"release_version": "", "applied_version": "", "state": "applied", "reason": "", "reason_args": "{}", "updated_at": "2026-12-03T08:00:00Z"}, set)
	}
	// usage statistics: counters under their natural id, the school's own
	// and counted there, of a known shape
	counter := func(key []string, n int64, set map[string]any) store.Row {
		return forgedRow("stats_counts", map[string]any{"id": stats.CountID("ecole-a", key[0], key[1], key[2], key[3], key[4]), "school_id": key[0],
			"source": "ecole-a", "day": key[1], "figure": key[2], "profile": key[3], "item": key[4], "count": n}, set)
	}
	blogPost := func(set map[string]any) store.Row {
		return forgedRow("blog_posts", map[string]any{"school_id": "ecole-a", "class_id": c.classA.ID, "author_id": c.teacherA.ID,
			"title": "Sortie", "body": "", "audience": "class", "status": "published", "created_at": "2026-12-03T08:00:00Z"}, set)
	}
	blogMedia := func(set map[string]any) store.Row {
		return forgedRow("blog_media", map[string]any{"post_id": blogPostID, "school_id": "ecole-a", "class_id": c.classA.ID,
			"token": strings.Repeat("a", 32), "kind": "photo", "blob": strings.Repeat("b", 64), "type": "image/jpeg", "size": int64(10),
			"name": "photo.jpg", "position": int64(0), "created_at": "2026-12-03T08:00:00Z"}, set)
	}
	blogComment := func(set map[string]any) store.Row {
		return forgedRow("blog_comments", map[string]any{"post_id": blogPostID, "school_id": "ecole-a", "class_id": c.classA.ID,
			"author_id": c.parentA.ID, "body": "Bravo", "status": "approved", "created_at": "2026-12-03T09:00:00Z"}, set)
	}
	blogSettings := func(set map[string]any) store.Row {
		return forgedRow("blog_settings", map[string]any{"id": c.classA.ID, "school_id": "ecole-a", "pupils_post": int64(0),
			"comments": int64(1), "moderated": int64(1)}, set)
	}
	site := func(set map[string]any) store.Row {
		return forgedRow("sites", map[string]any{"school_id": "ecole-a", "class_id": c.classA.ID, "level": "", "schools": "",
			"url": "https://jeux.example", "title": "Jeux", "comment": "", "picture": "", "picture_type": "", "author_id": c.teacherA.ID,
			"created_at": "2026-12-03T08:00:00Z"}, set)
	}
	notice := func(user string) store.Row {
		return forgedRow("notifications", map[string]any{"user_id": user, "kind": "homework", "title_key": "homework.notice.new",
			"title_args": "{}", "url": "/devoirs", "icon": "agenda", "read": int64(0), "created_at": "2026-12-03T08:00:00Z"}, nil)
	}
	register := func(classID, by string) store.Row {
		return forgedRow("attendance_registers", map[string]any{"id": store.NaturalID("register", classID, "2026-12-03", "am"),
			"class_id": classID, "day": "2026-12-03", "half_day": "am", "taken_by": by, "taken_at": "2026-12-03T08:30:00Z"}, nil)
	}
	absence := func(pupil string, set map[string]any) store.Row {
		return forgedRow("absences", map[string]any{"id": store.NaturalID("absence", pupil, "2026-12-03", "am"), "pupil_id": pupil,
			"class_id": c.classA.ID, "day": "2026-12-03", "half_day": "am", "kind": "absent", "recorded_by": c.teacherA.ID, "announced": int64(0),
			"reason": "", "comment": "", "justified_by": "", "justified_at": "", "created_at": "2026-12-03T08:30:00Z"}, set)
	}
	event := func(set map[string]any) store.Row {
		return forgedRow("events", map[string]any{"calendar": "class", "school_id": "ecole-a", "class_id": c.classA.ID, "owner_id": "",
			"author_id": c.teacherA.ID, "uid": "x", "title": "Piscine", "description": "", "place": "", "all_day": int64(0),
			"starts": "2026-12-08T08:30:00Z", "ends": "2026-12-08T10:00:00Z", "rrule": "", "exdates": "", "holiday": int64(0),
			"created_at": "2026-12-03T08:00:00Z"}, set)
	}
	tick := func(pupil string, set map[string]any) store.Row {
		r := store.Row{Table: "homework_ticks", Values: map[string]any{
			"id": entryID + ":" + pupil, "scope": "ecole-a", "hlc": int64(0), "origin": "", "deleted": int64(0),
			"homework_id": entryID, "pupil_id": pupil, "done": int64(1)}}
		return c.forge(r, set)
	}
	promoted := c.forge(c.teacherRow, map[string]any{"profile": "dsi"})
	promotedJSON, _ := promoted.MarshalJSON()
	// A copy needs its message on central: an honest one, the teacher's
	// to the parent.
	mailer := mail.Of(c.school.Env).S
	if _, err := mailer.Send(ctx, c.teacherA, "fr", mail.Draft{To: []string{c.parentA.ID}, Subject: "Bonjour", Text: "Bonjour"}); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, c.school)
	sentBox, err := mailer.List(ctx, c.teacherA, mail.Sent, 0, 1)
	if err != nil || len(sentBox.Items) == 0 {
		t.Fatal("the honest message was not sent", err)
	}
	honest := sentBox.Items[0].MessageID
	message := func(set map[string]any) store.Row {
		return forgedRow("mail_messages", map[string]any{"sender_id": c.teacherA.ID, "header_id": "x@preau.local", "thread_id": store.NewID(),
			"subject": "Bonjour", "from_addr": "Prof A <prof.a@preau.local>", "to_addrs": "Parent A", "cc_addrs": "", "recipients": c.parentA.ID,
			"schools": "", "state": "sent", "reason": "", "delivered_at": "", "date": "2026-12-03T08:00:00Z", "size": int64(5),
			"snippet": "", "body_text": "", "attachments": int64(0), "raw": []byte("x: y\r\n\r\nhello"), "blob": ""}, set)
	}
	mailCopy := func(set map[string]any) store.Row {
		return forgedRow("mail_copies", map[string]any{"owner_id": c.parentA.ID, "message_id": honest, "folder": "inbox", "seen": int64(0),
			"flagged": int64(0), "answered": int64(0), "draft": int64(0), "removed": int64(0), "keywords": "", "received_at": "2026-12-03T08:00:00Z",
			"size": int64(5), "sent_at": "2026-12-03T08:00:00Z", "subject": "Bonjour"}, set)
	}
	mailFolder := func(owner string) store.Row {
		return forgedRow("mail_folders", map[string]any{"owner_id": owner, "name": "Classe", "created_at": "2026-12-03T08:00:00Z", "subscribed": int64(1)}, nil)
	}
	forumRow := func(set map[string]any) store.Row {
		return forgedRow("forums", map[string]any{"school_id": "ecole-a", "audience": "class", "class_id": c.classA.ID, "title": "Classe",
			"about": "", "categories": "", "moderated": int64(0), "author_id": c.teacherA.ID, "created_at": "2026-12-03T08:00:00Z"}, set)
	}
	forumThread := func(set map[string]any) store.Row {
		return forgedRow("forum_threads", map[string]any{"city": int64(0), "forum_id": forumA, "category": "", "title": "Sujet",
			"author_id": c.pupilA.ID, "pinned": int64(0), "locked": int64(0), "created_at": "2026-12-03T08:00:00Z"}, set)
	}
	forumPost := func(set map[string]any) store.Row {
		return forgedRow("forum_posts", map[string]any{"city": int64(0), "thread_id": threadA, "forum_id": forumA, "author_id": c.pupilA.ID,
			"body": "Bonjour", "status": "published", "created_at": "2026-12-03T08:00:00Z", "edited_at": ""}, set)
	}
	forumFile := func(set map[string]any) store.Row {
		return forgedRow("forum_files", map[string]any{"city": int64(0), "post_id": postA, "forum_id": forumA, "author_id": c.teacherA.ID,
			"hash": strings.Repeat("c", 64), "name": "photo.png", "type": "image/png", "size": int64(10), "created_at": "2026-12-03T08:00:00Z"}, set)
	}
	forumRead := func(user string, set map[string]any) store.Row {
		return forgedRow("forum_reads", map[string]any{"id": store.NaturalID("forum-read", user, threadA), "user_id": user, "thread_id": threadA,
			"forum_id": forumA, "read_at": "2026-12-03T08:00:00Z"}, set)
	}
	forumReport := func(set map[string]any) store.Row {
		return forgedRow("forum_reports", map[string]any{"city": int64(0), "post_id": postA, "forum_id": forumA, "reporter_id": c.parentA.ID,
			"reason": "", "status": "open", "handled_by": "", "created_at": "2026-12-03T08:00:00Z"}, set)
	}
	classPage := func(set map[string]any) store.Row {
		return forgedRow("pages", map[string]any{"school_id": "ecole-a", "class_id": c.classA.ID, "kind": "wiki", "title": "Insectes",
			"html": "", "author_id": c.teacherA.ID, "created_at": "2026-12-03T08:00:00Z", "updated_at": "2026-12-03T08:00:00Z", "owner_id": ""}, set)
	}
	pageUpdate := func(set map[string]any) store.Row {
		return forgedRow("page_updates", map[string]any{"page_id": pageID, "school_id": "ecole-a", "author_id": c.pupilA.ID,
			"data": []byte{1, 2}, "created_at": "2026-12-03T08:00:00Z"}, set)
	}
	pageVersion := func(set map[string]any) store.Row {
		return forgedRow("page_versions", map[string]any{"page_id": pageID, "school_id": "ecole-a", "author_id": c.pupilA.ID,
			"html": "<p>x</p>", "created_at": "2026-12-03T08:00:00Z"}, set)
	}
	miniSite := func(set map[string]any) store.Row {
		return forgedRow("minisites", map[string]any{"school_id": "ecole-a", "class_id": c.classA.ID, "title": "Volcans", "theme": "sun",
			"pupils": c.pupilA.ID, "status": "draft", "audience": "", "slug": "", "comment": "", "credits": "", "author_id": c.teacherA.ID,
			"created_at": "2026-12-03T08:00:00Z", "updated_at": "2026-12-03T08:00:00Z", "published_at": ""}, set)
	}
	miniPage := func(set map[string]any) store.Row {
		return forgedRow("minisite_pages", map[string]any{"site_id": siteA, "school_id": "ecole-a", "parent_id": "", "position": int64(1)}, set)
	}
	miniImage := func(set map[string]any) store.Row {
		return forgedRow("minisite_images", map[string]any{"site_id": siteA, "school_id": "ecole-a", "page_id": sitePageA, "token": store.NewID(),
			"hash": strings.Repeat("f", 64), "type": "image/png", "name": "b.png", "author_id": c.pupilA.ID, "created_at": "2026-12-03T08:00:00Z"}, set)
	}
	miniPublished := func(set map[string]any) store.Row {
		return forgedRow("minisite_published", map[string]any{"site_id": siteA, "school_id": "ecole-a", "page_id": sitePageA, "parent_id": "",
			"position": int64(0), "title": "Oiseaux", "html": "<p>y</p>", "images": "", "published_at": "2026-12-03T08:00:00Z"}, set)
	}
	cases := []struct {
		name string
		row  store.Row
		want string
	}{
		// forums: the school's own, opened by its staff, for its classes;
		// rows in them by its people; the city's flag only on the city's
		{"a forum in school B's name", forumRow(map[string]any{"school_id": "ecole-b"}), "ses propres forums"},
		{"the city's forum from a school", forumRow(map[string]any{"scope": "global", "school_id": "", "audience": "city", "class_id": ""}), "global"},
		{"a forum opened by a pupil", forumRow(map[string]any{"author_id": c.pupilA.ID}), "personnes de l'école"},
		{"a forum for school B's class", forumRow(map[string]any{"class_id": c.classB.ID}), "classe de l'école"},
		{"a thread in school B's forum", forumThread(map[string]any{"forum_id": forumB}), "forum de l'école"},
		{"a school's thread sent to every school", forumThread(map[string]any{"city": int64(1)}), "forum de l'école"},
		{"a thread by school B's pupil", forumThread(map[string]any{"author_id": c.pupilB.ID}), "personnes de l'école"},
		{"a pupil's thread in the city's forum", forumThread(map[string]any{"forum_id": cityForum, "city": int64(1)}), "personnes de l'école"},
		{"a post by school B's teacher", forumPost(map[string]any{"author_id": c.teacherB.ID}), "personnes de l'école"},
		{"a post under another forum's thread", forumPost(map[string]any{"forum_id": forumB}), "forum de l'école"},
		{"a post in the city's forum unflagged", forumPost(map[string]any{"forum_id": cityForum, "author_id": c.teacherA.ID}), "forum de l'école"},
		{"a file of another forum's post", forumFile(map[string]any{"post_id": store.NewID()}), "forum de l'école"},
		{"a file by school B's parent", forumFile(map[string]any{"author_id": c.parentB.ID}), "personnes de l'école"},
		{"a forum file whose file is a path", forumFile(map[string]any{"hash": "../../config.yaml"}), "SHA-256"},
		{"a reading by school B's pupil", forumRead(c.pupilB.ID, nil), "personnes de l'école"},
		{"a reading under another id", forumRead(c.pupilA.ID, map[string]any{"id": store.NewID()}), "identifiant de lecture"},
		{"a report by school B's parent", forumReport(map[string]any{"reporter_id": c.parentB.ID}), "personnes de l'école"},
		{"a report flagged for every school", forumReport(map[string]any{"city": int64(1)}), "forum de l'école"},
		// class pages: the school's own, for its classes, written by its
		// pupils and staff; an update never changes
		{"a page in school B's name", classPage(map[string]any{"school_id": "ecole-b"}), "propres pages"},
		{"a page for school B's class", classPage(map[string]any{"class_id": c.classB.ID}), "classe de l'école"},
		{"a page by a parent", classPage(map[string]any{"author_id": c.parentA.ID}), "élèves et l'équipe"},
		{"a page by school B's teacher", classPage(map[string]any{"author_id": c.teacherB.ID}), "élèves et l'équipe"},
		{"an update of no page of the school's", pageUpdate(map[string]any{"page_id": store.NewID()}), "propres pages"},
		{"an update in school B's name", pageUpdate(map[string]any{"school_id": "ecole-b"}), "propres pages"},
		{"an update by a parent", pageUpdate(map[string]any{"author_id": c.parentA.ID}), "élèves et l'équipe"},
		{"an update rewritten", pageUpdate(map[string]any{"id": pageUpdateID, "data": []byte{9}}), "ne change jamais"},
		{"a version by school B's pupil", pageVersion(map[string]any{"author_id": c.pupilB.ID}), "élèves et l'équipe"},
		// mini-sites: the school's own, for its classes, started by its
		// staff for its pupils; their rows in one of its sites; what was
		// published never rewritten; a class page never moved into a site
		{"a class page moved into a mini-site", c.forge(read(t, c, "pages", pageID), map[string]any{"owner_id": siteA}), "ni d'auteur"},
		{"a mini-site in school B's name", miniSite(map[string]any{"school_id": "ecole-b"}), "propres mini-sites"},
		{"a mini-site for school B's class", miniSite(map[string]any{"class_id": c.classB.ID}), "classe de l'école"},
		{"a mini-site started by a pupil", miniSite(map[string]any{"author_id": c.pupilA.ID}), "équipe de l'école"},
		{"a mini-site with school B's pupil", miniSite(map[string]any{"pupils": c.pupilA.ID + " " + c.pupilB.ID}), "élèves de l'école"},
		{"a mini-site whose group is a parent", miniSite(map[string]any{"pupils": c.parentA.ID}), "élèves de l'école"},
		{"a mini-site moved to school B's class", c.forge(read(t, c, "minisites", siteA), map[string]any{"class_id": c.classB.ID}), "classe de l'école"},
		{"a mini-site's author rewritten", c.forge(read(t, c, "minisites", siteA), map[string]any{"author_id": c.dirA.ID}), "ni d'auteur"},
		{"school B's mini-site taken over", c.forge(read(t, c, "minisites", siteA), map[string]any{"id": siteB}), "ne reprend pas"},
		{"a menu entry of school B's site", miniPage(map[string]any{"site_id": siteB}), "mini-site de l'école"},
		{"a menu entry of no site", miniPage(map[string]any{"site_id": store.NewID()}), "mini-site de l'école"},
		{"a menu entry moved to school B's site", c.forge(read(t, c, "minisite_pages", sitePageA), map[string]any{"site_id": siteB}), "mini-site de l'école"},
		{"a picture in school B's site", miniImage(map[string]any{"site_id": siteB}), "mini-site de l'école"},
		{"a picture whose file is a path", miniImage(map[string]any{"hash": "../../config.yaml"}), "SHA-256"},
		{"a picture that is a web page", miniImage(map[string]any{"type": "text/html"}), "PNG, JPEG"},
		{"a picture by school B's pupil", miniImage(map[string]any{"author_id": c.pupilB.ID}), "élèves et l'équipe"},
		{"a picture by a parent", miniImage(map[string]any{"author_id": c.parentA.ID}), "élèves et l'équipe"},
		{"a picture's file swapped", c.forge(read(t, c, "minisite_images", siteImageA), map[string]any{"hash": strings.Repeat("e", 64)}), "ne se réécrit pas"},
		{"a published page of school B's site", miniPublished(map[string]any{"site_id": siteB}), "mini-site de l'école"},
		{"a published page rewritten", c.forge(read(t, c, "minisite_published", sitePublishedA), map[string]any{"html": "<p>autre</p>"}), "ne se réécrit pas"},
		{"a published page that is not sanitized", miniPublished(map[string]any{"html": "<script>alert(1)</script>"}), "assaini"},
		// mail: messages and copies of the people who use the school; a
		// copy is its sender's or a recipient's; only central delivers
		// between schools
		{"a message sent by school B's teacher", message(map[string]any{"sender_id": c.teacherB.ID}), "personne de l’école"},
		{"a message claimed delivered", message(map[string]any{"delivered_at": "2026-12-03T08:01:00Z"}), "seul le serveur de la ville"},
		{"a message sent to school B without a recipient there", message(map[string]any{"schools": "ecole-b"}), "écoles de ses destinataires"},
		{"a copy in school B's parent's mailbox", mailCopy(map[string]any{"owner_id": c.parentB.ID}), "personne de l’école"},
		{"a copy of a message that was not theirs", mailCopy(map[string]any{"owner_id": c.pupilA.ID}), "expéditeur ou d’un destinataire"},
		{"a folder of school B's teacher", mailFolder(c.teacherB.ID), "personne de l’école"},
		{"school B's mail rules", forgedRow("mail_settings", map[string]any{"id": "ecole-b", "pupils": "none", "moderate": int64(0)}, nil), "sa propre messagerie"},
		{"an announcement of its own", forgedRow("announcements", map[string]any{"kind": "outage", "title": "Fermeture", "body": "", "schools": "",
			"starts_at": "2026-12-03T08:00:00Z", "ends_at": "2026-12-04T08:00:00Z", "author_id": c.dirA.ID, "created_at": "2026-12-03T08:00:00Z"}, nil),
			"service informatique de la ville"},
		// users
		{"own teacher made DSI", promoted, "comptes DSI"},
		{"own teacher made director", c.forge(c.teacherRow, map[string]any{"profile": "director"}), "profil"},
		{"a second director", c.forge(c.teacherRow, map[string]any{"id": store.NewID(), "login": "faux.dir", "profile": "director"}), "nomme un directeur"},
		{"own teacher moved to school B", c.forge(c.teacherRow, map[string]any{"school_id": "ecole-b"}), "école changée"},
		{"school B's teacher taken over", c.forge(c.teacherRow, map[string]any{"id": c.teacherB.ID, "login": "prof.b"}), "ne reprend pas les lignes d'une autre"},
		{"pupil made parent", c.forge(c.pupilRow, map[string]any{"profile": "parent"}), "profil"},
		// schools and classes
		{"school B described", c.forge(c.schoolRow, map[string]any{"id": "ecole-b", "name": "Piratée"}), "ne reprend pas"},
		{"another school created", c.forge(c.schoolRow, map[string]any{"id": "ecole-c", "name": "Fantôme"}), "elle-même"},
		{"own school deleted", c.forge(c.schoolRow, map[string]any{"deleted": int64(1)}), "supprime"},
		{"class of school B", c.forge(c.classRow, map[string]any{"id": store.NewID(), "school_id": "ecole-b"}), "chez elle"},
		// memberships
		{"into school B's class", c.forge(c.membershipA, map[string]any{"id": store.NewID(), "class_id": c.classB.ID}), "classe de l'école"},
		{"school B's pupil in A's class", c.forge(c.membershipA, map[string]any{"id": store.NewID(), "user_id": c.pupilB.ID, "role": "pupil"}), "seuls les élèves"},
		{"teacher as a pupil", c.forge(c.membershipA, map[string]any{"role": "pupil"}), "rôle"},
		// guardians
		{"school B's parent linked", c.forge(c.guardianA, map[string]any{"id": store.NewID(), "parent_id": c.parentB.ID}), "l'accepte lui-même"},
		{"a teacher as a parent", c.forge(c.guardianA, map[string]any{"id": store.NewID(), "parent_id": c.teacherA.ID}), "compte de parent"},
		{"linked to school B's pupil", c.forge(c.guardianA, map[string]any{"id": store.NewID(), "child_id": c.pupilB.ID}), "élève de l'école"},
		// guardian_requests
		{"request answered by the school", request(map[string]any{"status": "accepted"}), "seul le parent répond"},
		{"request for school B's pupil", request(map[string]any{"child_id": c.pupilB.ID}), "élève de l'école"},
		{"request in another school's name", request(map[string]any{"school_id": "ecole-b"}), "qu'à ses élèves"},
		// homework: entries of the school's classes by its staff, ticks of
		// its pupils on its entries
		{"homework for school B's class", entry(map[string]any{"class_id": c.classB.ID}), "classe de l'école"},
		{"homework by a pupil", entry(map[string]any{"author_id": c.pupilA.ID}), "équipe de l'école"},
		{"homework by school B's teacher", entry(map[string]any{"author_id": c.teacherB.ID}), "équipe de l'école"},
		{"a tick by school B's pupil", tick(c.pupilB.ID, nil), "élève de l'école"},
		{"a tick by a parent", tick(c.parentA.ID, nil), "élève de l'école"},
		{"a tick on another id", tick(c.pupilA.ID, map[string]any{"id": store.NewID()}), "élève de l'école"},
		{"a file of no entry of the school's", c.forge(store.Row{Table: "homework_files", Values: map[string]any{
			"id": store.NewID(), "scope": "ecole-a", "deleted": int64(0), "homework_id": store.NewID(), "name": "x.txt",
			"type": "text/plain", "size": int64(1), "blob": strings.Repeat("a", 64)}}, nil), "classe de l'école"},
		// documents: of the school's classes, shared by its staff, their
		// file named by its hash
		{"a document for school B's class", document(map[string]any{"class_id": c.classB.ID}), "classe n'est pas de cette école"},
		{"a document shared by a pupil", document(map[string]any{"author_id": c.pupilA.ID}), "équipe de cette école"},
		{"a document shared by school B's teacher", document(map[string]any{"author_id": c.teacherB.ID}), "équipe de cette école"},
		{"a document whose file is a path", document(map[string]any{"blob": "../../config.yaml"}), "SHA-256"},
		// liaison: notes of the school's classes by its staff, about its
		// pupils; answers by the pupil's parents (or its staff, on paper)
		{"a note to school B's class", note(map[string]any{"class_id": c.classB.ID}), "classe de l'école"},
		{"a note by a parent", note(map[string]any{"author_id": c.parentA.ID}), "équipe de l'école"},
		{"a note about school B's pupil", about(c.pupilB.ID, nil), "élèves de l'école"},
		{"a note about a pupil under another id", about(c.pupilA.ID, map[string]any{"id": store.NewID()}), "élèves de l'école"},
		{"a note of no class of the school's", about(c.pupilA.ID, map[string]any{"note_id": store.NewID()}), "classe de l'école"},
		{"signed by another family", ack(map[string]any{"by_id": c.parentB.ID}), "parent de l'élève"},
		{"signed online by a teacher", ack(map[string]any{"by_id": c.teacherA.ID}), "parent de l'élève"},
		{"a paper slip recorded by school B", ack(map[string]any{"by_id": c.teacherB.ID, "paper": int64(1)}), "parent de l'élève"},
		{"a reply in another family's name", reply(map[string]any{"author_id": c.parentB.ID}), "parent de l'élève"},
		{"a reply about school B's pupil", reply(map[string]any{"pupil_id": c.pupilB.ID}), "parent de l'élève"},
		// news: the school's own, by its staff, for its classes
		{"news in school B's name", news(map[string]any{"school_id": "ecole-b"}), "ses propres actualités"},
		{"news by a parent", news(map[string]any{"author_id": c.parentA.ID}), "équipe de l'école"},
		{"news for school B's class", news(map[string]any{"audience": "class", "class_id": c.classB.ID}), "classe de l'école"},
		{"the city's news from a school", news(map[string]any{"scope": "global", "school_id": ""}), "global"},
		// requests to the city: the school's own, by its director; statuses,
		// agents and catalogues are the DSI's, on central
		{"a request in school B's name", cityRequest(map[string]any{"school_id": "ecole-b"}), "ses propres demandes"},
		{"a request filed by a teacher", cityRequest(map[string]any{"author_id": c.teacherA.ID}), "direction de l'école"},
		{"a request's status set by the school", requestEvent(map[string]any{"status": "done"}), "seule la DSI"},
		{"a request assigned by the school", requestEvent(map[string]any{"assignee": "Moi"}), "seule la DSI"},
		{"a comment on another school's request", requestEvent(nil), "ses propres demandes"},
		{"a catalogue entry from a school", forgedRow("request_items", map[string]any{"scope": "global", "catalogue": "pharmacy", "name": "Sirop",
			"unit": "", "created_at": "2026-12-03T08:00:00Z"}, nil), "global"},
		// usage statistics: counts of the school's own, never a person's
		{"a counter in school B's name", counter([]string{"ecole-b", "2026-12-03", "connections", "pupil", ""}, 3, nil), "autre école"},
		{"a counter as if counted on central", counter([]string{"ecole-a", "2026-12-03", "connections", "parent", ""}, 3,
			map[string]any{"source": "central"}), "autre école"},
		{"a counter naming a pupil", counter([]string{"ecole-a", "2026-12-03", "visits", "", c.pupilA.ID}, 1, nil), "forme inconnue"},
		{"a counter of hour 25", counter([]string{"ecole-a", "2026-12-03", "hours", "", "25"}, 1, nil), "forme inconnue"},
		{"a counter under another row's id", counter([]string{"ecole-a", "2026-12-03", "connections", "pupil", ""}, 3,
			map[string]any{"id": store.NewID()}), "pas le sien"},
		{"a million and more connections", counter([]string{"ecole-a", "2026-12-03", "connections", "pupil", ""}, 5_000_000, nil), "hors des valeurs"},
		// blog: the school's own classes' posts, by their staff or pupils;
		// files and comments of its posts; comments by staff or families
		{"a blog post in school B's name", blogPost(map[string]any{"school_id": "ecole-b"}), "son propre cahier de vie"},
		{"a blog post for school B's class", blogPost(map[string]any{"class_id": c.classB.ID}), "classe de l'école"},
		{"a blog post by a parent", blogPost(map[string]any{"author_id": c.parentA.ID}), "élèves de la classe écrivent"},
		{"a blog post by school B's teacher", blogPost(map[string]any{"author_id": c.teacherB.ID}), "élèves de la classe écrivent"},
		{"a pupil's blog post for the whole school", blogPost(map[string]any{"author_id": c.pupilA.ID, "audience": "school"}), "élèves de la classe écrivent"},
		{"a blog photo whose file is a path", blogMedia(map[string]any{"blob": "../../config.yaml"}), "SHA-256"},
		{"a blog photo of no post of the school's", blogMedia(map[string]any{"post_id": store.NewID()}), "billet de cette classe"},
		{"a blog photo under another class", blogMedia(map[string]any{"class_id": c.classB.ID}), "classe de l'école"},
		{"a blog comment by another family", blogComment(map[string]any{"author_id": c.parentB.ID}), "parents de ses élèves"},
		{"a blog comment by a pupil", blogComment(map[string]any{"author_id": c.pupilA.ID}), "parents de ses élèves"},
		{"a blog comment on no post of the school's", blogComment(map[string]any{"post_id": store.NewID()}), "billet de cette classe"},
		{"blog settings of school B's class", blogSettings(map[string]any{"id": c.classB.ID}), "classe de l'école"},
		// sites: the school's own, chosen by its staff, for its classes or a
		// level, their picture named by its hash
		{"a site in school B's name", site(map[string]any{"school_id": "ecole-b"}), "ses propres sites"},
		{"a site chosen by a parent", site(map[string]any{"author_id": c.parentA.ID}), "équipe de l'école"},
		{"a site chosen by school B's teacher", site(map[string]any{"author_id": c.teacherB.ID}), "équipe de l'école"},
		{"a site for school B's class", site(map[string]any{"class_id": c.classB.ID}), "classe de l'école"},
		{"a site for an unknown level", site(map[string]any{"class_id": "", "level": "6e"}), "niveau connu"},
		{"a site for a class and a level", site(map[string]any{"level": "CE1"}), "niveau connu"},
		{"a site whose picture is a path", site(map[string]any{"picture": "../../config.yaml"}), "SHA-256"},
		{"the city's site from a school", site(map[string]any{"scope": "global", "school_id": "", "class_id": "", "level": ""}), "global"},
		// notifications: for the school's own people and its pupils' parents
		{"a notification for school B's pupil", notice(c.pupilB.ID), "ses propres comptes"},
		{"a notification for school B's parent", notice(c.parentB.ID), "ses propres comptes"},
		// attendance: registers of its classes by its staff; absences of its
		// pupils, recorded by its staff or announced by their parents
		{"a register of school B's class", register(c.classB.ID, c.teacherA.ID), "classe de l'école"},
		{"a register taken by a parent", register(c.classA.ID, c.parentA.ID), "l'équipe de l'école fait l'appel"},
		{"school B's pupil absent", absence(c.pupilB.ID, nil), "élève de l'école"},
		{"an absence recorded by a parent", absence(c.pupilA.ID, map[string]any{"recorded_by": c.parentA.ID}), "prévenue par un parent"},
		{"an absence announced by another family", absence(c.pupilA.ID, map[string]any{"recorded_by": c.parentB.ID, "announced": int64(1)}), "prévenue par un parent"},
		{"an absence justified by another family", absence(c.pupilA.ID, map[string]any{"reason": "illness", "justified_by": c.parentB.ID}), "justifie son absence"},
		// agenda: the school's by its director, a class's by its staff, a
		// person's own by them
		{"a school event by a teacher", event(map[string]any{"calendar": "school", "author_id": c.teacherA.ID}), "écrivent l'agenda"},
		{"an event of school B's class", event(map[string]any{"class_id": c.classB.ID}), "écrivent l'agenda"},
		{"an event in school B's name", event(map[string]any{"school_id": "ecole-b"}), "pas de l'école"},
		{"someone else's own event", event(map[string]any{"calendar": "personal", "owner_id": c.parentB.ID, "author_id": c.teacherA.ID}), "écrivent l'agenda"},
		// updates: releases are the DSI's; a school reports only on itself
		{"an update report in school B's name", updateReport(map[string]any{"id": "ecole-b", "school_id": "ecole-b"}), "ses propres mises à jour"},
		{"an update report of school B under A's id", updateReport(map[string]any{"school_id": "ecole-b"}), "ses propres mises à jour"},
		{"an update report in no known state", updateReport(map[string]any{"state": "installed"}), "état de mise à jour inconnu"},
		{"a release published by a school", forgedRow("update_releases", map[string]any{"scope": "global", "version": "9.9.9",
			"bundle": strings.Repeat("b", 64), "size": int64(10), "schools": "", "wave": "", "author_name": "", "created_at": "2026-12-03T08:00:00Z"}, nil), "global"},
		// conflicts: a kept version a director could restore on central
		{"kept version of a DSI", c.forge(store.Row{Table: "conflicts", Values: map[string]any{
			"id": store.NewID(), "scope": "ecole-a", "deleted": int64(0), "tbl": "users", "row_id": c.teacherA.ID,
			"loser": string(promotedJSON), "winner_hlc": int64(1), "winner_origin": "x", "at": "2026-12-03T08:00:00Z", "restored_at": "", "columns": ""}}, nil),
			"version gardée"},
	}
	// audit: school A's own journal, by its accounts, of known actions;
	// append-only once written.
	auditEntry := func(set map[string]any) store.Row {
		return forgedRow("audit_entries", map[string]any{"school_id": "ecole-a", "at": "2026-12-03T08:00:00Z", "actor_id": c.dirA.ID,
			"actor_name": "Dir A", "action": "account.create", "target": "prof.a", "address": "console"}, set)
	}
	cases = append(cases, []struct {
		name string
		row  store.Row
		want string
	}{
		{"an audit entry in school B's name", auditEntry(map[string]any{"school_id": "ecole-b"}), "son propre journal"},
		{"an audit entry of an unknown action", auditEntry(map[string]any{"action": "account.explode"}), "action inconnue"},
		{"an audit entry by school B's parent", auditEntry(map[string]any{"actor_id": c.parentB.ID}), "compte de l'école"},
		{"an audit entry pushed deleted", auditEntry(map[string]any{"deleted": int64(1)}), "ne se modifie ni ne s'efface"},
		{"an audit entry rewritten", auditEntry(map[string]any{"id": auditID, "target": "personne"}), "ne se modifie ni ne s'efface"},
		{"an audit entry erased", auditEntry(map[string]any{"id": auditID, "deleted": int64(1)}), "ne se modifie ni ne s'efface"},
	}...)
	// privacy: the retention purge is the one change a school may push of
	// an entry, and only of one older than config.MinAuditRetention,
	// tombstoned naming nobody (TestRetentionReachesCentral pushes one).
	cases = append(cases, []struct {
		name string
		row  store.Row
		want string
	}{
		{"an audit entry of this week purged", auditEntry(map[string]any{"id": auditID, "deleted": int64(1), "actor_name": "", "target": "",
			"address": ""}), "ne se modifie ni ne s'efface"},
		{"an old audit entry purged still naming its actor", auditEntry(map[string]any{"at": "2020-01-06T08:00:00Z", "deleted": int64(1),
			"target": "", "address": ""}), "ne se modifie ni ne s'efface"},
	}...)
	// the signed library: its signatures are the DSI's; a school reports
	// only on itself, in a state it writes.
	libraryReport := func(set map[string]any) store.Row {
		return forgedRow("update_library_reports", map[string]any{"id": "ecole-a", "school_id": "ecole-a", "version": int64(1), "state": "verified",
			"files": "[]", "refused": int64(0), "reason": "", "reason_args": "{}", "updated_at": "2026-12-03T08:00:00Z"}, set)
	}
	cases = append(cases, []struct {
		name string
		row  store.Row
		want string
	}{
		{"a library signature published by a school", forgedRow("update_library", map[string]any{"scope": "global", "version": int64(9),
			"bundle": strings.Repeat("b", 64), "size": int64(10), "files": int64(1), "expires_at": "2027-12-03T08:00:00Z", "author_name": "",
			"created_at": "2026-12-03T08:00:00Z"}, nil), "global"},
		{"a library signature in the school's own scope", forgedRow("update_library", map[string]any{"version": int64(9),
			"bundle": strings.Repeat("b", 64), "size": int64(10), "files": int64(1), "expires_at": "2027-12-03T08:00:00Z", "author_name": "",
			"created_at": "2026-12-03T08:00:00Z"}, nil), "seule la DSI signe la bibliothèque"},
		{"a library report in school B's name", libraryReport(map[string]any{"id": "ecole-b", "school_id": "ecole-b"}), "ses propres mises à jour"},
		{"a library report of school B under A's id", libraryReport(map[string]any{"school_id": "ecole-b"}), "ses propres mises à jour"},
		{"a library report in no known state", libraryReport(map[string]any{"state": "trusted"}), "état de mise à jour inconnu"},
	}...)
	tables := map[string]bool{}
	before := countRows(t, c.central.DB)
	for _, tc := range cases {
		tables[tc.row.Table] = true
		// A good row first: the whole batch is refused, not only the bad row.
		good := c.forge(c.pupilRow, map[string]any{"display_name": "Élève A renommé"})
		status, body := c.push(t, good, tc.row)
		if status != http.StatusForbidden || !strings.Contains(body, tc.want) || !strings.Contains(body, "ligne 2 ("+tc.row.Table) {
			t.Errorf("%s: %d %s (want 403 naming row 2 of %s and %q)", tc.name, status, strings.TrimSpace(body), tc.row.Table, tc.want)
		}
	}
	if after := countRows(t, c.central.DB); after != before {
		t.Fatalf("refused pushes changed central: %d → %d change-log entries", before, after)
	}
	if u, _ := c.central.Auth.User(ctx, c.pupilA.ID); u.DisplayName != "Élève A" {
		t.Fatalf("a good row of a refused batch was written: %q", u.DisplayName)
	}
	for _, table := range c.central.DB.Replicated() {
		if !tables[table] {
			t.Errorf("no hostile push tried on replicated table %s: add its rules' cases", table)
		}
	}
	if _, err := c.central.Auth.LoginPassword(ctx, "prof.a", "motdepasse", ""); err != nil {
		t.Fatal(err)
	}
	// The school's honest work still syncs, a second director named by the
	// DSI included.
	if _, err := c.school.Auth.CreateUser(ctx, auth.NewUser{Login: "prof.a2", Display: "Prof A2", Profile: auth.Teacher, SchoolID: "ecole-a"}); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, c.school)
	if _, err := c.central.Auth.UserByLogin(ctx, "prof.a2"); err != nil {
		t.Fatal("honest rows no longer sync after refused pushes")
	}
}

// A table registered without a rule is refused, so a new feature cannot
// forget to declare what a school may write in it.
func TestTableWithoutRuleRefused(t *testing.T) {
	p := newPair(t, "ecole-a")
	unruled := store.Schema{Name: "unruled", Replicated: []string{"notes"},
		FS: fstest.MapFS{"0001_notes.sql": {Data: []byte(`CREATE TABLE notes (id TEXT PRIMARY KEY, scope TEXT NOT NULL,
			hlc INTEGER NOT NULL, origin TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, body TEXT NOT NULL)`)}}}
	for _, a := range []*store.DB{p.central.DB, p.school.DB} {
		if err := a.Migrate(t.Context(), unruled); err != nil {
			t.Fatal(err)
		}
	}
	row := store.Row{Table: "notes", Values: map[string]any{"id": store.NewID(), "scope": "ecole-a",
		"hlc": p.school.DB.Clock().Now(), "origin": p.school.DB.Node().ID, "deleted": int64(0), "body": "x"}}
	self := p.school.DB.Node()
	resp, body := rawPush(t, p, psync.Batch{Node: self.ID, Epoch: self.Epoch, From: 0, To: 1, Rows: []store.Row{row}}, nil)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "aucune règle") {
		t.Fatalf("a row of a table without rule: %d %s", resp.StatusCode, body)
	}
}

// The city's DSI logs in on central only: a school pulls its account
// without any of its credentials, and a school that held them from before
// drops them at start.
func TestSchoolHoldsNoDSISecret(t *testing.T) {
	p := newPair(t, "ecole-a")
	ctx := t.Context()
	if _, err := p.central.Auth.CreateUser(ctx, auth.NewUser{Login: "dsi.adjoint", Display: "DSI adjoint", Profile: auth.DSI, Password: "motdepasse"}); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, p.school)
	var n, held int
	p.school.DB.Reader().QueryRow(`SELECT count(*), count(*) FILTER (WHERE password_hash != '' OR picture_hash != '' OR qr_hash != '')
		FROM users WHERE profile = 'dsi'`).Scan(&n, &held)
	if n == 0 || held != 0 {
		t.Fatalf("the school holds %d DSI accounts, %d with credentials (want some, none)", n, held)
	}
	if _, err := p.school.Auth.LoginPassword(ctx, "dsi.adjoint", "motdepasse", ""); err == nil {
		t.Fatal("the DSI logs in at a school")
	}
	if _, err := p.central.Auth.LoginPassword(ctx, "dsi.adjoint", "motdepasse", ""); err != nil {
		t.Fatalf("the DSI no longer logs in on central: %v", err)
	}
}

// A school fetches from central only the files of rows it receives: school
// B's document, whose SHA-256 school A's node learnt somehow, is a 404 for
// A, as is a hash of nothing and the city's file meant for B alone; the
// city's files for every school and A's own are served.
func TestSchoolFetchesOnlyItsFiles(t *testing.T) {
	c := newCity(t)
	ctx := t.Context()
	limits := documents.Limits{MaxFile: 1 << 20, UserQuota: 1 << 20, SchoolQuota: 1 << 20}
	atCentral := documents.NewService(c.central.DB, c.central.Register, limits)
	theirs, _, err := atCentral.Share(ctx, c.teacherB, documents.Upload{ClassID: c.classB.ID, Name: "b.txt", Size: -1, Content: strings.NewReader("École B seulement")})
	if err != nil {
		t.Fatal(err)
	}
	ours, _, err := atCentral.Share(ctx, c.teacherA, documents.Upload{ClassID: c.classA.ID, Name: "a.txt", Size: -1, Content: strings.NewReader("École A")})
	if err != nil {
		t.Fatal(err)
	}
	link, err := c.school.Sync.Client.Link(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fetch := func(hash string) int {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, link.CentralURL+"/api/v1/sync/blobs/"+hash, nil)
		req.Header.Set("Authorization", "Node "+link.SchoolID+":"+link.NodeKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := fetch(theirs.Blob); got != http.StatusNotFound {
		t.Errorf("school A fetching school B's file: %d, want 404", got)
	}
	if got := fetch(strings.Repeat("ab", 32)); got != http.StatusNotFound {
		t.Errorf("a hash of nothing: %d, want 404", got)
	}
	if got := fetch(ours.Blob); got != http.StatusOK {
		t.Errorf("school A fetching its own class's file: %d, want 200", got)
	}
	// The city's library: every school holds its rows, but a file meant
	// for school B alone is B's.
	dsi, err := c.central.Auth.CreateUser(ctx, auth.NewUser{Login: "dsi.docs", Display: "DSI", Profile: auth.DSI, Password: "motdepasse"})
	if err != nil {
		t.Fatal(err)
	}
	library := documents.NewCentralService(c.central.DB, c.central.Register, limits)
	forB, _, err := library.ShareCity(ctx, dsi, documents.Upload{Name: "b-seulement.pdf", Size: -1, Content: strings.NewReader("Pour l'école B")}, []string{"ecole-b"})
	if err != nil {
		t.Fatal(err)
	}
	forAll, _, err := library.ShareCity(ctx, dsi, documents.Upload{Name: "toutes.pdf", Size: -1, Content: strings.NewReader("Pour toutes les écoles")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := fetch(forB.Blob); got != http.StatusNotFound {
		t.Errorf("school A fetching the city's file meant for school B: %d, want 404", got)
	}
	if got := fetch(forAll.Blob); got != http.StatusOK {
		t.Errorf("school A fetching the city's file for every school: %d, want 200", got)
	}
}

// read is a row as school A holds it (and central, after a sync).
func read(t *testing.T, c city, table, id string) store.Row {
	t.Helper()
	r, err := c.school.DB.ReadRow(t.Context(), c.school.DB.Reader(), table, id)
	if err != nil {
		t.Fatalf("%s %s: %v", table, id, err)
	}
	return r
}

// A school's audit entries reach central, where the DSI reads them with
// their school, actor and address as written.
func TestAuditEntriesReachCentral(t *testing.T) {
	c := newCity(t)
	ctx := t.Context()
	if err := c.school.Env.Audit.RecordConsole(ctx, c.dirA, "import.apply", "ecole-a (3)"); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, c.school)
	var school, actor, action, target, address string
	if err := c.central.DB.Reader().QueryRowContext(ctx, "SELECT school_id, actor_name, action, target, address FROM audit_entries WHERE action = 'import.apply'").
		Scan(&school, &actor, &action, &target, &address); err != nil {
		t.Fatalf("the school's entry did not reach central: %v", err)
	}
	if school != "ecole-a" || actor != c.dirA.DisplayName || target != "ecole-a (3)" || address != "console" {
		t.Errorf("on central: %s %s %s %s %s", school, actor, action, target, address)
	}
}
