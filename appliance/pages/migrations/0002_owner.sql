-- A page may belong to another feature (a pupils' mini-site): owner_id is
-- that feature's row, which decides who reads and writes the page; empty
-- for the class wiki and newspaper. It never changes.
ALTER TABLE pages ADD COLUMN owner_id TEXT NOT NULL DEFAULT '';
CREATE INDEX pages_owner ON pages(owner_id) WHERE deleted = 0 AND owner_id != '';
