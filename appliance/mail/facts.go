package mail

import (
	"sync"

	"github.com/emersion/go-imap/v2"
)

// What IMAP clients ask of a message to list it, its ENVELOPE and
// BODYSTRUCTURE, kept once parsed: a message never changes, and a list of
// fifty read each message whole from the store (with its files) to parse
// its header again. Dovecot keeps the same in its cache file.

// maxFacts bounds the messages kept, a kilobyte or so each: the lists the
// clients of a school look at.
const maxFacts = 4096

// facts is what is kept of one message.
type facts struct {
	envelope  *imap.Envelope
	structure imap.BodyStructure
}

// factCache is shared by every IMAP session of the node. What it gives is
// read-only: go-imap only writes it out.
type factCache struct {
	mu sync.Mutex
	m  map[string]facts
}

func (c *factCache) get(messageID string) facts {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[messageID]
}

// put keeps what is known of a message, over what was; when full, a
// quarter of the messages, drawn at random, make room.
func (c *factCache) put(messageID string, f facts) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[string]facts)
	}
	if _, ok := c.m[messageID]; !ok && len(c.m) >= maxFacts {
		n := 0
		for id := range c.m { // map order is random
			delete(c.m, id)
			if n++; n >= maxFacts/4 {
				break
			}
		}
	}
	old := c.m[messageID]
	if f.envelope == nil {
		f.envelope = old.envelope
	}
	if f.structure == nil {
		f.structure = old.structure
	}
	c.m[messageID] = f
}
