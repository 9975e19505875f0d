-- The search index: what every feature shows, as the search feature reads
-- it from the change log. Local to each node, never replicated: each node
-- indexes the rows it holds.
--
-- search_entries names each indexed row; search_text holds its words under
-- the same rowid: its kind, its audiences (words only the people who may
-- see it hold, see feature.Audiences), its title and its text. unicode61
-- with remove_diacritics folds case and accents (« eleve » finds
-- « Élève »); the prefix index answers « math » finding « mathématiques »
-- without reading every word.
CREATE TABLE search_entries (
    id   INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    ref  TEXT NOT NULL,   -- the row's id in its feature's table
    url  TEXT NOT NULL,
    UNIQUE (kind, ref)
);
CREATE VIRTUAL TABLE search_text USING fts5(
    kind, audience, title, body,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);
-- How far in the change log the index has read.
CREATE TABLE search_cursor (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL
);
INSERT INTO search_cursor(id, seq) VALUES (1, 0);
