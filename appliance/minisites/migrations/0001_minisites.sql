-- Pupils' mini-sites: a group of pupils of a class builds a small site
-- whose pages are class pages held by the site (pages.owner_id), edited
-- live with the class pages' editor. minisite_pages arranges them in a
-- menu one level deep; minisite_images are the pictures of a page;
-- minisite_published is what the teacher published, the sanitized HTML
-- as it was then, which readers of the chosen audience read (on central
-- with no login when public).
CREATE TABLE minisites (
    id           TEXT PRIMARY KEY,
    scope        TEXT NOT NULL,
    hlc          INTEGER NOT NULL,
    origin       TEXT NOT NULL,
    deleted      INTEGER NOT NULL DEFAULT 0,
    school_id    TEXT NOT NULL,
    class_id     TEXT NOT NULL,
    title        TEXT NOT NULL,
    theme        TEXT NOT NULL CHECK (theme IN ('sea', 'forest', 'sun', 'night')),
    pupils       TEXT NOT NULL DEFAULT '',   -- the group: pupils' ids, space-separated
    status       TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'published')),
    audience     TEXT NOT NULL DEFAULT '' CHECK (audience IN ('', 'class', 'parents', 'school', 'public')),
    slug         TEXT NOT NULL DEFAULT '',   -- its public address, unique
    comment      TEXT NOT NULL DEFAULT '',   -- the teacher's, when they sent it back
    credits      TEXT NOT NULL DEFAULT '',   -- the group's first names, as published
    author_id    TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    published_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX minisites_class ON minisites(class_id) WHERE deleted = 0;
CREATE UNIQUE INDEX minisites_slug ON minisites(slug) WHERE deleted = 0 AND slug != '';

-- Where a page stands in the site's menu: its id is the page's (pages.id);
-- parent_id an upper page of the site, or empty for the menu's first level.
CREATE TABLE minisite_pages (
    id        TEXT PRIMARY KEY,
    scope     TEXT NOT NULL,
    hlc       INTEGER NOT NULL,
    origin    TEXT NOT NULL,
    deleted   INTEGER NOT NULL DEFAULT 0,
    site_id   TEXT NOT NULL,
    school_id TEXT NOT NULL,
    parent_id TEXT NOT NULL DEFAULT '',
    position  INTEGER NOT NULL
);
CREATE INDEX minisite_pages_site ON minisite_pages(site_id) WHERE deleted = 0;

-- A picture of a page, served at /media/mini-sites/{token} to who may
-- read the site.
CREATE TABLE minisite_images (
    id         TEXT PRIMARY KEY,
    scope      TEXT NOT NULL,
    hlc        INTEGER NOT NULL,
    origin     TEXT NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0,
    site_id    TEXT NOT NULL,
    school_id  TEXT NOT NULL,
    page_id    TEXT NOT NULL,
    token      TEXT NOT NULL UNIQUE,        -- 128 random bits
    hash       TEXT NOT NULL,               -- the blob's SHA-256
    type       TEXT NOT NULL,
    name       TEXT NOT NULL,
    author_id  TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX minisite_images_page ON minisite_images(page_id) WHERE deleted = 0;

-- A page as the teacher published it: title, sanitized HTML and the
-- tokens of its pictures at that moment; a new publication replaces them.
CREATE TABLE minisite_published (
    id           TEXT PRIMARY KEY,
    scope        TEXT NOT NULL,
    hlc          INTEGER NOT NULL,
    origin       TEXT NOT NULL,
    deleted      INTEGER NOT NULL DEFAULT 0,
    site_id      TEXT NOT NULL,
    school_id    TEXT NOT NULL,
    page_id      TEXT NOT NULL,
    parent_id    TEXT NOT NULL DEFAULT '',
    position     INTEGER NOT NULL,
    title        TEXT NOT NULL,
    html         TEXT NOT NULL,             -- sanitized (text.SafeHTML)
    images       TEXT NOT NULL DEFAULT '',  -- tokens, space-separated
    published_at TEXT NOT NULL
);
CREATE INDEX minisite_published_site ON minisite_published(site_id, position) WHERE deleted = 0;
