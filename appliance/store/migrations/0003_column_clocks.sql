-- Per-column clocks, as cr-sqlite keeps them: the stamp (hlc, origin) of
-- the write that last changed each column of a replicated row, and the stamp
-- it replaced. Sync merges a row column by column with them, so that edits
-- of different columns on two nodes both hold; only the same column changed
-- on both sides is a conflict. A column with no entry has kept the value its
-- row was created with. Local bookkeeping: the clocks travel inside the rows
-- sync carries, not as rows of their own.
CREATE TABLE col_clocks (
    tbl         TEXT NOT NULL,
    row_id      TEXT NOT NULL,
    col         TEXT NOT NULL,
    hlc         INTEGER NOT NULL,
    origin      TEXT NOT NULL,
    prev_hlc    INTEGER NOT NULL DEFAULT 0,
    prev_origin TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (tbl, row_id, col)
) WITHOUT ROWID;

-- A conflict may concern some columns only: those that lost; empty for the
-- whole row (a deletion against an edit).
ALTER TABLE conflicts ADD COLUMN columns TEXT NOT NULL DEFAULT '';
