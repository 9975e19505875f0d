-- A pupil's ticks are read on every page of theirs and their parents'
-- (what is done, what is due tomorrow): by pupil, not by a scan.
CREATE INDEX homework_ticks_pupil ON homework_ticks(pupil_id) WHERE deleted = 0;
