package fakeauth

import (
	"context"
	"errors"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
)

// WithAppUsers puts the fake on a memstore that, like the session stores
// of an app that keeps its own users table (memstore.NewSessions,
// sqlitestore.NewSessions), takes sessions for any user ID: the app's
// users live in the app, and a session names one by its ID. Each fake gets
// a store of its own. Seeding and the user methods of [auth.Auth] still
// work: the store keeps a bare record for each user ID a session names.
//
// Like any store given with [WithStore], it is not emptied by
// [Fake.ResetAll].
func WithAppUsers() Option {
	return func(o *options) { o.store = &appUsersStore{Store: memstore.New()} }
}

// appUsersStore is a memstore whose CreateSession makes a bare user for a
// user ID it has not seen, as a store of sessions referencing the app's
// table accepts any ID of that table.
type appUsersStore struct {
	*memstore.Store
}

// CreateSession implements [auth.SessionStore].
func (s *appUsersStore) CreateSession(ctx context.Context, session auth.SessionRecord) error {
	if _, err := s.Store.GetUser(ctx, session.UserID); errors.Is(err, auth.ErrNotFound) {
		if err := s.Store.CreateUser(ctx, auth.UserRecord{ID: session.UserID}, nil); err != nil && !errors.Is(err, auth.ErrDuplicateUser) {
			return err
		}
	}
	return s.Store.CreateSession(ctx, session)
}
