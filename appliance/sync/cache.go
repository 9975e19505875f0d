package sync

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"preau/appliance/feature"
	"preau/appliance/i18n"
	"preau/appliance/store"
)

// The city's library at a school. The files of the city's rows in the
// tables the schema caches (store.Schema.Cached: its documents) are not
// queued for good like the school's own: the school keeps those it may
// show in a cache of cache.max_size bytes. The cache fills while the link
// is idle (newest first, into free room only), a file is fetched at once
// when someone opens it and it is not here, making room by evicting the
// least recently opened; an evicted file's row stays, and the file comes
// back when asked for while the link is up. A file that a row of the
// school's own references (a teacher copied a city document into a
// class) is the school's for good and leaves the cache's accounts.

// ErrUnavailable means a file of the city's library that is not here and
// cannot be fetched now: the link to central is down.
var ErrUnavailable = i18n.Error(nil, "sync.err.library_offline")

// SetCacheMax sets cache.max_size.
func (c *Client) SetCacheMax(n int64) { c.cacheMax = n }

// wanted are the files of the city's library the school may show, newest
// first, each once.
func (c *Client) wanted(ctx context.Context) ([]feature.CachedFile, error) {
	var out []feature.CachedFile
	seen := map[string]bool{}
	for _, tbl := range c.db.Replicated() {
		rule, ok := c.db.Cached(tbl)
		if !ok {
			continue
		}
		targets := "1"
		if rule.Targets != "" {
			targets = targeted(rule.Targets, "?")
		}
		name := "''"
		if rule.Name != "" {
			name = "max(" + rule.Name + ")"
		}
		col := c.db.BlobColumn(tbl)
		rows, err := c.db.Reader().QueryContext(ctx, "SELECT "+col+", max("+rule.Size+"), "+name+", max(hlc) AS h FROM "+tbl+
			" WHERE scope = 'global' AND deleted = 0 AND "+targets+" GROUP BY "+col+" ORDER BY h DESC", c.school)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			f := feature.CachedFile{Kind: c.db.Label(tbl).Row, Signed: rule.Signed}
			var hlc int64
			if err := rows.Scan(&f.Hash, &f.Size, &f.Name, &hlc); err != nil {
				rows.Close()
				return nil, err
			}
			if !seen[f.Hash] && store.ValidHash(f.Hash) {
				seen[f.Hash] = true
				out = append(out, f)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// UseSignatures gives the client what vouches for the library's files.
func (c *Client) UseSignatures(s func() feature.Signatures) { c.signatures = s }

// vouch checks that the city signed a file it must have signed.
func (c *Client) vouch(ctx context.Context, f feature.CachedFile) error {
	if !f.Signed || c.signatures == nil {
		return nil
	}
	s := c.signatures()
	if s == nil {
		return nil
	}
	return s.Vouch(ctx, f.Name, f.Hash, f.Size)
}

// Refused is feature.Library's: the files the school may show that the
// city did not sign though it must have.
func (c *Client) Refused(ctx context.Context) (map[string]bool, error) {
	files, err := c.wanted(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, f := range files {
		if c.refused(ctx, f) {
			out[f.Hash] = true
		}
	}
	return out, nil
}

// refused reports whether the city did not sign a file it must have; a
// failure to tell (the store) is not a refusal.
func (c *Client) refused(ctx context.Context, f feature.CachedFile) bool {
	return errors.Is(c.vouch(ctx, f), feature.ErrUnsigned)
}

// CacheUsage is the cache as the director's page shows it.
func (c *Client) CacheUsage(ctx context.Context) (feature.CacheUsage, error) {
	u := feature.CacheUsage{Max: c.cacheMax}
	files, err := c.wanted(ctx)
	if err != nil {
		return u, err
	}
	used, err := c.cached(ctx)
	if err != nil {
		return u, err
	}
	blobs := c.db.Blobs()
	for _, f := range files {
		f.Here, f.Refused = blobs.Has(f.Hash), c.refused(ctx, f)
		if e, ok := used[f.Hash]; ok {
			f.UsedAt = e.UsedAt
			if f.Here {
				u.Used += e.Size
			}
		}
		u.Files = append(u.Files, f)
	}
	return u, nil
}

// cached are the files the cache accounts for, by hash.
func (c *Client) cached(ctx context.Context) (map[string]feature.CachedFile, error) {
	fs, err := store.Query(ctx, c.db.Reader(), func(r store.Scanner) (feature.CachedFile, error) {
		var f feature.CachedFile
		var at string
		err := r.Scan(&f.Hash, &f.Size, &at)
		f.UsedAt, _ = time.Parse(time.RFC3339Nano, at)
		return f, err
	}, "SELECT hash, size, used_at FROM blob_cache ORDER BY used_at, hash")
	out := make(map[string]feature.CachedFile, len(fs))
	for _, f := range fs {
		out[f.Hash] = f
	}
	return out, err
}

// Fetch brings a file of the city's library here if it is not, making
// room for it; ErrUnavailable when central cannot be reached, an error
// wrapping feature.ErrUnsigned when the city did not sign a file it must
// have signed, here or not (then it is neither fetched nor to be served).
func (c *Client) Fetch(ctx context.Context, hash string) error {
	files, err := c.wanted(ctx)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(files, func(f feature.CachedFile) bool { return f.Hash == hash })
	if i < 0 {
		if c.db.Blobs().Has(hash) {
			return nil // the school's own file too (a class's copy)
		}
		return store.ErrNotFound // not a file of the library this school shows
	}
	if err := c.vouch(ctx, files[i]); err != nil {
		return err
	}
	if c.db.Blobs().Has(hash) {
		return nil
	}
	return c.fetch(ctx, hash, files[i].Size, true)
}

// fetch downloads one file into the cache; evict makes room for it first
// (an opened file), or it is only fetched into free room (prefetch).
func (c *Client) fetch(ctx context.Context, hash string, size int64, evict bool) error {
	link, err := c.Link(ctx)
	if err != nil {
		return err
	}
	if evict {
		if err := c.makeRoom(ctx, size, hash); err != nil {
			return err
		}
	}
	if err := c.download(ctx, link, hash); err != nil {
		c.log.Info("library file not fetched", "hash", hash[:12], "err", err)
		return fmt.Errorf("%w (%v)", ErrUnavailable, err)
	}
	return c.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO blob_cache(hash, size, used_at) VALUES (?, ?, ?)
			ON CONFLICT (hash) DO UPDATE SET size = excluded.size, used_at = excluded.used_at`, hash, size, usedAt(evict))
		return err
	})
}

// usedAt is when a file fetched now was last used: now when someone opens
// it; never (the epoch) when it was prefetched, so that it leaves before
// what people opened.
func usedAt(opened bool) string {
	if opened {
		return time.Now().UTC().Format(time.RFC3339Nano)
	}
	return time.Unix(0, 0).UTC().Format(time.RFC3339Nano)
}

// Touch records that a file of the library was opened now. Within a
// minute of the last time, nothing is written.
func (c *Client) Touch(ctx context.Context, hash string) {
	var last string
	err := c.db.Reader().QueryRowContext(ctx, "SELECT used_at FROM blob_cache WHERE hash = ?", hash).Scan(&last)
	if t, _ := time.Parse(time.RFC3339Nano, last); err != nil || time.Since(t) < time.Minute {
		return
	}
	if err := c.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE blob_cache SET used_at = ? WHERE hash = ?", usedAt(true), hash)
		return err
	}); err != nil {
		c.log.Warn("library: use not recorded", "err", err)
	}
}

// makeRoom evicts the least recently used files until size more bytes fit
// under cache.max_size; keep is never evicted. A file a school's own row
// references, or that waits to go up, leaves the cache's accounts instead.
func (c *Client) makeRoom(ctx context.Context, size int64, keep string) error {
	if size > c.cacheMax {
		return fmt.Errorf("%w: %d bytes, over cache.max_size", ErrUnavailable, size)
	}
	files, err := c.cached(ctx)
	if err != nil {
		return err
	}
	var used int64
	var order []feature.CachedFile
	for _, f := range files {
		used += f.Size
		order = append(order, f)
	}
	slices.SortStableFunc(order, func(a, b feature.CachedFile) int { return a.UsedAt.Compare(b.UsedAt) })
	for _, f := range order {
		if used+size <= c.cacheMax {
			break
		}
		if f.Hash == keep {
			continue
		}
		owned, err := c.owned(ctx, f.Hash)
		if err != nil {
			return err
		}
		if !owned {
			if err := c.db.Blobs().Remove(f.Hash); err != nil {
				return err
			}
			c.log.Info("library file evicted", "hash", f.Hash[:12], "size", f.Size)
		}
		if err := c.db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, "DELETE FROM blob_cache WHERE hash = ?", f.Hash)
			return err
		}); err != nil {
			return err
		}
		used -= f.Size
	}
	return nil
}

// owned reports whether a file is the school's for good: a row of its own
// (not the city's) references it, or it waits to go up to central.
func (c *Client) owned(ctx context.Context, hash string) (bool, error) {
	var n int
	if err := c.db.Reader().QueryRowContext(ctx, "SELECT count(*) FROM blob_queue WHERE hash = ?", hash).Scan(&n); err != nil || n > 0 {
		return n > 0, err
	}
	for _, tbl := range c.db.Replicated() {
		col := c.db.BlobColumn(tbl)
		if col == "" {
			continue
		}
		err := c.db.Reader().QueryRowContext(ctx, "SELECT count(*) FROM "+tbl+" WHERE "+col+" = ? AND scope <> 'global' AND deleted = 0", hash).Scan(&n)
		if err != nil || n > 0 {
			return n > 0, err
		}
	}
	return false, nil
}

// Prefetch fills the cache's free room with the library's files not here
// yet, newest first, while the link is up, passing over those the city
// did not sign; it stops at the first failure to fetch.
func (c *Client) Prefetch(ctx context.Context) error {
	u, err := c.CacheUsage(ctx)
	if err != nil {
		return err
	}
	free := u.Max - u.Used
	for _, f := range u.Files {
		if f.Here || f.Size > free {
			continue
		}
		if c.vouch(ctx, f) != nil {
			continue // refused, logged and reported: not cached
		}
		if err := c.fetch(ctx, f.Hash, f.Size, false); err != nil {
			return err
		}
		free -= f.Size
	}
	return nil
}

// targeted is the SQL condition that a row's column of target schools
// (feature.Targets: ids separated by spaces, empty for every school) names
// the school given by the parameter param.
func targeted(column, param string) string {
	return "(" + column + " = '' OR ' ' || " + column + " || ' ' LIKE '% ' || " + param + " || ' %')"
}
