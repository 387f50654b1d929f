package sqlcore_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/pgstore"
	"github.com/authkit-dev/authkit/auth/pgstore/pgstoretest"
	"github.com/authkit-dev/authkit/auth/sqlitestore"
)

// The tests of this package run every rule the SQL stores share on each
// of them: SQLite on a file of its own, and PostgreSQL on a schema of its
// own on the test server (skipped when the server does not answer, or
// failed under AUTHKIT_REQUIRE_SERVICES=1, as pgstoretest does).

// Both stores' types implement the contracts of package auth.
var (
	_ auth.SessionStore      = (*pgstore.Sessions)(nil)
	_ auth.SessionStore      = (*sqlitestore.Sessions)(nil)
	_ auth.UserStore         = (*pgstore.Store)(nil)
	_ auth.UserStore         = (*sqlitestore.Store)(nil)
	_ auth.SessionUserGetter = (*pgstore.Store)(nil)
	_ auth.SessionUserGetter = (*sqlitestore.Store)(nil)
)

// sqlStore is what both stores' Store and Sessions have.
type sqlStore interface {
	auth.SessionStore
	Migrate(ctx context.Context) error
	SchemaVersion() int64
}

// A database is an empty database of one backend's, and its raw access.
type database struct {
	// raw runs the tests' own statements, through database/sql for
	// both backends.
	raw *sql.DB
	// store opens a Store on the database, with a handle or pool of its
	// own, closed at the end of the test. It is not migrated.
	store func(t *testing.T) sqlStore
	// sessions returns a Sessions on the app's table users (made with
	// appTable), not migrated.
	sessions func(t *testing.T, idType string) sqlStore
}

// exec runs each statement, failing t on an error.
func (d database) exec(t *testing.T, stmts ...string) {
	t.Helper()
	for _, q := range stmts {
		if _, err := d.raw.ExecContext(t.Context(), q); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
}

// scan runs a query that returns one row and scans it into dest, failing
// t on an error.
func (d database) scan(t *testing.T, query string, dest ...any) {
	t.Helper()
	if err := d.raw.QueryRowContext(t.Context(), query).Scan(dest...); err != nil {
		t.Fatalf("%.60s: %v", query, err)
	}
}

// appTable is the app's users table for database.sessions.
func appTable(idType string) string {
	return `CREATE TABLE users (id ` + idType + ` PRIMARY KEY NOT NULL, email TEXT NOT NULL DEFAULT '')`
}

// A backend is one of the SQL stores.
type backend struct {
	name string
	// dialect names its folder of migrations.
	dialect string
	// intType is an integer type an app's ID column may have.
	intType string
	// newDB returns an empty database of the test's own.
	newDB func(t *testing.T) database
}

var backends = []backend{
	{name: "SQLite", dialect: "sqlite", intType: "INTEGER", newDB: newSQLite},
	{name: "PostgreSQL", dialect: "postgres", intType: "bigint", newDB: newPostgres},
}

// eachBackend runs test on each backend, as a subtest of that name.
func eachBackend(t *testing.T, test func(t *testing.T, b backend)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { test(t, b) })
	}
}

// migrated returns s after Migrate.
func migrated[S sqlStore](t *testing.T, s S) S {
	t.Helper()
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return s
}

// --- SQLite ---------------------------------------------------------------------

func newSQLite(t *testing.T) database {
	path := filepath.Join(t.TempDir(), "auth.db")
	db, err := sqlitestore.OpenDB(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return database{
		raw: db,
		store: func(t *testing.T) sqlStore {
			s, err := sqlitestore.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
		sessions: func(t *testing.T, _ string) sqlStore {
			s, err := sqlitestore.NewSessions(db, sqlitestore.UsersTable{Table: "users", IDColumn: "id"})
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
	}
}

// --- PostgreSQL -----------------------------------------------------------------

func newPostgres(t *testing.T) database {
	url := pgstoretest.URL(t)
	pool, err := pgxpool.New(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	raw := stdlib.OpenDBFromPool(pool)
	t.Cleanup(func() { raw.Close() })
	return database{
		raw: raw,
		store: func(t *testing.T) sqlStore {
			s, err := pgstore.Open(t.Context(), url)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
		sessions: func(t *testing.T, idType string) sqlStore {
			s, err := pgstore.NewSessions(pool, pgstore.UsersTable{Table: "users", IDColumn: "id", IDType: idType})
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
	}
}
