-- Set by sync on an account whose login another school had given to someone
-- else while the link was down: sync renamed it (login-xxxx); the person
-- or the director picks a new one.
ALTER TABLE users ADD COLUMN login_renamed INTEGER NOT NULL DEFAULT 0;
