package pages

import (
	"errors"
	"unicode/utf8"
)

// The y-websocket wire protocol, as the official client (npm y-websocket,
// y-protocols, lib0's encoding) speaks it: one message per binary frame, a
// message type first, lengths and numbers as lib0 varints (7 bits a byte,
// least significant first, the high bit saying more follows).
const (
	msgSync           = 0 // then a sync message: a subtype and a byte string
	msgAwareness      = 1 // then a byte string holding an awareness update
	msgAuth           = 2 // then 0 (permission denied) and a reason
	msgQueryAwareness = 3 // nothing more: send me every awareness state
)

// Sync subtypes (y-protocols/sync).
const (
	syncStep1  = 0 // a state vector: what the sender has
	syncStep2  = 1 // an update: what the receiver lacked
	syncUpdate = 2 // an update: a change just made
)

// emptyStateVector is an encoded state vector naming no client: sent as
// the server's step 1, it asks the client for everything it holds, which
// is how edits made while its socket was down reach the server.
var emptyStateVector = []byte{0}

// emptyUpdate is the encoding of a Yjs update holding nothing (no structs,
// an empty delete set): what a client with an empty document answers to
// a step 1. Not worth a row.
var emptyUpdate = []byte{0, 0}

var (
	errShort  = errors.New("message cut short")
	errVarint = errors.New("number too large")
	errUTF8   = errors.New("string not UTF-8")
	errTrail  = errors.New("bytes after the message")
)

// readVarUint reads a lib0 varUint. JavaScript's numbers hold 53 bits; a
// longer one is no message of the official client's.
func readVarUint(b []byte) (uint64, []byte, error) {
	var v uint64
	for i, shift := 0, uint(0); i < len(b); i, shift = i+1, shift+7 {
		if shift > 49 {
			return 0, nil, errVarint
		}
		v |= uint64(b[i]&0x7f) << shift
		if b[i] < 0x80 {
			return v, b[i+1:], nil
		}
	}
	return 0, nil, errShort
}

// readVarBytes reads a lib0 varUint8Array: a length, then that many bytes.
// The result shares b's memory.
func readVarBytes(b []byte) ([]byte, []byte, error) {
	n, rest, err := readVarUint(b)
	if err != nil {
		return nil, nil, err
	}
	if n > uint64(len(rest)) {
		return nil, nil, errShort
	}
	return rest[:n], rest[n:], nil
}

// readVarString reads a lib0 varString: UTF-8 bytes with their length.
func readVarString(b []byte) (string, []byte, error) {
	s, rest, err := readVarBytes(b)
	if err != nil {
		return "", nil, err
	}
	if !utf8.Valid(s) {
		return "", nil, errUTF8
	}
	return string(s), rest, nil
}

func appendVarUint(dst []byte, v uint64) []byte {
	for v >= 0x80 {
		dst = append(dst, byte(v)|0x80)
		v >>= 7
	}
	return append(dst, byte(v))
}

func appendVarBytes(dst, b []byte) []byte {
	return append(appendVarUint(dst, uint64(len(b))), b...)
}

// message is one decoded frame.
type message struct {
	Type    uint64
	Sub     uint64 // a sync message's subtype
	Payload []byte // a sync message's state vector or update, an awareness update
}

// errUnknown marks a frame of a type this server does not speak: dropped,
// unlike a malformed one, which closes the connection.
var errUnknown = errors.New("unknown message type")

// parseMessage decodes a frame from a client.
func parseMessage(b []byte) (message, error) {
	var m message
	var err error
	if m.Type, b, err = readVarUint(b); err != nil {
		return m, err
	}
	switch m.Type {
	case msgSync:
		if m.Sub, b, err = readVarUint(b); err != nil {
			return m, err
		}
		if m.Sub > syncUpdate {
			return m, errUnknown
		}
		if m.Payload, b, err = readVarBytes(b); err != nil {
			return m, err
		}
	case msgAwareness:
		if m.Payload, b, err = readVarBytes(b); err != nil {
			return m, err
		}
	case msgQueryAwareness:
	case msgAuth:
		return m, nil // only a server sends it; whatever follows is ignored
	default:
		return m, errUnknown
	}
	if len(b) > 0 {
		return m, errTrail
	}
	return m, nil
}

// syncMessage encodes a sync message of the given subtype.
func syncMessage(sub uint64, payload []byte) []byte {
	out := make([]byte, 0, len(payload)+8)
	out = appendVarUint(out, msgSync)
	out = appendVarUint(out, sub)
	return appendVarBytes(out, payload)
}

// awarenessMessage wraps an encoded awareness update.
func awarenessMessage(update []byte) []byte {
	return appendVarBytes(appendVarUint(make([]byte, 0, len(update)+4), msgAwareness), update)
}

// permissionDenied is y-protocols/auth's message: the client logs the
// reason and keeps the connection.
func permissionDenied(reason string) []byte {
	out := appendVarUint(appendVarUint(nil, msgAuth), 0)
	return appendVarBytes(out, []byte(reason))
}

// awareness is one client's entry in an awareness update: its id (a Yjs
// document's clientID, not a user), a clock that only grows, and its state
// as JSON, "null" when the client is gone.
type awareness struct {
	Client uint64
	Clock  uint64
	State  string
}

// gone reports whether the entry removes its client.
func (a awareness) gone() bool { return a.State == "null" }

// maxAwarenessEntries bounds one update: a page has a few dozen editors.
const maxAwarenessEntries = 1000

// parseAwareness decodes an awareness update (y-protocols/awareness): a
// count, then per client its id, clock and JSON state.
func parseAwareness(b []byte) ([]awareness, error) {
	n, b, err := readVarUint(b)
	if err != nil {
		return nil, err
	}
	if n > maxAwarenessEntries {
		return nil, errVarint
	}
	out := make([]awareness, 0, n)
	for range n {
		var a awareness
		if a.Client, b, err = readVarUint(b); err != nil {
			return nil, err
		}
		if a.Clock, b, err = readVarUint(b); err != nil {
			return nil, err
		}
		if a.State, b, err = readVarString(b); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	if len(b) > 0 {
		return nil, errTrail
	}
	return out, nil
}

// encodeAwareness encodes entries as one awareness update.
func encodeAwareness(entries []awareness) []byte {
	out := appendVarUint(nil, uint64(len(entries)))
	for _, a := range entries {
		out = appendVarUint(out, a.Client)
		out = appendVarUint(out, a.Clock)
		out = appendVarBytes(out, []byte(a.State))
	}
	return out
}
