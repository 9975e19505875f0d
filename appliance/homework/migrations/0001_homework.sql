-- The cahier de textes: per class and day, what was done in class and the
-- work due for a later day. Replicated with the class's school as scope.
CREATE TABLE homework (
    id         TEXT PRIMARY KEY,
    scope      TEXT NOT NULL,
    hlc        INTEGER NOT NULL,
    origin     TEXT NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0,
    class_id   TEXT NOT NULL,
    author_id  TEXT NOT NULL,
    day        TEXT NOT NULL,              -- the class day it was given, YYYY-MM-DD
    done       TEXT NOT NULL DEFAULT '',   -- what was done in class that day
    due        TEXT NOT NULL,              -- the day it is due, YYYY-MM-DD
    title      TEXT NOT NULL,
    body       TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX homework_class_due ON homework(class_id, due) WHERE deleted = 0;

-- A pupil's tick on an entry. The id derives from (entry, pupil), so a tick
-- given at school and on central is one row, its latest state winning.
CREATE TABLE homework_ticks (
    id          TEXT PRIMARY KEY,
    scope       TEXT NOT NULL,
    hlc         INTEGER NOT NULL,
    origin      TEXT NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    homework_id TEXT NOT NULL,
    pupil_id    TEXT NOT NULL,
    done        INTEGER NOT NULL DEFAULT 1 CHECK (done IN (0, 1))
);
CREATE INDEX homework_ticks_entry ON homework_ticks(homework_id) WHERE deleted = 0;
