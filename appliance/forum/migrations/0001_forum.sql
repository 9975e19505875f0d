-- Forums: a class's, the school's, the staff's, the parents' of a class,
-- and the city's. A school's rows have the school as scope. The city's
-- forums are global (the DSI opens them on central); what a school's staff
-- write there has their school as scope, and city = 1 sends it to every
-- school (the schema's audience).
CREATE TABLE forums (
    id         TEXT PRIMARY KEY,
    scope      TEXT NOT NULL,
    hlc        INTEGER NOT NULL,
    origin     TEXT NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0,
    school_id  TEXT NOT NULL DEFAULT '',  -- '' for the city's
    audience   TEXT NOT NULL CHECK (audience IN ('class', 'school', 'staff', 'parents', 'city')),
    class_id   TEXT NOT NULL DEFAULT '',  -- a class's, or its parents'
    title      TEXT NOT NULL,
    about      TEXT NOT NULL DEFAULT '',
    categories TEXT NOT NULL DEFAULT '',  -- one a line
    moderated  INTEGER NOT NULL DEFAULT 0, -- pupils' posts wait for a moderator
    author_id  TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX forums_school ON forums(school_id) WHERE deleted = 0;

CREATE TABLE forum_threads (
    id         TEXT PRIMARY KEY,
    scope      TEXT NOT NULL,
    hlc        INTEGER NOT NULL,
    origin     TEXT NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0,
    city       INTEGER NOT NULL DEFAULT 0,
    forum_id   TEXT NOT NULL,
    category   TEXT NOT NULL DEFAULT '',
    title      TEXT NOT NULL,
    author_id  TEXT NOT NULL,
    pinned     INTEGER NOT NULL DEFAULT 0,
    locked     INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE INDEX forum_threads_forum ON forum_threads(forum_id) WHERE deleted = 0;

-- Posts are append-only but for their author's edits: held ones wait for
-- a moderator, removed ones were taken down by one.
CREATE TABLE forum_posts (
    id         TEXT PRIMARY KEY,
    scope      TEXT NOT NULL,
    hlc        INTEGER NOT NULL,
    origin     TEXT NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0,
    city       INTEGER NOT NULL DEFAULT 0,
    thread_id  TEXT NOT NULL,
    forum_id   TEXT NOT NULL,
    author_id  TEXT NOT NULL,
    body       TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'published' CHECK (status IN ('published', 'held', 'removed')),
    created_at TEXT NOT NULL,
    edited_at  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX forum_posts_thread ON forum_posts(thread_id, created_at) WHERE deleted = 0;
CREATE INDEX forum_posts_held ON forum_posts(forum_id) WHERE deleted = 0 AND status = 'held';

-- A post's images and attachments, as blobs.
CREATE TABLE forum_files (
    id         TEXT PRIMARY KEY,
    scope      TEXT NOT NULL,
    hlc        INTEGER NOT NULL,
    origin     TEXT NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0,
    city       INTEGER NOT NULL DEFAULT 0,
    post_id    TEXT NOT NULL,
    forum_id   TEXT NOT NULL,
    author_id  TEXT NOT NULL,
    hash       TEXT NOT NULL,
    name       TEXT NOT NULL,
    type       TEXT NOT NULL,
    size       INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX forum_files_post ON forum_files(post_id) WHERE deleted = 0;
CREATE INDEX forum_files_author ON forum_files(author_id) WHERE deleted = 0;

-- How far each person has read each thread: id derived from the pair,
-- so that two nodes never make two rows of it.
CREATE TABLE forum_reads (
    id        TEXT PRIMARY KEY,
    scope     TEXT NOT NULL,
    hlc       INTEGER NOT NULL,
    origin    TEXT NOT NULL,
    deleted   INTEGER NOT NULL DEFAULT 0,
    user_id   TEXT NOT NULL,
    thread_id TEXT NOT NULL,
    forum_id  TEXT NOT NULL,
    read_at   TEXT NOT NULL
);
CREATE INDEX forum_reads_user ON forum_reads(user_id, thread_id) WHERE deleted = 0;

-- Reports of a post, for the forum's moderators.
CREATE TABLE forum_reports (
    id          TEXT PRIMARY KEY,
    scope       TEXT NOT NULL,
    hlc         INTEGER NOT NULL,
    origin      TEXT NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    city        INTEGER NOT NULL DEFAULT 0,
    post_id     TEXT NOT NULL,
    forum_id    TEXT NOT NULL,
    reporter_id TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'kept', 'removed')),
    handled_by  TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);
CREATE INDEX forum_reports_open ON forum_reports(forum_id) WHERE deleted = 0 AND status = 'open';
