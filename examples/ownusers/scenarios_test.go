package main

import (
	"fmt"
	"net/http"
	"path/filepath"
	"sync/atomic"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/authkit-dev/authkit/auth/sqlitestore"
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/scenarios"
)

// TestStandard runs the scenarios table against the app with its users in
// its own table: each case's app has a SQLite users table of its own, its
// sessions live in the case's fake (WithAppUsers: sessions for any user
// ID), and each case's user signs up through the app's own form.
func TestStandard(t *testing.T) {
	dir := t.TempDir()
	var n atomic.Int64
	handler := func(f *fakeauth.Fake) http.Handler {
		db, err := sqlitestore.OpenDB(filepath.Join(dir, fmt.Sprintf("case%d.db", n.Add(1))))
		if err == nil {
			_, err = db.Exec(usersSQLite)
		}
		if err != nil {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "opening the case's database: "+err.Error(), http.StatusInternalServerError)
			})
		}
		t.Cleanup(func() { db.Close() })
		return (&app{db: db, auth: f.Auth, bcryptCost: bcrypt.MinCost}).handler()
	}
	scenarios.Run(t, scenarios.Target{
		Handler:       handler,
		Routes:        []scenarios.Route{{Pattern: "GET /{$}", SignedOut: scenarios.PageWithout("Signed in as")}},
		SignUp:        &scenarios.Form{Route: "POST /signup", UsernameField: "email", Success: scenarios.RedirectTo("/")},
		SignIn:        &scenarios.Form{Route: "POST /signin", UsernameField: "email", Success: scenarios.RedirectTo("/")},
		SignOut:       &scenarios.SignOut{Route: "POST /signout", Success: scenarios.RedirectTo("/"), NoSession: scenarios.RedirectTo("/")},
		Credentials:   scenarios.Credentials{Username: "ada@example.com", Password: "correct horse battery"},
		UsersBySignUp: true,
		Fake:          []fakeauth.Option{fakeauth.WithAppUsers()},
	})
}
