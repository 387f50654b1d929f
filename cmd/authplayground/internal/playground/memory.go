package playground

import (
	"context"
	"errors"
	"sync"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
	"github.com/authkit-dev/authkit/fakeauth"
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

// Memory is the playground's in-memory store: a [memstore.Store] that
// remembers the ID of every user it created, which is what its [Admin]
// methods need (memstore can't list or empty itself). Every session of a
// memstore.Store has a user, so the users' sessions are all the sessions,
// and deleting the users deletes everything.
type Memory struct {
	*memstore.Store

	mu    sync.Mutex
	users map[string]struct{}
}

// NewMemory returns an empty Memory.
func NewMemory() *Memory {
	return &Memory{Store: memstore.New(), users: map[string]struct{}{}}
}

var (
	_ fakeauth.Backend = (*Memory)(nil)
	_ Admin            = (*Memory)(nil)
)

// CreateUser implements [auth.UserStore] and remembers the user.
func (m *Memory) CreateUser(ctx context.Context, user auth.UserRecord, key *auth.KeyRecord) error {
	if err := m.Store.CreateUser(ctx, user, key); err != nil {
		return err
	}
	m.mu.Lock()
	m.users[user.ID] = struct{}{}
	m.mu.Unlock()
	return nil
}

// AllSessions implements [Admin]: the sessions of every user the store
// created. Users deleted since, with no sessions left, are forgotten.
func (m *Memory) AllSessions(ctx context.Context) ([]auth.SessionRecord, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []auth.SessionRecord
	for id := range m.users {
		ss, err := m.Store.UserSessions(ctx, id)
		if err != nil {
			return nil, err
		}
		if len(ss) == 0 {
			if _, err := m.Store.GetUser(ctx, id); errors.Is(err, auth.ErrNotFound) {
				delete(m.users, id)
			}
		}
		out = append(out, ss...)
	}
	return out, nil
}

// Reset implements [Admin]: it deletes every user the store created, with
// their keys and sessions.
func (m *Memory) Reset(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for id := range m.users {
		if err := m.Store.DeleteUser(ctx, id); err != nil && !errors.Is(err, auth.ErrNotFound) {
			return err
		}
		delete(m.users, id)
	}
	return nil
}
