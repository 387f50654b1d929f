-- authkit schema version 1: users, keys, sessions.
-- Timestamps are Unix nanoseconds (exact). Session IDs are token hashes.
CREATE TABLE auth_users (
	id         TEXT PRIMARY KEY NOT NULL,
	attributes TEXT
) STRICT;

CREATE TABLE auth_keys (
	provider_id      TEXT NOT NULL,
	provider_user_id TEXT NOT NULL,
	user_id          TEXT NOT NULL REFERENCES auth_users (id) ON DELETE CASCADE,
	password_hash    TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (provider_id, provider_user_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX auth_keys_user_id ON auth_keys (user_id);

CREATE TABLE auth_sessions (
	id                TEXT PRIMARY KEY NOT NULL,
	user_id           TEXT NOT NULL REFERENCES auth_users (id) ON DELETE CASCADE,
	active_expires_at INTEGER NOT NULL,
	idle_expires_at   INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX auth_sessions_user_id ON auth_sessions (user_id);
CREATE INDEX auth_sessions_idle_expires_at ON auth_sessions (idle_expires_at);
