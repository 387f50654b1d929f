// Package sqlitestore keeps authkit sessions, and optionally authkit's
// users and keys, in SQLite through the pure-Go driver modernc.org/sqlite
// (no cgo). It links no other database driver.
//
// Open a database with [Open] (or [OpenDB] and then [New] or
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
// up-to-date database does nothing, concurrent Migrate calls (several
// processes starting at once) apply each migration once, and a database
// made by an earlier release is upgraded in place. A store used before
// Migrate returns errors wrapping [ErrNotMigrated].
//
// # Schema
//
// Store mode: auth_users (id TEXT PRIMARY KEY, attributes TEXT: JSON or
// NULL), auth_keys (provider_id, provider_user_id: the primary key;
// user_id, password_hash), auth_sessions, auth_tokens, auth_counters, and
// auth_schema_migrations (version, name, applied_at) for the applied
// versions.
//
// Sessions mode ([NewSessions]): auth_sessions, with user_id REFERENCES
// the app's table and ID column ON DELETE CASCADE, auth_tokens,
// auth_counters, and auth_sessions_migrations for the versions.
//
// auth_sessions has: id (TEXT PRIMARY KEY, the SHA-256 of the token in
// hex: tokens are never stored), user_id, created_at, renewed_at,
// active_expires_at, idle_expires_at, expires_at (none when the session
// has no absolute end), user_agent, client_ip (TEXT, empty when unknown) and
// attributes (TEXT, the JSON bytes as given, NULL for none), with indexes
// on user_id and idle_expires_at. Every time is an INTEGER of Unix
// nanoseconds, so it round-trips exactly and the conditional renewal
// compares exactly; times read back are in UTC. Times follow the one rule
// of authkit's stores: the zero time (none, as an absent expires_at) is
// stored as -9223372036854775808 and is before every instant; every
// instant from 1677-09-21T00:12:43.145224193Z to
// 2262-04-11T23:47:16.854775807Z, the Unix epoch included, round-trips;
// any other time is refused with an error. (Before schema version 4, an
// absent expires_at was 0 and the epoch was refused there; Migrate
// converts such rows.)
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
// GetSession is one SELECT of auth_sessions by primary key. In Store mode
// nothing else is needed, because DeleteUser deletes the user's sessions
// in the same transaction. In sessions mode the SELECT also checks, with
// an EXISTS on the app's ID column (one more primary-key probe: 3% on the
// median, measured paired by BenchmarkSessionsCheckUser), that the user row still exists: SQLite enforces the
// ON DELETE CASCADE only on connections with foreign keys on, and an app
// (or the sqlite3 shell, where it is off by default) may delete users on
// one without. GetSessionAndUser is one SELECT joining auth_users.
// RenewSession is one UPDATE ... WHERE id = ? AND active_expires_at = ?,
// so of concurrent renewals exactly one changes the row. CreateSession
// inserts with INSERT ... SELECT from the users table, so a missing user
// is [auth.ErrUserNotFound] atomically with the insert. Statements are
// prepared once and reused: SQLite parses a statement in about the time
// it runs a primary-key read.
//
// The store's own writes take turns in the process: SQLite has one write
// lock per database, and a writer that finds it taken polls with growing
// sleeps (busy_timeout), so a stream of writes (a sweep's steps) could
// starve a sign-in for seconds; queued, it waits for the writes ahead of
// it instead. Writers in other processes still poll.
//
// Every write honours its context while it waits, for its turn or for the
// write lock held by another connection (another process, the sqlite3
// shell): when the context ends the method returns at once with an error
// wrapping the context's (which Auth reports as [auth.ErrStore]), however
// long the lock is held. SQLite's busy handler sleeps where no context can
// reach it, so the statement itself goes on waiting in the background,
// holding the store's turn, until it gets the lock (the driver has
// interrupted it by then, which usually stops it) or busy_timeout passes.
// As with any store error, the caller can't know whether it was applied;
// each write is safe either way (a renewal or a sign-in given up on is at
// worst written for nobody).
//
// DeleteExpiredSessions deletes at most limit rows per call (DELETE ...
// WHERE id IN (SELECT id ... WHERE idle_expires_at < ? LIMIT ?)), each
// its own short write, so that sign-ins and renewals wait for one step at
// most. After each step it waits three times as long as the step took
// before it returns: SQLite runs on the app's own CPUs, and a sweep that
// ran its steps back to back would double the latency of validations
// running meanwhile; paced, it takes about a quarter of one CPU.
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
//
// # Connections and cache
//
// [OpenDB] sets, on every connection: journal_mode WAL (readers never
// wait for the writer), synchronous NORMAL (durable across application
// crashes; a power loss may lose the last transactions), busy_timeout 10 s
// (a writer waits for the lock rather than failing with SQLITE_BUSY),
// foreign_keys on, and _txlock=immediate (transactions take the write lock
// when they begin, so two can't deadlock upgrading). The page cache is
// left at SQLite's default (cache_size -2000: about 2 MB per connection)
// and mmap_size at 0: with WAL the operating system's page cache already
// holds a hot database, and validation at 1,000,000 sessions stays within
// the same ratio of a raw primary-key read as at 1,000 (see the package's
// scale benchmarks). An app with a larger working set may raise both with
// its own DSN and [New].
//
// A store keeps connections of its own for its single-row reads
// (GetSession, GetSessionAndUser, GetUser, GetKey): up to two per CPU
// (runtime.GOMAXPROCS at [New]), opened from the handle when first needed,
// each with its own prepared statements, and closed by Close. A read takes
// one from a queue of its own rather than from the handle's pool, so that
// it neither waits on the pool's single lock to get and give back a
// connection nor opens and closes connections beyond the pool's idle
// limit when many run at once. (database/sql still takes that lock, for a
// map update, when a statement's rows open and close.) A read waiting for
// one of them returns, as soon as its context ends, an error wrapping the
// context's. The store does this only on a handle whose pool has no limit
// at New (db.Stats().MaxOpenConnections is 0: a file opened by [OpenDB],
// or an app's handle before it calls SetMaxOpenConns), so that it never
// holds connections an app has counted on; on a limited pool (":memory:",
// kept to one connection) reads go through the handle, as writes, lists
// and migrations always do. If the app limits the pool after New, the
// store keeps at most half of it and reads through the pool beyond that.
package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/internal/sqlcore"
)

// ErrNotMigrated is wrapped by the errors of a store whose database does
// not have its tables (or not their current columns): call Migrate.
var ErrNotMigrated = errors.New("sqlitestore: the database is not migrated: call Migrate")

// UsersTable names an app's users table and its ID column, for
// [NewSessions]. Both must be plain SQL identifiers (letters, digits and
// underscores); they are quoted in every statement. The ID column may be
// TEXT or INTEGER; it must be the table's primary key or have a unique
// index, as SQLite's foreign keys require. User IDs are passed as strings,
// and one names a user only when it is exactly the column's value as text
// (CAST(id AS TEXT)): on an INTEGER column "42", while "042", " 42",
// "+42" and "4.2e1", which SQLite's comparison would also match to 42,
// name no user ([auth.ErrUserNotFound] from CreateSession, no sessions
// listed or deleted). So a session's UserID is always the ID the column
// gives back; format IDs with strconv.FormatInt.
type UsersTable struct {
	Table, IDColumn string
}

// Sessions is an [auth.SessionStore] on SQLite for an app that keeps its
// users in a table of its own ([NewSessions]); it has no user methods.
// Its session methods are those of the embedded sqlcore.Sessions, written
// once for this package and pgstore; see the package doc for their
// statements.
type Sessions struct {
	sqlcore.Sessions
	sqlcore.Tokens
	sqlcore.Counters
	db    *sql.DB
	std   *sqlcore.StdDB
	core  *sqlcore.Core
	owned bool // Close closes db
}

// Store is an [auth.SessionStore], [auth.UserStore] and
// [auth.SessionUserGetter] on SQLite: authkit keeps the users and keys
// too ([Open], [New]). The user methods are those of the embedded
// sqlcore.Users, shared with pgstore.
type Store struct {
	Sessions
	sqlcore.Users
}

// sqlitePragmas are set on every connection OpenDB makes; see the package
// doc.
const (
	sqlitePragmas     = "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_txlock=immediate"
	sqliteFilePragmas = sqlitePragmas + "&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
)

// OpenDB opens (creating it if needed) the SQLite database file at path
// with the settings the package doc describes. The path ":memory:" gives
// a database in memory that lives as long as the handle: every connection
// to ":memory:" would be a database of its own, so the handle then keeps a
// single connection, which serialises its statements.
func OpenDB(path string) (*sql.DB, error) {
	if path == "" || strings.ContainsRune(path, '?') {
		return nil, fmt.Errorf("sqlitestore: open: invalid path %q (empty, or with a '?')", path)
	}
	memory := path == ":memory:"
	dsn := path + "?" + sqliteFilePragmas
	if memory {
		dsn = path + "?" + sqlitePragmas
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: open %s: %w", path, err)
	}
	if memory {
		// One connection, never closed for age or idleness: closing it
		// would drop the database.
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
	}
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlitestore: open %s: %w", path, err)
	}
	return db, nil
}

// Open opens the database at path with [OpenDB] and returns a Store on it
// that [Store.Close] closes. Call [Store.Migrate] before using it.
func Open(path string) (*Store, error) {
	db, err := OpenDB(path)
	if err != nil {
		return nil, err
	}
	s, err := New(db)
	if err != nil {
		db.Close()
		return nil, err
	}
	s.owned = true
	return s, nil
}

// New returns a Store on db, which must use the driver "sqlite" of
// modernc.org/sqlite (see [OpenDB] for the recommended settings). Call
// [Store.Migrate] before using it. Close leaves db open.
func New(db *sql.DB) (*Store, error) {
	s, err := newSessions(db, nil)
	if err != nil {
		return nil, err
	}
	return &Store{*s, s.core.Users()}, nil
}

// NewSessions returns a Sessions on db that keeps sessions for the users
// in the app's table users: Migrate creates auth_sessions, auth_tokens and
// auth_counters (and auth_sessions_migrations) only, with
// auth_sessions.user_id REFERENCES users's ID column ON DELETE CASCADE.
// CreateSession returns [auth.ErrUserNotFound] for an ID with no row, and
// a session reads as absent once its user's row is gone, whatever the
// deleting connection's foreign_keys setting (the row itself is deleted
// by the cascade where foreign keys are on, as [OpenDB] sets them, and
// otherwise stays until the app calls InvalidateUserSessions). Close
// leaves db open.
func NewSessions(db *sql.DB, users UsersTable) (*Sessions, error) {
	return newSessions(db, &sqlcore.UsersTable{Table: users.Table, IDColumn: users.IDColumn})
}

var (
	_ auth.SessionStore = (*Sessions)(nil)
	_ auth.TokenStore   = (*Sessions)(nil)
	_ auth.CounterStore = (*Sessions)(nil)
)

func newSessions(db *sql.DB, users *sqlcore.UsersTable) (*Sessions, error) {
	if db == nil {
		return nil, errors.New("sqlitestore: db is nil")
	}
	std := sqlcore.NewStdDB(db, true, true)
	if db.Stats().MaxOpenConnections == 0 {
		std.KeepReadConns(readConns())
	}
	core, err := sqlcore.New(std, sqlcore.Config{
		Name: "sqlitestore", Users: users, CheckUser: users != nil,
		NoRows: sql.ErrNoRows, Classify: classify, NotMigrated: ErrNotMigrated,
		PaceSweep: true,
	})
	if err != nil {
		return nil, err
	}
	return &Sessions{Sessions: core.Sessions(), Tokens: core.Tokens(), Counters: core.Counters(), db: db, std: std, core: core}, nil
}

// readConns is how many connections a store keeps for its reads: two per
// CPU the process may use, so that a read waits for another only when
// more are running than the CPUs can run (modernc's SQLite runs on the
// goroutine's own thread, and a read holds its connection only while it
// runs).
func readConns() int { return 2 * runtime.GOMAXPROCS(0) }

func classify(err error) sqlcore.Kind {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return sqlcore.Other
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY, sqlite3.SQLITE_CONSTRAINT_UNIQUE:
		return sqlcore.Unique
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return sqlcore.ForeignKey
	}
	if m := se.Error(); strings.Contains(m, "no such table") || strings.Contains(m, "no such column") {
		return sqlcore.Undefined
	}
	return sqlcore.Other
}

// DB returns the database handle: for tuning its pool, or for queries of
// your own on the tables the package doc describes.
func (s *Sessions) DB() *sql.DB { return s.db }

// Close releases the store's prepared statements and, if the store opened
// its database ([Open]), closes it.
func (s *Sessions) Close() error {
	err := s.std.Close()
	if s.owned {
		err = errors.Join(err, s.db.Close())
	}
	if err != nil {
		return fmt.Errorf("sqlitestore: close: %w", err)
	}
	return nil
}

// SchemaVersion returns the schema version Migrate brings the database
// to.
func (s *Sessions) SchemaVersion() int64 { return s.core.SchemaVersion() }

// Migrate creates the tables, or updates them to the current version. It
// is safe to call on every start-up and from several processes at once:
// the migrations run in one transaction that holds SQLite's write lock
// (BEGIN IMMEDIATE), and each is recorded so that it runs once.
func (s *Sessions) Migrate(ctx context.Context) error {
	err := s.std.Locked(ctx, "BEGIN IMMEDIATE", func(q sqlcore.Querier) error {
		return s.core.Migrate(ctx, q, 0)
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: migrate: %w", err)
	}
	return nil
}
