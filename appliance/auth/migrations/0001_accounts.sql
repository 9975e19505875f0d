-- Accounts, schools, classes and the links between them. All replicate
-- (store.track adds the change-log triggers). There are no foreign keys on
-- replicated tables on purpose: sync applies rows in change-log order, in
-- which a link can arrive before the account it points to.

CREATE TABLE schools (
    id      TEXT PRIMARY KEY,          -- the school's configured id (school.id), also its scope
    scope   TEXT NOT NULL,
    hlc     INTEGER NOT NULL,
    origin  TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    name    TEXT NOT NULL
);

CREATE TABLE classes (
    id        TEXT PRIMARY KEY,
    scope     TEXT NOT NULL,
    hlc       INTEGER NOT NULL,
    origin    TEXT NOT NULL,
    deleted   INTEGER NOT NULL DEFAULT 0,
    school_id TEXT NOT NULL,
    name      TEXT NOT NULL,
    level     TEXT NOT NULL              -- CP, CE1, CE2, CM1, CM2 or a double level such as CE2-CM1
);
CREATE INDEX classes_school ON classes(school_id) WHERE deleted = 0;

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    scope         TEXT NOT NULL,
    hlc           INTEGER NOT NULL,
    origin        TEXT NOT NULL,
    deleted       INTEGER NOT NULL DEFAULT 0,
    login         TEXT NOT NULL,
    first_name    TEXT NOT NULL DEFAULT '',
    last_name     TEXT NOT NULL DEFAULT '',
    display_name  TEXT NOT NULL,
    profile       TEXT NOT NULL CHECK (profile IN ('pupil', 'parent', 'teacher', 'director', 'dsi')),
    school_id     TEXT NOT NULL DEFAULT '',   -- '' for the city's DSI
    email         TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL DEFAULT '',
    picture_hash  TEXT NOT NULL DEFAULT '',   -- argon2id of the picture sequence, pupils only
    qr_hash       TEXT NOT NULL DEFAULT '',   -- sha-256 of the login card's secret, pupils only
    must_change   INTEGER NOT NULL DEFAULT 0,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);
-- Logins are unique city-wide, whatever their case.
CREATE UNIQUE INDEX users_login ON users(login COLLATE NOCASE) WHERE deleted = 0;
CREATE INDEX users_school ON users(school_id) WHERE deleted = 0;
CREATE INDEX users_qr ON users(qr_hash) WHERE qr_hash != '';

-- Pupils and teachers in classes; the id derives from (class, user).
CREATE TABLE memberships (
    id       TEXT PRIMARY KEY,
    scope    TEXT NOT NULL,
    hlc      INTEGER NOT NULL,
    origin   TEXT NOT NULL,
    deleted  INTEGER NOT NULL DEFAULT 0,
    class_id TEXT NOT NULL,
    user_id  TEXT NOT NULL,
    role     TEXT NOT NULL CHECK (role IN ('pupil', 'teacher'))
);
CREATE INDEX memberships_class ON memberships(class_id) WHERE deleted = 0;
CREATE INDEX memberships_user ON memberships(user_id) WHERE deleted = 0;

-- Parents and their children; the id derives from (parent, child).
CREATE TABLE guardians (
    id        TEXT PRIMARY KEY,
    scope     TEXT NOT NULL,
    hlc       INTEGER NOT NULL,
    origin    TEXT NOT NULL,
    deleted   INTEGER NOT NULL DEFAULT 0,
    parent_id TEXT NOT NULL,
    child_id  TEXT NOT NULL
);
CREATE INDEX guardians_parent ON guardians(parent_id) WHERE deleted = 0;
CREATE INDEX guardians_child ON guardians(child_id) WHERE deleted = 0;

-- Sessions are local to the node that opened them and do not replicate.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL,
    child_id   TEXT NOT NULL DEFAULT '',     -- the child a parent is looking at
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    ip         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);
