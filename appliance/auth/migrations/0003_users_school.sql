-- Central sends a school the parents of its pupils (the users audience in
-- auth.Schema), which finds the school's pupils whether deleted or not: the
-- index on live accounts only could not serve it, and SQLite scanned every
-- guardian of the city instead, once for every page of the change log a
-- pull examines. One index on every account's school serves both.
DROP INDEX users_school;
CREATE INDEX users_school ON users(school_id);
