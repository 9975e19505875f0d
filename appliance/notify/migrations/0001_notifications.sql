-- What concerns each person: a new page of homework, a note to sign, a
-- reply, news. Written where it happened, with that school as scope, and
-- replicated, so a parent reads at home what happened at school; the
-- title is a catalogue key with its arguments, said in the reader's
-- language when shown.
CREATE TABLE notifications (
    id         TEXT PRIMARY KEY,
    scope      TEXT NOT NULL,
    hlc        INTEGER NOT NULL,
    origin     TEXT NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0,
    user_id    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    title_key  TEXT NOT NULL,
    title_args TEXT NOT NULL DEFAULT '{}', -- JSON object of the key's arguments
    url        TEXT NOT NULL DEFAULT '',
    icon       TEXT NOT NULL DEFAULT 'cloche', -- a file under assets/icons, without .svg
    read       INTEGER NOT NULL DEFAULT 0 CHECK (read IN (0, 1)),
    created_at TEXT NOT NULL
);
CREATE INDEX notifications_user ON notifications(user_id, created_at) WHERE deleted = 0;
CREATE INDEX notifications_unread ON notifications(user_id) WHERE deleted = 0 AND read = 0;
