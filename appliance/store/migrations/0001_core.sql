-- The node's identity and the persisted high-water mark of its clock.
CREATE TABLE node (
    id    TEXT NOT NULL,
    epoch TEXT NOT NULL,
    hlc   INTEGER NOT NULL DEFAULT 0
);

-- The change log: one entry per replicated row, moved to the end (a new seq)
-- each time the row is written. Triggers installed by store.track feed it in
-- the writing transaction itself, so a committed write is always logged.
CREATE TABLE changes (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    tbl    TEXT NOT NULL,
    row_id TEXT NOT NULL,
    origin TEXT NOT NULL,
    hlc    INTEGER NOT NULL,
    UNIQUE (tbl, row_id)
);
