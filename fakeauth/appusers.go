package fakeauth

import (
	"github.com/authkit-dev/authkit/auth/memstore"
)

// WithAppUsers puts the fake on a store of sessions only
// (memstore.NewSessions), like the session stores of an app that keeps its
// own users table (sqlitestore.NewSessions, pgstore.NewSessions): it takes
// sessions for any user ID, since the app's users live in the app and a
// session names one by its ID. Each fake gets a store of its own.
//
// The fake is no kinder than production: its Auth has no user methods,
// exactly as an Auth on such a store has none. CreateUser, GetUser,
// UseKey, ValidateSessionUser and the other user and key methods fail with
// an error wrapping [auth.ErrNoUserStore], and so does [Fake.SeedUser].
// Seed sessions for the app's user IDs with [Fake.SeedSession].
//
// Like any store given with [WithStore], it is not emptied by
// [Fake.Reset].
func WithAppUsers() Option {
	return func(o *options) { o.store = memstore.NewSessions() }
}
