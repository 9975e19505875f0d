-- Files attached to a page of the cahier de textes (a worksheet, a
-- picture of the board). The content is a blob, stored once by its SHA-256
-- and carried by sync with the row.
CREATE TABLE homework_files (
    id          TEXT PRIMARY KEY,
    scope       TEXT NOT NULL,
    hlc         INTEGER NOT NULL,
    origin      TEXT NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    homework_id TEXT NOT NULL,
    name        TEXT NOT NULL,
    type        TEXT NOT NULL DEFAULT 'application/octet-stream',
    size        INTEGER NOT NULL,
    blob        TEXT NOT NULL
);
CREATE INDEX homework_files_entry ON homework_files(homework_id) WHERE deleted = 0;
