package sync

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"preau/appliance/i18n"
	"strings"
	"time"

	"preau/appliance/feature"
	"preau/appliance/store"
)

// Central is the city side: the registry of school nodes, enrollment, and
// the push and pull endpoints' logic.
type Central struct {
	Lang i18n.Lang // the language of the errors it records (i18n.default_language)

	db       *store.DB
	register feature.Register
	log      *slog.Logger
	live     *hub // the schools' live requests
}

// NewCentral builds the central side on the school register.
func NewCentral(db *store.DB, register feature.Register, log *slog.Logger) *Central {
	return &Central{db: db, register: register, log: log, live: newHub(db, log)}
}

// Close answers the schools' live requests at once, for shutdown.
func (c *Central) Close() { c.live.close() }

// tokenTTL is how long an enrollment token stays valid.
const tokenTTL = 7 * 24 * time.Hour

// AddSchool creates a school (or renames an existing one) and issues a
// one-time enrollment token for its appliance; a new token replaces an
// unused one. A school already enrolled is re-enrolled with the new token
// (a replaced server), its old key revoked.
func (c *Central) AddSchool(ctx context.Context, id, name string) (token string, err error) {
	if err := c.register.CreateSchool(ctx, id, name); err != nil {
		return "", err
	}
	token = randomKey()
	err = c.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sync_nodes(school_id, token_hash, token_expires) VALUES (?, ?, ?)
			ON CONFLICT(school_id) DO UPDATE SET token_hash = excluded.token_hash, token_expires = excluded.token_expires,
			token_node = ''`,
			id, hashKey(token), time.Now().Add(tokenTTL).Unix())
		return err
	})
	return token, err
}

// Enrollment is what a school receives when it enrolls.
type Enrollment struct {
	SchoolID    string `json:"school_id"`
	SchoolName  string `json:"school_name"`
	NodeKey     string `json:"node_key"`
	CentralNode string `json:"central_node"`
}

// ErrBadToken means an unknown, used or expired enrollment token.
var ErrBadToken = i18n.Error(nil, "sync.err.bad_token")

// Enroll exchanges a one-time token for the node key of a school. The token
// is bound to the first node that uses it: the same node may present it
// again until it expires (its answer may have been lost on the way, after
// central had already enrolled it) and gets a new key; any other node is
// refused.
func (c *Central) Enroll(ctx context.Context, token, nodeID, version string) (Enrollment, error) {
	var e Enrollment
	key := randomKey()
	err := c.db.Write(ctx, func(tx *store.Tx) error {
		var expires int64
		var tokenNode string
		err := tx.QueryRowContext(ctx, `SELECT school_id, token_expires, token_node FROM sync_nodes
			WHERE token_hash = ? AND token_hash != '' AND revoked = 0`, hashKey(token)).Scan(&e.SchoolID, &expires, &tokenNode)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && (time.Now().Unix() > expires || (tokenNode != "" && tokenNode != nodeID))) {
			return ErrBadToken
		}
		if err != nil {
			return err
		}
		// A (re-)enrolled school starts its cursors afresh; rows re-sent are harmless.
		_, err = tx.ExecContext(ctx, `UPDATE sync_nodes SET token_node = ?, key_hash = ?, node_id = ?,
			enrolled_at = ?, revoked = 0, push_epoch = '', push_seq = 0, pull_seq = 0, node_epoch = '', resync_until = 0,
			version = ?, last_error = '' WHERE school_id = ?`, nodeID, hashKey(key), nodeID, time.Now().UTC().Format(time.RFC3339),
			version, e.SchoolID)
		return err
	})
	if err != nil {
		return e, err
	}
	sc, err := c.register.School(ctx, e.SchoolID)
	if err != nil {
		return e, err
	}
	e.SchoolName, e.NodeKey, e.CentralNode = sc.Name, key, c.db.Node().ID
	c.log.Info("school enrolled", "school", e.SchoolID, "node", nodeID)
	return e, nil
}

// Revoke refuses every later request of a school's node.
func (c *Central) Revoke(ctx context.Context, school string) error {
	return c.db.Write(ctx, func(tx *store.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE sync_nodes SET revoked = 1, token_hash = '', token_node = '' WHERE school_id = ?", school)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return store.ErrNotFound
		}
		return nil
	})
}

// node is a school node as central knows it.
type node struct {
	School, NodeID   string
	PushEpoch        string
	PushSeq, PullSeq int64
	NodeEpoch        string
	ResyncUntil      int64
}

// ErrNodeAuth means a sync request without valid node credentials.
var ErrNodeAuth = i18n.Error(nil, "sync.err.node_auth")

// Authenticate checks a school node's credentials ("school:key").
func (c *Central) Authenticate(ctx context.Context, credentials string) (node, error) {
	var n node
	school, key, ok := strings.Cut(credentials, ":")
	if !ok || school == "" || key == "" {
		return n, ErrNodeAuth
	}
	var keyHash string
	var revoked bool
	err := c.db.Reader().QueryRowContext(ctx, `SELECT school_id, node_id, key_hash, revoked, push_epoch, push_seq, pull_seq,
		node_epoch, resync_until FROM sync_nodes WHERE school_id = ?`, school).Scan(&n.School, &n.NodeID, &keyHash, &revoked,
		&n.PushEpoch, &n.PushSeq, &n.PullSeq, &n.NodeEpoch, &n.ResyncUntil)
	if err != nil || revoked || keyHash == "" || keyHash != hashKey(key) {
		if err == nil && revoked {
			c.log.Warn("sync request from a revoked school", "school", school)
		}
		return n, ErrNodeAuth
	}
	return n, nil
}

// GapError says the sender's batch starts after what central holds (central
// restored from an older backup): the sender must resend from Cursor.
type GapError struct{ Cursor int64 }

func (e *GapError) Error() string { return i18n.M("sync.err.gap", "Cursor", e.Cursor).String() }

// Localize says the gap in lang.
func (e *GapError) Localize(lang i18n.Lang) string {
	return i18n.M("sync.err.gap", "Cursor", e.Cursor).In(lang)
}

// Push applies a school's batch and returns central's cursor for it.
func (c *Central) Push(ctx context.Context, n node, b Batch, version string) (int64, error) {
	cursor := n.PushSeq
	if b.Epoch != n.PushEpoch {
		cursor = 0 // a restored school: its counter may repeat values under the old epoch
	}
	if b.From > cursor {
		return cursor, &GapError{Cursor: cursor}
	}
	maxHLC, err := check(ctx, c.db, b, inSchoolScope(n.School))
	if err != nil {
		if errors.Is(err, ErrOutOfScope) {
			c.log.Warn("push refused: row outside the school's scope", "school", n.School, "err", err)
		}
		c.noteError(ctx, n.School, err)
		return cursor, err
	}
	// A local row is concurrent with the school's version when the school
	// had not pulled it yet.
	conc := func(seq int64, origin string) bool { return seq > n.PullSeq && origin != n.NodeID }
	newCursor := max(cursor, b.To)
	err = apply(ctx, c.db, b.Rows, maxHLC, conc, n.School, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE sync_nodes SET push_epoch = ?, push_seq = ?, last_seen = ?, version = ?,
			pending = ?, last_error = '' WHERE school_id = ?`, b.Epoch, newCursor, time.Now().UTC().Format(time.RFC3339), version,
			b.Pending, n.School); err != nil {
			return err
		}
		return recordVolume(ctx, tx, n.School, len(b.Rows), 0)
	})
	var refused *store.RefusedRow
	if errors.As(err, &refused) {
		// A school's server pushing what its users could not have written:
		// a bug, or someone with root on it. The DSI must hear of it.
		c.log.Warn("push refused: a row breaks its table's rule", "school", n.School, "table", refused.Table,
			"row", refused.ID, "rule", refused.Rule.Error())
	}
	if err != nil {
		c.noteError(ctx, n.School, err)
		return cursor, err
	}
	return newCursor, nil
}

// PullRequest is a school asking for what it has not received.
type PullRequest struct {
	NodeEpoch string `json:"node_epoch"` // the school's own epoch
	Epoch     string `json:"epoch"`      // central's epoch the cursor belongs to
	Since     int64  `json:"since"`      // last seq of central's log the school has applied
	Pending   int64  `json:"pending"`
	Clock     int64  `json:"clock"` // the school's HLC now, for the clock-offset column
}

// Pull returns the next batch of rows for a school: its scope, global rows
// and its audience, never rows that came from the school itself.
func (c *Central) Pull(ctx context.Context, n node, req PullRequest, version string) (Batch, error) {
	since := req.Since
	if req.Epoch != c.db.Node().Epoch {
		since = 0 // central was restored: resend everything, applying it again is harmless
	}
	if req.NodeEpoch != n.NodeEpoch {
		// The school was restored from a backup (or is new): it may have
		// lost rows it wrote itself since, which central holds. Resend
		// everything once, its own rows included.
		since = 0
		if err := c.db.Reader().QueryRowContext(ctx, "SELECT coalesce(max(seq), 0) FROM changes").Scan(&n.ResyncUntil); err != nil {
			return Batch{}, err
		}
	}
	notBack := func(e logEntry) bool { return e.origin != n.NodeID || e.seq <= n.ResyncUntil } // never back to where it came from
	b, err := collect(ctx, c.db, since, func(q *sql.Tx, page []logEntry) ([]bool, error) {
		return keepWhere(ctx, q, page, notBack, c.audience, sql.Named("school", n.School))
	})
	if err != nil {
		return b, err
	}
	for i, r := range b.Rows {
		b.Rows[i] = c.db.Withhold(r)
	}
	b.Node, b.Epoch = c.db.Node().ID, c.db.Node().Epoch
	offset := int64(0)
	if req.Clock > 0 {
		offset = store.HLCTime(req.Clock).Sub(time.Now()).Milliseconds()
	}
	err = c.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE sync_nodes SET pull_seq = ?, last_seen = ?, version = ?, clock_offset = ?,
			pending = ?, node_epoch = ?, resync_until = ? WHERE school_id = ?`, since, time.Now().UTC().Format(time.RFC3339), version,
			offset, req.Pending, req.NodeEpoch, n.ResyncUntil, n.School); err != nil {
			return err
		}
		return recordVolume(ctx, tx, n.School, 0, len(b.Rows))
	})
	return b, err
}

// audience is the condition on a table's rows that go to a school (named
// argument :school): its scope, global, or the table's declared audience.
func (c *Central) audience(tbl string) string {
	cond := "scope IN (:school, 'global')"
	if extra := c.db.Audience(tbl); extra != "" {
		cond += " OR (" + extra + ")"
	}
	return cond
}

func (c *Central) noteError(ctx context.Context, school string, cause error) {
	msg := i18n.ErrorText(cause, c.Lang)
	if len(msg) > 500 {
		msg = msg[:500]
	}
	if err := c.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE sync_nodes SET last_error = ? WHERE school_id = ?", msg, school)
		return err
	}); err != nil {
		c.log.Warn("record sync error", "school", school, "err", err)
	}
}
