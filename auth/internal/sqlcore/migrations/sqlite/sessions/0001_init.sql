-- authkit sessions for the app's own users, schema version 1.
-- {{users}} and {{idcol}} are the app's users table and its ID column,
-- quoted. Timestamps are Unix nanoseconds (0 = none for expires_at).
-- Session IDs are token hashes; tokens are never stored.
CREATE TABLE auth_sessions (
	id                TEXT PRIMARY KEY NOT NULL,
	user_id           TEXT NOT NULL REFERENCES {{users}} ({{idcol}}) ON DELETE CASCADE,
	created_at        INTEGER NOT NULL,
	renewed_at        INTEGER NOT NULL,
	active_expires_at INTEGER NOT NULL,
	idle_expires_at   INTEGER NOT NULL,
	expires_at        INTEGER NOT NULL DEFAULT 0,
	user_agent        TEXT NOT NULL DEFAULT '',
	client_ip         TEXT NOT NULL DEFAULT '',
	attributes        TEXT
) STRICT, WITHOUT ROWID;

CREATE INDEX auth_sessions_user_id ON auth_sessions (user_id);
CREATE INDEX auth_sessions_idle_expires_at ON auth_sessions (idle_expires_at);
