package feature

import (
	"context"
	"time"

	"preau/appliance/auth"
)

// Class pages held by another feature: a pupils' mini-site is made of
// pages that the class pages' editor, websocket, history and sanitized
// rendering serve as they serve the class wiki, with the rights the
// holding feature gives. The class pages set Env.Pages when they register;
// the holder sets Env.PageOwner when it registers: read both when a
// request comes.

// PageOwner decides who reads and writes the pages it holds.
type PageOwner interface {
	// PageRights says what u may do with the pages of owner ownerID that
	// belong to class classID: none when the owner holds no such pages.
	PageRights(ctx context.Context, u auth.User, ownerID, classID string) (read, write bool, err error)
	// OwnerPath is where a reader of one of its pages goes back to.
	OwnerPath(ownerID string) string
}

// OwnedPages is the class pages as a holder keeps its pages there.
type OwnedPages interface {
	// CreateOwned adds an empty page of owner ownerID in a class, by
	// author; the holder has checked that the author may.
	CreateOwned(ctx context.Context, ownerID, classID, authorID, title string) (string, error)
	// RenameOwned and RemoveOwned change one of the owner's pages.
	RenameOwned(ctx context.Context, ownerID, pageID, title string) error
	RemoveOwned(ctx context.Context, ownerID, pageID string) error
	// SaveOwnedHTML keeps a page's HTML, sanitized, as its editor's
	// browser posts it (for a holder's demo and tests).
	SaveOwnedHTML(ctx context.Context, ownerID, pageID, authorID, html string) error
	// Owned lists the owner's pages with their sanitized HTML.
	Owned(ctx context.Context, ownerID string) ([]OwnedPage, error)
}

// OwnedPage is one page a holder keeps among the class pages.
type OwnedPage struct {
	ID, Title string
	HTML      string // sanitized (text.SafeHTML)
	UpdatedAt time.Time
}
