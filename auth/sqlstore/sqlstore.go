// Package sqlstore is an [auth.Store] on database/sql, for SQLite (through
// the pure-Go driver modernc.org/sqlite) and PostgreSQL (through
// github.com/jackc/pgx/v5/stdlib).
//
// Open a store with [OpenSQLite] or [OpenPostgres], or wrap a *sql.DB you
// configured yourself with [New]; then call [Store.Migrate] once at start-up
// to create or update the tables. Migrations are embedded in the binary,
// versioned, and idempotent: running Migrate on an up-to-date database does
// nothing, and concurrent Migrate calls (several app servers starting at
// once) apply each migration once.
//
// # Schema
//
// Three tables, auth_users, auth_keys and auth_sessions, and
// auth_schema_migrations for the applied versions. Sessions are keyed by
// their ID (the SHA-256 of the token; tokens are never stored), with a
// foreign key to the user (ON DELETE CASCADE) and indexes on user_id and
// idle_expires_at. Keys have the primary key (provider_id,
// provider_user_id). Timestamps are BIGINT Unix nanoseconds, so they
// round-trip exactly (PostgreSQL's timestamptz keeps only microseconds) and
// compare exactly in the conditional renewal; times read back are in UTC.
// A time outside what int64 nanoseconds can hold (before 1678 or after
// 2261) is refused with an error. User attributes are kept byte for byte:
// TEXT in SQLite, json (not jsonb, which re-encodes) in PostgreSQL.
//
// On PostgreSQL, [WithSchema] puts the tables in a schema of their own;
// every statement names its tables with the schema, so the store works on
// any connection whatever its search_path.
//
// # Round trips and atomicity
//
// Validating a session costs one statement: GetSessionAndUser is a single
// SELECT joining the user. Renewal is a single UPDATE ... WHERE id = ? AND
// active_expires_at = ?, so of several concurrent renewals (in one process
// or many) exactly one changes a row, and a deleted session is never
// brought back. CreateSession and CreateKey insert with INSERT ... SELECT
// from the users table, so a missing user is reported as [auth.ErrNotFound]
// atomically with the insert. CreateUser (user and key) and, on SQLite,
// DeleteUser run in a transaction.
//
// The store does not rely on SQLite's foreign_keys pragma (which is per
// connection and off by default): it deletes a user's sessions and keys
// itself. [OpenSQLite] turns the pragma on anyway.
package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/authkit-dev/authkit/auth"
)

// Dialect is the SQL dialect of a database.
type Dialect int

// The supported dialects.
const (
	// SQLite is SQLite through the driver modernc.org/sqlite (driver name
	// "sqlite").
	SQLite Dialect = iota + 1
	// Postgres is PostgreSQL through github.com/jackc/pgx/v5/stdlib
	// (driver name "pgx").
	Postgres
)

// String returns "sqlite" or "postgres".
func (d Dialect) String() string {
	switch d {
	case SQLite:
		return "sqlite"
	case Postgres:
		return "postgres"
	}
	return fmt.Sprintf("Dialect(%d)", int(d))
}

// An Option configures a [Store].
type Option func(*options)

type options struct {
	schema string
}

// WithSchema puts the tables in the named PostgreSQL schema, which
// [Store.Migrate] creates if needed. Statements name the schema
// explicitly, so the connections' search_path does not matter. SQLite has
// no schemas: [New] returns an error if this option is given with SQLite.
func WithSchema(name string) Option {
	return func(o *options) { o.schema = name }
}

// Store is an [auth.Store] on a *sql.DB. It is safe for concurrent use,
// also by several processes sharing the database.
type Store struct {
	db      *sql.DB
	dialect Dialect
	schema  string
	owned   bool // Close closes db
	q       queries

	// The validation path's statements, prepared by Migrate on SQLite,
	// where parsing costs more than running them (pgx caches prepared
	// statements by itself). Nil until then: the plain query is used.
	prepMu            sync.Mutex
	getSessionAndUser atomic.Pointer[sql.Stmt]
	renewSession      atomic.Pointer[sql.Stmt]
}

var _ auth.Store = (*Store)(nil)

// New returns a Store on db, which must use the driver of dialect
// ("sqlite" from modernc.org/sqlite, or "pgx" from
// github.com/jackc/pgx/v5/stdlib). Call [Store.Migrate] before using it.
// The store does not take ownership of db: [Store.Close] leaves it open.
func New(db *sql.DB, dialect Dialect, opts ...Option) (*Store, error) {
	if db == nil {
		return nil, errors.New("sqlstore: New: db is nil")
	}
	var o options
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	s := &Store{db: db, dialect: dialect, schema: o.schema}
	switch dialect {
	case SQLite:
		if o.schema != "" {
			return nil, errors.New("sqlstore: New: WithSchema is for PostgreSQL; SQLite has no schemas")
		}
	case Postgres:
		if strings.IndexByte(o.schema, 0) >= 0 {
			return nil, fmt.Errorf("sqlstore: New: invalid schema name %q", o.schema)
		}
	default:
		return nil, fmt.Errorf("sqlstore: New: unknown dialect %v", dialect)
	}
	s.q = buildQueries(dialect, s.tablePrefix())
	return s, nil
}

// tablePrefix is what goes before a table name: the quoted schema and a
// dot, or nothing.
func (s *Store) tablePrefix() string {
	if s.schema == "" {
		return ""
	}
	return pgx.Identifier{s.schema}.Sanitize() + "."
}

// DB returns the database handle, for tuning its pool or for queries of
// your own.
func (s *Store) DB() *sql.DB { return s.db }

// Dialect returns the store's SQL dialect.
func (s *Store) Dialect() Dialect { return s.dialect }

// Close closes the database if the store opened it ([OpenSQLite],
// [OpenPostgres]); a store made with [New] leaves its db to the caller and
// only releases its prepared statements.
func (s *Store) Close() error {
	s.prepMu.Lock()
	for _, p := range []*atomic.Pointer[sql.Stmt]{&s.getSessionAndUser, &s.renewSession} {
		if st := p.Swap(nil); st != nil {
			st.Close()
		}
	}
	s.prepMu.Unlock()
	if !s.owned {
		return nil
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("sqlstore: close: %w", err)
	}
	return nil
}

// prepare prepares the validation path's statements on SQLite, once the
// tables exist.
func (s *Store) prepare(ctx context.Context) error {
	if s.dialect != SQLite {
		return nil
	}
	s.prepMu.Lock()
	defer s.prepMu.Unlock()
	for _, p := range []struct {
		to    *atomic.Pointer[sql.Stmt]
		query string
	}{{&s.getSessionAndUser, s.q.getSessionAndUser}, {&s.renewSession, s.q.renewSession}} {
		if p.to.Load() != nil {
			continue
		}
		st, err := s.db.PrepareContext(ctx, p.query)
		if err != nil {
			return fmt.Errorf("sqlstore: prepare: %w", err)
		}
		p.to.Store(st)
	}
	return nil
}

func (s *Store) queryRow(ctx context.Context, st *atomic.Pointer[sql.Stmt], query string, args ...any) *sql.Row {
	if p := st.Load(); p != nil {
		return p.QueryRowContext(ctx, args...)
	}
	return s.db.QueryRowContext(ctx, query, args...)
}

func (s *Store) exec(ctx context.Context, st *atomic.Pointer[sql.Stmt], query string, args ...any) (sql.Result, error) {
	if p := st.Load(); p != nil {
		return p.ExecContext(ctx, args...)
	}
	return s.db.ExecContext(ctx, query, args...)
}

// queries are the store's statements, built once for its dialect and
// schema.
type queries struct {
	insertUser, getUser, updateUserAttributes, deleteUser, deleteUserKeys       string
	insertKey, insertKeyForUser, getKey, updateKeyPassword, deleteKey, userKeys string
	insertSession, getSessionAndUser, renewSession, deleteSession               string
	deleteUserSessions, userSessions, deleteExpiredSessions, allSessions        string
	resetSessions, resetKeys, resetUsers                                        string
}

func buildQueries(d Dialect, prefix string) queries {
	// Written with ? placeholders and {u}, {k}, {s} for the tables;
	// PostgreSQL gets $1, $2, ... below.
	r := strings.NewReplacer("{u}", prefix+"auth_users", "{k}", prefix+"auth_keys", "{s}", prefix+"auth_sessions")
	q := func(text string) string {
		text = r.Replace(text)
		if d == Postgres {
			text = numberPlaceholders(text)
		}
		return text
	}
	return queries{
		insertUser:           q(`INSERT INTO {u} (id, attributes) VALUES (?, ?)`),
		getUser:              q(`SELECT attributes FROM {u} WHERE id = ?`),
		updateUserAttributes: q(`UPDATE {u} SET attributes = ? WHERE id = ?`),
		deleteUser:           q(`DELETE FROM {u} WHERE id = ?`),
		deleteUserKeys:       q(`DELETE FROM {k} WHERE user_id = ?`),

		insertKey: q(`INSERT INTO {k} (provider_id, provider_user_id, user_id, password_hash) VALUES (?, ?, ?, ?)`),
		// Inserts nothing if the user does not exist, atomically with the
		// check.
		insertKeyForUser:  q(`INSERT INTO {k} (provider_id, provider_user_id, user_id, password_hash) SELECT ?, ?, id, ? FROM {u} WHERE id = ?`),
		getKey:            q(`SELECT user_id, password_hash FROM {k} WHERE provider_id = ? AND provider_user_id = ?`),
		updateKeyPassword: q(`UPDATE {k} SET password_hash = ? WHERE provider_id = ? AND provider_user_id = ?`),
		deleteKey:         q(`DELETE FROM {k} WHERE provider_id = ? AND provider_user_id = ?`),
		userKeys:          q(`SELECT provider_id, provider_user_id, password_hash FROM {k} WHERE user_id = ?`),

		insertSession: q(`INSERT INTO {s} (id, user_id, active_expires_at, idle_expires_at) SELECT ?, id, ?, ? FROM {u} WHERE id = ?`),
		getSessionAndUser: q(`SELECT s.user_id, s.active_expires_at, s.idle_expires_at, u.id, u.attributes
			FROM {s} s LEFT JOIN {u} u ON u.id = s.user_id WHERE s.id = ?`),
		renewSession:          q(`UPDATE {s} SET active_expires_at = ?, idle_expires_at = ? WHERE id = ? AND active_expires_at = ?`),
		deleteSession:         q(`DELETE FROM {s} WHERE id = ?`),
		deleteUserSessions:    q(`DELETE FROM {s} WHERE user_id = ?`),
		userSessions:          q(`SELECT id, active_expires_at, idle_expires_at FROM {s} WHERE user_id = ?`),
		deleteExpiredSessions: q(`DELETE FROM {s} WHERE idle_expires_at < ?`),
		allSessions:           q(`SELECT id, user_id, active_expires_at, idle_expires_at FROM {s}`),

		resetSessions: q(`DELETE FROM {s}`),
		resetKeys:     q(`DELETE FROM {k}`),
		resetUsers:    q(`DELETE FROM {u}`),
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

// The instants int64 Unix nanoseconds can hold.
var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

// nanos returns t as Unix nanoseconds, or an error if t is out of range.
func nanos(t time.Time) (int64, error) {
	if t.Before(minTime) || t.After(maxTime) {
		return 0, fmt.Errorf("sqlstore: time %v is outside the range of int64 Unix nanoseconds (%v to %v)", t, minTime.UTC(), maxTime.UTC())
	}
	return t.UnixNano(), nil
}

func fromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }

// attributesArg is the SQL value for attributes: NULL for nil, text
// otherwise (the bytes unchanged).
func attributesArg(a json.RawMessage) any {
	if a == nil {
		return nil
	}
	return string(a)
}

// CreateUser implements [auth.Store]. The user and key are inserted in one
// transaction.
func (s *Store) CreateUser(ctx context.Context, user auth.UserRecord, key *auth.KeyRecord) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: create user: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, s.q.insertUser, user.ID, attributesArg(user.Attributes)); err != nil {
		if s.isUniqueViolation(err) {
			return auth.ErrDuplicateUser
		}
		return fmt.Errorf("sqlstore: create user: %w", err)
	}
	if key != nil {
		if _, err := tx.ExecContext(ctx, s.q.insertKey, key.ProviderID, key.ProviderUserID, key.UserID, key.PasswordHash); err != nil {
			if s.isUniqueViolation(err) {
				return auth.ErrDuplicateKey
			}
			return fmt.Errorf("sqlstore: create user's key: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: create user: commit: %w", err)
	}
	return nil
}

// GetUser implements [auth.Store].
func (s *Store) GetUser(ctx context.Context, userID string) (auth.UserRecord, error) {
	var attrs []byte
	err := s.db.QueryRowContext(ctx, s.q.getUser, userID).Scan(&attrs)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.UserRecord{}, auth.ErrNotFound
	}
	if err != nil {
		return auth.UserRecord{}, fmt.Errorf("sqlstore: get user: %w", err)
	}
	return auth.UserRecord{ID: userID, Attributes: attrs}, nil
}

// UpdateUserAttributes implements [auth.Store].
func (s *Store) UpdateUserAttributes(ctx context.Context, userID string, attributes json.RawMessage) error {
	return s.execOne(ctx, "update user attributes", s.q.updateUserAttributes, attributesArg(attributes), userID)
}

// execOne runs a statement that must change exactly one row, and returns
// [auth.ErrNotFound] if it changed none.
func (s *Store) execOne(ctx context.Context, op, query string, args ...any) error {
	res, err := s.db.ExecContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("sqlstore: %s: %w", op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("sqlstore: %s: %w", op, err)
	}
	if n == 0 {
		return auth.ErrNotFound
	}
	return nil
}

// DeleteUser implements [auth.Store]. On PostgreSQL it is one DELETE that
// cascades; on SQLite a transaction that deletes the sessions, keys and
// user itself.
func (s *Store) DeleteUser(ctx context.Context, userID string) error {
	if s.dialect == Postgres {
		return s.execOne(ctx, "delete user", s.q.deleteUser, userID)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: delete user: %w", err)
	}
	defer tx.Rollback()
	for _, q := range []string{s.q.deleteUserSessions, s.q.deleteUserKeys} {
		if _, err := tx.ExecContext(ctx, q, userID); err != nil {
			return fmt.Errorf("sqlstore: delete user: %w", err)
		}
	}
	res, err := tx.ExecContext(ctx, s.q.deleteUser, userID)
	if err != nil {
		return fmt.Errorf("sqlstore: delete user: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlstore: delete user: %w", err)
	} else if n == 0 {
		return auth.ErrNotFound
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: delete user: commit: %w", err)
	}
	return nil
}

// CreateKey implements [auth.Store].
func (s *Store) CreateKey(ctx context.Context, key auth.KeyRecord) error {
	err := s.execOne(ctx, "create key", s.q.insertKeyForUser, key.ProviderID, key.ProviderUserID, key.PasswordHash, key.UserID)
	switch {
	case s.isUniqueViolation(err):
		return auth.ErrDuplicateKey
	case s.isForeignKeyViolation(err):
		// The user was deleted between the SELECT and the insert's check.
		return auth.ErrNotFound
	}
	return err
}

// GetKey implements [auth.Store].
func (s *Store) GetKey(ctx context.Context, providerID, providerUserID string) (auth.KeyRecord, error) {
	k := auth.KeyRecord{ProviderID: providerID, ProviderUserID: providerUserID}
	err := s.db.QueryRowContext(ctx, s.q.getKey, providerID, providerUserID).Scan(&k.UserID, &k.PasswordHash)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.KeyRecord{}, auth.ErrNotFound
	}
	if err != nil {
		return auth.KeyRecord{}, fmt.Errorf("sqlstore: get key: %w", err)
	}
	return k, nil
}

// UpdateKeyPassword implements [auth.Store].
func (s *Store) UpdateKeyPassword(ctx context.Context, providerID, providerUserID, passwordHash string) error {
	return s.execOne(ctx, "update key password", s.q.updateKeyPassword, passwordHash, providerID, providerUserID)
}

// DeleteKey implements [auth.Store].
func (s *Store) DeleteKey(ctx context.Context, providerID, providerUserID string) error {
	return s.execOne(ctx, "delete key", s.q.deleteKey, providerID, providerUserID)
}

// UserKeys implements [auth.Store].
func (s *Store) UserKeys(ctx context.Context, userID string) ([]auth.KeyRecord, error) {
	rows, err := s.db.QueryContext(ctx, s.q.userKeys, userID)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list user keys: %w", err)
	}
	defer rows.Close()
	var out []auth.KeyRecord
	for rows.Next() {
		k := auth.KeyRecord{UserID: userID}
		if err := rows.Scan(&k.ProviderID, &k.ProviderUserID, &k.PasswordHash); err != nil {
			return nil, fmt.Errorf("sqlstore: list user keys: %w", err)
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: list user keys: %w", err)
	}
	return out, nil
}

// CreateSession implements [auth.Store]. The insert selects from the users
// table, so it inserts nothing, atomically, if the user does not exist.
func (s *Store) CreateSession(ctx context.Context, session auth.SessionRecord) error {
	active, err := nanos(session.ActiveExpiresAt)
	if err != nil {
		return err
	}
	idle, err := nanos(session.IdleExpiresAt)
	if err != nil {
		return err
	}
	err = s.execOne(ctx, "create session", s.q.insertSession, session.ID, active, idle, session.UserID)
	if s.isForeignKeyViolation(err) {
		// The user was deleted between the SELECT and the insert's check.
		return auth.ErrNotFound
	}
	// A unique violation (an existing session ID) stays a system error.
	return err
}

// GetSessionAndUser implements [auth.Store] with one SELECT.
func (s *Store) GetSessionAndUser(ctx context.Context, sessionID string) (auth.SessionRecord, auth.UserRecord, error) {
	var (
		rec          = auth.SessionRecord{ID: sessionID}
		active, idle int64
		userID       sql.NullString
		attrs        []byte
	)
	err := s.queryRow(ctx, &s.getSessionAndUser, s.q.getSessionAndUser, sessionID).Scan(&rec.UserID, &active, &idle, &userID, &attrs)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.SessionRecord{}, auth.UserRecord{}, auth.ErrNotFound
	}
	if err != nil {
		return auth.SessionRecord{}, auth.UserRecord{}, fmt.Errorf("sqlstore: get session: %w", err)
	}
	rec.ActiveExpiresAt, rec.IdleExpiresAt = fromNanos(active), fromNanos(idle)
	if !userID.Valid {
		return rec, auth.UserRecord{}, nil
	}
	return rec, auth.UserRecord{ID: userID.String, Attributes: attrs}, nil
}

// RenewSession implements [auth.Store] with one conditional UPDATE.
func (s *Store) RenewSession(ctx context.Context, sessionID string, oldActiveExpiresAt, activeExpiresAt, idleExpiresAt time.Time) (bool, error) {
	old, err := nanos(oldActiveExpiresAt)
	if err != nil {
		return false, err
	}
	active, err := nanos(activeExpiresAt)
	if err != nil {
		return false, err
	}
	idle, err := nanos(idleExpiresAt)
	if err != nil {
		return false, err
	}
	res, err := s.exec(ctx, &s.renewSession, s.q.renewSession, active, idle, sessionID, old)
	if err != nil {
		return false, fmt.Errorf("sqlstore: renew session: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("sqlstore: renew session: %w", err)
	}
	return n == 1, nil
}

// DeleteSession implements [auth.Store].
func (s *Store) DeleteSession(ctx context.Context, sessionID string) error {
	if _, err := s.db.ExecContext(ctx, s.q.deleteSession, sessionID); err != nil {
		return fmt.Errorf("sqlstore: delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions implements [auth.Store].
func (s *Store) DeleteUserSessions(ctx context.Context, userID string) error {
	if _, err := s.db.ExecContext(ctx, s.q.deleteUserSessions, userID); err != nil {
		return fmt.Errorf("sqlstore: delete user sessions: %w", err)
	}
	return nil
}

// UserSessions implements [auth.Store].
func (s *Store) UserSessions(ctx context.Context, userID string) ([]auth.SessionRecord, error) {
	rows, err := s.db.QueryContext(ctx, s.q.userSessions, userID)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list user sessions: %w", err)
	}
	defer rows.Close()
	var out []auth.SessionRecord
	for rows.Next() {
		r := auth.SessionRecord{UserID: userID}
		var active, idle int64
		if err := rows.Scan(&r.ID, &active, &idle); err != nil {
			return nil, fmt.Errorf("sqlstore: list user sessions: %w", err)
		}
		r.ActiveExpiresAt, r.IdleExpiresAt = fromNanos(active), fromNanos(idle)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: list user sessions: %w", err)
	}
	return out, nil
}

// DeleteExpiredSessions implements [auth.Store]. It uses the index on
// idle_expires_at.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	n, err := nanos(now)
	if err != nil {
		return 0, err
	}
	res, err := s.db.ExecContext(ctx, s.q.deleteExpiredSessions, n)
	if err != nil {
		return 0, fmt.Errorf("sqlstore: delete expired sessions: %w", err)
	}
	deleted, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlstore: delete expired sessions: %w", err)
	}
	return int(deleted), nil
}

// Reset empties the store: it deletes every user, key and session (the
// tables stay). The playground uses it; an app has no use for it.
func (s *Store) Reset(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: reset: %w", err)
	}
	defer tx.Rollback()
	for _, q := range []string{s.q.resetSessions, s.q.resetKeys, s.q.resetUsers} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("sqlstore: reset: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: reset: commit: %w", err)
	}
	return nil
}

// AllSessions returns every stored session, expired or not, in no
// particular order. The playground lists them; an app has no use for it.
func (s *Store) AllSessions(ctx context.Context) ([]auth.SessionRecord, error) {
	rows, err := s.db.QueryContext(ctx, s.q.allSessions)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list sessions: %w", err)
	}
	defer rows.Close()
	var out []auth.SessionRecord
	for rows.Next() {
		var r auth.SessionRecord
		var active, idle int64
		if err := rows.Scan(&r.ID, &r.UserID, &active, &idle); err != nil {
			return nil, fmt.Errorf("sqlstore: list sessions: %w", err)
		}
		r.ActiveExpiresAt, r.IdleExpiresAt = fromNanos(active), fromNanos(idle)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: list sessions: %w", err)
	}
	return out, nil
}
