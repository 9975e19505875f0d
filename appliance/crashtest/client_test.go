package crashtest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// httpClient bounds every call: a write cut by a kill fails fast.
var httpClient = &http.Client{Timeout: 20 * time.Second}

// cut counts the requests that got no complete answer because a kill
// struck while they were under way: their writes may or may not have
// happened. killing is set just before each kill, so that the requests
// that find the server gone are not counted.
var (
	cut     atomic.Int64
	killing atomic.Bool
)

// client is one person signed in on one server, by bearer token; a token
// the server no longer knows signs in again.
type client struct {
	base, login, password string
	mu                    sync.Mutex
	token                 string
}

func login(t *testing.T, base, user, pass string) *client {
	t.Helper()
	c := &client{base: base, login: user, password: pass}
	if err := c.signIn(context.Background()); err != nil {
		t.Fatalf("login %s on %s: %v", user, base, err)
	}
	return c
}

func (c *client) signIn(ctx context.Context) error {
	var out struct{ Token string }
	status, err := c.do(ctx, "POST", "/api/v1/session", "", jsonBody(map[string]string{"login": c.login, "password": c.password}), "application/json", &out)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return &statusError{status}
	}
	c.mu.Lock()
	c.token = out.Token
	c.mu.Unlock()
	return nil
}

type statusError struct{ status int }

func (e *statusError) Error() string { return http.StatusText(e.status) }

// call sends JSON and decodes the JSON answer into out. The status is 0
// with an error when no complete answer came back: the write may or may
// not have happened, and is not counted as acknowledged.
func (c *client) call(ctx context.Context, method, path string, in, out any) (int, error) {
	var body []byte
	if in != nil {
		body = jsonBody(in)
	}
	return c.send(ctx, method, path, body, "application/json", out)
}

// send is call for a body already encoded, signing in again once when the
// token is refused.
func (c *client) send(ctx context.Context, method, path string, body []byte, contentType string, out any) (int, error) {
	c.mu.Lock()
	token := c.token
	c.mu.Unlock()
	status, err := c.do(ctx, method, path, token, body, contentType, out)
	if status == http.StatusUnauthorized {
		if err := c.signIn(ctx); err != nil {
			return 0, err
		}
		c.mu.Lock()
		token = c.token
		c.mu.Unlock()
		status, err = c.do(ctx, method, path, token, body, contentType, out)
	}
	return status, err
}

func (c *client) do(ctx context.Context, method, path, token string, body []byte, contentType string, out any) (int, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	before := !killing.Load()
	resp, err := httpClient.Do(req)
	if err != nil {
		if before {
			cut.Add(1)
		}
		return 0, err
	}
	defer resp.Body.Close()
	// The whole answer must arrive: an answer cut by the kill is no
	// acknowledgement.
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		if before {
			cut.Add(1)
		}
		return 0, err
	}
	if raw, ok := out.(*[]byte); ok {
		*raw = data
	} else if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(data, out); err != nil {
			return 0, err
		}
	}
	return resp.StatusCode, nil
}

func jsonBody(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
