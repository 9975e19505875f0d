package search

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"preau/appliance/auth"
	"preau/appliance/feature"
	"preau/appliance/store"
)

const (
	batch       = 2000     // change-log entries read at a time
	maxEntryIDs = 500      // rows a source reads at a time
	maxBody     = 64 << 10 // bytes of a row's text the index keeps
	maxTerms    = 8        // words of a query; more are ignored
	maxQuery    = 200      // characters of a query read
	perKind     = 20       // results of each kind
)

// Index keeps the search index up to date with the change log and
// answers queries from it.
type Index struct {
	env     *feature.Env
	db      *store.DB
	sources []feature.SearchSource
	log     *slog.Logger

	mu   sync.Mutex // one catch-up at a time
	wake chan struct{}
}

// NewIndex is the index of env's sources.
func NewIndex(env *feature.Env) *Index {
	return &Index{env: env, db: env.DB, sources: env.Sources, log: env.Log, wake: make(chan struct{}, 1)}
}

// Result is one thing found.
type Result struct {
	Kind  string
	ID    string
	Title string
	URL   string
	parts []Part // the text around the words found
}

// Group is the results of one kind.
type Group struct {
	Kind, Icon string
	Results    []Result
}

// Search finds what u may see that matches the words of q, grouped by
// kind in the order of the sources. Whatever q holds (quotes, stars,
// FTS5's operators), it is read as plain words: never a query error.
func (ix *Index) Search(ctx context.Context, u auth.User, q string) ([]Group, error) {
	qy, err := ix.query(ctx, u, q)
	if err != nil || len(qy.terms) == 0 {
		return nil, err
	}
	var out []Group
	for _, src := range ix.sources {
		cs, err := ix.ranked(ctx, src.Kind, qy, perKind)
		if err != nil || len(cs) == 0 {
			if err != nil {
				return nil, err
			}
			continue
		}
		g := Group{Kind: src.Kind, Icon: src.Icon, Results: make([]Result, len(cs))}
		rowids := make([]int64, len(cs))
		for i, c := range cs {
			rowids[i] = c.rowid
		}
		texts, err := bodies(ctx, ix.db, rowids)
		if err != nil {
			return nil, err
		}
		for i, c := range cs {
			g.Results[i] = c.Result
			g.Results[i].parts = snippet(texts[c.rowid], qy.folded)
		}
		out = append(out, g)
	}
	return out, nil
}

// query is a search asked: its words, as written and folded, and who
// asks (their audiences, and the kinds of audience each kind of entry
// has: only those are asked for, since a director holds two for each
// class and homework is only ever for a class).
type query struct {
	terms, folded []string
	audiences     []string
	kinds         map[string][]string
}

// query reads q for u, once the index caught up; no terms when q has no
// word.
func (ix *Index) query(ctx context.Context, u auth.User, q string) (query, error) {
	qy := query{terms: Terms(q)}
	if len(qy.terms) == 0 {
		return qy, nil
	}
	if err := ix.CatchUp(ctx); err != nil {
		return qy, err
	}
	var err error
	if qy.audiences, err = feature.Audiences(ctx, ix.env.Register, u); err != nil {
		return qy, err
	}
	qy.folded = make([]string, len(qy.terms))
	for i, t := range qy.terms {
		qy.folded[i] = fold(t)
	}
	qy.kinds, err = audienceKinds(ctx, ix.db)
	return qy, err
}

// ranked finds the entries of one kind that match the query under the
// caller's audiences, best first, at most limit.
func (ix *Index) ranked(ctx context.Context, kind string, qy query, limit int) ([]candidate, error) {
	held := slices.DeleteFunc(slices.Clone(qy.audiences), func(a string) bool { return !slices.Contains(qy.kinds[kind], audienceKind(a)) })
	if len(held) == 0 {
		return nil, nil
	}
	cs, err := candidates(ctx, ix.db, kind, matchQuery(kind, held, qy.terms), max(candidatesPerKind, limit))
	if err != nil {
		return nil, err
	}
	return rank(cs, qy.folded)[:min(len(cs), limit)], nil
}

// Find is feature.Finder's: the ids of the entries of one kind that u may
// see and that match q, best first (a feature's own search, the webmail's).
func (ix *Index) Find(ctx context.Context, u auth.User, q, kind string, limit int) ([]string, error) {
	qy, err := ix.query(ctx, u, q)
	if err != nil || len(qy.terms) == 0 {
		return nil, err
	}
	cs, err := ix.ranked(ctx, kind, qy, limit)
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	return ids, err
}

// Terms are the words of a query, as the index splits text: letters and
// digits, every other character a separator (quotes, stars, parentheses:
// FTS5's syntax is never read as such).
func Terms(q string) []string {
	if len(q) > maxQuery {
		q = q[:maxQuery]
	}
	ws := words(strings.ToLower(strings.ToValidUTF8(q, " ")))
	return ws[:min(len(ws), maxTerms)]
}

// Wake asks the background loop to catch up; it never blocks.
func (ix *Index) Wake() {
	select {
	case ix.wake <- struct{}{}:
	default:
	}
}

// Run catches up whenever a write commits, until ctx ends.
func (ix *Index) Run(ctx context.Context) {
	ix.Wake()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ix.wake:
		}
		if err := ix.CatchUp(ctx); err != nil && ctx.Err() == nil {
			ix.log.Warn("search index", "err", err)
		}
	}
}

// CatchUp indexes every row written since the index last read the change
// log.
func (ix *Index) CatchUp(ctx context.Context) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for {
		seq, err := cursor(ctx, ix.db)
		if err != nil {
			return err
		}
		changes, err := changesAfter(ctx, ix.db, seq, batch)
		if err != nil || len(changes) == 0 {
			return err
		}
		if err := ix.apply(ctx, changes); err != nil {
			return err
		}
		if len(changes) < batch {
			return nil
		}
	}
}

// apply indexes a batch of changes again, and moves the cursor past them.
func (ix *Index) apply(ctx context.Context, changes []change) error {
	last := changes[len(changes)-1].seq
	byTable := map[string][]string{}
	for _, c := range changes {
		byTable[c.table] = append(byTable[c.table], c.id)
	}
	type update struct {
		kind    string
		ids     []string
		entries []feature.SearchEntry
	}
	var updates []update
	for _, src := range ix.sources {
		ids := byTable[src.Table]
		for len(ids) > 0 {
			n := min(len(ids), maxEntryIDs)
			entries, err := src.Entries(ix.env, ctx, ids[:n])
			if err != nil {
				return err
			}
			for i := range entries {
				entries[i].Title = clean(entries[i].Title, maxQuery*4)
				entries[i].Body = clean(entries[i].Body, maxBody)
			}
			updates = append(updates, update{src.Kind, ids[:n], entries})
			ids = ids[n:]
		}
	}
	return ix.db.Write(ctx, func(tx *store.Tx) error {
		for _, u := range updates {
			if err := reindex(ctx, tx, u.kind, u.ids, u.entries); err != nil {
				return err
			}
		}
		return moveCursor(ctx, tx, last)
	})
}

// clean keeps at most max bytes of valid text, without control
// characters.
func clean(s string, max int) string {
	s = strings.ToValidUTF8(s, "")
	if len(s) > max {
		s = s[:max]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && r != '\n' {
			return ' '
		}
		return r
	}, s)
}
