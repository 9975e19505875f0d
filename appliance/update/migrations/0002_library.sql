-- The city's signed library (bibliothèque signée). Each row is one
-- signature the DSI published on central: a bundle of TUF metadata (no
-- file's bytes) whose targets list every file of the city's library by
-- SHA-256 and length. Global: every school holds the rows and their
-- bundles, and verifies them against the root key it pins before it
-- caches or serves a file of the library. version and expires_at are
-- what central read, unverified, for the DSI's page.
CREATE TABLE update_library (
    id          TEXT PRIMARY KEY,
    scope       TEXT NOT NULL,
    hlc         INTEGER NOT NULL,
    origin      TEXT NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    version     INTEGER NOT NULL,          -- the targets' version: the signing time, in seconds
    bundle      TEXT NOT NULL,             -- the bundle's SHA-256
    size        INTEGER NOT NULL,
    files       INTEGER NOT NULL,
    expires_at  TEXT NOT NULL,
    author_name TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);
CREATE INDEX update_library_version ON update_library(version) WHERE deleted = 0;

-- What a school reports of the signed library: one row per school (its
-- id), its scope, written by the school only: the signature it trusts,
-- the files it refused under it (their names, the first few, and how
-- many) and the last reason (a catalogue key and its arguments, for the
-- DSI to read in their language).
CREATE TABLE update_library_reports (
    id          TEXT PRIMARY KEY,
    scope       TEXT NOT NULL,
    hlc         INTEGER NOT NULL,
    origin      TEXT NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    school_id   TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 0, -- the signature trusted, 0 for none
    state       TEXT NOT NULL,              -- verified, refused: checked on push
    files       TEXT NOT NULL DEFAULT '[]', -- the names of the files refused, JSON, the first few
    refused     INTEGER NOT NULL DEFAULT 0, -- how many files were refused
    reason      TEXT NOT NULL DEFAULT '',
    reason_args TEXT NOT NULL DEFAULT '{}',
    updated_at  TEXT NOT NULL
);

-- The highest signature version a school has trusted, kept here and never
-- replicated: central cannot take a school back to an older signed list
-- (one that still named a file the DSI has since withdrawn).
CREATE TABLE update_library_trust (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
