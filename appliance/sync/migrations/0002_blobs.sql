-- Files to transfer after their rows: 'up' to central (a school's own
-- files), 'down' from central. A transfer cut midway resumes from the bytes
-- already received (store.Blobs keeps them).
CREATE TABLE blob_queue (
    hash      TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('up', 'down')),
    attempts  INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (hash, direction)
);
