package pgstoretest_test

import (
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/pgstore"
	"github.com/authkit-dev/authkit/auth/pgstore/pgstoretest"
)

// An app that keeps its own users table tests its sessions on a schema
// of the test's own: the table and authkit's auth_sessions are created
// there, and dropped with it when the test ends. This is the runnable
// example of the package: it is skipped when PostgreSQL does not answer.
func TestPoolWithOwnUsers(t *testing.T) {
	pool := pgstoretest.Pool(t)
	if _, err := pool.Exec(t.Context(), `CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	sessions, err := pgstore.NewSessions(pool, pgstore.UsersTable{Table: "users", IDColumn: "id", IDType: "bigint"})
	if err != nil {
		t.Fatal(err)
	}
	if err := sessions.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	a, err := auth.New(sessions, auth.Config{})
	if err != nil {
		t.Fatal(err)
	}
	var id string
	if err := pool.QueryRow(t.Context(), `INSERT INTO users (email) VALUES ('ada@example.com') RETURNING id::text`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	s, err := a.CreateSession(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.ValidateSession(t.Context(), s.Token); err != nil {
		t.Errorf("a new session does not validate: %v", err)
	}
}
