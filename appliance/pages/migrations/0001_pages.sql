-- Class pages: the class wiki and the class newspaper, written together
-- live. A page's text is a Yjs document the server never decodes: every
-- update an editor's browser sends is one append-only row (page_updates),
-- and the document is all of them applied in any order. The page row
-- keeps the title and the sanitized HTML the editors' browsers post, for
-- readers, the search and pages without JavaScript; page_versions keep
-- that HTML now and then, for the history.
CREATE TABLE pages (
    id         TEXT PRIMARY KEY,
    scope      TEXT NOT NULL,
    hlc        INTEGER NOT NULL,
    origin     TEXT NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0,
    school_id  TEXT NOT NULL,
    class_id   TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('wiki', 'journal')),
    title      TEXT NOT NULL,
    html       TEXT NOT NULL DEFAULT '',  -- sanitized (text.SafeHTML)
    author_id  TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX pages_class ON pages(class_id, updated_at) WHERE deleted = 0;

-- One Yjs update (v1 encoding) as an editor sent it. Never changed: two
-- nodes writing the same page while apart only add rows, so sync merges
-- them by carrying rows.
CREATE TABLE page_updates (
    id         TEXT PRIMARY KEY,
    scope      TEXT NOT NULL,
    hlc        INTEGER NOT NULL,
    origin     TEXT NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0,
    page_id    TEXT NOT NULL,
    school_id  TEXT NOT NULL,
    author_id  TEXT NOT NULL,
    data       BLOB NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX page_updates_page ON page_updates(page_id) WHERE deleted = 0;

-- The page's HTML as it was, for the history: one row when an editor
-- saves after a pause, never changed.
CREATE TABLE page_versions (
    id         TEXT PRIMARY KEY,
    scope      TEXT NOT NULL,
    hlc        INTEGER NOT NULL,
    origin     TEXT NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0,
    page_id    TEXT NOT NULL,
    school_id  TEXT NOT NULL,
    author_id  TEXT NOT NULL,
    html       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX page_versions_page ON page_versions(page_id, created_at) WHERE deleted = 0;
