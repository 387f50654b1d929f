// Package pgstore keeps authkit sessions, and optionally authkit's users
// and keys, in PostgreSQL through pgx (github.com/jackc/pgx/v5) and its
// connection pool, pgxpool. It links no other database driver.
//
// Open a pool with [Open] (or make one yourself and call [New] or
// [NewSessions]), call Migrate once at start-up, and hand the store to
// [auth.New]:
//
//   - [Store] keeps authkit's users, keys and sessions: an
//     [auth.SessionStore], [auth.UserStore] and [auth.SessionUserGetter].
//   - [Sessions] keeps only sessions, for users in the app's own table
//     (see [NewSessions]): an [auth.SessionStore], so that auth.New gives
//     that Auth no user methods.
//
// Both are also an [auth.TokenStore] (one-time tokens) and an
// [auth.CounterStore] (throttle counters), in the tables auth_tokens and
// auth_counters, which Migrate creates in both modes.
//
// Migrations are embedded, versioned and idempotent: Migrate on an
// up-to-date database does nothing, concurrent Migrate calls (several app
// servers starting at once) apply each migration once (they hold an
// advisory lock), and a database made by an earlier release is upgraded
// in place. A store used before Migrate returns errors wrapping
// [ErrNotMigrated].
//
// # Why pgxpool
//
// The store runs on pgx's own interface (*pgxpool.Pool), not on
// database/sql with pgx's stdlib adapter. Measured paired (BenchmarkDriver
// in this package's tests: the GetSession SELECT by primary key, scanning
// every column, the two ways alternating in random order request after
// request on one table), database/sql took 1.06 to 1.09 times as long as
// pgxpool in each of six rounds (medians 44.5 against 47.2 µs on a loopback
// server), with 46 allocations a read against 12: database/sql adds a pool
// with its own locking, a driver.Value conversion of every argument and
// column, and a Rows per query, on top of the same pgx connection. Both
// cache the prepared statement per connection.
//
// # Schema
//
// With [WithSchema] every table lives in the named schema (which Migrate
// creates) and every statement names it, so the connections' search_path
// does not matter; otherwise the tables are unqualified and search_path
// decides.
//
// Store mode: auth_users (id TEXT PRIMARY KEY, attributes JSON or NULL),
// auth_keys (provider_id, provider_user_id: the primary key; user_id,
// password_hash), auth_sessions, auth_tokens, auth_counters, and
// auth_schema_migrations (version, name, applied_at) for the applied
// versions.
//
// Sessions mode ([NewSessions]): auth_sessions, with user_id
// REFERENCES the app's table and ID column ON DELETE CASCADE, of the ID
// column's type, auth_tokens, auth_counters, and auth_sessions_migrations
// for the versions.
//
// auth_sessions has: id (TEXT PRIMARY KEY, the SHA-256 of the token in
// hex: tokens are never stored), user_id, created_at, renewed_at,
// active_expires_at, idle_expires_at, expires_at (none when the session
// has no absolute end), user_agent, client_ip (TEXT, empty when unknown) and
// attributes (json, not jsonb, which would re-encode: the bytes as given;
// NULL for none), with indexes on user_id and idle_expires_at. Every time
// is a BIGINT of Unix nanoseconds (timestamptz keeps only microseconds), so
// it round-trips exactly and the conditional renewal compares exactly;
// times read back are in UTC. Times follow the one rule of authkit's
// stores: the zero time (none, as an absent expires_at) is stored as
// -9223372036854775808 and is before every instant; every instant from
// 1677-09-21T00:12:43.145224193Z to 2262-04-11T23:47:16.854775807Z, the
// Unix epoch included, round-trips; any other time is refused with an
// error. (Before schema version 4, an absent expires_at was 0 and the
// epoch was refused there; Migrate converts such rows.)
//
// auth_tokens has: id (TEXT PRIMARY KEY, the SHA-256 of the link token
// in hex), purpose, user_id (TEXT, as given, with no foreign key in
// either mode), address, code_hash ("" when no code), attempts,
// created_at and expires_at (Unix nanoseconds), UNIQUE (user_id,
// purpose), and an index on expires_at. auth_counters has key (TEXT
// PRIMARY KEY), count and reset_at (the window's last instant, Unix
// nanoseconds), with an index on reset_at. Neither a token nor a code is
// ever stored.
//
// Sessions that existed before schema version 2 (the release that first
// recorded them) get the time of the upgrade as created_at and
// renewed_at, since their real times were never stored.
//
// # Statements
//
// GetSession is one SELECT of auth_sessions by primary key and nothing
// else, in both modes: PostgreSQL always enforces the foreign key, so a
// session can't outlive its user (and DeleteUser also deletes the
// sessions in its transaction). GetSessionAndUser is one SELECT joining
// auth_users. RenewSession is one UPDATE ... WHERE id = $4 AND
// active_expires_at = $5, so of concurrent renewals exactly one changes
// the row. CreateSession inserts with INSERT ... SELECT from the users
// table, so a missing user is [auth.ErrUserNotFound] atomically with the
// insert. DeleteExpiredSessions deletes at most limit rows per call
// (DELETE ... WHERE id IN (SELECT id ... WHERE idle_expires_at < $1 LIMIT
// $2)), each its own short statement.
//
// CreateToken is one INSERT ... ON CONFLICT (user_id, purpose) DO UPDATE
// that gives the user's row of that purpose the new token (its ID
// included, so the replaced ID is gone): of concurrent calls, each
// replaces the one before, and one token survives. DeleteToken is one
// DELETE whose changed-row count says which of concurrent calls won;
// AddTokenAttempt one UPDATE ... RETURNING; IncrementCounter one INSERT
// ... ON CONFLICT (key) DO UPDATE ... RETURNING that starts the window
// again when it ended before now. DeleteExpiredTokens and
// DeleteExpiredCounters are bounded steps like DeleteExpiredSessions's.
package pgstore

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/internal/sqlcore"
)

// ErrNotMigrated is wrapped by the errors of a store whose database does
// not have its tables (or not their current columns): call Migrate.
var ErrNotMigrated = errors.New("pgstore: the database is not migrated: call Migrate")

// UsersTable names an app's users table and its ID column, for
// [NewSessions]. Table is an SQL identifier (letters, digits and
// underscores) or schema.table; IDColumn an identifier; both are quoted in
// every statement. The ID column must be the table's primary key or have a
// unique constraint, as foreign keys require.
type UsersTable struct {
	Table, IDColumn string
	// IDType is the ID column's type: "text" (the default when empty; also
	// right for varchar), "integer", "bigint" or "uuid". auth_sessions's
	// user_id gets that type; user IDs are passed as strings and cast in
	// SQL, so "42" names the bigint 42. A user ID names a user only in the
	// form the column gives back as text: "42", never "042", " 42" or
	// "+42", which PostgreSQL would cast to 42 too; a UUID in lower case
	// with hyphens, never upper case or braced. Any other spelling (or a
	// value the type can't hold) names no user: [auth.ErrUserNotFound]
	// from CreateSession, no sessions listed or deleted. So a session's
	// UserID is always the ID the store gives back.
	IDType string
}

// An Option configures a store.
type Option func(*options)

type options struct {
	schema string
}

// WithSchema puts authkit's tables in the named schema (an SQL
// identifier), which Migrate creates if needed.
func WithSchema(name string) Option {
	return func(o *options) { o.schema = name }
}

// Sessions keeps, in PostgreSQL, the sessions of the users in an app's
// own table ([NewSessions]): an [auth.SessionStore] without user methods.
// The methods of that interface come from an embedded sqlcore.Sessions,
// which this package shares with sqlitestore; the package doc gives the
// statement each runs.
type Sessions struct {
	sqlcore.Sessions
	sqlcore.Tokens
	sqlcore.Counters
	pool   *pgxpool.Pool
	core   *sqlcore.Core
	schema string
	owned  bool // Close closes pool
}

// Store keeps authkit's own users, keys and sessions in PostgreSQL
// ([Open], [New]). Besides the methods of [Sessions] it has those of
// [auth.UserStore] and [auth.SessionUserGetter], from an embedded
// sqlcore.Users shared with sqlitestore.
type Store struct {
	Sessions
	sqlcore.Users
}

// Open connects to the PostgreSQL database at url (a URL or a
// keyword/value connection string, as pgxpool.ParseConfig accepts) and
// returns a Store on it that [Store.Close] closes. Call [Store.Migrate]
// before using it.
func Open(ctx context.Context, url string, opts ...Option) (*Store, error) {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("pgstore: open: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("pgstore: open: %w", err)
	}
	s, err := New(pool, opts...)
	if err != nil {
		pool.Close()
		return nil, err
	}
	s.owned = true
	return s, nil
}

// New returns a Store on pool. Call [Store.Migrate] before using it.
// Close leaves pool open.
func New(pool *pgxpool.Pool, opts ...Option) (*Store, error) {
	s, err := newSessions(pool, nil, opts)
	if err != nil {
		return nil, err
	}
	return &Store{*s, s.core.Users()}, nil
}

// NewSessions returns a Sessions on pool that keeps sessions for the users
// in the app's table users: Migrate creates auth_sessions, auth_tokens and
// auth_counters (and auth_sessions_migrations) only, with
// auth_sessions.user_id REFERENCES users's ID column ON DELETE CASCADE,
// so deleting a user row deletes its sessions. CreateSession returns
// [auth.ErrUserNotFound] for an ID with no row. Close leaves pool open.
func NewSessions(pool *pgxpool.Pool, users UsersTable, opts ...Option) (*Sessions, error) {
	return newSessions(pool, &sqlcore.UsersTable{Table: users.Table, IDColumn: users.IDColumn, IDType: users.IDType}, opts)
}

var (
	_ auth.SessionStore = (*Sessions)(nil)
	_ auth.TokenStore   = (*Sessions)(nil)
	_ auth.CounterStore = (*Sessions)(nil)
)

func newSessions(pool *pgxpool.Pool, users *sqlcore.UsersTable, opts []Option) (*Sessions, error) {
	if pool == nil {
		return nil, errors.New("pgstore: pool is nil")
	}
	var o options
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	core, err := sqlcore.New(poolDB{pgxQuerier{pool}, pool}, sqlcore.Config{
		Name: "pgstore", Postgres: true, Schema: o.schema, Users: users,
		NoRows: pgx.ErrNoRows, Classify: classify, NotMigrated: ErrNotMigrated,
	})
	if err != nil {
		return nil, err
	}
	return &Sessions{Sessions: core.Sessions(), Tokens: core.Tokens(), Counters: core.Counters(), pool: pool, core: core, schema: o.schema}, nil
}

func classify(err error) sqlcore.Kind {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return sqlcore.Other
	}
	switch pe.Code {
	case "23505":
		return sqlcore.Unique
	case "23503":
		return sqlcore.ForeignKey
	case "42P01", "42703", "3F000": // undefined table, column, schema
		return sqlcore.Undefined
	}
	return sqlcore.Other
}

// DB returns the connection pool: for tuning it, or for queries of your
// own on the tables the package doc describes.
func (s *Sessions) DB() *pgxpool.Pool { return s.pool }

// Close closes the pool if the store opened it ([Open]); a store made with
// [New] or [NewSessions] leaves it to the caller.
func (s *Sessions) Close() error {
	if s.owned {
		s.pool.Close()
	}
	return nil
}

// SchemaVersion returns the schema version Migrate brings the database
// to.
func (s *Sessions) SchemaVersion() int64 { return s.core.SchemaVersion() }

// Migrate creates the schema (see [WithSchema]) and the tables, or
// updates them to the current version. It is safe to call on every
// start-up and from several processes at once: the migrations run in one
// transaction that holds an advisory lock, and each is recorded so that it
// runs once.
func (s *Sessions) Migrate(ctx context.Context) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		h := fnv.New64a()
		h.Write([]byte("authkit pgstore migrate " + s.schema))
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(h.Sum64())); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		if s.schema != "" {
			q, err := sqlcore.Quote(s.schema, false)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+q); err != nil {
				return fmt.Errorf("create schema: %w", err)
			}
		}
		return s.core.Migrate(ctx, pgxQuerier{tx}, 0)
	})
	if err != nil {
		return fmt.Errorf("pgstore: migrate: %w", err)
	}
	return nil
}

// pgxQuerier is the [sqlcore.Querier] on a pool or a transaction, which
// run statements alike.
type pgxQuerier struct {
	r interface {
		Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
		QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
		Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	}
}

func (q pgxQuerier) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	tag, err := q.r.Exec(ctx, query, args...)
	return tag.RowsAffected(), err
}

func (q pgxQuerier) QueryRow(ctx context.Context, query string, args ...any) sqlcore.Row {
	return q.r.QueryRow(ctx, query, args...)
}

func (q pgxQuerier) Query(ctx context.Context, query string, each func(sqlcore.Row) error, args ...any) error {
	rows, err := q.r.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return sqlcore.EachRow(rows, each)
}

// poolDB is the [sqlcore.DB] on a pool.
type poolDB struct {
	pgxQuerier
	p *pgxpool.Pool
}

func (d poolDB) InTx(ctx context.Context, fn func(sqlcore.Querier) error) error {
	return pgx.BeginFunc(ctx, d.p, func(tx pgx.Tx) error { return fn(pgxQuerier{tx}) })
}
