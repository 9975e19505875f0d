package web

import (
	"context"
	"net/http"
	"sync"
)

// A page's parts often need the same rows: a tile's badge counts what its
// panel lists. Once computes such a value once per request.

type memoKey struct{}

// memo is what one request computed, by key.
type memo struct {
	mu     sync.Mutex
	values map[any]memoValue
}

type memoValue struct {
	v   any
	err error
}

// withMemo gives the request a memo for Once.
func withMemo(r *http.Request) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), memoKey{}, &memo{values: map[any]memoValue{}}))
}

// Once returns f's value for key, computing it once per request: the key
// names the value with a type of the caller's package, so that two
// features never share one by chance.
func Once[T any](r *http.Request, key any, f func() (T, error)) (T, error) {
	m, ok := r.Context().Value(memoKey{}).(*memo)
	if !ok {
		return f()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if got, ok := m.values[key]; ok {
		v, _ := got.v.(T)
		return v, got.err
	}
	v, err := f()
	m.values[key] = memoValue{v, err}
	return v, err
}
