-- authkit schema version 1: users, keys, sessions.
-- {{schema}} is replaced by the quoted schema name and a dot, or nothing.
-- Timestamps are Unix nanoseconds (exact; timestamptz keeps microseconds).
-- Attributes are json, not jsonb: json keeps the bytes as given.
CREATE TABLE {{schema}}auth_users (
	id         TEXT PRIMARY KEY,
	attributes JSON
);

CREATE TABLE {{schema}}auth_keys (
	provider_id      TEXT NOT NULL,
	provider_user_id TEXT NOT NULL,
	user_id          TEXT NOT NULL REFERENCES {{schema}}auth_users (id) ON DELETE CASCADE,
	password_hash    TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (provider_id, provider_user_id)
);

CREATE INDEX auth_keys_user_id ON {{schema}}auth_keys (user_id);

CREATE TABLE {{schema}}auth_sessions (
	id                TEXT PRIMARY KEY,
	user_id           TEXT NOT NULL REFERENCES {{schema}}auth_users (id) ON DELETE CASCADE,
	active_expires_at BIGINT NOT NULL,
	idle_expires_at   BIGINT NOT NULL
);

CREATE INDEX auth_sessions_user_id ON {{schema}}auth_sessions (user_id);
CREATE INDEX auth_sessions_idle_expires_at ON {{schema}}auth_sessions (idle_expires_at);
