-- authkit sessions for the app's own users, schema version 1.
-- {{schema}} is the quoted schema and a dot, or nothing; {{users}},
-- {{idcol}} and {{idtype}} are the app's users table, its ID column
-- (quoted) and that column's type. Timestamps are Unix nanoseconds (0 =
-- none for expires_at). Attributes are json, not jsonb: json keeps the
-- bytes as given. Session IDs are token hashes; tokens are never stored.
CREATE TABLE {{schema}}auth_sessions (
	id                TEXT PRIMARY KEY,
	user_id           {{idtype}} NOT NULL REFERENCES {{users}} ({{idcol}}) ON DELETE CASCADE,
	created_at        BIGINT NOT NULL,
	renewed_at        BIGINT NOT NULL,
	active_expires_at BIGINT NOT NULL,
	idle_expires_at   BIGINT NOT NULL,
	expires_at        BIGINT NOT NULL DEFAULT 0,
	user_agent        TEXT NOT NULL DEFAULT '',
	client_ip         TEXT NOT NULL DEFAULT '',
	attributes        JSON
);

CREATE INDEX auth_sessions_user_id ON {{schema}}auth_sessions (user_id);
CREATE INDEX auth_sessions_idle_expires_at ON {{schema}}auth_sessions (idle_expires_at);
