-- When a session was last used, in Unix seconds, written at most once a
-- minute: a pupil's session ends after auth.pupil_session_idle without
-- activity (classroom computers are shared). Sessions open before this
-- migration count as used when they were opened.
ALTER TABLE sessions ADD COLUMN last_seen INTEGER NOT NULL DEFAULT 0;
UPDATE sessions SET last_seen = created_at;
