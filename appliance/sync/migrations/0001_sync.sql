-- Sync bookkeeping. Local to each node: none of these tables replicate.

-- On central: one row per school node. The node key and the one-time
-- enrollment token are stored hashed.
CREATE TABLE sync_nodes (
    school_id      TEXT PRIMARY KEY,
    node_id        TEXT NOT NULL DEFAULT '',   -- the school's store node id once enrolled
    key_hash       TEXT NOT NULL DEFAULT '',
    token_hash     TEXT NOT NULL DEFAULT '',
    token_expires  INTEGER NOT NULL DEFAULT 0,
    token_node     TEXT NOT NULL DEFAULT '',   -- the node that used the token; only it may use it again
    enrolled_at    TEXT NOT NULL DEFAULT '',
    revoked        INTEGER NOT NULL DEFAULT 0,
    push_epoch     TEXT NOT NULL DEFAULT '',   -- the school's epoch the push cursor belongs to
    push_seq       INTEGER NOT NULL DEFAULT 0, -- last seq of the school's log applied here
    pull_seq       INTEGER NOT NULL DEFAULT 0, -- last seq of central's log the school has applied
    node_epoch     TEXT NOT NULL DEFAULT '',   -- the school's epoch when it last pulled
    resync_until   INTEGER NOT NULL DEFAULT 0, -- after a restore: resend the school's own rows up to this seq
    last_seen      TEXT NOT NULL DEFAULT '',
    version        TEXT NOT NULL DEFAULT '',
    clock_offset   INTEGER NOT NULL DEFAULT 0, -- school clock minus central clock, ms
    pending        INTEGER NOT NULL DEFAULT 0, -- rows the school reported waiting to send
    last_error     TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX sync_nodes_token ON sync_nodes(token_hash) WHERE token_hash != '';

-- On a school: its link to central (one row once enrolled).
CREATE TABLE sync_link (
    central_url   TEXT NOT NULL,
    school_id     TEXT NOT NULL,
    node_key      TEXT NOT NULL,
    central_epoch TEXT NOT NULL DEFAULT '',   -- central's epoch the pull cursor belongs to
    pull_seq      INTEGER NOT NULL DEFAULT 0, -- last seq of central's log applied here
    push_acked    INTEGER NOT NULL DEFAULT 0, -- last seq of our log central has applied
    push_epoch    TEXT NOT NULL DEFAULT '',   -- our epoch push_acked belongs to
    pending_in    INTEGER NOT NULL DEFAULT 0, -- rows central said were waiting for us
    last_sync     TEXT NOT NULL DEFAULT '',
    last_error    TEXT NOT NULL DEFAULT ''
);

-- Rows moved per hour, both ways, for the DSI's chart (central) and the
-- director's status page (school).
CREATE TABLE sync_volume (
    hour      TEXT NOT NULL,            -- 2026-11-22T15
    school_id TEXT NOT NULL,
    rows_in   INTEGER NOT NULL DEFAULT 0,
    rows_out  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (hour, school_id)
);
