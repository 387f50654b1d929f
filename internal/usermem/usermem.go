// Package usermem is a memstore that remembers the ID of every user it
// created, which is what a program needs to list or empty it (memstore
// can't do either itself). Every session of a memstore has a user, so the
// users' sessions are all the sessions, and deleting the users deletes
// everything, while the memstore keeps the room its maps grew to. The fake
// of package fakeauth and the playground's in-memory store are built on it.
package usermem

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
)

// Store is a [memstore.Store] that remembers the users it created.
type Store struct {
	*memstore.Store

	mu    sync.Mutex
	users map[string]struct{}
	// The one-time tokens and counters created, so that Empty deletes
	// them too.
	tokens   map[string]struct{}
	counters map[string]struct{}
}

// New returns an empty Store.
func New() *Store {
	return &Store{Store: memstore.New(), users: map[string]struct{}{},
		tokens: map[string]struct{}{}, counters: map[string]struct{}{}}
}

// CreateToken implements [auth.TokenStore] and remembers the token.
func (s *Store) CreateToken(ctx context.Context, t auth.TokenRecord) error {
	if err := s.Store.CreateToken(ctx, t); err != nil {
		return err
	}
	s.mu.Lock()
	s.tokens[t.ID] = struct{}{}
	s.mu.Unlock()
	return nil
}

// IncrementCounter implements [auth.CounterStore] and remembers the
// counter.
func (s *Store) IncrementCounter(ctx context.Context, key string, now, windowEnd time.Time) (int, time.Time, error) {
	n, resetAt, err := s.Store.IncrementCounter(ctx, key, now, windowEnd)
	if err == nil {
		s.mu.Lock()
		s.counters[key] = struct{}{}
		s.mu.Unlock()
	}
	return n, resetAt, err
}

// CreateUser implements [auth.UserStore] and remembers the user.
func (s *Store) CreateUser(ctx context.Context, user auth.UserRecord, key *auth.KeyRecord) error {
	if err := s.Store.CreateUser(ctx, user, key); err != nil {
		return err
	}
	s.mu.Lock()
	s.users[user.ID] = struct{}{}
	s.mu.Unlock()
	return nil
}

// AllSessions returns the sessions of every user the store created, in no
// particular order. Users deleted since, with no sessions left, are
// forgotten.
func (s *Store) AllSessions(ctx context.Context) ([]auth.SessionRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []auth.SessionRecord
	for id := range s.users {
		ss, err := s.Store.UserSessions(ctx, id)
		if err != nil {
			return nil, err
		}
		if len(ss) == 0 {
			if _, err := s.Store.GetUser(ctx, id); errors.Is(err, auth.ErrNotFound) {
				delete(s.users, id)
			}
		}
		out = append(out, ss...)
	}
	return out, nil
}

// Empty deletes every user the store created, with their keys and
// sessions, and every one-time token and counter it created.
func (s *Store) Empty(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id := range s.users {
		if err := s.Store.DeleteUser(ctx, id); err != nil && !errors.Is(err, auth.ErrNotFound) {
			return err
		}
		delete(s.users, id)
	}
	for id := range s.tokens {
		if _, err := s.Store.DeleteToken(ctx, id); err != nil {
			return err
		}
		delete(s.tokens, id)
	}
	for key := range s.counters {
		if err := s.Store.DeleteCounter(ctx, key); err != nil {
			return err
		}
		delete(s.counters, key)
	}
	return nil
}
