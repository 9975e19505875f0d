package store

import (
	"testing"
)

// Open is durable (synchronous FULL, 2) on the writer and the readers;
// Fast is NORMAL (1); anything else is refused.
func TestDurability(t *testing.T) {
	for _, c := range []struct {
		d    Durability
		want int
	}{{Durable, 2}, {Fast, 1}} {
		db, err := OpenWith(t.Context(), t.TempDir(), nil, c.d)
		if err != nil {
			t.Fatal(err)
		}
		var w, r int
		if err := db.w.QueryRowContext(t.Context(), "PRAGMA synchronous").Scan(&w); err != nil {
			t.Fatal(err)
		}
		if err := db.Reader().QueryRowContext(t.Context(), "PRAGMA synchronous").Scan(&r); err != nil {
			t.Fatal(err)
		}
		if w != c.want || r != c.want {
			t.Errorf("%s: synchronous %d on the writer, %d on a reader, want %d", c.d, w, r, c.want)
		}
		db.Close()
	}
	if _, err := OpenWith(t.Context(), t.TempDir(), nil, "off"); err == nil {
		t.Error("synchronous off was accepted")
	}
}
