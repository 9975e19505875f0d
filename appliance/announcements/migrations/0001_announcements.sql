-- What the city's DSI announces to the schools: a maintenance window, an
-- outage, a piece of information, shown on the home pages of the schools
-- it is for (schools: their ids, separated by spaces, '' for every one)
-- from its start to its end. Written on central only, global: every node
-- holds them, and shows each only to the schools it is for.
CREATE TABLE announcements (
    id         TEXT PRIMARY KEY,
    scope      TEXT NOT NULL,
    hlc        INTEGER NOT NULL,
    origin     TEXT NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0,
    kind       TEXT NOT NULL CHECK (kind IN ('maintenance', 'outage', 'info')),
    title      TEXT NOT NULL,
    body       TEXT NOT NULL DEFAULT '',
    schools    TEXT NOT NULL DEFAULT '',
    starts_at  TEXT NOT NULL,   -- RFC 3339, UTC
    ends_at    TEXT NOT NULL,   -- RFC 3339, UTC; after starts_at
    author_id  TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX announcements_end ON announcements(ends_at) WHERE deleted = 0;
