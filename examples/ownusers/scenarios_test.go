package main

import (
	"net/http"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/internal/sqlitecases"
	"github.com/authkit-dev/authkit/scenarios"
)

// target describes the app as it is routed; handler builds it on a case's
// fake.
func target(handler func(f *fakeauth.Fake) http.Handler) scenarios.Target {
	return scenarios.Target{
		Handler:       handler,
		Routes:        []scenarios.Route{{Pattern: "GET /{$}", SignedOut: scenarios.PageWithout("Signed in as")}},
		SignUp:        &scenarios.Form{Route: "POST /signup", UsernameField: "email", Success: scenarios.RedirectTo("/")},
		SignIn:        &scenarios.Form{Route: "POST /signin", UsernameField: "email", Success: scenarios.RedirectTo("/")},
		SignOut:       &scenarios.SignOut{Route: "POST /signout", Success: scenarios.RedirectTo("/"), NoSession: scenarios.RedirectTo("/")},
		Credentials:   scenarios.Credentials{Username: "ada@example.com", Password: "correct horse battery"},
		UsersBySignUp: true,
	}
}

// deleteAccount is the app's account deletion route.
var deleteAccount = &scenarios.Action{Route: "POST /delete", Success: scenarios.RedirectTo("/")}

// TestStandardOnSQLite runs the scenarios table against the app as it runs
// in production: each case gets a new SQLite database in t.TempDir() with
// the app's users table and authkit's sessions table, whose user_id
// references it ON DELETE CASCADE (sqlitestore.NewSessions), and the fake
// in front of it (Target.NewFake). Each case's user signs up through the
// app's own form. Deleting the account ends every session of the user by
// the cascade alone.
func TestStandardOnSQLite(t *testing.T) {
	cases := sqlitecases.New(t.TempDir(), usersSQLite)
	tg := target(func(f *fakeauth.Fake) http.Handler {
		db, ok := cases.DB(f)
		if !ok {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "no database for this fake", http.StatusInternalServerError)
			})
		}
		return (&app{db: db, auth: f.Auth, bcryptCost: bcrypt.MinCost}).handler()
	})
	tg.NewFake = cases.NewFake
	tg.DeleteAccount = deleteAccount
	scenarios.Run(t, tg)
}

// TestStandardInMemory runs the whole table with the sessions in the
// fake's memory store (fakeauth.WithAppUsers: sessions for any user ID)
// and the users in a SQLite table of each case's app. That store has no
// foreign key to cascade through: deleting the account ends the sessions
// because the app ends them itself.
func TestStandardInMemory(t *testing.T) {
	cases := sqlitecases.New(t.TempDir(), usersSQLite)
	tg := target(func(f *fakeauth.Fake) http.Handler {
		db, err := cases.Open(t.Context())
		if err != nil {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "opening the case's database: "+err.Error(), http.StatusInternalServerError)
			})
		}
		t.Cleanup(func() { db.Close() })
		return (&app{db: db, auth: f.Auth, bcryptCost: bcrypt.MinCost}).handler()
	})
	tg.Fake = []fakeauth.Option{fakeauth.WithAppUsers()}
	tg.DeleteAccount = deleteAccount
	scenarios.Run(t, tg)
}
