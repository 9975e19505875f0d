package crashtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"mime/multipart"
	"sync"
	"time"
)

// A write the server acknowledged: where its row must be, and for a file
// the SHA-256 of what was sent.
type write struct {
	kind  string // homework, tick, note, ack, mail, thread, post, page, edit, upload
	table string // the table holding its row
	key   string // the row's id; for a tick or an acknowledgement "parent|pupil", for an edit "page|update in hex"
	hash  string // an upload's content
}

// ledger is the writes acknowledged so far, shared by the writers.
type ledger struct {
	mu     sync.Mutex
	writes []write
	notes  []string // notes asking a signature, to sign
	works  []string // homework entries, to tick
	thread []string // forum threads, to answer
	pages  []string // class pages, to type into
}

func newLedger() *ledger { return &ledger{} }

func (l *ledger) add(w write) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.writes = append(l.writes, w)
	switch w.kind {
	case "note":
		l.notes = append(l.notes, w.key)
	case "homework":
		l.works = append(l.works, w.key)
	case "thread":
		l.thread = append(l.thread, w.key)
	case "page":
		l.pages = append(l.pages, w.key)
	}
}

func (l *ledger) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.writes)
}

func (l *ledger) all() []write {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]write(nil), l.writes...)
}

// pick is a random element of one of the ledger's lists, "" when empty.
func (l *ledger) pick(list *[]string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(*list) == 0 {
		return ""
	}
	return (*list)[mrand.IntN(len(*list))]
}

func (l *ledger) byKind() map[string]int {
	out := map[string]int{}
	for _, w := range l.all() {
		out[w.kind]++
	}
	return out
}

// world is the school's people writing and what they were told was written.
type world struct {
	ids                    seeded
	teacher, pupil, parent *client
	acked                  *ledger
	typed                  typed
	mu                     sync.Mutex
	seq                    int
}

func (w *world) next() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seq++
	return w.seq
}

// write issues random writes of every kind until ctx ends (the kill).
func (w *world) write(ctx context.Context, writer int) {
	kinds := []func(context.Context, int) (write, bool){w.homework, w.tick, w.note, w.ack, w.mail, w.thread, w.post, w.page, w.edit, w.upload}
	for ctx.Err() == nil {
		n := w.next()
		if wr, ok := kinds[(writer+n)%len(kinds)](ctx, n); ok {
			w.acked.add(wr)
		}
	}
}

func (w *world) homework(ctx context.Context, n int) (write, bool) {
	var out struct{ ID string }
	status, _ := w.teacher.call(ctx, "POST", "/api/v1/homework", map[string]any{"class_id": w.ids.class,
		"due": time.Now().AddDate(0, 0, 2).Format(time.DateOnly), "title": fmt.Sprintf("Exercice %d", n)}, &out)
	return write{kind: "homework", table: "homework", key: out.ID}, status == 201 && out.ID != ""
}

func (w *world) tick(ctx context.Context, n int) (write, bool) {
	id := w.acked.pick(&w.acked.works)
	if id == "" {
		return write{}, false
	}
	status, _ := w.pupil.call(ctx, "POST", "/api/v1/homework/"+id+"/done", nil, nil)
	return write{kind: "tick", table: "homework_ticks", key: id + "|" + w.ids.pupil}, status == 200
}

func (w *world) note(ctx context.Context, n int) (write, bool) {
	var out struct{ ID string }
	status, _ := w.teacher.call(ctx, "POST", "/api/v1/liaison", map[string]any{"class_id": w.ids.class,
		"title": fmt.Sprintf("Mot %d", n), "signature": true}, &out)
	return write{kind: "note", table: "liaison_notes", key: out.ID}, status == 201 && out.ID != ""
}

func (w *world) ack(ctx context.Context, n int) (write, bool) {
	id := w.acked.pick(&w.acked.notes)
	if id == "" {
		return write{}, false
	}
	status, _ := w.parent.call(ctx, "POST", "/api/v1/liaison/"+id+"/ack", map[string]string{"pupil_id": w.ids.pupil}, nil)
	return write{kind: "ack", table: "liaison_acks", key: id + "|" + w.ids.pupil}, status == 200
}

// mail sends the parent a message, one in four with a file large enough
// to be kept in the blob store rather than in its row.
func (w *world) mail(ctx context.Context, n int) (write, bool) {
	size := 2 << 10
	if n%4 == 0 {
		size = 300 << 10
	}
	var out struct{ ID string }
	status, _ := w.teacher.call(ctx, "POST", "/api/v1/mail/messages", map[string]any{"to": []string{w.ids.parent},
		"subject": fmt.Sprintf("Message %d", n), "text": "Bonjour,\nà demain.",
		"attachments": []map[string]string{{"name": "piece.bin", "type": "application/octet-stream", "data": base64.StdEncoding.EncodeToString(random(size))}}}, &out)
	return write{kind: "mail", table: "mail_copies", key: out.ID}, status == 201 && out.ID != ""
}

func (w *world) thread(ctx context.Context, n int) (write, bool) {
	var out struct {
		ID     string
		PostID string `json:"post_id"`
	}
	status, _ := w.teacher.call(ctx, "POST", "/api/v1/forums/"+w.ids.forum+"/threads", map[string]any{"title": fmt.Sprintf("Sujet %d", n),
		"body": "Qui **vient** ?"}, &out)
	if status != 201 || out.ID == "" || out.PostID == "" {
		return write{}, false
	}
	w.acked.add(write{kind: "post", table: "forum_posts", key: out.PostID})
	return write{kind: "thread", table: "forum_threads", key: out.ID}, true
}

func (w *world) post(ctx context.Context, n int) (write, bool) {
	id := w.acked.pick(&w.acked.thread)
	if id == "" {
		return write{}, false
	}
	var out struct{ ID string }
	status, _ := w.pupil.call(ctx, "POST", "/api/v1/threads/"+id+"/posts", map[string]any{"body": fmt.Sprintf("Moi ! (%d)", n)}, &out)
	return write{kind: "post", table: "forum_posts", key: out.ID}, status == 201 && out.ID != ""
}

func (w *world) page(ctx context.Context, n int) (write, bool) {
	var out struct{ ID string }
	status, _ := w.teacher.call(ctx, "POST", "/api/v1/pages", map[string]any{"class_id": w.ids.class, "title": fmt.Sprintf("Page %d", n)}, &out)
	return write{kind: "page", table: "pages", key: out.ID}, status == 201 && out.ID != ""
}

// upload shares a document of random content, 1 to 256 KB.
func (w *world) upload(ctx context.Context, n int) (write, bool) {
	content := random(1<<10 + mrand.IntN(255<<10))
	var body bytes.Buffer
	form := multipart.NewWriter(&body)
	form.WriteField("class_id", w.ids.class)
	form.WriteField("folder", "")
	part, _ := form.CreateFormFile("file", fmt.Sprintf("fiche-%d.bin", n))
	part.Write(content)
	form.Close()
	var out struct {
		ID     string
		SHA256 string
	}
	status, _ := w.teacher.send(ctx, "POST", "/api/v1/documents", body.Bytes(), form.FormDataContentType(), &out)
	sum := sha256.Sum256(content)
	want := hex.EncodeToString(sum[:])
	if status == 201 && out.SHA256 != want {
		panic(fmt.Sprintf("upload %d acknowledged with sha256 %s, sent %s", n, out.SHA256, want))
	}
	return write{kind: "upload", table: "documents", key: out.ID, hash: want}, status == 201 && out.ID != ""
}

func random(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}
