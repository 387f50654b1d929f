-- authkit schema version 3: a session records its lifetime policy, chosen
-- at sign-in: 1 for a browser session (no "remember me"), 0 for a
-- persistent one. Sessions that existed before are persistent, as every
-- session was.
ALTER TABLE auth_sessions ADD COLUMN browser_session INTEGER NOT NULL DEFAULT 0;
