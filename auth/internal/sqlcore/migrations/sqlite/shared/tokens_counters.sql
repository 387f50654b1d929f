-- auth_tokens keeps the one-time tokens behind emailed links and codes: id
-- is the SHA-256 of the link token in hex and code_hash a SHA-256 derived
-- from the code (tokens and codes are never stored); at most one token per
-- user and purpose (the unique constraint, which CreateToken's upsert
-- replaces on). user_id has no foreign key: a token may name a user the
-- store does not keep (an app's), and it names it exactly as given. Times
-- are Unix nanoseconds; the index on expires_at serves the sweep.
--
-- auth_counters keeps the throttling counters: a window's count and the
-- window's last instant (reset_at, Unix nanoseconds), indexed for the
-- sweep.
CREATE TABLE auth_tokens (
	id         TEXT PRIMARY KEY NOT NULL,
	purpose    TEXT NOT NULL,
	user_id    TEXT NOT NULL,
	address    TEXT NOT NULL DEFAULT '',
	code_hash  TEXT NOT NULL DEFAULT '',
	attempts   INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	UNIQUE (user_id, purpose)
) STRICT, WITHOUT ROWID;

CREATE INDEX auth_tokens_expires_at ON auth_tokens (expires_at);

CREATE TABLE auth_counters (
	key      TEXT PRIMARY KEY NOT NULL,
	count    INTEGER NOT NULL,
	reset_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX auth_counters_reset_at ON auth_counters (reset_at);
