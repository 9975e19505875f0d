-- The agenda's events: the school's (and its holidays), a class's, a
-- person's own. Replicated with the school as scope (a person's own: their
-- school's). Times are UTC (RFC 3339) for a timed event, a day
-- (YYYY-MM-DD) for an all-day one, its end excluded; a repeating event
-- carries its RFC 5545 rule, computed in Europe/Paris, and the starts it
-- skips.
CREATE TABLE events (
    id          TEXT PRIMARY KEY,
    scope       TEXT NOT NULL,
    hlc         INTEGER NOT NULL,
    origin      TEXT NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    calendar    TEXT NOT NULL CHECK (calendar IN ('school', 'class', 'personal')),
    school_id   TEXT NOT NULL DEFAULT '',
    class_id    TEXT NOT NULL DEFAULT '',
    owner_id    TEXT NOT NULL DEFAULT '',   -- a personal event's
    author_id   TEXT NOT NULL,
    uid         TEXT NOT NULL,              -- iCalendar's UID: a CalDAV client's own, or the id
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    place       TEXT NOT NULL DEFAULT '',
    all_day     INTEGER NOT NULL DEFAULT 0 CHECK (all_day IN (0, 1)),
    starts      TEXT NOT NULL,
    ends        TEXT NOT NULL,
    rrule       TEXT NOT NULL DEFAULT '',
    exdates     TEXT NOT NULL DEFAULT '',   -- comma-separated, as starts
    holiday     INTEGER NOT NULL DEFAULT 0 CHECK (holiday IN (0, 1)),
    created_at  TEXT NOT NULL
);
CREATE INDEX events_school ON events(school_id, calendar) WHERE deleted = 0;
CREATE INDEX events_class ON events(class_id) WHERE deleted = 0;
CREATE INDEX events_owner ON events(owner_id) WHERE deleted = 0;
CREATE INDEX events_uid ON events(uid) WHERE deleted = 0;

-- Each person's secret for their calendar feed (the ICS URL). Kept as it
-- is, as calendar services keep theirs, to be shown again on the person's
-- page: it reads their agenda and nothing else, and renewing it ends the
-- old one. Not replicated: a feed is read from the server that gave it.
CREATE TABLE calendar_tokens (
    user_id    TEXT PRIMARY KEY,
    token      TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
