package pages

import (
	"errors"
	"sort"
	"unicode/utf8"
)

// What the server reads of a Yjs update (v1 encoding, Yjs 13) without
// decoding the document: which clock ranges of which clients its structs
// cover, and which ranges it deletes. Enough to know what a set of stored
// updates holds (its state vector) and whether a client already has an
// update, so that a step 1 is answered with what the client lacks and an
// editor's step 2 holding nothing new is not kept.

// span is a client's clock range [From, To).
type span struct{ From, To uint64 }

// updateInfo is what one update holds.
type updateInfo struct {
	Structs map[uint64][]span // by client: the ranges of its structs (skips left out)
	Deletes map[uint64][]span // by client: the ranges it deletes
}

var errYjs = errors.New("not a Yjs update")

// parseUpdate reads an update's structs and delete set.
func parseUpdate(b []byte) (updateInfo, error) {
	u := updateInfo{Structs: map[uint64][]span{}, Deletes: map[uint64][]span{}}
	r := &yreader{b: b}
	for n := r.uint(); n > 0 && r.err == nil; n-- {
		structs, client, clock := r.uint(), r.uint(), r.uint()
		for ; structs > 0 && r.err == nil; structs-- {
			info := r.byte()
			var length uint64
			switch info & 0x1f {
			case 0: // GC
				length = r.uint()
			case 10: // skip: a hole in a merged update
				clock += r.uint()
				continue
			default:
				length = r.item(info)
			}
			if length == 0 && r.err == nil {
				r.err = errYjs
			}
			u.Structs[client] = append(u.Structs[client], span{clock, clock + length})
			clock += length
		}
	}
	for n := r.uint(); n > 0 && r.err == nil; n-- {
		client := r.uint()
		for d := r.uint(); d > 0 && r.err == nil; d-- {
			clock := r.uint()
			u.Deletes[client] = append(u.Deletes[client], span{clock, clock + r.uint()})
		}
	}
	if r.err == nil && len(r.b) > 0 {
		r.err = errTrail
	}
	return u, r.err
}

// yreader reads lib0 encodings, remembering the first error.
type yreader struct {
	b   []byte
	err error
}

func (r *yreader) uint() uint64 {
	if r.err != nil {
		return 0
	}
	v, rest, err := readVarUint(r.b)
	r.b, r.err = rest, err
	return v
}

func (r *yreader) byte() byte {
	if r.err != nil || len(r.b) == 0 {
		r.err = errShort
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *yreader) bytes() []byte {
	if r.err != nil {
		return nil
	}
	v, rest, err := readVarBytes(r.b)
	r.b, r.err = rest, err
	return v
}

func (r *yreader) skip(n int) {
	if r.err == nil && len(r.b) < n {
		r.err = errShort
	}
	if r.err == nil {
		r.b = r.b[n:]
	}
}

// item reads an item's origins, parent and content; it returns the
// content's length in clock ticks.
func (r *yreader) item(info byte) uint64 {
	if info&0x80 != 0 { // left origin
		r.uint()
		r.uint()
	}
	if info&0x40 != 0 { // right origin
		r.uint()
		r.uint()
	}
	if info&0xc0 == 0 { // no origin to copy the parent from: the parent
		if r.uint() == 1 {
			r.bytes() // a root type's name
		} else {
			r.uint() // an item's id
			r.uint()
		}
		if info&0x20 != 0 {
			r.bytes() // the key in a map
		}
	}
	switch info & 0x1f {
	case 1: // deleted
		return r.uint()
	case 2: // JSON
		n := r.uint()
		for i := uint64(0); i < n && r.err == nil; i++ {
			r.bytes()
		}
		return n
	case 3, 5: // binary, embed
		r.bytes()
		return 1
	case 4: // string: its length in UTF-16 code units, as JavaScript counts
		s := r.bytes()
		if !utf8.Valid(s) {
			r.err = errUTF8
		}
		n := uint64(0)
		for _, c := range string(s) {
			n++
			if c > 0xffff {
				n++
			}
		}
		return n
	case 6: // format
		r.bytes()
		r.bytes()
		return 1
	case 7: // a type
		if ref := r.uint(); ref == 3 || ref == 5 { // XmlElement, XmlHook: a name
			r.bytes()
		}
		return 1
	case 8: // any
		n := r.uint()
		for i := uint64(0); i < n && r.err == nil; i++ {
			r.any(0)
		}
		return n
	case 9: // a subdocument
		r.bytes()
		r.any(0)
		return 1
	}
	r.err = errYjs
	return 0
}

// any skips one lib0 "any" value.
func (r *yreader) any(depth int) {
	if depth > 64 {
		r.err = errYjs
		return
	}
	switch t := r.byte(); t {
	case 127, 126, 121, 120: // undefined, null, false, true
	case 125: // varInt
		for r.err == nil && r.byte()&0x80 != 0 {
		}
	case 124:
		r.skip(4)
	case 123, 122:
		r.skip(8)
	case 119, 116: // string, bytes
		r.bytes()
	case 118: // object
		for n := r.uint(); n > 0 && r.err == nil; n-- {
			r.bytes()
			r.any(depth + 1)
		}
	case 117: // array
		for n := r.uint(); n > 0 && r.err == nil; n-- {
			r.any(depth + 1)
		}
	default:
		if r.err == nil {
			r.err = errYjs
		}
	}
}

// docState is what a set of updates holds, per client: the ranges of its
// structs and of its deletions, each merged.
type docState struct {
	structs, deletes map[uint64][]span
}

func newDocState() *docState {
	return &docState{structs: map[uint64][]span{}, deletes: map[uint64][]span{}}
}

func (d *docState) add(u updateInfo) {
	for c, ss := range u.Structs {
		d.structs[c] = union(d.structs[c], ss)
	}
	for c, ss := range u.Deletes {
		d.deletes[c] = union(d.deletes[c], ss)
	}
}

// union merges ranges, sorted, touching ones joined.
func union(a, b []span) []span {
	all := append(append([]span(nil), a...), b...)
	sort.Slice(all, func(i, j int) bool { return all[i].From < all[j].From })
	var out []span
	for _, s := range all {
		if n := len(out); n > 0 && s.From <= out[n-1].To {
			out[n-1].To = max(out[n-1].To, s.To)
			continue
		}
		out = append(out, s)
	}
	return out
}

// covered reports whether every range of ss lies in the merged ranges of.
func covered(of, ss []span) bool {
	for _, s := range ss {
		i := sort.Search(len(of), func(i int) bool { return of[i].To > s.From })
		if i == len(of) || of[i].From > s.From || of[i].To < s.To {
			return false
		}
	}
	return true
}

// stateVector encodes, per client, the clock up to which the state holds
// every struct from 0: Yjs's state vector (a count, then client and clock
// pairs).
func (d *docState) stateVector() []byte {
	var pairs [][2]uint64
	for c, ss := range d.structs {
		if len(ss) > 0 && ss[0].From == 0 {
			pairs = append(pairs, [2]uint64{c, ss[0].To})
		}
	}
	sort.Slice(pairs, func(i, j int) bool { return pairs[i][0] < pairs[j][0] })
	out := appendVarUint(nil, uint64(len(pairs)))
	for _, p := range pairs {
		out = appendVarUint(appendVarUint(out, p[0]), p[1])
	}
	return out
}

// holds reports whether the state already has all an update holds.
func (d *docState) holds(u updateInfo) bool {
	for c, ss := range u.Structs {
		if !covered(d.structs[c], ss) {
			return false
		}
	}
	for c, ss := range u.Deletes {
		if !covered(d.deletes[c], ss) {
			return false
		}
	}
	return true
}

// parseStateVector reads a client's state vector.
func parseStateVector(b []byte) (map[uint64]uint64, error) {
	r := &yreader{b: b}
	sv := map[uint64]uint64{}
	for n := r.uint(); n > 0 && r.err == nil; n-- {
		c := r.uint()
		sv[c] = r.uint()
	}
	if r.err == nil && len(r.b) > 0 {
		r.err = errTrail
	}
	return sv, r.err
}

// lacks reports whether a client whose state vector is sv lacks some of
// an update's structs. Deletions are not in a state vector: an update
// that deletes is always sent (Yjs's own diffUpdate sends the whole
// delete set too).
func lacks(sv map[uint64]uint64, u updateInfo) bool {
	if len(u.Deletes) > 0 {
		return true
	}
	for c, ss := range u.Structs {
		for _, s := range ss {
			if s.To > sv[c] {
				return true
			}
		}
	}
	return false
}
