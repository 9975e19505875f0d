-- Versions that lost to a concurrent write, kept so an admin can see and
-- restore them: sync never drops a write silently. Local to each node.
CREATE TABLE conflicts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    tbl           TEXT NOT NULL,
    row_id        TEXT NOT NULL,
    scope         TEXT NOT NULL,
    loser         TEXT NOT NULL,          -- the losing row, as sync's JSON
    winner_hlc    INTEGER NOT NULL,
    winner_origin TEXT NOT NULL,
    at            TEXT NOT NULL,
    restored_at   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX conflicts_scope ON conflicts(scope, id);
