-- Signed updates (mises à jour). A release is the DSI's, global: every
-- node holds its row, and a school fetches its bundle (a blob) only when
-- the row is meant for it (schools: the first wave's ids, '' once the
-- DSI extends it to every school). Central never trusts a bundle for the
-- schools: each verifies it against the root key it pins.
CREATE TABLE update_releases (
    id          TEXT PRIMARY KEY,
    scope       TEXT NOT NULL,
    hlc         INTEGER NOT NULL,
    origin      TEXT NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    version     TEXT NOT NULL,
    bundle      TEXT NOT NULL,             -- the bundle's SHA-256
    size        INTEGER NOT NULL,
    schools     TEXT NOT NULL DEFAULT '',  -- feature.Targets: the wave's ids, '' for every school
    wave        TEXT NOT NULL DEFAULT '',  -- the first wave, as published, kept once extended
    author_name TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);
CREATE INDEX update_releases_created ON update_releases(created_at) WHERE deleted = 0;

-- What a school reports of its updates: one row per school (its id),
-- the school's scope, written by the school only: the version it runs,
-- the last release it handled and what became of it, with the reason of
-- a refusal or a rollback (a catalogue key and its arguments, for the DSI
-- to read in their language).
CREATE TABLE update_reports (
    id              TEXT PRIMARY KEY,
    scope           TEXT NOT NULL,
    hlc             INTEGER NOT NULL,
    origin          TEXT NOT NULL,
    deleted         INTEGER NOT NULL DEFAULT 0,
    school_id       TEXT NOT NULL,
    running         TEXT NOT NULL,
    release_id      TEXT NOT NULL DEFAULT '',
    release_version TEXT NOT NULL DEFAULT '',
    applied_version TEXT NOT NULL DEFAULT '', -- the newest release applied here: an older one is a rollback
    state           TEXT NOT NULL,              -- idle, pending, applied, rolled_back, refused: checked on push (a CHECK would fail a hostile batch as a 500)
    reason          TEXT NOT NULL DEFAULT '',
    reason_args     TEXT NOT NULL DEFAULT '{}',
    updated_at      TEXT NOT NULL
);
