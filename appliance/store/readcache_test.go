package store

import "testing"

// A value read before a write committed is not cached after it.
func TestReadCacheDropsReadsThatRacedAWrite(t *testing.T) {
	var c ReadCache
	gen := c.Generation()
	c.invalidate() // a write commits while the value is being read
	c.Put("k", gen, "ancien")
	if _, ok := c.Get("k"); ok {
		t.Fatal("a value read before a write was cached")
	}
	c.Put("k", c.Generation(), "nouveau")
	if v, ok := c.Get("k"); !ok || v != "nouveau" {
		t.Fatalf("get = %v, %v", v, ok)
	}
}
