package crashtest

import (
	"bufio"
	"context"
	"encoding/hex"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// The y-websocket messages the editor writer sends and waits for
// (appliance/pages/wire.go has the server's side).
const (
	msgSync    = 0
	syncStep1  = 0
	syncStep2  = 1
	syncUpdate = 2
)

// typing is two people's typing in one page, one Yjs update a key, as
// Yjs wrote them (bench/yjsmerge/testdata, made by
// assets/src/test/workload.mjs); every page the test creates is typed
// into from the start of it.
var typing = sync.OnceValue(func() [][]byte {
	f, err := os.Open("../../bench/yjsmerge/testdata/typing-2x500.hex")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	var out [][]byte
	for sc := bufio.NewScanner(f); sc.Scan(); {
		b, err := hex.DecodeString(sc.Text())
		if err != nil {
			panic(err)
		}
		out = append(out, b)
	}
	return out
})

// allKnown is a state vector claiming every struct of the typing's
// clients: the server's answer to it is a bare step 2 (or the updates
// that delete), whatever the page holds.
var allKnown = sync.OnceValue(func() []byte {
	clients := map[uint64]bool{}
	for _, u := range typing() {
		clients[clientOf(u)] = true
	}
	sv := appendVarUint(nil, uint64(len(clients)))
	for c := range clients {
		sv = appendVarUint(appendVarUint(sv, c), 1<<40)
	}
	return sv
})

// clientOf is the client id of a one-client update: its third varint,
// after the count of clients and the count of structs.
func clientOf(u []byte) uint64 {
	var v uint64
	for range 3 {
		v = 0
		for shift := 0; ; shift += 7 {
			b := u[0]
			u = u[1:]
			v |= uint64(b&0x7f) << shift
			if b < 0x80 {
				break
			}
		}
	}
	return v
}

func appendVarUint(dst []byte, v uint64) []byte {
	for v >= 0x80 {
		dst = append(dst, byte(v)|0x80)
		v >>= 7
	}
	return append(dst, byte(v))
}

func syncFrame(sub byte, payload []byte) []byte {
	return append(appendVarUint([]byte{msgSync, sub}, uint64(len(payload))), payload...)
}

// typed is how far each page has been typed into: the next update to
// send, taken by one writer at a time.
type typed struct {
	mu   sync.Mutex
	next map[string]int
}

func (ty *typed) take(page string) (int, bool) {
	ty.mu.Lock()
	defer ty.mu.Unlock()
	if ty.next == nil {
		ty.next = map[string]int{}
	}
	i := ty.next[page]
	if i >= len(typing()) {
		return 0, false
	}
	ty.next[page] = i + 1
	return i, true
}

// edit types into one of the class's pages through its websocket, as
// the editor does: a few Yjs updates, each followed by a sync step 1.
// The server handles a socket's frames in order and answers the step 1
// only once the update before it is stored, so its step 2 is the
// update's acknowledgement (y-websocket has none of its own).
func (w *world) edit(ctx context.Context, n int) (write, bool) {
	page := w.acked.pick(&w.acked.pages)
	if page == "" {
		return write{}, false
	}
	w.teacher.mu.Lock()
	token := w.teacher.token
	w.teacher.mu.Unlock()
	dialer := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
	ws, resp, err := dialer.DialContext(ctx, "ws"+strings.TrimPrefix(w.teacher.base, "http")+"/api/v1/pages/"+page+"/ws",
		http.Header{"Authorization": {"Bearer " + token}})
	if resp != nil && resp.StatusCode == http.StatusUnauthorized {
		w.teacher.signIn(ctx) // a token from before a restart: the next edit signs in again
	}
	if err != nil {
		return write{}, false
	}
	defer ws.Close()
	stop := context.AfterFunc(ctx, func() { ws.Close() })
	defer stop()
	var last write
	for range 1 + n%4 {
		i, ok := w.typed.take(page)
		if !ok {
			break
		}
		u := typing()[i]
		before := !killing.Load()
		if !sendAndConfirm(ws, u) {
			if before {
				cut.Add(1)
			}
			break
		}
		if last.kind != "" {
			w.acked.add(last)
		}
		last = write{kind: "edit", table: "page_updates", key: page + "|" + hex.EncodeToString(u)}
	}
	return last, last.kind != ""
}

// sendAndConfirm sends an update and a step 1, and reads until the step
// 2 that answers it; the socket closing first is no acknowledgement.
func sendAndConfirm(ws *websocket.Conn, update []byte) bool {
	ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if ws.WriteMessage(websocket.BinaryMessage, syncFrame(syncUpdate, update)) != nil ||
		ws.WriteMessage(websocket.BinaryMessage, syncFrame(syncStep1, allKnown())) != nil {
		return false
	}
	ws.SetReadDeadline(time.Now().Add(20 * time.Second))
	for {
		_, frame, err := ws.ReadMessage()
		if err != nil {
			return false
		}
		if len(frame) >= 2 && frame[0] == msgSync && frame[1] == syncStep2 {
			return true
		}
	}
}
