package pages

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// The live side of a page: the rooms where its editors' sockets meet. The
// server never decodes a Yjs document (DESIGN.md, « Real-time
// collaboration »): it keeps every update as a row, replays the rows to
// whoever joins, relays new updates and awareness, and drops the updates
// of readers.

// docStore is what a room needs of the page's rows.
type docStore interface {
	// updates lists a page's stored updates, in the order they were kept.
	updates(ctx context.Context, pageID string) ([][]byte, error)
	// appendUpdate keeps one update by an editor.
	appendUpdate(ctx context.Context, pageID string, p peer, data []byte) error
}

// peer is who holds a socket: the page's rights, not the whole account.
type peer struct {
	UserID   string
	CanWrite bool
}

// Limits of one socket.
const (
	// maxUpdateSize is the largest update frame kept when the
	// configuration says nothing (collab.max_update_size); a larger one
	// closes the socket (a paste of a whole book is refused, not stored).
	maxUpdateSize = 1 << 20
	// maxPending bytes may wait for a slow socket; past that it is closed
	// (its client reconnects and catches up) rather than slowing the room.
	maxPending = 8 << 20
	// floodFrames a second is more than any typing makes; past it the
	// socket is closed.
	floodFrames = 200
	pingEvery   = 20 * time.Second
	// watchEvery: a page being edited looks this often for updates that
	// sync brought from the other side (central, or a school), and sends
	// them to its editors.
	watchEvery = 5 * time.Second
	writeWait  = 10 * time.Second
	readWait   = 60 * time.Second
)

// collab holds the rooms of the pages being edited on this node.
type collab struct {
	store     docStore
	log       *slog.Logger
	maxUpdate int64         // collab.max_update_size
	watch     time.Duration // how often a live room looks for rows sync brought

	mu    sync.Mutex
	rooms map[string]*room
}

func newCollab(s docStore, log *slog.Logger) *collab {
	return &collab{store: s, log: log, maxUpdate: maxUpdateSize, watch: watchEvery, rooms: map[string]*room{}}
}

// room is one page's sockets and the awareness states their clients set.
type room struct {
	id    string
	conns map[*conn]struct{}
	aware map[uint64]awareState
	// state is what the stored updates hold, read again when a socket
	// joins (sync may have brought rows) and kept up as updates come.
	state *docState
}

type awareState struct {
	awareness
	owner *conn
}

// conn is one socket in a room.
type conn struct {
	ws   *websocket.Conn
	peer peer
	// pending frames wait for the socket's writer, which wake wakes: an
	// idle socket holds no queue.
	pending      [][]byte
	pendingBytes int
	flushing     bool        // a goroutine is writing the queue
	pinger       *time.Timer // pings the socket now and then
	// clients are the awareness client ids this socket set: removed for
	// everyone when it closes.
	clients map[uint64]struct{}
	closed  bool
	denied  bool // told once that its writes are refused
	// inbox holds the frames read and not yet handled; a handler
	// goroutine runs only while it is not empty (handling), so that the
	// reader, which lives as long as the socket, never grows the deep
	// stack handling takes (SQLite, the replay): an idle socket costs
	// its reader's small stack. drained wakes a reader waiting for the
	// inbox to empty. reason is why the handler shut the socket.
	inbox    []message
	handling bool
	drained  *sync.Cond
	reason   error
}

// queue hands a frame to the socket's writer; a socket too slow to keep up
// is dropped. Called with c.mu held.
func (c *collab) queue(k *conn, frame []byte) {
	if k.closed {
		return
	}
	if k.pendingBytes+len(frame) > maxPending {
		c.log.Warn("pages: socket too slow, closed", "user", k.peer.UserID)
		c.shut(k)
		return
	}
	k.pending, k.pendingBytes = append(k.pending, frame), k.pendingBytes+len(frame)
	c.signal(k)
}

// shut tells the socket's writer to close it once the queue is sent.
// Called with c.mu held.
func (c *collab) shut(k *conn) {
	k.closed = true
	c.signal(k)
}

// signal starts a writer when none runs: an idle socket has none, only
// its reader. Called with c.mu held.
func (c *collab) signal(k *conn) {
	if !k.flushing {
		k.flushing = true
		go c.flush(k)
	}
}

// broadcast queues a frame on every socket of the room but skip.
func (c *collab) broadcast(r *room, frame []byte, skip *conn) {
	for k := range r.conns {
		if k != skip {
			c.queue(k, frame)
		}
	}
}

// serve joins a socket to its page's room, then hands it to a new
// goroutine that keeps it until it closes: the caller (the HTTP handler,
// whose stack and request die when it returns) has checked that p may
// read the page.
func (c *collab) serve(ws *websocket.Conn, pageID string, p peer) {
	k := &conn{ws: ws, peer: p, clients: map[uint64]struct{}{}, drained: sync.NewCond(&c.mu)}
	state, _, _, err := c.load(pageID)
	if err != nil {
		c.log.Error("pages: updates unreadable", "page", pageID, "err", err)
		ws.Close()
		return
	}
	c.mu.Lock()
	r := c.rooms[pageID]
	if r == nil {
		r = &room{id: pageID, conns: map[*conn]struct{}{}, aware: map[uint64]awareState{}}
		c.rooms[pageID] = r
		go c.watchRoom(r)
	}
	r.state = state
	r.conns[k] = struct{}{}
	k.pinger = time.AfterFunc(pingEvery, func() { c.ping(k) })
	if p.CanWrite {
		// Ask for what the client holds beyond the stored updates: its
		// edits made offline come back in its step 2.
		c.queue(k, syncMessage(syncStep1, state.stateVector()))
	}
	if len(r.aware) > 0 {
		states := make([]awareness, 0, len(r.aware))
		for _, a := range r.aware {
			states = append(states, a.awareness)
		}
		c.queue(k, awarenessMessage(encodeAwareness(states)))
	}
	c.mu.Unlock()
	go c.keep(r, k)
}

// keep reads the socket until it closes, then leaves the room.
func (c *collab) keep(r *room, k *conn) {
	reason := c.read(r, k)
	c.leave(r, k)
	if reason != nil {
		c.log.Info("pages: socket closed", "page", r.id, "user", k.peer.UserID, "reason", reason)
	}
}

// watchRoom sends a live room's editors the updates that arrived by sync
// (rows no socket of this node wrote), until the room empties.
func (c *collab) watchRoom(r *room) {
	t := time.NewTicker(c.watch)
	defer t.Stop()
	for range t.C {
		c.mu.Lock()
		live := c.rooms[r.id] == r
		c.mu.Unlock()
		if !live {
			return
		}
		_, ups, infos, err := c.load(r.id)
		if err != nil {
			c.log.Warn("pages: updates unreadable", "page", r.id, "err", err)
			continue
		}
		c.mu.Lock()
		for i, u := range ups {
			if infos[i] != nil && r.state != nil && !r.state.holds(*infos[i]) {
				r.state.add(*infos[i])
				c.broadcast(r, syncMessage(syncUpdate, u), nil)
			}
		}
		c.mu.Unlock()
	}
}

// flush writes the queued frames until none is left; once the socket is
// shut, it says goodbye and closes it, which ends its reader too.
func (c *collab) flush(k *conn) {
	for {
		c.mu.Lock()
		frames, closed := k.pending, k.closed
		k.pending, k.pendingBytes = nil, 0
		if len(frames) == 0 {
			k.flushing = false
			c.mu.Unlock()
			if closed {
				k.pinger.Stop()
				k.ws.WriteControl(websocket.CloseMessage, nil, time.Now().Add(writeWait))
				k.ws.Close()
			}
			return
		}
		c.mu.Unlock()
		for _, f := range frames {
			k.ws.SetWriteDeadline(time.Now().Add(writeWait))
			if k.ws.WriteMessage(websocket.BinaryMessage, f) != nil {
				k.ws.Close() // the reader ends, and leave shuts the socket
				c.mu.Lock()
				k.pending, k.pendingBytes, k.flushing = nil, 0, false
				c.mu.Unlock()
				return
			}
		}
	}
}

// ping keeps proxies from closing a quiet socket and finds dead ones.
func (c *collab) ping(k *conn) {
	if k.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)) != nil {
		k.ws.Close()
		return
	}
	k.pinger.Reset(pingEvery)
}

// errClosing is a frame that ends the connection, with the reason logged.
type errClosing struct{ reason string }

func (e errClosing) Error() string { return e.reason }

// read handles the client's frames until the socket fails or misbehaves;
// it returns why it stopped when that is worth a log line.
func (c *collab) read(r *room, k *conn) error {
	k.ws.SetReadLimit(c.maxUpdate + 64)
	k.ws.SetReadDeadline(time.Now().Add(readWait))
	k.ws.SetPongHandler(func(string) error { return k.ws.SetReadDeadline(time.Now().Add(readWait)) })
	window, frames := time.Now(), 0
	for {
		kind, data, err := k.ws.ReadMessage()
		if err != nil {
			reason := c.handled(k)
			if reason == nil && errors.Is(err, websocket.ErrReadLimit) {
				reason = errClosing{"frame larger than the largest update"}
			}
			return reason // nil: gone, cleanly or not
		}
		k.ws.SetReadDeadline(time.Now().Add(readWait))
		if time.Since(window) > time.Second {
			window, frames = time.Now(), 0
		}
		if frames++; frames > floodFrames {
			return errClosing{"too many frames a second"}
		}
		if kind != websocket.BinaryMessage {
			return errClosing{"text frame"}
		}
		m, err := parseMessage(data)
		if errors.Is(err, errUnknown) {
			c.log.Info("pages: unknown message dropped", "page", r.id, "user", k.peer.UserID)
			continue
		}
		if err != nil {
			c.handled(k)
			return errClosing{"malformed frame: " + err.Error()}
		}
		c.hand(r, k, m)
	}
}

// maxInbox frames may wait for the handler; the reader then waits too,
// and so does the client's TCP window.
const maxInbox = 64

// hand gives a frame to the socket's handler, starting one when none runs.
func (c *collab) hand(r *room, k *conn, m message) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(k.inbox) >= maxInbox && k.reason == nil {
		k.drained.Wait()
	}
	if k.reason != nil {
		return // the socket is closing: its reader is about to learn it
	}
	k.inbox = append(k.inbox, m)
	if !k.handling {
		k.handling = true
		go c.handleAll(r, k)
	}
}

// handleAll handles the inbox's frames in order until it is empty; a
// frame that ends the connection closes the socket, which ends its reader.
func (c *collab) handleAll(r *room, k *conn) {
	for {
		c.mu.Lock()
		batch := k.inbox
		k.inbox = nil
		if len(batch) == 0 || k.reason != nil {
			k.inbox, k.handling = nil, false
			k.drained.Broadcast()
			c.mu.Unlock()
			return
		}
		k.drained.Broadcast()
		c.mu.Unlock()
		for _, m := range batch {
			if err := c.handle(r, k, m); err != nil {
				c.mu.Lock()
				k.reason = err
				c.mu.Unlock()
				k.ws.Close()
				break
			}
		}
	}
}

// handled waits for the socket's handler to finish, so that the room is
// left after the last frame was handled (an awareness state set after
// leaving would stay in the room), and returns why it shut the socket.
func (c *collab) handled(k *conn) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k.handling {
		k.drained.Wait()
	}
	return k.reason
}

func (c *collab) handle(r *room, k *conn, m message) error {
	switch m.Type {
	case msgSync:
		switch m.Sub {
		case syncStep1:
			return c.answerStep1(r, k, m)
		case syncStep2, syncUpdate:
			return c.update(r, k, m)
		}
	case msgAwareness:
		return c.awareness(r, k, m.Payload)
	case msgQueryAwareness:
		c.mu.Lock()
		states := make([]awareness, 0, len(r.aware))
		for _, a := range r.aware {
			states = append(states, a.awareness)
		}
		c.queue(k, awarenessMessage(encodeAwareness(states)))
		c.mu.Unlock()
	}
	return nil
}

// load reads a page's stored updates and what they hold; infos[i] is nil
// for an update the server cannot read, which is always sent.
func (c *collab) load(pageID string) (*docState, [][]byte, []*updateInfo, error) {
	ups, err := c.store.updates(context.Background(), pageID)
	if err != nil {
		return nil, nil, nil, err
	}
	state, infos := newDocState(), make([]*updateInfo, len(ups))
	for i, u := range ups {
		if info, err := parseUpdate(u); err == nil {
			state.add(info)
			infos[i] = &info
		}
	}
	return state, ups, infos, nil
}

// answerStep1 replays the stored updates the client lacks (by its state
// vector; every update that deletes, as Yjs's own diff does): Yjs applies
// updates in any order and any number of times. The last goes as a step
// 2, which tells the client it is in sync.
func (c *collab) answerStep1(r *room, k *conn, m message) error {
	sv, svErr := parseStateVector(m.Payload)
	_, ups, infos, err := c.load(r.id)
	if err != nil {
		return err
	}
	var send [][]byte
	for i, u := range ups {
		if svErr != nil || infos[i] == nil || lacks(sv, *infos[i]) {
			send = append(send, u)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, u := range send {
		if i < len(send)-1 {
			c.queue(k, syncMessage(syncUpdate, u))
		}
	}
	last := emptyUpdate
	if len(send) > 0 {
		last = send[len(send)-1]
	}
	c.queue(k, syncMessage(syncStep2, last))
	return nil
}

// update keeps an editor's update and relays it; a reader's is dropped.
func (c *collab) update(r *room, k *conn, m message) error {
	if !k.peer.CanWrite {
		c.mu.Lock()
		if !k.denied {
			k.denied = true
			c.queue(k, permissionDenied("read-only"))
			c.log.Info("pages: update from a reader dropped", "page", r.id, "user", k.peer.UserID)
		}
		c.mu.Unlock()
		return nil
	}
	if len(m.Payload) == 0 || string(m.Payload) == string(emptyUpdate) {
		return nil
	}
	info, parseErr := parseUpdate(m.Payload)
	if parseErr != nil {
		// Kept as it came: the server's reading of Yjs is not the judge
		// of what Yjs accepts.
		c.log.Warn("pages: update not understood, kept as is", "page", r.id, "user", k.peer.UserID, "err", parseErr)
	} else {
		c.mu.Lock()
		held := r.state != nil && r.state.holds(info)
		c.mu.Unlock()
		if held {
			return nil // the answer to our step 1 of a client that had nothing new
		}
	}
	// Relayed before it is kept: the other editors need not wait for the
	// disk, and an update the server failed to keep is not lost, since
	// its sender (and now every editor) holds it and sends it back in its
	// step 2 when it reconnects — the socket closes on that failure, and
	// the room's state is only told of updates kept.
	c.mu.Lock()
	c.broadcast(r, syncMessage(syncUpdate, m.Payload), k)
	c.mu.Unlock()
	if err := c.store.appendUpdate(context.Background(), r.id, k.peer, m.Payload); err != nil {
		return err
	}
	if parseErr == nil {
		c.mu.Lock()
		if r.state != nil {
			r.state.add(info)
		}
		c.mu.Unlock()
	}
	return nil
}

// awareness keeps the states a client sets and relays them to everyone,
// the sender too: the official client closes a socket that hears nothing
// for 30 s, and its own states, renewed every 15 s, are what it hears on
// a quiet page.
func (c *collab) awareness(r *room, k *conn, payload []byte) error {
	entries, err := parseAwareness(payload)
	if err != nil {
		return errClosing{"malformed awareness: " + err.Error()}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	kept := entries[:0]
	for _, a := range entries {
		old, known := r.aware[a.Client]
		if known && old.owner != k {
			continue // another socket's client: not this one's to change
		}
		kept = append(kept, a)
		if a.gone() {
			delete(r.aware, a.Client)
			delete(k.clients, a.Client)
			continue
		}
		r.aware[a.Client] = awareState{awareness: a, owner: k}
		k.clients[a.Client] = struct{}{}
	}
	if len(kept) == len(entries) {
		c.broadcast(r, awarenessMessage(payload), nil)
	} else if len(kept) > 0 {
		c.broadcast(r, awarenessMessage(encodeAwareness(kept)), nil)
	}
	return nil
}

// leave takes a closed socket out of its room and tells the others that
// its clients are gone, as their clients would after 30 s of silence.
func (c *collab) leave(r *room, k *conn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(r.conns, k)
	var gone []awareness
	for id := range k.clients {
		if a, ok := r.aware[id]; ok && a.owner == k {
			gone = append(gone, awareness{Client: id, Clock: a.Clock + 1, State: "null"})
			delete(r.aware, id)
		}
	}
	if len(gone) > 0 {
		c.broadcast(r, awarenessMessage(encodeAwareness(gone)), k)
	}
	c.shut(k)
	if len(r.conns) == 0 {
		delete(c.rooms, r.id)
	}
}
