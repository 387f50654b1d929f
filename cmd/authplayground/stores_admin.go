package main

import (
	"context"
	"fmt"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/fakeauth"
)

// adminBackend returns the backend of store s, which userIDs and reset
// list and empty for the playground's controls (see [storeAdmin]).
func adminBackend(s interface {
	fakeauth.Backend
	Close() error
}, userIDs func(ctx context.Context) ([]string, error), reset func(ctx context.Context) error) backend {
	return backend{
		Store: s,
		Admin: storeAdmin{store: s, userIDs: userIDs, reset: reset},
		Close: s.Close,
	}
}

// storeAdmin is the [playground.Admin] of a store that can't list every
// session by itself (no production store can: an app has no use for it).
// It asks the backend which users have sessions, then reads each user's
// through the store's own UserSessions, so that rows and keys are parsed
// by the store, never a second time here.
type storeAdmin struct {
	store auth.SessionStore
	// userIDs returns every user ID that has a stored session.
	userIDs func(ctx context.Context) ([]string, error)
	// reset deletes every session, user and key of the store.
	reset func(ctx context.Context) error
}

// AllSessions implements [playground.Admin].
func (a storeAdmin) AllSessions(ctx context.Context) ([]auth.SessionRecord, error) {
	ids, err := a.userIDs(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing the users with sessions: %w", err)
	}
	var out []auth.SessionRecord
	for _, id := range ids {
		recs, err := a.store.UserSessions(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, recs...)
	}
	return out, nil
}

// Reset implements [playground.Admin].
func (a storeAdmin) Reset(ctx context.Context) error { return a.reset(ctx) }
