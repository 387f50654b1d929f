-- authkit schema version 2: the session record gains its creation and
-- renewal times, an absolute expiry (0 = none), the device that signed in
-- and JSON attributes (NULL = none; json keeps the bytes as given).
-- Sessions that existed before get the time of the upgrade (the
-- transaction's start) as created_at
-- and renewed_at (the real times were never recorded), no absolute expiry,
-- no device, no attributes.
ALTER TABLE {{schema}}auth_sessions
	ADD COLUMN created_at BIGINT NOT NULL DEFAULT 0,
	ADD COLUMN renewed_at BIGINT NOT NULL DEFAULT 0,
	ADD COLUMN expires_at BIGINT NOT NULL DEFAULT 0,
	ADD COLUMN user_agent TEXT NOT NULL DEFAULT '',
	ADD COLUMN client_ip  TEXT NOT NULL DEFAULT '',
	ADD COLUMN attributes JSON;
UPDATE {{schema}}auth_sessions SET
	created_at = (extract(epoch FROM now()) * 1000000)::bigint * 1000,
	renewed_at = (extract(epoch FROM now()) * 1000000)::bigint * 1000;
