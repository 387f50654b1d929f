-- authkit schema version 2: the session record gains its creation and
-- renewal times, an absolute expiry (0 = none), the device that signed in
-- and JSON attributes (NULL = none). Sessions that existed before get the
-- time of the upgrade as created_at and renewed_at (the real times were
-- never recorded), no absolute expiry, no device, no attributes.
ALTER TABLE auth_sessions ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE auth_sessions ADD COLUMN renewed_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE auth_sessions ADD COLUMN expires_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE auth_sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
ALTER TABLE auth_sessions ADD COLUMN client_ip TEXT NOT NULL DEFAULT '';
ALTER TABLE auth_sessions ADD COLUMN attributes TEXT;
UPDATE auth_sessions SET
	created_at = CAST(unixepoch('subsec') * 1000 AS INTEGER) * 1000000,
	renewed_at = CAST(unixepoch('subsec') * 1000 AS INTEGER) * 1000000;
