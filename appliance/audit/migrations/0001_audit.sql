-- The audit log (journal des actions d'administration): who did what,
-- when, from where. Append-only: a row is written once and never changed
-- nor deleted, here or by a push. A school's rows are its scope and reach
-- central; central's own (the DSI's) have the scope 'city' and stay there.
CREATE TABLE audit_entries (
    id         TEXT PRIMARY KEY,
    scope      TEXT NOT NULL,
    hlc        INTEGER NOT NULL,
    origin     TEXT NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0,
    school_id  TEXT NOT NULL DEFAULT '',  -- the actor's school, '' for the city's DSI
    at         TEXT NOT NULL,             -- RFC 3339, UTC
    actor_id   TEXT NOT NULL DEFAULT '',  -- '' for a command run without an account
    actor_name TEXT NOT NULL DEFAULT '',  -- as shown, kept when the account changes
    action     TEXT NOT NULL,
    target     TEXT NOT NULL DEFAULT '',
    address    TEXT NOT NULL DEFAULT ''   -- the client's IP, or 'console'
);
CREATE INDEX audit_entries_school ON audit_entries(school_id, at);
CREATE INDEX audit_entries_at ON audit_entries(at);
