// Package pgstoretest gives each test a PostgreSQL database of its own: a
// new schema on the test server, which every connection uses as its
// search_path and which is dropped, with everything in it, when the test
// ends. A test of an app on auth/pgstore (its own users table and
// pgstore.NewSessions, or pgstore.New) gets a pool with [Pool], or a
// connection URL with [URL] for code that opens its own:
//
//	func TestSignUp(t *testing.T) {
//		pool := pgstoretest.Pool(t) // skipped when PostgreSQL does not answer
//		sessions, err := pgstore.NewSessions(pool, pgstore.UsersTable{Table: "users", IDColumn: "id", IDType: "bigint"})
//		...
//	}
//
// The server is the one named by the environment variable
// AUTHKIT_POSTGRES_URL, or postgres://postgres@127.0.0.1:5432/test?sslmode=disable
// when it is unset. When the server does not answer, the test is skipped
// with the reason, so that `go test ./...` passes on a machine without
// PostgreSQL; with AUTHKIT_REQUIRE_SERVICES=1 (as in CI) it fails instead.
// These are the rules of authkit's own store tests.
//
// The package depends on pgx and the standard library only.
package pgstoretest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The environment this package reads; internal/testservices reads the same
// (pgstoretest_test.go checks that the two agree).
const (
	urlEnv     = "AUTHKIT_POSTGRES_URL"
	requireEnv = "AUTHKIT_REQUIRE_SERVICES"
	defaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
)

// connectTimeout bounds how long an unreachable server delays a test.
const connectTimeout = 3 * time.Second

// maxConns is the size of a pool from Pool: tests run in parallel, in
// several packages at once, and PostgreSQL accepts 100 connections by
// default.
const maxConns = 4

// dropTimeout bounds the cleanup's DROP SCHEMA, which waits for the locks
// of connections the test left open.
const dropTimeout = 10 * time.Second

// Pool returns a connection pool to the test server on a new, empty
// schema of its own ([URL]): every connection's search_path is that
// schema, so unqualified table names, pgstore's included, live there. The
// pool is closed, and then the schema dropped, when tb and its subtests
// end. If the server does not answer, tb is skipped with the reason, or
// fails when AUTHKIT_REQUIRE_SERVICES=1.
func Pool(tb testing.TB) *pgxpool.Pool {
	tb.Helper()
	u := URL(tb)
	var pool *pgxpool.Pool
	cfg, err := pgxpool.ParseConfig(u)
	if err == nil {
		if !strings.Contains(u, "pool_max_conns") {
			cfg.MaxConns = maxConns
		}
		pool, err = pgxpool.NewWithConfig(context.Background(), cfg)
	}
	if err != nil {
		tb.Fatalf("pgstoretest: open a pool on %s: %v", redacted(u), err)
	}
	tb.Cleanup(pool.Close) // before the schema is dropped: cleanups run last first
	return pool
}

// URL creates a new, empty schema on the test server and returns the
// server's URL with the schema as its search_path parameter, which pgx
// sends on every connection it opens (a keyword/value connection string
// gets a search_path setting instead). The schema's name is
// "pgstoretest_" and 16 random hex digits. It is dropped, with everything
// in it, when tb and its subtests end: close what you opened on the URL
// with tb.Cleanup, or the drop waits for it (ten seconds at most, then tb
// fails). If the server does not answer, tb is skipped with the reason,
// or fails when AUTHKIT_REQUIRE_SERVICES=1.
func URL(tb testing.TB) string {
	tb.Helper()
	server := os.Getenv(urlEnv)
	if server == "" {
		server = defaultURL
	}
	ctx, cancel := context.WithTimeout(tb.Context(), connectTimeout)
	defer cancel()
	conn, err := connect(ctx, server)
	if err != nil {
		unavailable(tb, server, err)
	}
	defer conn.Close(context.Background())

	schema := newSchemaName()
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("pgstoretest: create schema %s on %s: %v", schema, redacted(server), err)
	}
	tb.Cleanup(func() { drop(tb, server, schema) })
	return withSearchPath(server, schema)
}

// connect opens one connection to server. The pool's settings
// (pool_max_conns ...) are taken out first: the server would refuse them
// as unknown parameters.
func connect(ctx context.Context, server string) (*pgx.Conn, error) {
	cfg, err := pgxpool.ParseConfig(server)
	if err != nil {
		return nil, err
	}
	return pgx.ConnectConfig(ctx, cfg.ConnConfig)
}

// drop drops the schema and everything in it.
func drop(tb testing.TB, server, schema string) {
	ctx, cancel := context.WithTimeout(context.Background(), dropTimeout)
	defer cancel()
	conn, err := connect(ctx, server)
	if err == nil {
		defer conn.Close(context.Background())
		_, err = conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE")
	}
	if err != nil {
		tb.Errorf("pgstoretest: drop schema %s on %s: %v", schema, redacted(server), err)
	}
}

// newSchemaName returns a name no other test run uses. It is lowercase
// letters, digits and underscores, so it needs no quoting in SQL or in a
// search_path.
func newSchemaName() string {
	var b [8]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	return "pgstoretest_" + hex.EncodeToString(b[:])
}

// withSearchPath returns the connection string server with search_path
// set to schema, in the form server is written in.
func withSearchPath(server, schema string) string {
	if strings.HasPrefix(server, "postgres://") || strings.HasPrefix(server, "postgresql://") {
		if u, err := url.Parse(server); err == nil {
			q := u.Query()
			q.Set("search_path", schema)
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	return server + " search_path=" + schema // keyword/value form: the last setting wins
}

// redacted returns server without its password, for messages.
func redacted(server string) string {
	if u, err := url.Parse(server); err == nil && u.Scheme != "" {
		return u.Redacted()
	}
	if i := strings.Index(server, "password="); i >= 0 {
		end := strings.IndexByte(server[i:], ' ')
		if end < 0 {
			end = len(server) - i
		}
		return server[:i] + "password=xxxxx" + server[i+end:]
	}
	return server
}

// unavailable skips tb, or fails it under AUTHKIT_REQUIRE_SERVICES=1, for
// a server that did not answer.
func unavailable(tb testing.TB, server string, err error) {
	tb.Helper()
	if os.Getenv(requireEnv) == "1" {
		tb.Fatalf("PostgreSQL at %s is unreachable (%v), and %s=1 requires it", redacted(server), err, requireEnv)
	}
	tb.Skipf("PostgreSQL at %s is unreachable (%v); set %s to another server, or %s=1 to fail instead of skipping", redacted(server), err, urlEnv, requireEnv)
}
