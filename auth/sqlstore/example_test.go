package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/sqlstore"
)

// An app on a SQLite file: open, migrate once at start-up, and hand the
// store to auth.New.
func Example() {
	dir, err := os.MkdirTemp("", "authkit-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()

	store, err := sqlstore.OpenSQLite(filepath.Join(dir, "auth.db"))
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

	// Later, on a request carrying session.Token in its cookie:
	got, u, err := a.ValidateSessionUser(ctx, session.Token)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(got.ID == session.ID, u.Attributes["username"])
	// Output: true ada
}

// A database in memory lives as long as its store: for tests and demos.
func ExampleOpenSQLite_memory() {
	ctx := context.Background()
	store, err := sqlstore.OpenSQLite(":memory:")
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
	user, err := a.CreateUser(ctx, auth.NewUser{ID: "ada"})
	if err != nil {
		log.Fatal(err)
	}
	for range 2 {
		if _, err := a.CreateSession(ctx, user.ID); err != nil {
			log.Fatal(err)
		}
	}
	sessions, err := store.AllSessions(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(sessions), "sessions of", sessions[0].UserID)
	// Output: 2 sessions of ada
}

// PostgreSQL, with the tables in a schema of their own.
func ExampleOpenPostgres() {
	ctx := context.Background()
	store, err := sqlstore.OpenPostgres(ctx, "postgres://app@db.internal:5432/app", sqlstore.WithSchema("auth"))
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
	_ = a // serve requests with a
}

// New wraps a *sql.DB configured by the app; the store leaves it open on
// Close.
func ExampleNew() {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // one in-memory database, one connection

	store, err := sqlstore.New(db, sqlstore.SQLite)
	if err != nil {
		log.Fatal(err)
	}
	if err := store.Migrate(context.Background()); err != nil {
		log.Fatal(err)
	}
	fmt.Println(store.Dialect())
	// Output: sqlite
}
