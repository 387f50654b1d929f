package sqlcore

import (
	"fmt"
	"strings"
)

// queries are a store's statements, built once for its dialect, schema
// and users table.
type queries struct {
	insertUser, getUser, updateUserAttributes, deleteUser, deleteUserKeys       string
	insertKey, insertKeyForUser, getKey, updateKeyPassword, deleteKey, userKeys string
	insertSession, getSession, getSessionAndUser, renewSession, deleteSession   string
	deleteUserSessions, userSessions, deleteExpired                             string
	updateSessionAttributes                                                     string
	// insertSessionExact: insertSession takes the user ID a second time,
	// to compare with the ID column read as text.
	insertSessionExact bool
	// tokens are the one-time token and counter statements.
	tokens tokenQueries
}

func buildQueries(cfg Config, prefix, users, idcol, idtype string) queries {
	// Written with ? placeholders and {…} for names; PostgreSQL gets $1,
	// $2, ... below. {uid} is a user ID parameter, a string cast to the ID
	// column's type on PostgreSQL; {suid} reads s.user_id back as text.
	uid, suid := "?", "s.user_id"
	if cfg.Postgres && idtype != "text" {
		uid, suid = "CAST(CAST(? AS text) AS "+idtype+")", "CAST(s.user_id AS text)"
	}
	r := strings.NewReplacer(
		"{cols}", sessionCols, "{colsByID}", sessionColsByID,
		"{suid}", suid, "{uid}", uid,
		"{u}", users, "{id}", idcol,
		"{k}", prefix+"auth_keys", "{s}", prefix+"auth_sessions",
		"{t}", prefix+"auth_tokens", "{c}", prefix+"auth_counters",
	)
	q := func(text string) string {
		text = r.Replace(r.Replace(text))
		if cfg.Postgres {
			text = numberPlaceholders(text)
		}
		return text
	}
	getSession := `SELECT {colsByID} FROM {s} s WHERE s.id = ?`
	if cfg.CheckUser {
		getSession += ` AND EXISTS (SELECT 1 FROM {u} u WHERE u.{id} = s.user_id)`
	}
	// SQLite compares an app's ID column with the column's affinity, so
	// "042", " 42" and "4.2e1" all find the INTEGER 42; the column read
	// back as text must also be the ID as given, so that a session's
	// UserID is always what the store gives back. (Its user_id column is
	// TEXT, compared exactly, and authkit's own users have TEXT IDs.)
	insertSession := `INSERT INTO {s} (id, created_at, renewed_at, active_expires_at, idle_expires_at, expires_at, user_agent, client_ip, attributes, browser_session, user_id)
			SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, u.{id} FROM {u} u WHERE u.{id} = {uid}`
	exact := !cfg.Postgres && cfg.Users != nil
	if exact {
		insertSession += ` AND CAST(u.{id} AS TEXT) = ?`
	}
	// The attributes compare as text (PostgreSQL's json has no equality),
	// NULL matching only NULL.
	updateAttrs := `UPDATE {s} SET attributes = ? WHERE id = ? AND attributes IS ?`
	if cfg.Postgres {
		updateAttrs = `UPDATE {s} SET attributes = CAST(CAST(? AS text) AS json) WHERE id = ? AND CAST(attributes AS text) IS NOT DISTINCT FROM CAST(? AS text)`
	}
	return queries{
		insertUser:           q(`INSERT INTO {u} (id, attributes) VALUES (?, ?)`),
		getUser:              q(`SELECT attributes FROM {u} WHERE id = ?`),
		updateUserAttributes: q(`UPDATE {u} SET attributes = ? WHERE id = ?`),
		deleteUser:           q(`DELETE FROM {u} WHERE id = ?`),
		deleteUserKeys:       q(`DELETE FROM {k} WHERE user_id = ?`),

		insertKey:         q(`INSERT INTO {k} (provider_id, provider_user_id, user_id, password_hash) VALUES (?, ?, ?, ?)`),
		insertKeyForUser:  q(`INSERT INTO {k} (provider_id, provider_user_id, user_id, password_hash) SELECT ?, ?, id, ? FROM {u} WHERE id = ?`),
		getKey:            q(`SELECT user_id, password_hash FROM {k} WHERE provider_id = ? AND provider_user_id = ?`),
		updateKeyPassword: q(`UPDATE {k} SET password_hash = ? WHERE provider_id = ? AND provider_user_id = ?`),
		deleteKey:         q(`DELETE FROM {k} WHERE provider_id = ? AND provider_user_id = ?`),
		userKeys:          q(`SELECT provider_id, provider_user_id, password_hash FROM {k} WHERE user_id = ?`),

		// Inserts nothing if the user does not exist, atomically with the
		// check.
		insertSession:      q(insertSession),
		insertSessionExact: exact,
		getSession:         q(getSession),
		getSessionAndUser: q(`SELECT {cols}, u.id, u.attributes
			FROM {s} s LEFT JOIN {u} u ON u.id = s.user_id WHERE s.id = ?`),
		renewSession:            q(`UPDATE {s} SET renewed_at = ?, active_expires_at = ?, idle_expires_at = ? WHERE id = ? AND active_expires_at = ?`),
		deleteSession:           q(`DELETE FROM {s} WHERE id = ?`),
		deleteUserSessions:      q(`DELETE FROM {s} WHERE user_id = {uid}`),
		userSessions:            q(`SELECT {cols} FROM {s} s WHERE s.user_id = {uid}`),
		updateSessionAttributes: q(updateAttrs),
		deleteExpired:           q(`DELETE FROM {s} WHERE id IN (SELECT id FROM {s} WHERE idle_expires_at < ? LIMIT ?)`),

		tokens: buildTokenQueries(q),
	}
}

// numberPlaceholders turns each ? into $1, $2, ... in order. The
// statements above have no ? inside literals.
func numberPlaceholders(text string) string {
	var b strings.Builder
	n := 0
	for _, c := range text {
		if c == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}
