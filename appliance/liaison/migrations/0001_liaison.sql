-- The carnet de liaison: notes from a class's teacher or the director to
-- the parents of the whole class or of chosen pupils. Every table is
-- replicated with the class's school as scope.
CREATE TABLE liaison_notes (
    id          TEXT PRIMARY KEY,
    scope       TEXT NOT NULL,
    hlc         INTEGER NOT NULL,
    origin      TEXT NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    class_id    TEXT NOT NULL,
    author_id   TEXT NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL DEFAULT '',
    signature   INTEGER NOT NULL DEFAULT 0 CHECK (signature IN (0, 1)), -- « J'ai lu » asked
    replies     INTEGER NOT NULL DEFAULT 0 CHECK (replies IN (0, 1)),   -- a short reply allowed
    day         TEXT NOT NULL DEFAULT '',  -- the day it is about (an outing), YYYY-MM-DD, for the agenda
    reminded_at TEXT NOT NULL DEFAULT '',  -- the last reminder to those who have not read
    created_at  TEXT NOT NULL
);
CREATE INDEX liaison_notes_class ON liaison_notes(class_id, created_at) WHERE deleted = 0;

-- The pupils a note is about, fixed when it is written (the class's pupils
-- that day, or the chosen ones): « lu par x / y » counts them. The id
-- derives from (note, pupil).
CREATE TABLE liaison_recipients (
    id       TEXT PRIMARY KEY,
    scope    TEXT NOT NULL,
    hlc      INTEGER NOT NULL,
    origin   TEXT NOT NULL,
    deleted  INTEGER NOT NULL DEFAULT 0,
    note_id  TEXT NOT NULL,
    pupil_id TEXT NOT NULL
);
CREATE INDEX liaison_recipients_note ON liaison_recipients(note_id) WHERE deleted = 0;
CREATE INDEX liaison_recipients_pupil ON liaison_recipients(pupil_id) WHERE deleted = 0;

-- A pupil's family read the note: either parent online, or the teacher
-- recording the paper slip. One per (note, pupil), the id derived from
-- both, so a signature given at school and one on central are one row.
CREATE TABLE liaison_acks (
    id       TEXT PRIMARY KEY,
    scope    TEXT NOT NULL,
    hlc      INTEGER NOT NULL,
    origin   TEXT NOT NULL,
    deleted  INTEGER NOT NULL DEFAULT 0,
    note_id  TEXT NOT NULL,
    pupil_id TEXT NOT NULL,
    by_id    TEXT NOT NULL,              -- the parent, or the teacher for a paper slip
    paper    INTEGER NOT NULL DEFAULT 0 CHECK (paper IN (0, 1)),
    at       TEXT NOT NULL
);
CREATE INDEX liaison_acks_note ON liaison_acks(note_id) WHERE deleted = 0;

-- A parent's short reply to a note that allows one.
CREATE TABLE liaison_replies (
    id         TEXT PRIMARY KEY,
    scope      TEXT NOT NULL,
    hlc        INTEGER NOT NULL,
    origin     TEXT NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0,
    note_id    TEXT NOT NULL,
    pupil_id   TEXT NOT NULL,
    author_id  TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX liaison_replies_note ON liaison_replies(note_id) WHERE deleted = 0;
