-- Whether a mail client lists one of a person's own folders (IMAP's
-- SUBSCRIBE and UNSUBSCRIBE): a phone's mail app may show fewer folders
-- than the webmail. The special folders are always subscribed.
ALTER TABLE mail_folders ADD COLUMN subscribed INTEGER NOT NULL DEFAULT 1 CHECK (subscribed IN (0, 1));
