package sqlitestore_test

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/sqlitestore"
	"github.com/authkit-dev/authkit/authtest/storetest"
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/internal/testservices"
)

// openStore returns a migrated Store on path, closed at the end of the
// test.
func openStore(t testing.TB, path string) *sqlitestore.Store {
	t.Helper()
	s, err := sqlitestore.Open(path)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return s
}

func fileStore(t testing.TB) *sqlitestore.Store {
	t.Helper()
	return openStore(t, filepath.Join(t.TempDir(), "auth.db"))
}

func memoryStore(t testing.TB) *sqlitestore.Store {
	t.Helper()
	return openStore(t, ":memory:")
}

// appDB opens path with OpenDB and creates an app's users table in it.
func appDB(t testing.TB, path, idType string) *sql.DB {
	t.Helper()
	db, err := sqlitestore.OpenDB(path)
	if err != nil {
		t.Fatalf("OpenDB: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE TABLE users (id ` + idType + ` PRIMARY KEY NOT NULL, email TEXT NOT NULL DEFAULT '')`); err != nil {
		t.Fatal(err)
	}
	return db
}

// sessionsStore returns a migrated Sessions on an app's users table in
// path.
func sessionsStore(t testing.TB, path string) *sqlitestore.Sessions {
	t.Helper()
	s, err := sqlitestore.NewSessions(appDB(t, path, "TEXT"), sqlitestore.UsersTable{Table: "users", IDColumn: "id"})
	if err != nil {
		t.Fatalf("NewSessions: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return s
}

// appUsers creates and deletes rows of the app's users table, as the app
// would.
var appUsers = storetest.AppUsers(
	func(ctx context.Context, s auth.SessionStore, userID string) error {
		_, err := s.(*sqlitestore.Sessions).DB().ExecContext(ctx, `INSERT INTO users (id) VALUES (?)`, userID)
		return err
	},
	func(ctx context.Context, s auth.SessionStore, userID string) error {
		_, err := s.(*sqlitestore.Sessions).DB().ExecContext(ctx, `DELETE FROM users WHERE id = ?`, userID)
		return err
	},
)

// orphanUser deletes a user row with foreign keys off on its connection,
// leaving its sessions: what a manual edit could do.
var orphanUser = storetest.OrphanUser(func(ctx context.Context, s auth.SessionStore, userID string) error {
	conn, err := s.(*sqlitestore.Store).DB().Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, q := range []string{"PRAGMA foreign_keys = OFF", "DELETE FROM auth_users WHERE id = '" + strings.ReplaceAll(userID, "'", "''") + "'", "PRAGMA foreign_keys = ON"} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
})

func TestConformance(t *testing.T) {
	for _, c := range []struct {
		name string
		path func(t *testing.T) string
	}{
		{"file", func(t *testing.T) string { return filepath.Join(t.TempDir(), "auth.db") }},
		{"memory", func(t *testing.T) string { return ":memory:" }},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Run("Store", func(t *testing.T) {
				storetest.TestSessionStore(t, func(t *testing.T) auth.SessionStore { return openStore(t, c.path(t)) }, orphanUser)
			})
			t.Run("Users", func(t *testing.T) {
				storetest.TestUserStore(t, func(t *testing.T) auth.UserStore { return openStore(t, c.path(t)) })
			})
			t.Run("Sessions", func(t *testing.T) {
				storetest.TestSessionStore(t, func(t *testing.T) auth.SessionStore { return sessionsStore(t, c.path(t)) }, appUsers)
			})
		})
	}
}

func TestNewRejects(t *testing.T) {
	if _, err := sqlitestore.New(nil); err == nil {
		t.Error("New(nil) succeeded, want an error")
	}
	for _, p := range []string{"", "auth.db?mode=ro"} {
		if _, err := sqlitestore.Open(p); err == nil {
			t.Errorf("Open(%q) succeeded, want an error", p)
		}
	}
	db := memoryStore(t).DB()
	for _, u := range []sqlitestore.UsersTable{
		{Table: "", IDColumn: "id"},
		{Table: "users", IDColumn: ""},
		{Table: `users"; DROP TABLE x; --`, IDColumn: "id"},
		{Table: "main.users", IDColumn: "id"}, // no schemas on SQLite
		{Table: "users", IDColumn: "1id"},
	} {
		if _, err := sqlitestore.NewSessions(db, u); err == nil {
			t.Errorf("NewSessions(%+v) succeeded, want an error", u)
		}
	}
}

// A store made with New leaves the db open on Close; one that opened its
// db closes it.
func TestCloseOwnership(t *testing.T) {
	owner := memoryStore(t)
	borrowed, err := sqlitestore.New(owner.DB())
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

// Times outside int64 Unix nanoseconds are refused, not wrapped around.
func TestTimeOutOfRange(t *testing.T) {
	s := memoryStore(t)
	ctx := t.Context()
	if err := s.CreateUser(ctx, auth.UserRecord{ID: "u1", Attributes: []byte(`{}`)}, nil); err != nil {
		t.Fatal(err)
	}
	ok := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, bad := range []time.Time{time.Date(1500, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)} {
		r := auth.SessionRecord{ID: auth.SessionID("x"), UserID: "u1", CreatedAt: ok, RenewedAt: ok, ActiveExpiresAt: ok, IdleExpiresAt: bad}
		err := s.CreateSession(ctx, r)
		if err == nil || errors.Is(err, auth.ErrUserNotFound) {
			t.Errorf("CreateSession(idle %v): error = %v, want a system error", bad, err)
		}
		if _, err := s.RenewSession(ctx, r.ID, ok, auth.Renewal{RenewedAt: ok, ActiveExpiresAt: ok, IdleExpiresAt: bad}); err == nil {
			t.Errorf("RenewSession(idle %v) succeeded, want an error", bad)
		}
		if _, err := s.DeleteExpiredSessions(ctx, bad, 10); err == nil {
			t.Errorf("DeleteExpiredSessions(%v) succeeded, want an error", bad)
		}
	}
}

func TestMigrateConcurrently(t *testing.T) {
	path := filepath.Join(t.TempDir(), "auth.db")
	stores := make([]*sqlitestore.Store, 4)
	for i := range stores {
		s, err := sqlitestore.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		stores[i] = s
	}
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
	// Again, twice: nothing changes, nothing fails.
	for range 2 {
		if err := stores[0].Migrate(t.Context()); err != nil {
			t.Fatalf("Migrate again: %v", err)
		}
	}
	var n, maxV int64
	if err := stores[0].DB().QueryRow("SELECT COUNT(*), MAX(version) FROM auth_schema_migrations").Scan(&n, &maxV); err != nil {
		t.Fatal(err)
	}
	if want := stores[0].SchemaVersion(); n != want || maxV != want || want < 2 {
		t.Errorf("auth_schema_migrations has %d rows up to version %d, want %d up to %d (>= 2)", n, maxV, want, want)
	}
}

// A store used before Migrate says so, rather than with a bare SQL error.
func TestNotMigrated(t *testing.T) {
	ctx := t.Context()
	s, err := sqlitestore.Open(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	_, err = s.GetSession(ctx, auth.SessionID("x"))
	if !errors.Is(err, sqlitestore.ErrNotMigrated) || errors.Is(err, auth.ErrNotFound) {
		t.Errorf("GetSession before Migrate: error = %v, want one wrapping ErrNotMigrated", err)
	}
	if err == nil || !strings.Contains(err.Error(), "call Migrate") {
		t.Errorf("GetSession before Migrate: error %q does not say to call Migrate", err)
	}
	if err := s.CreateUser(ctx, auth.UserRecord{ID: "u"}, nil); !errors.Is(err, sqlitestore.ErrNotMigrated) {
		t.Errorf("CreateUser before Migrate: error = %v, want one wrapping ErrNotMigrated", err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetSession(ctx, auth.SessionID("x")); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("GetSession after Migrate: error = %v, want auth.ErrNotFound", err)
	}
}

// A database made by the previous release (schema version 1) with live
// sessions is upgraded in place, and its sessions still validate.
func TestUpgradeFromVersion1(t *testing.T) {
	ctx := t.Context()
	v1, err := os.ReadFile("../internal/sqlcore/migrations/sqlite/store/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	token := "abcdefghijklmnopqrstuvwxyz234567" // a valid token: 32 base32 characters
	if !auth.ValidToken(token) {
		t.Fatalf("test token %q is not valid", token)
	}
	s := openUnmigrated(t, oldDatabase(t,
		string(v1),
		`CREATE TABLE auth_schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`,
		`INSERT INTO auth_schema_migrations VALUES (1, '0001_init.sql', 0)`,
		`INSERT INTO auth_users VALUES ('u1', '{"name":"Ada"}')`,
		fmt.Sprintf(`INSERT INTO auth_sessions VALUES ('%s', 'u1', %d, %d)`, auth.SessionID(token), now.Add(time.Hour).UnixNano(), now.Add(2*time.Hour).UnixNano()),
	), token)
	before := time.Now()
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate from version 1: %v", err)
	}
	a := testservices.NewAuth(t, s, nil)
	sess, user, err := a.ValidateSessionUser(ctx, token)
	if err != nil {
		t.Fatalf("ValidateSessionUser after the upgrade: %v", err)
	}
	if user.Attributes["name"] != "Ada" || sess.UserID != "u1" {
		t.Errorf("after the upgrade: session of %q, user %+v; want u1, Ada", sess.UserID, user)
	}
	if sess.CreatedAt.Before(before.Add(-time.Millisecond)) || sess.CreatedAt.After(time.Now()) || !sess.RenewedAt.Equal(sess.CreatedAt) {
		t.Errorf("after the upgrade: CreatedAt %v, RenewedAt %v; want both the upgrade time (%v)", sess.CreatedAt, sess.RenewedAt, before)
	}
	if !sess.ExpiresAt.IsZero() || sess.Attributes != nil || sess.UserAgent != "" {
		t.Errorf("after the upgrade: ExpiresAt %v, Attributes %q, UserAgent %q; want none", sess.ExpiresAt, sess.Attributes, sess.UserAgent)
	}
	// New sessions work too, with every field.
	u2, err := a.CreateUser(ctx, auth.NewUser{})
	if err != nil {
		t.Fatal(err)
	}
	s2, err := a.CreateSessionWith(ctx, u2.ID, auth.SessionOptions{UserAgent: "test", Attributes: map[string]any{"device": "laptop"}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := a.ValidateSession(ctx, s2.Token)
	if err != nil || got.UserAgent != "test" || string(got.Attributes) != `{"device":"laptop"}` {
		t.Errorf("new session after the upgrade = %+v, %v", got, err)
	}
}

// Several app servers, each with its own handle and connection pool on one
// file, validate the same idle session at once.
func TestSeveralAppServers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "auth.db")
	testservices.CheckSharedRenewal(t, openStore(t, path), openStore(t, path))
}

// In sessions mode a session reads as gone once its user's row is, even
// when the app deleted it on a connection with foreign keys off (where the
// cascade does not run).
func TestSessionsUserDeletedWithForeignKeysOff(t *testing.T) {
	ctx := t.Context()
	s := sessionsStore(t, filepath.Join(t.TempDir(), "app.db"))
	if _, err := s.DB().ExecContext(ctx, `INSERT INTO users (id) VALUES ('u1')`); err != nil {
		t.Fatal(err)
	}
	a := testservices.NewAuth(t, s, nil)
	sess, err := a.CreateSession(ctx, "u1")
	if err != nil {
		t.Fatal(err)
	}
	// As the sqlite3 shell would: a plain connection, foreign keys off.
	conn, err := s.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"PRAGMA foreign_keys = OFF", "DELETE FROM users WHERE id = 'u1'", "PRAGMA foreign_keys = ON"} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	conn.Close()
	var left int
	if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM auth_sessions`).Scan(&left); err != nil || left != 1 {
		t.Fatalf("sessions left after a delete without cascade = %d, %v; want 1 (the test needs the orphan)", left, err)
	}
	if _, err := a.ValidateSession(ctx, sess.Token); !errors.Is(err, auth.ErrInvalidSession) {
		t.Errorf("ValidateSession after the user row was deleted: error = %v, want auth.ErrInvalidSession", err)
	}
}

// An app's INTEGER primary key works: user IDs are passed as strings.
func TestSessionsIntegerID(t *testing.T) {
	ctx := t.Context()
	db := appDB(t, filepath.Join(t.TempDir(), "app.db"), "INTEGER")
	s, err := sqlitestore.NewSessions(db, sqlitestore.UsersTable{Table: "users", IDColumn: "id"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO users (id) VALUES (42)`); err != nil {
		t.Fatal(err)
	}
	a := testservices.NewAuth(t, s, nil)
	sess, err := a.CreateSession(ctx, "42")
	if err != nil {
		t.Fatalf("CreateSession(42): %v", err)
	}
	if got, err := a.ValidateSession(ctx, sess.Token); err != nil || got.UserID != "42" {
		t.Fatalf("ValidateSession = %+v, %v; want the session of 42", got, err)
	}
	if _, err := a.CreateSession(ctx, "43"); !errors.Is(err, auth.ErrInvalidUser) {
		t.Errorf("CreateSession(43), no such row: error = %v, want auth.ErrInvalidUser", err)
	}
	if ss, err := a.UserSessions(ctx, "42"); err != nil || len(ss) != 1 {
		t.Errorf("UserSessions(42) = %d sessions, %v; want 1", len(ss), err)
	}
	if _, err := db.ExecContext(ctx, `DELETE FROM users WHERE id = 42`); err != nil {
		t.Fatal(err)
	}
	var left int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM auth_sessions`).Scan(&left); err != nil || left != 0 {
		t.Errorf("sessions left after deleting user 42 = %d, %v; want 0 (ON DELETE CASCADE)", left, err)
	}
}

// A user ID on an app's INTEGER column must be the one the column gives
// back: "042" would name user 42 in SQLite's comparison, yet the session
// would carry UserID "042" until read again as "42". Such IDs name no
// user.
func TestSessionsIntegerIDCanonical(t *testing.T) {
	ctx := t.Context()
	db := appDB(t, filepath.Join(t.TempDir(), "app.db"), "INTEGER")
	s, err := sqlitestore.NewSessions(db, sqlitestore.UsersTable{Table: "users", IDColumn: "id"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO users (id) VALUES (42), (-7)`); err != nil {
		t.Fatal(err)
	}
	a := testservices.NewAuth(t, s, nil)
	for _, id := range []string{"042", " 42", "42 ", "+42", "4.2e1", "42.0", "0x2a", "-07", "-0"} {
		if sess, err := a.CreateSession(ctx, id); !errors.Is(err, auth.ErrInvalidUser) {
			t.Errorf("CreateSession(%q) = %+v, %v; want auth.ErrInvalidUser (not the ID the column gives back)", id, sess, err)
		}
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM auth_sessions`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("sessions stored after refused IDs = %d, %v; want 0", n, err)
	}
	for _, id := range []string{"42", "-7"} {
		sess, err := a.CreateSession(ctx, id)
		if err != nil {
			t.Fatalf("CreateSession(%q): %v", id, err)
		}
		got, err := a.ValidateSession(ctx, sess.Token)
		if err != nil || got.UserID != id || sess.UserID != id {
			t.Errorf("session of %q: created with UserID %q, validated as %+v, %v; want %q both times", id, sess.UserID, got, err, id)
		}
	}
	if ss, err := a.UserSessions(ctx, "042"); err != nil || len(ss) != 0 {
		t.Errorf("UserSessions(042) = %d sessions, %v; want none", len(ss), err)
	}
}

// childEnv makes the test binary, run again by TestRestart, play a
// short-lived app process on the database named by its value.
const childEnv = "AUTHKIT_SQLITESTORE_CHILD_DB"

// TestMain runs the test binary as the child process of TestRestart when
// childEnv is set, and as the tests otherwise.
func TestMain(m *testing.M) {
	if path := os.Getenv(childEnv); path != "" {
		if err := child(path, os.Getenv("AUTHKIT_SQLITESTORE_CHILD_TOKEN")); err != nil {
			fmt.Println("ERROR:", err)
			os.Exit(1)
		}
		os.Exit(0) // no Close, no cleanup: the process just ends
	}
	os.Exit(m.Run())
}

// child is the child side of TestRestart. With no token it creates a user
// and a session, validates it and prints its token; with a token it
// validates it and prints "VALID". Then the process exits, closing
// nothing, as a killed server would.
func child(path, token string) error {
	ctx := context.Background()
	s, err := sqlitestore.Open(path)
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
func TestRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "auth.db")
	run := func(token string) string {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"="+path, "AUTHKIT_SQLITESTORE_CHILD_TOKEN="+token)
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
	a := testservices.NewAuth(t, openStore(t, path), nil)
	if _, err := a.ValidateSession(t.Context(), token); err != nil {
		t.Errorf("ValidateSession in the parent: %v", err)
	}
}

func BenchmarkStore(b *testing.B) {
	b.Run("file", func(b *testing.B) {
		storetest.BenchmarkSessionStore(b, func(b *testing.B) auth.SessionStore { return fileStore(b) })
	})
	b.Run("memory", func(b *testing.B) {
		storetest.BenchmarkSessionStore(b, func(b *testing.B) auth.SessionStore { return memoryStore(b) })
	})
}

// A version 2 database (sessions without a lifetime policy) upgrades to
// version 3: its sessions are persistent, and new sessions keep the
// browser-session policy through a renewal.
func TestUpgradeFromVersion2(t *testing.T) {
	ctx := t.Context()
	stmts := []string{`CREATE TABLE auth_schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`}
	for i, name := range []string{"0001_init.sql", "0002_session_record.sql"} {
		b, err := os.ReadFile("../internal/sqlcore/migrations/sqlite/store/" + name)
		if err != nil {
			t.Fatal(err)
		}
		stmts = append(stmts, string(b), fmt.Sprintf(`INSERT INTO auth_schema_migrations VALUES (%d, '%s', 0)`, i+1, name))
	}
	token := "abcdefghijklmnopqrstuvwxyz234567"
	now := time.Now()
	stmts = append(stmts, `INSERT INTO auth_users VALUES ('u1', NULL)`,
		fmt.Sprintf(`INSERT INTO auth_sessions (id, user_id, active_expires_at, idle_expires_at, created_at, renewed_at, expires_at, user_agent, client_ip, attributes)
			VALUES ('%s', 'u1', %d, %d, %d, %d, 0, 'old browser', '192.0.2.1', NULL)`,
			auth.SessionID(token), now.Add(time.Hour).UnixNano(), now.Add(2*time.Hour).UnixNano(), now.UnixNano(), now.UnixNano()))
	s := openUnmigrated(t, oldDatabase(t, stmts...), token)
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate from version 2: %v", err)
	}
	if v := s.SchemaVersion(); v != 3 {
		t.Errorf("SchemaVersion = %d, want 3", v)
	}
	testservices.CheckUpgradedPolicy(t, s, token)
}

// Sessions for an app's users table upgrade from their version 1 too.
func TestUpgradeAppUsersFromVersion1(t *testing.T) {
	ctx := t.Context()
	v1, err := os.ReadFile("../internal/sqlcore/migrations/sqlite/sessions/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	token := "abcdefghijklmnopqrstuvwxyz234567"
	now := time.Now()
	db := oldDatabase(t,
		`CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT)`,
		`INSERT INTO users VALUES ('u1', 'ada@example.com')`,
		strings.NewReplacer("{{users}}", `"users"`, "{{idcol}}", `"id"`).Replace(string(v1)),
		`CREATE TABLE auth_sessions_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`,
		`INSERT INTO auth_sessions_migrations VALUES (1, '0001_init.sql', 0)`,
		fmt.Sprintf(`INSERT INTO auth_sessions (id, user_id, created_at, renewed_at, active_expires_at, idle_expires_at, user_agent)
			VALUES ('%s', 'u1', %d, %d, %d, %d, 'old browser')`,
			auth.SessionID(token), now.UnixNano(), now.UnixNano(), now.Add(time.Hour).UnixNano(), now.Add(2*time.Hour).UnixNano()),
	)
	s, err := sqlitestore.NewSessions(db, sqlitestore.UsersTable{Table: "users", IDColumn: "id"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate from version 1: %v", err)
	}
	if v := s.SchemaVersion(); v != 2 {
		t.Errorf("SchemaVersion = %d, want 2", v)
	}
	testservices.CheckUpgradedPolicy(t, s, token)
}

// oldDatabase is a database file holding what stmts (an earlier schema
// and its rows) make, for the upgrade tests.
func oldDatabase(t *testing.T, stmts ...string) *sql.DB {
	t.Helper()
	db, err := sqlitestore.OpenDB(filepath.Join(t.TempDir(), "auth.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, q := range stmts {
		if _, err := db.ExecContext(t.Context(), q); err != nil {
			t.Fatalf("%.40s: %v", q, err)
		}
	}
	return db
}

// openUnmigrated opens the store on db and checks that it asks for
// Migrate before it reads the session of token.
func openUnmigrated(t *testing.T, db *sql.DB, token string) *sqlitestore.Store {
	t.Helper()
	s, err := sqlitestore.New(db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.GetSession(t.Context(), auth.SessionID(token)); !errors.Is(err, sqlitestore.ErrNotMigrated) {
		t.Errorf("GetSession on an old database: error = %v, want one wrapping ErrNotMigrated", err)
	}
	return s
}
