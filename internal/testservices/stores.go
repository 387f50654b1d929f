package testservices

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/redisstore"
	"github.com/authkit-dev/authkit/auth/sqlstore"
)

// OpenSQLite opens and migrates a SQLite store at path, closed when the
// test ends.
func OpenSQLite(t testing.TB, path string) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.OpenSQLite(path)
	if err != nil {
		t.Fatalf("OpenSQLite(%q): %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return s
}

// SQLiteFile returns a migrated SQLite store in a file of the test's own.
func SQLiteFile(t testing.TB) *sqlstore.Store {
	t.Helper()
	return OpenSQLite(t, filepath.Join(t.TempDir(), "auth.db"))
}

// SQLiteMemory returns a migrated in-memory SQLite store.
func SQLiteMemory(t testing.TB) *sqlstore.Store {
	t.Helper()
	return OpenSQLite(t, ":memory:")
}

// PostgresSchema returns a new schema name for the test, dropped (with its
// tables) when the test ends.
func PostgresSchema(t testing.TB, pgURL string) string {
	t.Helper()
	schema := UniqueName("authkit_test_")
	t.Cleanup(func() {
		s, err := sqlstore.OpenPostgres(context.Background(), pgURL)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer s.Close()
		if _, err := s.DB().ExecContext(context.Background(), `DROP SCHEMA IF EXISTS "`+schema+`" CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return schema
}

// OpenPostgres opens and migrates a store on schema, closed when the test
// ends (before the schema is dropped).
func OpenPostgres(t testing.TB, pgURL, schema string) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.OpenPostgres(context.Background(), pgURL, sqlstore.WithSchema(schema))
	if err != nil {
		t.Fatalf("OpenPostgres: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return s
}

// PostgresStore returns a migrated store on the test PostgreSQL, in a
// schema of the test's own. It skips (or fails) the test as [Postgres]
// does when the server is missing.
func PostgresStore(t testing.TB) *sqlstore.Store {
	t.Helper()
	pgURL := Postgres(t)
	return OpenPostgres(t, pgURL, PostgresSchema(t, pgURL))
}

// RedisPrefix returns a key prefix of the test's own, whose keys are
// deleted when the test ends.
func RedisPrefix(t testing.TB, redisURL string) string {
	t.Helper()
	prefix := UniqueName("authkit-test-") + ":"
	t.Cleanup(func() {
		s, err := redisstore.Open(context.Background(), redisURL, redisstore.WithPrefix(prefix))
		if err != nil {
			t.Errorf("delete keys of %s: %v", prefix, err)
			return
		}
		defer s.Close()
		if err := s.Reset(context.Background()); err != nil {
			t.Errorf("delete keys of %s: %v", prefix, err)
		}
	})
	return prefix
}

// OpenRedis opens a store on prefix, closed when the test ends.
func OpenRedis(t testing.TB, redisURL, prefix string, opts ...redisstore.Option) *redisstore.Store {
	t.Helper()
	s, err := redisstore.Open(context.Background(), redisURL, append([]redisstore.Option{redisstore.WithPrefix(prefix)}, opts...)...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// RedisStore returns a store on the test Redis under a prefix of the
// test's own. It skips (or fails) the test as [Redis] does when the server
// is missing.
func RedisStore(t testing.TB, opts ...redisstore.Option) *redisstore.Store {
	t.Helper()
	redisURL := Redis(t)
	return OpenRedis(t, redisURL, RedisPrefix(t, redisURL), opts...)
}

// ResettableStore is a store with the extras the playground uses.
type ResettableStore interface {
	auth.Store
	Reset(ctx context.Context) error
	AllSessions(ctx context.Context) ([]auth.SessionRecord, error)
}

// CheckResetAndAllSessions checks the playground's extras on an empty
// store: AllSessions lists every session, Reset empties users, keys and
// sessions, and the store works again afterwards.
func CheckResetAndAllSessions(t *testing.T, s ResettableStore) {
	t.Helper()
	ctx := context.Background()
	a := NewAuth(t, s, nil)
	var want []string
	for i := range 3 {
		u, err := a.CreateUser(ctx, auth.NewUser{Key: &auth.NewKey{ProviderID: "username", ProviderUserID: fmt.Sprint("user", i)}})
		if err != nil {
			t.Fatal(err)
		}
		sess, err := a.CreateSession(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, sess.ID)
	}
	all, err := s.AllSessions(ctx)
	if err != nil {
		t.Fatalf("AllSessions: %v", err)
	}
	var got []string
	for _, r := range all {
		got = append(got, r.ID)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("AllSessions IDs = %v, want %v", got, want)
	}
	if err := s.Reset(ctx); err != nil {
		t.Fatalf("Reset: %v", err)
	}
	if all, err := s.AllSessions(ctx); err != nil || len(all) != 0 {
		t.Errorf("AllSessions after Reset = %v, %v; want none", all, err)
	}
	if _, err := s.GetKey(ctx, "username", "user0"); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("GetKey after Reset: %v, want ErrNotFound", err)
	}
	if _, err := a.CreateUser(ctx, auth.NewUser{Key: &auth.NewKey{ProviderID: "username", ProviderUserID: "user0"}}); err != nil {
		t.Errorf("CreateUser after Reset: %v", err)
	}
}

// CheckOrphanSession checks that a session whose user record was removed
// behind the store's back (orphan removes it, each store in its own way)
// reads as the session and a zero user, and that validating it deletes it.
func CheckOrphanSession(t *testing.T, s auth.Store, orphan func(ctx context.Context, userID string) error) {
	t.Helper()
	ctx := context.Background()
	a := NewAuth(t, s, nil)
	u, err := a.CreateUser(ctx, auth.NewUser{})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := a.CreateSession(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := orphan(ctx, u.ID); err != nil {
		t.Fatalf("removing the user behind the store's back: %v", err)
	}
	rec, user, err := s.GetSessionAndUser(ctx, sess.ID)
	if err != nil || rec.ID != sess.ID || user.ID != "" {
		t.Fatalf("GetSessionAndUser(orphan) = %+v, %+v, %v; want the session, a zero user, nil", rec, user, err)
	}
	if _, err := a.ValidateSession(ctx, sess.Token); !errors.Is(err, auth.ErrInvalidSession) {
		t.Errorf("ValidateSession(orphan): %v, want ErrInvalidSession", err)
	}
	if _, _, err := s.GetSessionAndUser(ctx, sess.ID); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("orphan session still stored after validation: %v", err)
	}
}
