package sqlitestore_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/sqlitestore"
)

// An app on a SQLite file with authkit's users: open, migrate once at
// start-up, and hand the store to auth.New.
func Example() {
	dir, err := os.MkdirTemp("", "authkit-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()

	store, err := sqlitestore.Open(filepath.Join(dir, "auth.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	if err := store.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	a, err := auth.New(store, auth.Config{})
	if err != nil {
		log.Fatal(err)
	}
	user, err := a.CreateUser(ctx, auth.NewUser{Attributes: map[string]any{"username": "ada"}})
	if err != nil {
		log.Fatal(err)
	}
	session, err := a.CreateSession(ctx, user.ID)
	if err != nil {
		log.Fatal(err)
	}
	got, u, err := a.ValidateSessionUser(ctx, session.Token)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(got.ID == session.ID, u.Attributes["username"])
	// Output: true ada
}

// An app that keeps its own users table gives authkit the table and its
// ID column; deleting a user row ends its sessions.
func ExampleNewSessions() {
	ctx := context.Background()
	db, err := sqlitestore.OpenDB(":memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE)`); err != nil {
		log.Fatal(err)
	}
	sessions, err := sqlitestore.NewSessions(db, sqlitestore.UsersTable{Table: "users", IDColumn: "id"})
	if err != nil {
		log.Fatal(err)
	}
	if err := sessions.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	a, err := auth.New(sessions, auth.Config{})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO users (id, email) VALUES (7, 'ada@example.com')`); err != nil {
		log.Fatal(err)
	}
	s, err := a.CreateSession(ctx, "7")
	if err != nil {
		log.Fatal(err)
	}
	if _, err := db.Exec(`DELETE FROM users WHERE id = 7`); err != nil {
		log.Fatal(err)
	}
	_, err = a.ValidateSession(ctx, s.Token)
	fmt.Println(err)
	// Output: auth: invalid session
}
