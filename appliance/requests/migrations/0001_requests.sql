-- Requests to the city (demandes): what a school's director asks of the
-- city's DSI. A request is its school's (scope), written once at the
-- school and never changed after: what follows it (the DSI's changes of
-- status and assignment, comments and files of both sides) is appended as
-- events, so that a request never conflicts across the link.
CREATE TABLE requests (
    id         TEXT PRIMARY KEY,
    scope      TEXT NOT NULL,
    hlc        INTEGER NOT NULL,
    origin     TEXT NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0,
    school_id  TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('pharmacy', 'intervention', 'supplies')),
    title      TEXT NOT NULL,
    fields     TEXT NOT NULL DEFAULT '{}', -- JSON, the kind's own fields
    author_id  TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX requests_school ON requests(school_id, created_at) WHERE deleted = 0;

-- What happens to a request: a comment (with a file or not), or, by the
-- DSI on central only, a new status or agent. Append-only.
CREATE TABLE request_events (
    id          TEXT PRIMARY KEY,
    scope       TEXT NOT NULL,
    hlc         INTEGER NOT NULL,
    origin      TEXT NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    request_id  TEXT NOT NULL,
    school_id   TEXT NOT NULL,
    author_id   TEXT NOT NULL,
    author_name TEXT NOT NULL DEFAULT '',  -- as shown on both sides: the DSI's accounts do not reach schools
    status      TEXT NOT NULL DEFAULT '' CHECK (status IN ('', 'received', 'in_progress', 'done', 'refused')),
    assignee    TEXT NOT NULL DEFAULT '',  -- the agent's name, when the DSI assigns it
    body        TEXT NOT NULL DEFAULT '',
    file        TEXT NOT NULL DEFAULT '',  -- an attached file's SHA-256, '' for none
    file_name   TEXT NOT NULL DEFAULT '',
    file_type   TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);
CREATE INDEX request_events_request ON request_events(request_id, created_at) WHERE deleted = 0;

-- The city's catalogues of what schools order: the pharmacy's and the IT
-- supplies'. Global: the DSI edits them on central, every school holds them.
CREATE TABLE request_items (
    id         TEXT PRIMARY KEY,
    scope      TEXT NOT NULL,
    hlc        INTEGER NOT NULL,
    origin     TEXT NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0,
    catalogue  TEXT NOT NULL CHECK (catalogue IN ('pharmacy', 'supplies')),
    name       TEXT NOT NULL,
    unit       TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX request_items_catalogue ON request_items(catalogue, name) WHERE deleted = 0;
