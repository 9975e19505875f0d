-- The search index: what every feature shows, as the search feature reads
-- it from the change log. Local to each node, never replicated: each node
-- indexes the rows it holds.
--
-- search_entries holds each indexed row as it is shown in the results.
-- search_words holds its words under the same rowid, each written after a
-- key of its kind and of one audience that may see it (see words.go): a
-- query asks for the caller's keys before each word, so that FTS5 only
-- ever reads the words of what the caller may see, however large the
-- index. unicode61 with remove_diacritics folds case and accents
-- (« eleve » finds « Élève »); contentless, since the words are only ever
-- matched, never shown.
CREATE TABLE search_entries (
    id    INTEGER PRIMARY KEY,
    kind  TEXT NOT NULL,
    ref   TEXT NOT NULL,   -- the row's id in its feature's table
    url   TEXT NOT NULL,
    title TEXT NOT NULL,
    body  TEXT NOT NULL,
    UNIQUE (kind, ref)
);
CREATE VIRTUAL TABLE search_words USING fts5(
    words,
    content = '', contentless_delete = 1, detail = 'none',
    tokenize = 'unicode61 remove_diacritics 2'
);
-- The kinds of audience each kind of entry was indexed under ("class",
-- "family"…): a query asks only for the caller's audiences of those kinds.
CREATE TABLE search_audiences (
    kind     TEXT NOT NULL,
    audience TEXT NOT NULL,
    PRIMARY KEY (kind, audience)
) WITHOUT ROWID;
-- How far in the change log the index has read.
CREATE TABLE search_cursor (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL
);
INSERT INTO search_cursor(id, seq) VALUES (1, 0);
