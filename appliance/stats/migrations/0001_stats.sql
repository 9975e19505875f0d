-- Usage statistics: counts, never who. A node adds to its counters in
-- memory and writes them every few minutes in one transaction; only these
-- aggregates replicate, with their school's scope, so that central adds up
-- the city's and a director sees their school's.
CREATE TABLE stats_counts (
    id        TEXT PRIMARY KEY,          -- derives from (source, school_id, day, figure, profile, item)
    scope     TEXT NOT NULL,             -- the school's id
    hlc       INTEGER NOT NULL,
    origin    TEXT NOT NULL,
    deleted   INTEGER NOT NULL DEFAULT 0,
    school_id TEXT NOT NULL,
    source    TEXT NOT NULL,             -- where it was counted: the school's id, or 'central' (parents from home)
    day       TEXT NOT NULL,             -- YYYY-MM-DD, Paris time; a month's figure is on its first day
    figure    TEXT NOT NULL CHECK (figure IN ('connections', 'hours', 'visits', 'visitors',
                                               'accounts_created', 'accounts_activated')),
    profile   TEXT NOT NULL DEFAULT '' CHECK (profile IN ('', 'pupil', 'parent', 'teacher', 'director')),
    item      TEXT NOT NULL DEFAULT '',  -- hours: the hour, '08'; visits: the service; else ''
    count     INTEGER NOT NULL CHECK (count >= 0)
);
-- Every figure is read over a range of days, the whole city's or a school's:
-- one index holds all a report reads, so a year of the city is read from it
-- alone.
CREATE INDEX stats_counts_figure ON stats_counts(figure, day, profile, school_id, item, count) WHERE deleted = 0;

-- Who came this month and last, to count unique visitors once each: a
-- keyed hash of the account (the key never leaves this node, stats_key),
-- deleted when the month after has ended. Local: never replicated.
CREATE TABLE stats_seen (
    month     TEXT NOT NULL,             -- YYYY-MM
    school_id TEXT NOT NULL,             -- the school they count under
    profile   TEXT NOT NULL,
    who       TEXT NOT NULL,             -- HMAC-SHA-256 of the account's id, cut to 128 bits
    PRIMARY KEY (month, school_id, profile, who)
) WITHOUT ROWID;

CREATE TABLE stats_key (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    key BLOB NOT NULL
);

-- Accounts that have opened a session on this node at least once
-- (activated), local like the sessions they come from: only how many of a
-- school's accounts are activated leaves the node.
CREATE TABLE stats_activated (
    user_id TEXT PRIMARY KEY,
    since   TEXT NOT NULL                -- YYYY-MM-DD of the first session counted
) WITHOUT ROWID;
-- The sessions open when statistics began were activations already.
INSERT OR IGNORE INTO stats_activated(user_id, since)
    SELECT user_id, date(min(created_at), 'unixepoch') FROM sessions GROUP BY user_id;
