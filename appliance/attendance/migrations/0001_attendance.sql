-- The register (l'appel): taken per class and half-day. A register row
-- says it was taken, so that "everyone present" is recorded too; its id
-- derives from (class, day, half-day).
CREATE TABLE attendance_registers (
    id        TEXT PRIMARY KEY,
    scope     TEXT NOT NULL,
    hlc       INTEGER NOT NULL,
    origin    TEXT NOT NULL,
    deleted   INTEGER NOT NULL DEFAULT 0,
    class_id  TEXT NOT NULL,
    day       TEXT NOT NULL,                                 -- YYYY-MM-DD
    half_day  TEXT NOT NULL CHECK (half_day IN ('am', 'pm')),
    taken_by  TEXT NOT NULL,
    taken_at  TEXT NOT NULL
);
CREATE INDEX attendance_registers_day ON attendance_registers(day) WHERE deleted = 0;

-- A pupil's absence or late arrival for a half-day, recorded by the
-- register or announced beforehand by a parent; its id derives from
-- (pupil, day, half-day), so the school's and central's are one row.
CREATE TABLE absences (
    id           TEXT PRIMARY KEY,
    scope        TEXT NOT NULL,
    hlc          INTEGER NOT NULL,
    origin       TEXT NOT NULL,
    deleted      INTEGER NOT NULL DEFAULT 0,
    pupil_id     TEXT NOT NULL,
    class_id     TEXT NOT NULL,
    day          TEXT NOT NULL,
    half_day     TEXT NOT NULL CHECK (half_day IN ('am', 'pm')),
    kind         TEXT NOT NULL DEFAULT 'absent' CHECK (kind IN ('absent', 'late')),
    recorded_by  TEXT NOT NULL,
    announced    INTEGER NOT NULL DEFAULT 0 CHECK (announced IN (0, 1)), -- by a parent, beforehand
    reason       TEXT NOT NULL DEFAULT '',   -- one of the reasons of a justification, '' while none
    comment      TEXT NOT NULL DEFAULT '',
    justified_by TEXT NOT NULL DEFAULT '',
    justified_at TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL
);
CREATE INDEX absences_pupil ON absences(pupil_id, day) WHERE deleted = 0;
CREATE INDEX absences_class_day ON absences(class_id, day) WHERE deleted = 0;
CREATE INDEX absences_day ON absences(day) WHERE deleted = 0;
