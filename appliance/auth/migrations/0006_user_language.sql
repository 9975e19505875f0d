-- The interface language the person chose (fr, en, ar), or '' while they
-- have not: i18n.default_language and their browser decide then. An
-- account field like any other, it replicates, so the choice follows them
-- to central and to every device.
ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT '';
