-- Curated educational sites: a link with a title, a comment and a picture,
-- chosen by a teacher for one class or one level of the school, or by the
-- city's DSI for every school (or those listed in schools). A school's
-- sites have the school as scope; the city's are global and every node
-- holds them. A school's site is for a class or for a level, never both:
-- the service and central's push check hold that rule.
CREATE TABLE sites (
    id           TEXT PRIMARY KEY,
    scope        TEXT NOT NULL,
    hlc          INTEGER NOT NULL,
    origin       TEXT NOT NULL,
    deleted      INTEGER NOT NULL DEFAULT 0,
    school_id    TEXT NOT NULL DEFAULT '',  -- '' for the city's
    class_id     TEXT NOT NULL DEFAULT '',  -- for a class's
    level        TEXT NOT NULL DEFAULT '',  -- for a level's (CP … CM2); neither: the city's for every level
    schools      TEXT NOT NULL DEFAULT '',  -- the city's: the schools it is meant for, space-separated, '' for all
    url          TEXT NOT NULL,
    title        TEXT NOT NULL,
    comment      TEXT NOT NULL DEFAULT '',
    picture      TEXT NOT NULL DEFAULT '',  -- the picture's SHA-256, '' for none
    picture_type TEXT NOT NULL DEFAULT '',
    author_id    TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX sites_school ON sites(school_id, created_at) WHERE deleted = 0;
CREATE INDEX sites_class ON sites(class_id) WHERE deleted = 0 AND class_id != '';
