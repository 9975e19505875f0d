-- Lesson documents a class's teachers share with it, in folders one level
-- deep: a folder is the name its documents share, '' for none. The file is
-- a blob, stored once by its SHA-256 however many rows reference it.
-- Replicated with the class's school as scope.
CREATE TABLE documents (
    id         TEXT PRIMARY KEY,
    scope      TEXT NOT NULL,
    hlc        INTEGER NOT NULL,
    origin     TEXT NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0,
    class_id   TEXT NOT NULL,
    folder     TEXT NOT NULL DEFAULT '',
    name       TEXT NOT NULL,
    type       TEXT NOT NULL,
    size       INTEGER NOT NULL CHECK (size > 0),
    blob       TEXT NOT NULL,
    author_id  TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX documents_class ON documents(class_id, folder, name) WHERE deleted = 0;
CREATE INDEX documents_author ON documents(author_id, blob) WHERE deleted = 0;
CREATE INDEX documents_scope ON documents(scope, blob) WHERE deleted = 0;
