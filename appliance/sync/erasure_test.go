package sync_test

import (
	"net/http"
	"testing"

	"preau/appliance/feature"
	"preau/appliance/requests"
)

// An erasure empties the name a request's comment copies (requests'
// erase.go): central accepts that one change of a comment it holds from
// the school, and still refuses any other name written there.
func TestRequestCommentNameEmptiedByErasure(t *testing.T) {
	c := newCity(t)
	ctx := t.Context()
	atSchool := requests.NewService(c.school.DB, c.school.Register, func() feature.Outbox { return c.school.Sync.Client })
	items, err := atSchool.Catalogue(ctx, requests.Supplies)
	if err != nil || len(items) == 0 {
		t.Fatalf("no supplies catalogue at school: %v", err)
	}
	r, err := atSchool.File(ctx, c.dirA, requests.Draft{Kind: requests.Supplies, Title: "Encre",
		Fields: requests.Fields{Items: []requests.Line{{Item: items[0].ID, Quantity: 1}}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := atSchool.Comment(ctx, c.dirA, r.ID, "Pour la classe de CE1", nil); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, c.school)
	var eventID string
	if err := c.school.DB.Reader().QueryRowContext(ctx, "SELECT id FROM request_events WHERE request_id = ? AND author_name = 'Dir A' LIMIT 1", r.ID).
		Scan(&eventID); err != nil {
		t.Fatalf("the director's comment: %v", err)
	}
	row, err := c.school.DB.ReadRow(ctx, c.school.DB.Reader(), "request_events", eventID)
	if err != nil {
		t.Fatal(err)
	}
	if status, body := c.push(t, c.forge(row, map[string]any{"author_name": "Quelqu'un d'autre"})); status != http.StatusForbidden {
		t.Errorf("a comment renamed: %d %s, want 403", status, body)
	}
	if status, body := c.push(t, c.forge(row, map[string]any{"author_name": ""})); status != http.StatusOK {
		t.Fatalf("a comment's name emptied by an erasure: %d %s, want 200", status, body)
	}
	var name string
	if err := c.central.DB.Reader().QueryRowContext(ctx, "SELECT author_name FROM request_events WHERE id = ?", eventID).Scan(&name); err != nil || name != "" {
		t.Errorf("central's comment still names %q (%v)", name, err)
	}
}
