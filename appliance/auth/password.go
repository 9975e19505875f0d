package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters: OWASP's minimum (19 MiB, 2 passes, 1 lane). Never
// lower them to serve a login burst faster; Hasher bounds concurrency instead.
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// Hasher hashes and verifies secrets with argon2id, running at most n at
// once: each hash holds 19 MiB, so an unbounded burst of logins would exhaust
// a small appliance's memory, and more hashes than cores would not go faster.
type Hasher struct {
	slots chan struct{}
	idle  *time.Timer // gives the hashes' memory back once hashing stops
}

// idleRelease is how long after the last hash its memory goes back to the
// system. The 19 MiB blocks stay resident until a garbage collection, which
// an appliance that has gone quiet after a few logins may not run for
// minutes: idle RSS was 62 MB with them and 23 MB without.
const idleRelease = time.Second

// NewHasher allows n hashes at once.
func NewHasher(n int) *Hasher {
	if n < 1 {
		n = 1
	}
	h := &Hasher{slots: make(chan struct{}, n), idle: time.AfterFunc(time.Hour, debug.FreeOSMemory)}
	h.idle.Stop()
	return h
}

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Hasher) release() {
	<-h.slots
	h.idle.Reset(idleRelease) // during a burst, fires once after the last hash
}

// Hash returns the PHC string of secret.
func (h *Hasher) Hash(ctx context.Context, secret string) (string, error) {
	salt := make([]byte, argonSaltLen)
	rand.Read(salt)
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(secret), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	h.release()
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// Verify reports whether secret matches the PHC string encoded. An empty
// encoded hash never matches, but still costs one hash so that timing does
// not tell whether an account exists.
func (h *Hasher) Verify(ctx context.Context, encoded, secret string) (bool, error) {
	p, err := parsePHC(encoded)
	if encoded == "" || err != nil {
		p = phc{memory: argonMemory, time: argonTime, threads: argonThreads, salt: make([]byte, argonSaltLen), key: make([]byte, argonKeyLen)}
	}
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	key := argon2.IDKey([]byte(secret), p.salt, p.time, p.memory, p.threads, uint32(len(p.key)))
	h.release()
	if encoded == "" || err != nil {
		return false, nil
	}
	return subtle.ConstantTimeCompare(key, p.key) == 1, nil
}

type phc struct {
	memory, time uint32
	threads      uint8
	salt, key    []byte
}

func parsePHC(s string) (phc, error) {
	var p phc
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return p, errors.New("not an argon2id hash")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, errors.New("unsupported argon2 version")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.memory, &p.time, &p.threads); err != nil {
		return p, fmt.Errorf("argon2 parameters: %w", err)
	}
	var err error
	if p.salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil {
		return p, err
	}
	if p.key, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil {
		return p, err
	}
	if p.memory < argonMemory || p.time < argonTime || len(p.key) == 0 {
		return p, errors.New("argon2 parameters below the minimum")
	}
	return p, nil
}

// MinPasswordLength is the shortest password an adult may choose.
const MinPasswordLength = 8

// GeneratePassword makes a first-login password that is easy to read aloud
// and type: no 0/O or 1/l/I.
func GeneratePassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
	b := make([]byte, 10)
	rand.Read(b)
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = alphabet[int(c)%len(alphabet)]
	}
	return string(out[:5]) + "-" + string(out[5:])
}
