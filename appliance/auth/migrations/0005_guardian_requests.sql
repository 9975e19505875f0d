-- A director linking a child of their school to a parent whose account
-- belongs to another school does not link them: it asks that parent, who
-- accepts or refuses on central (where every parent logs in). Until then the
-- director gains nothing over the account, and the parent's school keeps it.
-- Replicated with the child's school as scope; the id derives from
-- (parent, child), so asking twice makes one request.
CREATE TABLE guardian_requests (
    id           TEXT PRIMARY KEY,
    scope        TEXT NOT NULL,
    hlc          INTEGER NOT NULL,
    origin       TEXT NOT NULL,
    deleted      INTEGER NOT NULL DEFAULT 0,
    parent_id    TEXT NOT NULL,
    child_id     TEXT NOT NULL,
    school_id    TEXT NOT NULL,             -- the school asking: the child's
    requested_by TEXT NOT NULL DEFAULT '',  -- the director (or DSI) who asked
    status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'refused')),
    created_at   TEXT NOT NULL,
    answered_at  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX guardian_requests_parent ON guardian_requests(parent_id) WHERE deleted = 0 AND status = 'pending';
