-- The mail. A message is written once and never changed but for its
-- delivery state; each person who holds it (its sender, each recipient)
-- has a copy of it in one of their folders, with their flags. Messages are
-- of their sender's home scope and reach the schools of their recipients
-- through sync's audience; copies and folders are of their owner's home
-- scope (a school's id, or 'city' for the accounts that belong to no
-- school: they stay on central).
CREATE TABLE mail_messages (
    id           TEXT PRIMARY KEY,
    scope        TEXT NOT NULL,
    hlc          INTEGER NOT NULL,
    origin       TEXT NOT NULL,
    deleted      INTEGER NOT NULL DEFAULT 0,
    sender_id    TEXT NOT NULL,              -- the account that wrote it, or saved it over IMAP
    header_id    TEXT NOT NULL DEFAULT '',   -- its Message-ID, without <>
    thread_id    TEXT NOT NULL,              -- the conversation's: its first message's id
    subject      TEXT NOT NULL DEFAULT '',
    from_addr    TEXT NOT NULL DEFAULT '',   -- as written in the header, decoded
    to_addrs     TEXT NOT NULL DEFAULT '',
    cc_addrs     TEXT NOT NULL DEFAULT '',
    recipients   TEXT NOT NULL DEFAULT '',   -- the accounts it goes to, ids separated by spaces (Bcc included)
    schools      TEXT NOT NULL DEFAULT '',   -- their home scopes, separated by spaces: sync's audience
    state        TEXT NOT NULL DEFAULT 'sent' CHECK (state IN ('sent', 'pending', 'held', 'returned', 'saved')),
    reason       TEXT NOT NULL DEFAULT '',   -- why it was returned
    delivered_at TEXT NOT NULL DEFAULT '',   -- when the last recipients got it
    date         TEXT NOT NULL,              -- its Date, RFC 3339
    size         INTEGER NOT NULL,
    snippet      TEXT NOT NULL DEFAULT '',   -- the start of its text, for lists
    body_text    TEXT NOT NULL DEFAULT '',   -- its text, for the search
    attachments  INTEGER NOT NULL DEFAULT 0,
    raw          BLOB,                       -- the RFC 5322 text, when small
    blob         TEXT NOT NULL DEFAULT ''    -- its SHA-256 in the blob store, when large
);
CREATE INDEX mail_messages_state ON mail_messages(state) WHERE deleted = 0 AND state IN ('pending', 'held');
CREATE INDEX mail_messages_thread ON mail_messages(thread_id);
CREATE INDEX mail_messages_header ON mail_messages(header_id) WHERE header_id != '';

-- A person's copy of a message: where they keep it and how they marked it.
-- The copy a delivery makes has the id NaturalID(owner, message), so that a
-- message delivered twice is one copy.
CREATE TABLE mail_copies (
    id          TEXT PRIMARY KEY,
    scope       TEXT NOT NULL,
    hlc         INTEGER NOT NULL,
    origin      TEXT NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    owner_id    TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    folder      TEXT NOT NULL,               -- inbox, sent, drafts, trash, archive, or a mail_folders id
    seen        INTEGER NOT NULL DEFAULT 0 CHECK (seen IN (0, 1)),
    flagged     INTEGER NOT NULL DEFAULT 0 CHECK (flagged IN (0, 1)),
    answered    INTEGER NOT NULL DEFAULT 0 CHECK (answered IN (0, 1)),
    draft       INTEGER NOT NULL DEFAULT 0 CHECK (draft IN (0, 1)),
    removed     INTEGER NOT NULL DEFAULT 0 CHECK (removed IN (0, 1)), -- IMAP's \Deleted: gone at the next EXPUNGE
    keywords    TEXT NOT NULL DEFAULT '',    -- IMAP keywords, separated by spaces
    received_at TEXT NOT NULL                -- IMAP's internal date, RFC 3339
);
CREATE INDEX mail_copies_folder ON mail_copies(owner_id, folder, received_at) WHERE deleted = 0;
CREATE INDEX mail_copies_message ON mail_copies(message_id) WHERE deleted = 0;

-- A person's own folders; the five special ones have fixed ids and no row.
CREATE TABLE mail_folders (
    id         TEXT PRIMARY KEY,
    scope      TEXT NOT NULL,
    hlc        INTEGER NOT NULL,
    origin     TEXT NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0,
    owner_id   TEXT NOT NULL,
    name       TEXT NOT NULL,                -- IMAP's, "/" separating levels
    created_at TEXT NOT NULL
);
CREATE INDEX mail_folders_owner ON mail_folders(owner_id) WHERE deleted = 0;

-- A school's rules, set by its director: what pupils may write, and
-- whether their messages wait for a teacher.
CREATE TABLE mail_settings (
    id       TEXT PRIMARY KEY,               -- the school's id
    scope    TEXT NOT NULL,
    hlc      INTEGER NOT NULL,
    origin   TEXT NOT NULL,
    deleted  INTEGER NOT NULL DEFAULT 0,
    pupils   TEXT NOT NULL DEFAULT 'class' CHECK (pupils IN ('class', 'teachers', 'none')),
    moderate INTEGER NOT NULL DEFAULT 0 CHECK (moderate IN (0, 1))
);

-- What IMAP clients know, this node's own (never replicated): each
-- folder's UIDVALIDITY and next UID, and the UID given to each copy in it.
-- A copy gets its UID the first time a client looks at its folder; a copy
-- that left the folder leaves its UID behind, never reused.
CREATE TABLE mail_mailboxes (
    owner_id TEXT NOT NULL,
    folder   TEXT NOT NULL,
    validity INTEGER NOT NULL,
    next_uid INTEGER NOT NULL,
    PRIMARY KEY (owner_id, folder)
);
CREATE TABLE mail_uids (
    owner_id TEXT NOT NULL,
    folder   TEXT NOT NULL,
    uid      INTEGER NOT NULL,
    copy_id  TEXT NOT NULL,
    PRIMARY KEY (owner_id, folder, uid),
    UNIQUE (copy_id, folder)
);
-- The last UIDVALIDITY given on this node, so that none repeats even when
-- the clock goes back.
CREATE TABLE mail_validity (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    last INTEGER NOT NULL
);
