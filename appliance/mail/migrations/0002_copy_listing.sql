-- What IMAP lists of every message of a folder (its size, its Date, its
-- subject) kept on each copy as well: a folder's listing then reads the
-- copies alone, not the messages, whose rows hold their text.
ALTER TABLE mail_copies ADD COLUMN size INTEGER NOT NULL DEFAULT 0;
ALTER TABLE mail_copies ADD COLUMN sent_at TEXT NOT NULL DEFAULT '';
ALTER TABLE mail_copies ADD COLUMN subject TEXT NOT NULL DEFAULT '';
UPDATE mail_copies SET size = m.size, sent_at = m.date, subject = m.subject FROM mail_messages m WHERE m.id = mail_copies.message_id;
