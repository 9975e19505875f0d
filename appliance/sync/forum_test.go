package sync_test

import (
	"bytes"
	"image"
	"image/png"
	"io"
	"log/slog"
	"testing"

	"preau/appliance/apptest"
	"preau/appliance/auth"
	"preau/appliance/forum"
	"preau/appliance/roster"
	"preau/appliance/web"
)

func forumService(a *apptest.App, central bool) *forum.Service {
	return forum.NewService(a.DB, a.Register, a.Auth, nil, slog.Default(), central, a.Config.SchoolID)
}

// Forums across the city: the city's forum, opened by the DSI on central,
// reaches both schools; a thread school A's teacher opens there, with a
// picture, reaches school B, whose teacher's reply comes back to A. A
// class's parents' forum at school A is read from home on central, and
// never reaches school B.
func TestForumAcrossTheCity(t *testing.T) {
	w := newTwoSchools(t)
	w.link(t)
	ctx := t.Context()
	children, err := w.school.Register.Children(ctx, w.parent.ID)
	if err != nil || len(children) == 0 {
		t.Fatalf("Ana: %v", err)
	}
	var classA []auth.Class
	for _, c := range children {
		if c.SchoolID == "ecole-a" {
			classA, err = w.school.Register.UserClasses(ctx, c.ID)
		}
	}
	if err != nil || len(classA) == 0 {
		t.Fatalf("Ana's class: %v", err)
	}
	teacherA := w.user(t, "prof.forum.a", auth.Teacher, []string{classA[0].ID}, nil)
	teacherB, err := w.b.Register.CreateUser(ctx, roster.NewUser{NewUser: auth.NewUser{Login: "prof.forum.b", Display: "Prof B", Profile: auth.Teacher,
		SchoolID: "ecole-b"}, ClassIDs: []string{w.cm1.ID}})
	if err != nil {
		t.Fatal(err)
	}
	dsi, err := w.central.Auth.UserByLogin(ctx, "dsi")
	if err != nil {
		t.Fatal(err)
	}
	atCentral, atA, atB := forumService(w.central, true), forumService(w.school, false), forumService(w.b, false)
	city, err := atCentral.CreateForum(ctx, dsi, forum.ForumDraft{Title: "Entre collègues", Audience: forum.City})
	if err != nil {
		t.Fatal(err)
	}
	parents, err := atA.CreateForum(ctx, teacherA, forum.ForumDraft{Title: "Parents du CP", Audience: forum.Parents, ClassID: classA[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	syncOnce(t, w.school)
	syncOnce(t, w.b)

	var pic bytes.Buffer
	png.Encode(&pic, image.NewRGBA(image.Rect(0, 0, 3, 3)))
	picture := web.Upload{Name: "affiche.png", Size: int64(pic.Len()), Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(pic.Bytes())), nil }}
	thread, post, err := atA.NewThread(ctx, teacherA, city, forum.ThreadDraft{Title: "Une idée de sortie", Post: forum.PostDraft{Body: "Le musée des sciences !",
		Files: []web.Upload{picture}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := atA.NewThread(ctx, teacherA, parents, forum.ThreadDraft{Title: "Réunion", Post: forum.PostDraft{Body: "Mardi à 18 h."}}); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, w.school)
	if err := w.school.Sync.Client.TransferBlobs(ctx); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, w.b)
	if err := w.b.Sync.Client.TransferBlobs(ctx); err != nil {
		t.Fatal(err)
	}

	_, _, _, posts, err := atB.Thread(ctx, teacherB, thread.ID)
	if err != nil || len(posts) != 1 || len(posts[0].Files) != 1 {
		t.Fatalf("the city's thread at school B: %v %+v", err, posts)
	}
	_, f, err := atB.OpenFile(ctx, teacherB, posts[0].Files[0].ID)
	if err != nil {
		t.Fatalf("the picture at school B: %v", err)
	}
	got, _ := io.ReadAll(f)
	f.Close()
	if !bytes.Equal(got, pic.Bytes()) {
		t.Error("the picture at school B differs")
	}
	var leaked int
	w.b.DB.Reader().QueryRow("SELECT count(*) FROM forums WHERE id = ?", parents).Scan(&leaked)
	var leakedThreads int
	w.b.DB.Reader().QueryRow("SELECT count(*) FROM forum_threads WHERE forum_id = ?", parents).Scan(&leakedThreads)
	if leaked+leakedThreads != 0 {
		t.Errorf("school A's parents' forum reached school B")
	}
	if _, err := atB.Reply(ctx, teacherB, thread.ID, forum.PostDraft{Body: "Bonne idée, nous venons aussi."}); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, w.b)
	syncOnce(t, w.school)
	if _, _, _, posts, err = atA.Thread(ctx, teacherA, thread.ID); err != nil || len(posts) != 2 || posts[0].ID != post.ID {
		t.Fatalf("the reply from school B at school A: %v %+v", err, posts)
	}

	// From home, the parent reads the parents' forum of their child's class.
	views, err := atCentral.Forums(ctx, w.parent)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, v := range views {
		found = found || (v.ID == parents && v.Threads == 1)
	}
	if !found {
		t.Errorf("the parent on central does not see the parents' forum's thread: %+v", views)
	}
}
