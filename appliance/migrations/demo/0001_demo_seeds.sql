-- The demo schools this node has seeded: a school is seeded once, whatever
-- became of its accounts since (a login changed, an account deleted). Local
-- to the node, not replicated; a node without the row whose school already
-- has classes (seeded before this table, or its data back from central)
-- counts as seeded too.
CREATE TABLE demo_seeds (
    school_id TEXT PRIMARY KEY,
    seeded_at TEXT NOT NULL
);
