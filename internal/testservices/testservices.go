// Package testservices holds what the store tests share: it finds the
// PostgreSQL and Redis servers they run against, provides a TCP proxy that
// cuts connections for fault tests, and checks that need several app
// servers on one backend.
//
// The addresses come from the environment: AUTHKIT_POSTGRES_URL (default
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable) and
// AUTHKIT_REDIS_URL (default redis://127.0.0.1:6379/0). A test that needs
// a server which does not answer is skipped with the reason, so that
// `go test ./...` passes on a machine without them; set
// AUTHKIT_REQUIRE_SERVICES=1 (as CI does) to make that a failure instead.
package testservices

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"github.com/redis/go-redis/v9"
)

// The environment variables read by this package, and the defaults.
const (
	PostgresEnv     = "AUTHKIT_POSTGRES_URL"
	RedisEnv        = "AUTHKIT_REDIS_URL"
	RequireEnv      = "AUTHKIT_REQUIRE_SERVICES"
	DefaultPostgres = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	DefaultRedis    = "redis://127.0.0.1:6379/0"
)

// pingTimeout bounds how long an unreachable server delays a test run.
const pingTimeout = 3 * time.Second

// Postgres returns the URL of the test PostgreSQL server after checking
// that it answers a ping. If it does not, the test is skipped, or fails
// when AUTHKIT_REQUIRE_SERVICES=1.
func Postgres(t testing.TB) string {
	t.Helper()
	u := env(PostgresEnv, DefaultPostgres)
	db, err := sql.Open("pgx", u)
	if err == nil {
		ctx, cancel := context.WithTimeout(t.Context(), pingTimeout)
		err = db.PingContext(ctx)
		cancel()
		db.Close()
	}
	if err != nil {
		unavailable(t, "PostgreSQL", PostgresEnv, u, err)
	}
	return u
}

// Redis returns the URL of the test Redis server after checking that it
// answers a ping. If it does not, the test is skipped, or fails when
// AUTHKIT_REQUIRE_SERVICES=1.
func Redis(t testing.TB) string {
	t.Helper()
	u := env(RedisEnv, DefaultRedis)
	opts, err := redis.ParseURL(u)
	if err == nil {
		c := redis.NewClient(opts)
		ctx, cancel := context.WithTimeout(t.Context(), pingTimeout)
		err = c.Ping(ctx).Err()
		cancel()
		c.Close()
	}
	if err != nil {
		unavailable(t, "Redis", RedisEnv, u, err)
	}
	return u
}

// UniqueName returns prefix followed by 12 random hex digits: a name for
// a PostgreSQL schema or a Redis key prefix that no other test run uses.
// It is lowercase, so PostgreSQL does not need it quoted.
func UniqueName(prefix string) string {
	var b [6]byte
	rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func unavailable(t testing.TB, service, envName, rawURL string, err error) {
	t.Helper()
	shown := rawURL
	if u, perr := url.Parse(rawURL); perr == nil {
		shown = u.Redacted()
	}
	if os.Getenv(RequireEnv) == "1" {
		t.Fatalf("%s at %s is unreachable (%v), and %s=1 requires it", service, shown, err, RequireEnv)
	}
	t.Skipf("%s at %s is unreachable (%v); set %s to another server, or %s=1 to fail instead of skipping", service, shown, err, envName, RequireEnv)
}

// RedisClient returns a client of the test Redis server (see [Redis]),
// closed when t ends.
func RedisClient(t testing.TB) *redis.Client {
	t.Helper()
	opts, err := redis.ParseURL(Redis(t))
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opts)
	t.Cleanup(func() { c.Close() })
	return c
}

// RedisPrefix returns a key prefix that no other test run uses (name, 12
// random hex digits and a colon) and, when t ends, deletes the keys under
// it from client, on every master of a cluster.
func RedisPrefix(t testing.TB, client redis.UniversalClient, name string) string {
	t.Helper()
	prefix := UniqueName(name) + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		keys, err := ScanKeys(ctx, client, prefix+"*")
		if err != nil {
			t.Errorf("clean up prefix %s: %v", prefix, err)
			return
		}
		for _, k := range keys {
			client.Unlink(ctx, k)
		}
	})
	return prefix
}

// ScanKeys returns the keys matching pattern, sorted, on every master of a
// cluster.
func ScanKeys(ctx context.Context, client redis.UniversalClient, pattern string) ([]string, error) {
	scan := func(ctx context.Context, c redis.UniversalClient) ([]string, error) {
		var out []string
		iter := c.Scan(ctx, 0, pattern, 1000).Iterator()
		for iter.Next(ctx) {
			out = append(out, iter.Val())
		}
		return out, iter.Err()
	}
	cc, ok := client.(*redis.ClusterClient)
	if !ok {
		keys, err := scan(ctx, client)
		slices.Sort(keys)
		return keys, err
	}
	var mu sync.Mutex
	var out []string
	err := cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
		keys, err := scan(ctx, c)
		mu.Lock()
		out = append(out, keys...)
		mu.Unlock()
		return err
	})
	slices.Sort(out)
	return out, err
}

// A SQLStore is a pgstore or sqlitestore store: a schema to migrate and a
// handle to close.
type SQLStore interface {
	Migrate(ctx context.Context) error
	Close() error
}

// Migrated returns s, which the caller has just opened or made (err is
// what that returned), migrated and closed when t ends.
func Migrated[S SQLStore](t testing.TB, s S, err error) S {
	t.Helper()
	if err != nil {
		t.Fatalf("making the store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return s
}
