package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// sqlitePragmas are set on every SQLite connection OpenSQLite makes:
// a 10 s wait on a locked database rather than an immediate SQLITE_BUSY,
// foreign keys enforced, and (for files) write-ahead logging, so that
// readers and the one writer do not block each other, with NORMAL
// synchronisation (durable across application crashes; a power loss may
// lose the last transactions). _txlock=immediate makes transactions take
// the write lock when they begin, so two of them can't deadlock upgrading.
const (
	sqlitePragmas     = "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_txlock=immediate"
	sqliteFilePragmas = sqlitePragmas + "&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
)

// OpenSQLite opens (creating it if needed) the SQLite database file at
// path and returns a Store on it that [Store.Close] closes. Call
// [Store.Migrate] before using it.
//
// The path ":memory:" gives a database in memory that lives as long as the
// Store. Every connection to ":memory:" would be a database of its own, so
// the store then keeps a single connection, which serialises its
// statements.
//
// For settings of your own, open the *sql.DB yourself (driver "sqlite")
// and use [New].
func OpenSQLite(path string) (*Store, error) {
	if path == "" || strings.ContainsRune(path, '?') {
		return nil, fmt.Errorf("sqlstore: OpenSQLite: invalid path %q (empty, or with a '?')", path)
	}
	memory := path == ":memory:"
	dsn := path + "?" + sqliteFilePragmas
	if memory {
		dsn = path + "?" + sqlitePragmas
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open %s: %w", path, err)
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
		return nil, fmt.Errorf("sqlstore: open %s: %w", path, err)
	}
	s, err := New(db, SQLite)
	if err != nil {
		db.Close()
		return nil, err
	}
	s.owned = true
	return s, nil
}

// OpenPostgres connects to the PostgreSQL database at url (a URL or a
// keyword/value connection string, as pgx accepts) and returns a Store on
// it that [Store.Close] closes. Call [Store.Migrate] before using it.
func OpenPostgres(ctx context.Context, url string, opts ...Option) (*Store, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open postgres: %w", err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlstore: open postgres: %w", err)
	}
	s, err := New(db, Postgres, opts...)
	if err != nil {
		db.Close()
		return nil, err
	}
	s.owned = true
	return s, nil
}

// isUniqueViolation reports whether err is a unique or primary key
// violation.
func (s *Store) isUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	switch s.dialect {
	case Postgres:
		var pe *pgconn.PgError
		return errors.As(err, &pe) && pe.Code == "23505"
	case SQLite:
		var se *sqlite.Error
		return errors.As(err, &se) && (se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY || se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE)
	}
	return false
}

// isForeignKeyViolation reports whether err is a foreign key violation.
func (s *Store) isForeignKeyViolation(err error) bool {
	if err == nil {
		return false
	}
	switch s.dialect {
	case Postgres:
		var pe *pgconn.PgError
		return errors.As(err, &pe) && pe.Code == "23503"
	case SQLite:
		var se *sqlite.Error
		return errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	return false
}
