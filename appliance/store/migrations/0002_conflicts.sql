-- Versions that lost to a concurrent write, kept so an admin can see and
-- restore them: sync never drops a write silently. Replicated like any row
-- of their scope, so a school's director sees the versions of the school's
-- data that lost on central too.
CREATE TABLE conflicts (
    id            TEXT PRIMARY KEY,
    scope         TEXT NOT NULL,
    hlc           INTEGER NOT NULL,
    origin        TEXT NOT NULL,
    deleted       INTEGER NOT NULL DEFAULT 0,
    tbl           TEXT NOT NULL,
    row_id        TEXT NOT NULL,
    loser         TEXT NOT NULL,          -- the losing row, as sync's JSON
    winner_hlc    INTEGER NOT NULL,
    winner_origin TEXT NOT NULL,
    at            TEXT NOT NULL,
    restored_at   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX conflicts_scope ON conflicts(scope, at);
