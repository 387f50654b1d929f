package sqlstore_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/sqlstore"
	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/internal/testservices"
)

func TestConformance(t *testing.T) {
	t.Run("sqlite-file", func(t *testing.T) {
		authtest.TestStore(t, func(t *testing.T) auth.Store { return testservices.SQLiteFile(t) })
	})
	t.Run("sqlite-memory", func(t *testing.T) {
		authtest.TestStore(t, func(t *testing.T) auth.Store { return testservices.SQLiteMemory(t) })
	})
	t.Run("postgres", func(t *testing.T) {
		pgURL := testservices.Postgres(t)
		authtest.TestStore(t, func(t *testing.T) auth.Store {
			return testservices.OpenPostgres(t, pgURL, testservices.PostgresSchema(t, pgURL))
		})
	})
}

// Reset and AllSessions are the playground's extras.
func TestResetAndAllSessions(t *testing.T) {
	for _, c := range []struct {
		name string
		open func(t *testing.T) *sqlstore.Store
	}{
		{"sqlite-file", func(t *testing.T) *sqlstore.Store { return testservices.SQLiteFile(t) }},
		{"postgres", func(t *testing.T) *sqlstore.Store { return testservices.PostgresStore(t) }},
	} {
		t.Run(c.name, func(t *testing.T) { testservices.CheckResetAndAllSessions(t, c.open(t)) })
	}
}

func TestNewRejects(t *testing.T) {
	db := testservices.SQLiteMemory(t).DB()
	for _, c := range []struct {
		name    string
		dialect sqlstore.Dialect
		opts    []sqlstore.Option
	}{
		{"unknown dialect", sqlstore.Dialect(0), nil},
		{"schema on SQLite", sqlstore.SQLite, []sqlstore.Option{sqlstore.WithSchema("auth")}},
		{"NUL in schema", sqlstore.Postgres, []sqlstore.Option{sqlstore.WithSchema("a\x00b")}},
	} {
		if s, err := sqlstore.New(db, c.dialect, c.opts...); err == nil {
			t.Errorf("New(%s) = %v, nil; want an error", c.name, s)
		}
	}
	if _, err := sqlstore.New(nil, sqlstore.SQLite); err == nil {
		t.Error("New(nil db) succeeded, want an error")
	}
	for _, p := range []string{"", "auth.db?mode=ro"} {
		if _, err := sqlstore.OpenSQLite(p); err == nil {
			t.Errorf("OpenSQLite(%q) succeeded, want an error", p)
		}
	}
}

// A store made with New leaves the db open on Close; one that opened its
// db closes it.
func TestCloseOwnership(t *testing.T) {
	owner := testservices.SQLiteMemory(t)
	borrowed, err := sqlstore.New(owner.DB(), sqlstore.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	if err := borrowed.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := owner.DB().Ping(); err != nil {
		t.Errorf("db closed by a store that did not open it: %v", err)
	}
	if err := owner.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := owner.DB().Ping(); err == nil {
		t.Error("db still open after Close of the store that opened it")
	}
}

// A session whose user row is gone (possible only with foreign keys off)
// reads as an orphan: the session and a zero user. Auth then deletes it.
func TestOrphanSession(t *testing.T) {
	s := testservices.SQLiteMemory(t) // one connection: the pragma below applies to it
	testservices.CheckOrphanSession(t, s, func(ctx context.Context, userID string) error {
		for _, q := range []string{"PRAGMA foreign_keys = OFF", "DELETE FROM auth_users", "PRAGMA foreign_keys = ON"} {
			if _, err := s.DB().ExecContext(ctx, q); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		return nil
	})
}

// Times outside int64 Unix nanoseconds are refused, not wrapped around.
func TestTimeOutOfRange(t *testing.T) {
	s := testservices.SQLiteMemory(t)
	ctx := t.Context()
	if err := s.CreateUser(ctx, auth.UserRecord{ID: "u1", Attributes: []byte(`{}`)}, nil); err != nil {
		t.Fatal(err)
	}
	ok := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, bad := range []time.Time{time.Date(1500, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC), {}} {
		r := auth.SessionRecord{ID: auth.SessionID("x"), UserID: "u1", ActiveExpiresAt: ok, IdleExpiresAt: bad}
		err := s.CreateSession(ctx, r)
		if err == nil || errors.Is(err, auth.ErrNotFound) {
			t.Errorf("CreateSession(idle %v): error = %v, want a system error", bad, err)
		}
		if _, err := s.RenewSession(ctx, r.ID, ok, ok, bad); err == nil {
			t.Errorf("RenewSession(idle %v) succeeded, want an error", bad)
		}
		if _, err := s.DeleteExpiredSessions(ctx, bad); err == nil {
			t.Errorf("DeleteExpiredSessions(%v) succeeded, want an error", bad)
		}
	}
}

func TestMigrate(t *testing.T) {
	check := func(t *testing.T, s *sqlstore.Store, table string) {
		t.Helper()
		// Again, twice: nothing changes, nothing fails.
		for range 2 {
			if err := s.Migrate(t.Context()); err != nil {
				t.Fatalf("Migrate again: %v", err)
			}
		}
		var n, maxV int64
		if err := s.DB().QueryRowContext(t.Context(), "SELECT COUNT(*), MAX(version) FROM "+table).Scan(&n, &maxV); err != nil {
			t.Fatal(err)
		}
		if n != sqlstore.SchemaVersion || maxV != sqlstore.SchemaVersion {
			t.Errorf("%s has %d rows up to version %d, want %d up to %d", table, n, maxV, sqlstore.SchemaVersion, sqlstore.SchemaVersion)
		}
	}
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "auth.db")
		// Several stores on one file migrating at once.
		stores := make([]*sqlstore.Store, 4)
		for i := range stores {
			s, err := sqlstore.OpenSQLite(path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			stores[i] = s
		}
		migrateConcurrently(t, stores)
		check(t, stores[0], "auth_schema_migrations")
	})
	t.Run("postgres", func(t *testing.T) {
		pgURL := testservices.Postgres(t)
		schema := testservices.PostgresSchema(t, pgURL)
		stores := make([]*sqlstore.Store, 4)
		for i := range stores {
			s, err := sqlstore.OpenPostgres(t.Context(), pgURL, sqlstore.WithSchema(schema))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			stores[i] = s
		}
		migrateConcurrently(t, stores)
		check(t, stores[0], `"`+schema+`".auth_schema_migrations`)
	})
}

func migrateConcurrently(t *testing.T, stores []*sqlstore.Store) {
	t.Helper()
	errs := make([]error, len(stores))
	var wg sync.WaitGroup
	for i, s := range stores {
		wg.Go(func() { errs[i] = s.Migrate(t.Context()) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("concurrent Migrate #%d: %v", i, err)
		}
	}
}

// Several app servers, each with its own handle and connection pool on one
// database, validate the same idle session at once.
func TestSeveralAppServers(t *testing.T) {
	t.Run("postgres", func(t *testing.T) {
		pgURL := testservices.Postgres(t)
		schema := testservices.PostgresSchema(t, pgURL)
		testservices.CheckSharedRenewal(t, testservices.OpenPostgres(t, pgURL, schema), testservices.OpenPostgres(t, pgURL, schema))
	})
	t.Run("sqlite-file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "auth.db")
		testservices.CheckSharedRenewal(t, testservices.OpenSQLite(t, path), testservices.OpenSQLite(t, path))
	})
}

// Sessions are on disk: they survive closing and reopening the store.
func TestSQLiteDurability(t *testing.T) {
	path := filepath.Join(t.TempDir(), "auth.db")
	ctx := t.Context()
	s, err := sqlstore.OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	a := testservices.NewAuth(t, s, nil)
	u, err := a.CreateUser(ctx, auth.NewUser{Attributes: map[string]any{"name": "Ada"}})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := a.CreateSession(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	a = testservices.NewAuth(t, testservices.OpenSQLite(t, path), nil)
	got, gotUser, err := a.ValidateSessionUser(ctx, sess.Token)
	if err != nil {
		t.Fatalf("ValidateSessionUser after reopen: %v", err)
	}
	if got.ID != sess.ID || !got.IdleExpiresAt.Equal(sess.IdleExpiresAt) || gotUser.Attributes["name"] != "Ada" {
		t.Errorf("after reopen: session %+v, user %+v; want %+v of Ada", got, gotUser, sess)
	}
}

// childEnv makes the test binary, run again by TestSQLiteRestart, play a
// short-lived app process on the database named by its value.
const childEnv = "AUTHKIT_SQLSTORE_CHILD_DB"

// TestMain runs the test binary as the child process of
// TestSQLiteRestart when childEnv is set, and as the tests otherwise.
func TestMain(m *testing.M) {
	if path := os.Getenv(childEnv); path != "" {
		if err := sqliteChild(path, os.Getenv("AUTHKIT_SQLSTORE_CHILD_TOKEN")); err != nil {
			fmt.Println("ERROR:", err)
			os.Exit(1)
		}
		os.Exit(0) // no Close, no cleanup: the process just ends
	}
	os.Exit(m.Run())
}

// sqliteChild is the child side of TestSQLiteRestart. With no token it
// creates a user and a session, validates it and prints its token; with a
// token it validates it and prints "VALID". Then the process exits,
// closing nothing, as a killed server would.
func sqliteChild(path, token string) error {
	ctx := context.Background()
	s, err := sqlstore.OpenSQLite(path)
	if err != nil {
		return err
	}
	if err := s.Migrate(ctx); err != nil {
		return err
	}
	a, err := auth.New(s, auth.Config{Argon2: fakeauth.CheapArgon2()})
	if err != nil {
		return err
	}
	if token == "" {
		u, err := a.CreateUser(ctx, auth.NewUser{})
		if err != nil {
			return err
		}
		sess, err := a.CreateSession(ctx, u.ID)
		if err != nil {
			return err
		}
		if _, err := a.ValidateSession(ctx, sess.Token); err != nil {
			return err
		}
		fmt.Printf("TOKEN=%s\n", sess.Token)
		return nil
	}
	if _, err := a.ValidateSession(ctx, token); err != nil {
		return err
	}
	fmt.Println("VALID")
	return nil
}

// A session created by one process is valid after that process exits: in
// a second process, and in this one.
func TestSQLiteRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "auth.db")
	run := func(token string) string {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"="+path, "AUTHKIT_SQLSTORE_CHILD_TOKEN="+token)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("child process: %v\n%s", err, out)
		}
		return string(out)
	}
	out := run("")
	var token string
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "TOKEN="); ok {
			token = v
		}
	}
	if !auth.ValidToken(token) {
		t.Fatalf("child printed no token:\n%s", out)
	}
	if out := run(token); !strings.Contains(out, "VALID") {
		t.Errorf("second child did not validate the token:\n%s", out)
	}
	a := testservices.NewAuth(t, testservices.OpenSQLite(t, path), nil)
	if _, err := a.ValidateSession(t.Context(), token); err != nil {
		t.Errorf("ValidateSession in the parent: %v", err)
	}
}

// With the connection to PostgreSQL cut, validation fails with a store
// error (never a logout), and works again once it is back.
func TestPostgresFaults(t *testing.T) {
	pgURL := testservices.Postgres(t)
	schema := testservices.PostgresSchema(t, pgURL)
	u, err := url.Parse(pgURL)
	if err != nil {
		t.Fatal(err)
	}
	p := testservices.StartProxy(t, u.Host)
	u.Host = p.Addr()
	q := u.Query()
	q.Set("connect_timeout", "5")
	u.RawQuery = q.Encode()
	s := testservices.OpenPostgres(t, u.String(), schema)
	testservices.CheckFaults(t, testservices.NewAuth(t, s, nil), p)
}

func BenchmarkSQLiteFile(b *testing.B) {
	authtest.BenchmarkStore(b, func(b *testing.B) auth.Store { return testservices.SQLiteFile(b) })
}

func BenchmarkSQLiteMemory(b *testing.B) {
	authtest.BenchmarkStore(b, func(b *testing.B) auth.Store { return testservices.SQLiteMemory(b) })
}

func BenchmarkPostgres(b *testing.B) {
	pgURL := testservices.Postgres(b)
	authtest.BenchmarkStore(b, func(b *testing.B) auth.Store {
		return testservices.OpenPostgres(b, pgURL, testservices.PostgresSchema(b, pgURL))
	})
}
