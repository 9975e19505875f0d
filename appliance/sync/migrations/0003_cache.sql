-- The city's library at a school: the files of global rows that the school
-- keeps in its cache (store.Schema.Cached), under cache.max_size, with
-- when each was last opened. The least recently used leave first; their
-- rows stay, and the file is fetched again when asked for.
CREATE TABLE blob_cache (
    hash    TEXT PRIMARY KEY,
    size    INTEGER NOT NULL,
    used_at TEXT NOT NULL
) WITHOUT ROWID;
