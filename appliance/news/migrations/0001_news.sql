-- News (actualités): what the school, a class or the city publishes for
-- its readers. A school's news has the school as scope; the city's (the
-- DSI's, written on central) is global and every school holds it.
CREATE TABLE news (
    id         TEXT PRIMARY KEY,
    scope      TEXT NOT NULL,
    hlc        INTEGER NOT NULL,
    origin     TEXT NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0,
    school_id  TEXT NOT NULL DEFAULT '',  -- '' for the city's
    audience   TEXT NOT NULL CHECK (audience IN ('school', 'class', 'parents', 'staff')),
    class_id   TEXT NOT NULL DEFAULT '',  -- for a class's
    author_id  TEXT NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL DEFAULT '',
    image      TEXT NOT NULL DEFAULT '',  -- the picture's SHA-256, '' for none
    image_type TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX news_school ON news(school_id, created_at) WHERE deleted = 0;
