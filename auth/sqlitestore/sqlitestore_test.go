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
	"testing"

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
	return testservices.Migrated(t, s, err)
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
	return testservices.Migrated(t, s, err)
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
			t.Run("Store/Tokens", func(t *testing.T) {
				storetest.TestTokenStore(t, func(t *testing.T) auth.TokenStore { return openStore(t, c.path(t)) })
			})
			t.Run("Store/Counters", func(t *testing.T) {
				storetest.TestCounterStore(t, func(t *testing.T) auth.CounterStore { return openStore(t, c.path(t)) })
			})
			t.Run("Sessions/Tokens", func(t *testing.T) {
				storetest.TestTokenStore(t, func(t *testing.T) auth.TokenStore { return sessionsStore(t, c.path(t)) })
			})
			t.Run("Sessions/Counters", func(t *testing.T) {
				storetest.TestCounterStore(t, func(t *testing.T) auth.CounterStore { return sessionsStore(t, c.path(t)) })
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
