package cli

import (
	"os"
	"runtime/debug"
)

// tuneGC sets the garbage collector of a serving appliance, unless the
// GOGC or GOMEMLIMIT environment variables choose otherwise.
//
// The appliance's live heap is a few MB, so Go's default (collect when the
// heap has doubled) collected every 2 MB allocated, about every 50 page
// views, and that cost a quarter of a dashboard request's CPU time.
// Collecting at five times the live heap does it a fifth as often, for a
// few MB more. During a login burst the live heap is mostly argon2id
// buffers, 19 MiB per hash in flight; the memory limit keeps the heap from
// growing to five times those too.
func tuneGC(hashConcurrency int) {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(gcMemoryLimit(hashConcurrency))
	}
}

// gcMemoryLimit is 64 MiB for the appliance itself plus 32 MiB per
// concurrent hash: room for each 19 MiB buffer and the garbage of the one
// before, so that a burst collects every few hashes instead of constantly.
func gcMemoryLimit(hashConcurrency int) int64 {
	return (64 + 32*int64(max(1, hashConcurrency))) << 20
}
