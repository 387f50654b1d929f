package playground

import (
	"context"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/internal/usermem"
)

// An Admin does for the playground's controls what no app needs from a
// store, so that no production store exports it: list every session, and
// empty the store. A backend the playground runs on gets one next to it in
// [Config].
//
// AllSessions returns every stored session, expired or not, in no
// particular order (nil or empty when there are none). Reset deletes
// every user, key and session the store holds, and nothing outside it (a
// database or key prefix given to the playground is its own); afterwards
// AllSessions returns none and no user signs in. Neither needs to be one
// atomic step: the playground calls them from its controls, not while it
// serves a scripted race. Errors are system errors, as for
// [auth.SessionStore].
type Admin interface {
	Reset(ctx context.Context) error
	AllSessions(ctx context.Context) ([]auth.SessionRecord, error)
}

// Memory is the playground's in-memory store: a memstore that remembers
// the ID of every user it created (package usermem), which is what its
// [Admin] methods need.
type Memory struct {
	*usermem.Store
}

// NewMemory returns an empty Memory.
func NewMemory() *Memory {
	return &Memory{Store: usermem.New()}
}

var (
	_ fakeauth.Backend = (*Memory)(nil)
	_ Admin            = (*Memory)(nil)
)

// Reset implements [Admin]: it deletes every user the store created, with
// their keys and sessions.
func (m *Memory) Reset(ctx context.Context) error {
	return m.Store.Empty(ctx)
}
