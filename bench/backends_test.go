package bench

import (
	"context"
	"database/sql"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/alexedwards/scs/goredisstore"
	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/sqlite3store"
	"github.com/alexedwards/scs/v2"
	scsmemstore "github.com/alexedwards/scs/v2/memstore"
	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/mattn/go-sqlite3" // the "sqlite3" driver scs's sqlite3store is written for
	"github.com/redis/go-redis/v9"

	"github.com/authkit-dev/authkit/auth/memstore"
	"github.com/authkit-dev/authkit/auth/pgstore"
	"github.com/authkit-dev/authkit/auth/redisstore"
	"github.com/authkit-dev/authkit/auth/sqlitestore"
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/internal/testservices"
)

// A library is one way of serving the benchmark handler; build returns it
// with a user signed in, counting store calls when count is set.
type library struct {
	name  string
	build func(tb testing.TB, count bool) *target
}

// A backend is where the libraries keep their sessions. require skips tb,
// with the reason, when the backend's server does not answer.
type backend struct {
	name    string
	require func(tb testing.TB)
	libs    []library
}

// backends returns every backend with the libraries compared on it. The
// first library of each is authkit, which the others are compared with.
func backends() []backend {
	return []backend{
		{
			name: "memory",
			libs: []library{
				{"authkit", func(tb testing.TB, count bool) *target { return newAuthkit(tb, memstore.New(), count) }},
				{"scs-idle", func(tb testing.TB, count bool) *target {
					return newSCS(tb, scsmemstore.NewWithCleanupInterval(0), true, count)
				}},
				{"scs", func(tb testing.TB, count bool) *target {
					return newSCS(tb, scsmemstore.NewWithCleanupInterval(0), false, count)
				}},
				{"gorilla-cookie", func(tb testing.TB, count bool) *target { return newGorillaCookie(tb, false, count) }},
				{"gorilla-cookie-save", func(tb testing.TB, count bool) *target { return newGorillaCookie(tb, true, count) }},
				{"gorilla-fs", func(tb testing.TB, count bool) *target { return newGorillaFS(tb, false, count) }},
				{"gorilla-fs-save", func(tb testing.TB, count bool) *target { return newGorillaFS(tb, true, count) }},
				{"baseline", newBaseline},
			},
		},
		{name: "sqlite", libs: storeLibs(openAuthkitSQLite, openSCSSQLite, newSQLiteFloor)},
		{
			name:    "postgres",
			require: func(tb testing.TB) { testservices.Postgres(tb) },
			libs:    storeLibs(openAuthkitPostgres, openSCSPostgres, newPostgresFloor),
		},
		{
			name:    "redis",
			require: func(tb testing.TB) { testservices.Redis(tb) },
			libs:    storeLibs(openAuthkitRedis, openSCSRedis, newRedisFloor),
		},
	}
}

// storeLibs returns the libraries compared on a backend outside the
// process (a file or a server): authkit and scs, each on a store of its
// own that the open function makes, and the backend's two floors.
func storeLibs[S fakeauth.Backend](openAuthkit func(testing.TB) S, openSCS func(testing.TB) scs.Store, floor func(wide bool) func(testing.TB, bool) *target) []library {
	return []library{
		{"authkit", func(tb testing.TB, count bool) *target { return newAuthkit(tb, openAuthkit(tb), count) }},
		{"scs-idle", func(tb testing.TB, count bool) *target { return newSCS(tb, openSCS(tb), true, count) }},
		{"scs", func(tb testing.TB, count bool) *target { return newSCS(tb, openSCS(tb), false, count) }},
		{"floor", floor(true)},
		{"floor-min", floor(false)},
	}
}

// setupTimeout bounds each set-up and clean-up step against a server.
const setupTimeout = 30 * time.Second

func setupContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), setupTimeout)
}

// openAuthkitSQLite returns authkit's sqlitestore on a new SQLite file,
// opened as sqlitestore.Open does (WAL, synchronous=NORMAL, busy timeout)
// and migrated.
func openAuthkitSQLite(tb testing.TB) *sqlitestore.Store {
	tb.Helper()
	s, err := sqlitestore.Open(filepath.Join(tb.TempDir(), "authkit.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	migrate(tb, s)
	return s
}

// migrate brings a store's tables to its current version, failing tb if
// it can't.
func migrate(tb testing.TB, s interface{ Migrate(context.Context) error }) {
	tb.Helper()
	ctx, cancel := setupContext()
	defer cancel()
	if err := s.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
}

// openSCSSQLite returns scs's sqlite3store (driver mattn/go-sqlite3) on a
// new SQLite file with the table from its README, and the same settings
// authkit's OpenSQLite uses: WAL, synchronous=NORMAL, a busy timeout.
func openSCSSQLite(tb testing.TB) scs.Store {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "scs.db")
	db, err := sql.Open("sqlite3", path+"?_journal_mode=WAL&_synchronous=NORMAL&_busy_timeout=10000")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.Exec(scsTable("BLOB", "REAL")); err != nil {
		tb.Fatal(err)
	}
	return sqlite3store.NewWithCleanupInterval(db, 0)
}

// scsTable is the table of scs's SQL stores, as their READMEs give it,
// with the backend's types for the data and the expiry.
func scsTable(dataType, expiryType string) string {
	return `CREATE TABLE sessions (
	token TEXT PRIMARY KEY,
	data ` + dataType + ` NOT NULL,
	expiry ` + expiryType + ` NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);`
}

// openAuthkitPostgres returns authkit's pgstore on PostgreSQL, on a pool
// of its own configured as every PostgreSQL pool of the benchmarks is
// (postgresPoolConfig), closed when tb ends.
func openAuthkitPostgres(tb testing.TB) *pgstore.Store {
	tb.Helper()
	ctx, cancel := setupContext()
	defer cancel()
	pool, err := pgxpool.NewWithConfig(ctx, postgresPoolConfig(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(pool.Close)
	return authkitPostgresOn(tb, pool)
}

// authkitPostgresOn returns authkit's pgstore on pool, migrated, in a
// schema of its own that is dropped when tb ends.
func authkitPostgresOn(tb testing.TB, pool *pgxpool.Pool) *pgstore.Store {
	tb.Helper()
	schema := testservices.UniqueName("bench_authkit_")
	s, err := pgstore.New(pool, pgstore.WithSchema(schema))
	if err != nil {
		tb.Fatal(err)
	}
	dropSchemaAtEnd(tb, pool, schema)
	migrate(tb, s)
	return s
}

// openSCSPostgres returns scs's pgxstore on PostgreSQL. pgxstore names its
// table "sessions" without a schema, so the pool's search_path points at a
// schema of its own, created with the table from pgxstore's README and
// dropped when tb ends.
func openSCSPostgres(tb testing.TB) scs.Store {
	tb.Helper()
	pool := schemaPool(tb, "bench_scs_")
	ctx, cancel := setupContext()
	defer cancel()
	if _, err := pool.Exec(ctx, scsTable("BYTEA", "TIMESTAMPTZ")); err != nil {
		tb.Fatal(err)
	}
	return pgxstore.NewWithCleanupInterval(pool, 0)
}

// openAuthkitRedis returns authkit's redisstore on a client of its own.
func openAuthkitRedis(tb testing.TB) *redisstore.Store {
	tb.Helper()
	return authkitRedisOn(tb, testservices.RedisClient(tb))
}

// authkitRedisOn returns authkit's redisstore on client, under a key
// prefix of its own whose keys are deleted when tb ends.
func authkitRedisOn(tb testing.TB, client *redis.Client) *redisstore.Store {
	tb.Helper()
	s, err := redisstore.New(client, redisstore.WithPrefix(testservices.RedisPrefix(tb, client, "bench:authkit:")))
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// openSCSRedis returns scs's goredisstore under a key prefix of its own,
// whose keys are deleted when tb ends.
func openSCSRedis(tb testing.TB) scs.Store {
	tb.Helper()
	client := testservices.RedisClient(tb)
	return goredisstore.NewWithPrefix(client, testservices.RedisPrefix(tb, client, "bench:scs:"))
}

// dropSchemaAtEnd drops schema, and all in it, when tb ends.
func dropSchemaAtEnd(tb testing.TB, pool *pgxpool.Pool, schema string) {
	tb.Cleanup(func() {
		ctx, cancel := setupContext()
		defer cancel()
		if _, err := pool.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
}

// schemaPool returns a pgxpool on the test PostgreSQL whose search_path is
// a new schema of its own, named with prefix, which is dropped (with the
// pool closed) when tb ends.
func schemaPool(tb testing.TB, prefix string) *pgxpool.Pool {
	tb.Helper()
	schema := testservices.UniqueName(prefix)
	cfg := postgresPoolConfig(tb)
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	ctx, cancel := setupContext()
	defer cancel()
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(pool.Close)
	dropSchemaAtEnd(tb, pool, schema) // before the pool closes: cleanups run last first
	if _, err := pool.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatal(err)
	}
	return pool
}

// postgresPoolConfig returns the configuration of every PostgreSQL pool
// of the benchmarks (authkit's, scs's, the floors'): pgxpool's defaults
// for the test server, except that the pool holds at least GOMAXPROCS
// connections, counted when the pool is made. pgxpool's default,
// max(4, runtime.NumCPU()), does not follow GOMAXPROCS: at -cpu 8 on a
// 2-core machine, 8 goroutines would share 4 connections. A pool made at
// GOMAXPROCS N is sized for N goroutines (TestParallel makes its targets
// at each count).
func postgresPoolConfig(tb testing.TB) *pgxpool.Config {
	tb.Helper()
	cfg, err := pgxpool.ParseConfig(testservices.Postgres(tb))
	if err != nil {
		tb.Fatal(err)
	}
	cfg.MaxConns = max(cfg.MaxConns, int32(runtime.GOMAXPROCS(0)))
	return cfg
}
