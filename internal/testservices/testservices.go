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
