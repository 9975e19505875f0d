-- Each feature seeds its part of a demo school once: the mark names the
-- feature too, so that a feature added later seeds its part of a school
-- seeded before it. The schools marked so far were seeded by the register
-- (roster), the only feature with demo data then.
CREATE TABLE demo_feature_seeds (
    school_id TEXT NOT NULL,
    feature   TEXT NOT NULL,
    seeded_at TEXT NOT NULL,
    PRIMARY KEY (school_id, feature)
);
INSERT INTO demo_feature_seeds(school_id, feature, seeded_at) SELECT school_id, 'roster', seeded_at FROM demo_seeds;
DROP TABLE demo_seeds;
ALTER TABLE demo_feature_seeds RENAME TO demo_seeds;
