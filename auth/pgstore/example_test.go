package pgstore_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/pgstore"
)

// An app on PostgreSQL with authkit's users, in a schema of their own: at
// start-up it opens the store, migrates it and hands it to auth.New. (Not
// run: it needs a server.)
func Example() {
	ctx := context.Background()
	store, err := pgstore.Open(ctx, os.Getenv("DATABASE_URL"), pgstore.WithSchema("auth"))
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
	_ = a // the app's handlers sign users in and validate sessions with a
}

// An app that keeps its own users table (with bigint IDs here) gives
// authkit the table, its ID column and the column's type. (Not run: it
// needs a server.)
func ExampleNewSessions() {
	ctx := context.Background()
	store, err := pgstore.Open(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	sessions, err := pgstore.NewSessions(store.DB(), pgstore.UsersTable{Table: "public.users", IDColumn: "id", IDType: "bigint"})
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
	session, err := a.CreateSession(ctx, "42") // the users row with id 42
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(session.UserID)
}
