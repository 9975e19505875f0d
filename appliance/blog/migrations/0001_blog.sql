-- The class blog (cahier de vie): what a class did, told with text,
-- photos and short videos, for the class's families and staff, or for the
-- whole school. Every row has its school as scope: central holds them
-- all, for the parents who read from home.
CREATE TABLE blog_posts (
    id         TEXT PRIMARY KEY,
    scope      TEXT NOT NULL,
    hlc        INTEGER NOT NULL,
    origin     TEXT NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0,
    school_id  TEXT NOT NULL,
    class_id   TEXT NOT NULL,
    author_id  TEXT NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL DEFAULT '',   -- Markdown
    audience   TEXT NOT NULL CHECK (audience IN ('class', 'school')),
    status     TEXT NOT NULL CHECK (status IN ('published', 'pending')), -- a pupil's waits for the teacher
    created_at TEXT NOT NULL
);
CREATE INDEX blog_posts_class ON blog_posts(class_id, created_at) WHERE deleted = 0;
CREATE INDEX blog_posts_school ON blog_posts(school_id, created_at) WHERE deleted = 0;

-- A post's photos and videos. The original is a blob; token is the
-- random, unguessable part of its URL (/media/blog/{token}), checked
-- against the reader on every request all the same.
CREATE TABLE blog_media (
    id         TEXT PRIMARY KEY,
    scope      TEXT NOT NULL,
    hlc        INTEGER NOT NULL,
    origin     TEXT NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0,
    post_id    TEXT NOT NULL,
    school_id  TEXT NOT NULL,
    class_id   TEXT NOT NULL,
    token      TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('photo', 'video')),
    blob       TEXT NOT NULL,
    type       TEXT NOT NULL,
    size       INTEGER NOT NULL,
    name       TEXT NOT NULL DEFAULT '',
    position   INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE INDEX blog_media_post ON blog_media(post_id, position) WHERE deleted = 0;
CREATE UNIQUE INDEX blog_media_token ON blog_media(token);

-- Comments of the class's families and staff; held for the teacher's
-- approval when the class's setting says so (the default).
CREATE TABLE blog_comments (
    id         TEXT PRIMARY KEY,
    scope      TEXT NOT NULL,
    hlc        INTEGER NOT NULL,
    origin     TEXT NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0,
    post_id    TEXT NOT NULL,
    school_id  TEXT NOT NULL,
    class_id   TEXT NOT NULL,
    author_id  TEXT NOT NULL,
    body       TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('approved', 'pending')),
    created_at TEXT NOT NULL
);
CREATE INDEX blog_comments_post ON blog_comments(post_id, created_at) WHERE deleted = 0;
CREATE INDEX blog_comments_class ON blog_comments(class_id, status) WHERE deleted = 0;

-- A class's choices, its id being the class's: whether its pupils post
-- (held for approval), whether families comment, and whether comments
-- wait for approval. No row: no pupil posts, no comments.
CREATE TABLE blog_settings (
    id          TEXT PRIMARY KEY,
    scope       TEXT NOT NULL,
    hlc         INTEGER NOT NULL,
    origin      TEXT NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    school_id   TEXT NOT NULL,
    pupils_post INTEGER NOT NULL DEFAULT 0,
    comments    INTEGER NOT NULL DEFAULT 0,
    moderated   INTEGER NOT NULL DEFAULT 1
);
