package mail

import (
	"fmt"
	"testing"

	"github.com/emersion/go-imap/v2"
)

// The envelopes kept stay within their bound, and what is learnt of a
// message later adds to what was kept.
func TestFactCache(t *testing.T) {
	var c factCache
	for i := range maxFacts + 100 {
		c.put(fmt.Sprint(i), facts{envelope: &imap.Envelope{Subject: fmt.Sprint(i)}})
	}
	if len(c.m) > maxFacts {
		t.Errorf("%d messages kept, bound %d", len(c.m), maxFacts)
	}
	id := fmt.Sprint(maxFacts + 99)
	c.put(id, facts{structure: &imap.BodyStructureSinglePart{Type: "text", Subtype: "plain"}})
	if f := c.get(id); f.envelope == nil || f.envelope.Subject != id || f.structure == nil {
		t.Errorf("after the structure, kept %+v", f)
	}
}
