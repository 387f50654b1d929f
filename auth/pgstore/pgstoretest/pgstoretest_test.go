package pgstoretest

import (
	"context"
	"fmt"
	"net"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/authkit-dev/authkit/internal/testservices"
)

// The rule for finding the server is authkit's one rule: the store tests'
// (internal/testservices, which this public package may not import
// without linking go-redis into every user's tests).
func TestEnvironmentMatchesStoreTests(t *testing.T) {
	for _, c := range []struct{ name, got, want string }{
		{"server variable", urlEnv, testservices.PostgresEnv},
		{"require variable", requireEnv, testservices.RequireEnv},
		{"default server", defaultURL, testservices.DefaultPostgres},
	} {
		if c.got != c.want {
			t.Errorf("%s: pgstoretest has %q, internal/testservices %q", c.name, c.got, c.want)
		}
	}
}

// currentSchema returns the schema a connection of pool resolves
// unqualified names in.
func currentSchema(t *testing.T, pool *pgxpool.Pool) string {
	t.Helper()
	var s string
	if err := pool.QueryRow(t.Context(), `SELECT current_schema()`).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

func schemaExists(t *testing.T, pool *pgxpool.Pool, name string) bool {
	t.Helper()
	var n int
	if err := pool.QueryRow(t.Context(), `SELECT count(*) FROM pg_namespace WHERE nspname = $1`, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

func TestPoolEveryConnectionUsesTheSchema(t *testing.T) {
	pool := Pool(t)
	schema := currentSchema(t, pool)
	if !strings.HasPrefix(schema, "pgstoretest_") {
		t.Fatalf("current_schema() = %q, want a pgstoretest_ schema", schema)
	}
	if _, err := pool.Exec(t.Context(), `CREATE TABLE users (id bigint PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	// Hold several connections at once, so that each is a different one.
	const n = 4
	conns := make([]*pgxpool.Conn, n)
	for i := range conns {
		c, err := pool.Acquire(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		conns[i] = c
	}
	defer func() {
		for _, c := range conns {
			c.Release()
		}
	}()
	for i, c := range conns {
		var got string
		var rows int
		if err := c.QueryRow(t.Context(), `SELECT current_schema(), (SELECT count(*) FROM users)`).Scan(&got, &rows); err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		if got != schema {
			t.Errorf("connection %d: current_schema() = %q, want %q", i, got, schema)
		}
	}
}

func TestPoolSchemasAreSeparate(t *testing.T) {
	a, b := Pool(t), Pool(t)
	if sa, sb := currentSchema(t, a), currentSchema(t, b); sa == sb {
		t.Fatalf("two pools share schema %q", sa)
	}
	if _, err := a.Exec(t.Context(), `CREATE TABLE users (id bigint PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Exec(t.Context(), `CREATE TABLE users (id bigint PRIMARY KEY)`); err != nil {
		t.Errorf("the same table in the second pool's schema: %v", err)
	}
}

func TestPoolSchemaDroppedAtCleanup(t *testing.T) {
	observer := Pool(t)
	var schema string
	t.Run("user", func(t *testing.T) {
		pool := Pool(t)
		schema = currentSchema(t, pool)
		if _, err := pool.Exec(t.Context(), `CREATE TABLE users (id bigint PRIMARY KEY)`); err != nil {
			t.Fatal(err)
		}
	})
	if schema == "" {
		t.Fatal("the subtest found no schema")
	}
	if schemaExists(t, observer, schema) {
		t.Errorf("schema %s still exists after its test ended", schema)
	}
}

func TestURLSetsSearchPath(t *testing.T) {
	u := URL(t)
	conn, err := pgx.Connect(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var got string
	if err := conn.QueryRow(t.Context(), `SELECT current_schema()`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got, "pgstoretest_") || !strings.Contains(u, "search_path="+got) {
		t.Errorf("URL %s: current_schema() = %q, want its search_path, a pgstoretest_ schema", u, got)
	}
}

func TestWithSearchPath(t *testing.T) {
	wantResults(t, "withSearchPath", func(in string) string { return withSearchPath(in, "s") }, map[string]string{
		"postgres://u@h:5432/db?sslmode=disable": "postgres://u@h:5432/db?search_path=s&sslmode=disable",
		"postgresql://u@h/db?search_path=public": "postgresql://u@h/db?search_path=s",
		"host=h user=u dbname=db":                "host=h user=u dbname=db search_path=s",
		"host=h search_path=public":              "host=h search_path=public search_path=s",
	})
}

// wantResults checks that f, named name, returns for each input of cases
// the output it maps to.
func wantResults(t *testing.T, name string, f func(string) string, cases map[string]string) {
	t.Helper()
	for in, want := range cases {
		if got := f(in); got != want {
			t.Errorf("%s(%q) = %q, want %q", name, in, got, want)
		}
	}
}

// verdictTB records how a helper ended a test: Skipf and Fatalf stop the
// goroutine, as the real ones do.
type verdictTB struct {
	testing.TB
	mu              sync.Mutex
	skipped, failed string
}

func (v *verdictTB) Skipf(format string, args ...any) {
	v.mu.Lock()
	v.skipped = fmt.Sprintf(format, args...)
	v.mu.Unlock()
	runtime.Goexit()
}

func (v *verdictTB) Fatalf(format string, args ...any) {
	v.mu.Lock()
	v.failed = fmt.Sprintf(format, args...)
	v.mu.Unlock()
	runtime.Goexit()
}

// verdict runs f with AUTHKIT_REQUIRE_SERVICES set to require, in a
// goroutine of its own as testing runs a test, and returns how f ended
// the test: the skip reason or the failure.
func verdict(t *testing.T, require string, f func(testing.TB)) (skipped, failed string) {
	t.Setenv(requireEnv, require)
	v := &verdictTB{TB: t}
	var wg sync.WaitGroup
	wg.Go(func() { f(v) }) // Done is deferred: it runs after Goexit too
	wg.Wait()
	return v.skipped, v.failed
}

// closedAddr returns a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestPoolUnreachableServer(t *testing.T) {
	server := "postgres://app:s3cret@" + closedAddr(t) + "/test?sslmode=disable"
	t.Setenv(urlEnv, server)

	t.Run("skips", func(t *testing.T) {
		skipped, failed := verdict(t, "", func(tb testing.TB) { Pool(tb) })
		if skipped == "" || failed != "" {
			t.Fatalf("skipped %q, failed %q; want a skip", skipped, failed)
		}
		for _, want := range []string{"PostgreSQL at postgres://app:xxxxx@", "unreachable", urlEnv, requireEnv + "=1"} {
			if !strings.Contains(skipped, want) {
				t.Errorf("skip reason %q lacks %q", skipped, want)
			}
		}
		if strings.Contains(skipped, "s3cret") {
			t.Errorf("skip reason %q shows the password", skipped)
		}
	})
	t.Run("fails when required", func(t *testing.T) {
		skipped, failed := verdict(t, "1", func(tb testing.TB) { URL(tb) })
		if failed == "" || skipped != "" {
			t.Fatalf("skipped %q, failed %q; want a failure", skipped, failed)
		}
		if !strings.Contains(failed, requireEnv+"=1 requires it") || strings.Contains(failed, "s3cret") {
			t.Errorf("failure %q: want it to name %s=1, without the password", failed, requireEnv)
		}
	})
}

func TestRedacted(t *testing.T) {
	wantResults(t, "redacted", redacted, map[string]string{
		"postgres://u:pw@h/db":      "postgres://u:xxxxx@h/db",
		"postgres://u@h/db":         "postgres://u@h/db",
		"host=h password=pw user=u": "host=h password=xxxxx user=u",
		"host=h user=u password=pw": "host=h user=u password=xxxxx",
	})
}

func TestPoolSize(t *testing.T) {
	if got := Pool(t).Config().MaxConns; got != maxConns {
		t.Errorf("MaxConns = %d, want %d", got, maxConns)
	}
	t.Run("set by the server URL", func(t *testing.T) {
		server := os.Getenv(urlEnv)
		if server == "" {
			server = defaultURL
		}
		if !strings.HasPrefix(server, "postgres") {
			t.Skipf("%s is not a URL", urlEnv)
		}
		sep := "?"
		if strings.Contains(server, "?") {
			sep = "&"
		}
		t.Setenv(urlEnv, server+sep+"pool_max_conns=7")
		if got := Pool(t).Config().MaxConns; got != 7 {
			t.Errorf("MaxConns = %d, want 7 (pool_max_conns)", got)
		}
	})
}
