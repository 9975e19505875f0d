-- The city's library: documents the DSI publishes on central, global in
-- scope, with no class; schools names the schools they are meant for
-- (feature.Targets), '' for every school. A school keeps their files in
-- its cache (store.Schema.Cached, sync's cache).
ALTER TABLE documents ADD COLUMN schools TEXT NOT NULL DEFAULT '';
CREATE INDEX documents_city ON documents(created_at) WHERE deleted = 0 AND scope = 'global';
