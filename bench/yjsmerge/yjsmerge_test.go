// Package yjsmerge weighs two ways for the Go server to keep a page's Yjs
// updates (docs/performance.md, « Pages: goja or replay »): running Yjs's
// own mergeUpdates, diffUpdate and encodeStateVectorFromUpdate inside goja,
// against replaying the stored updates as they are and letting an editing
// client compact them. It is a module of its own so that goja, which the
// product does not use, stays out of Préau's go.mod.
//
// testdata/typing-2x500.hex is two editors typing 500 keys each, one
// update a key (assets/src/test/workload.mjs); testdata/yjs-goja.js is
// Yjs's update functions bundled for goja (assets/src/test/yjs-goja.js).
package yjsmerge

import (
	"bufio"
	"encoding/hex"
	"os"
	"testing"

	"github.com/dop251/goja"
)

func load(t testing.TB) [][]byte {
	f, err := os.Open("testdata/typing-2x500.hex")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][]byte
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		b, err := hex.DecodeString(sc.Text())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// yjs is a goja runtime holding Yjs's update functions.
type yjs struct {
	vm              *goja.Runtime
	merge, diff, sv goja.Callable
	uint8Array      goja.Value
}

func newYjs(t testing.TB) *yjs {
	src, err := os.ReadFile("testdata/yjs-goja.js")
	if err != nil {
		t.Fatal(err)
	}
	vm := goja.New()
	// lib0 draws its random ids from Web Crypto, which goja lacks; merging
	// and diffing never use them.
	if _, err := vm.RunString(`globalThis.crypto = { getRandomValues: (a) => { for (let i = 0; i < a.length; i++) a[i] = Math.floor(Math.random() * 256); return a } }`); err != nil {
		t.Fatal(err)
	}
	if _, err := vm.RunScript("yjs-goja.js", string(src)); err != nil {
		t.Fatal(err)
	}
	y := vm.Get("Y").ToObject(vm)
	fn := func(name string) goja.Callable {
		f, ok := goja.AssertFunction(y.Get(name))
		if !ok {
			t.Fatalf("no Y.%s", name)
		}
		return f
	}
	return &yjs{vm: vm, merge: fn("mergeUpdates"), diff: fn("diffUpdate"), sv: fn("encodeStateVectorFromUpdate"), uint8Array: vm.Get("Uint8Array")}
}

// bytes makes a JavaScript Uint8Array of b.
func (y *yjs) bytes(b []byte) goja.Value {
	buf := y.vm.NewArrayBuffer(append([]byte(nil), b...))
	v, err := y.vm.New(y.uint8Array, y.vm.ToValue(buf))
	if err != nil {
		panic(err)
	}
	return v
}

// goBytes reads a Uint8Array back.
func (y *yjs) goBytes(v goja.Value) []byte {
	o := v.ToObject(y.vm)
	buf := o.Get("buffer").Export().(goja.ArrayBuffer)
	off, n := o.Get("byteOffset").ToInteger(), o.Get("length").ToInteger()
	return append([]byte(nil), buf.Bytes()[off:off+n]...)
}

func (y *yjs) mergeAll(ups [][]byte) []byte {
	arr := make([]any, len(ups))
	for i, u := range ups {
		arr[i] = y.bytes(u)
	}
	v, err := y.merge(goja.Undefined(), y.vm.NewArray(arr...))
	if err != nil {
		panic(err)
	}
	return y.goBytes(v)
}

func TestGojaMergesLikeNode(t *testing.T) {
	ups := load(t)
	y := newYjs(t)
	merged := y.mergeAll(ups)
	sv, err := y.sv(goja.Undefined(), y.bytes(merged))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d updates, %d bytes → merged %d bytes, state vector %d bytes", len(ups), total(ups), len(merged), len(y.goBytes(sv)))
}

func total(ups [][]byte) int {
	n := 0
	for _, u := range ups {
		n += len(u)
	}
	return n
}

// BenchmarkGojaLoad: starting a runtime with Yjs's functions (once per
// process, or per page if runtimes are not shared across goroutines).
func BenchmarkGojaLoad(b *testing.B) {
	for b.Loop() {
		newYjs(b)
	}
}

// BenchmarkGojaMerge: mergeUpdates of the 1,000 typing updates in goja.
func BenchmarkGojaMerge(b *testing.B) {
	ups, y := load(b), newYjs(b)
	for b.Loop() {
		y.mergeAll(ups)
	}
}

// BenchmarkGojaDiff: answering a step 1 from the merged document:
// diffUpdate against a client that has the first half.
func BenchmarkGojaDiff(b *testing.B) {
	ups, y := load(b), newYjs(b)
	merged := y.bytes(y.mergeAll(ups))
	half, _ := y.sv(goja.Undefined(), y.bytes(y.mergeAll(ups[:len(ups)/2])))
	for b.Loop() {
		v, err := y.diff(goja.Undefined(), merged, half)
		if err != nil {
			b.Fatal(err)
		}
		y.goBytes(v)
	}
}

// BenchmarkReplay: what the Go server does instead to answer a step 1:
// one frame per stored update (varint type, subtype, length, bytes).
func BenchmarkReplay(b *testing.B) {
	ups := load(b)
	b.SetBytes(int64(total(ups)))
	for b.Loop() {
		for _, u := range ups {
			f := make([]byte, 0, len(u)+8)
			f = append(f, 0, 2)
			n := uint64(len(u))
			for n >= 0x80 {
				f = append(f, byte(n)|0x80)
				n >>= 7
			}
			f = append(append(f, byte(n)), u...)
			_ = f
		}
	}
}
