// Package memstore is an [auth.Store] in memory: for tests, for the
// playground, and for a single-process app that accepts losing every
// session when it restarts.
//
// A Store is safe for concurrent use. Each method holds one lock for its
// whole work, so every method is atomic, the conditional renewal included.
package memstore

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/authkit-dev/authkit/auth"
)

// Store is an in-memory [auth.Store]. The zero value is not usable: call
// [New].
type Store struct {
	mu       sync.RWMutex
	users    map[string]auth.UserRecord
	keys     map[keyID]auth.KeyRecord
	sessions map[string]auth.SessionRecord
	// byUser indexes sessions and keys by user, so that deleting or
	// listing a user's records does not scan everything.
	userSessions map[string]map[string]struct{}
	userKeys     map[string]map[keyID]struct{}
}

type keyID struct{ provider, providerUserID string }

// New returns an empty Store.
func New() *Store {
	s := &Store{}
	s.reset()
	return s
}

var _ auth.Store = (*Store)(nil)

func (s *Store) reset() {
	if s.users == nil {
		s.users = map[string]auth.UserRecord{}
		s.keys = map[keyID]auth.KeyRecord{}
		s.sessions = map[string]auth.SessionRecord{}
		s.userSessions = map[string]map[string]struct{}{}
		s.userKeys = map[string]map[keyID]struct{}{}
		return
	}
	// Emptied in place: a store reset between test cases keeps its room.
	clear(s.users)
	clear(s.keys)
	clear(s.sessions)
	clear(s.userSessions)
	clear(s.userKeys)
}

// Reset empties the store: users, keys and sessions. The error is always
// nil; the signature matches the other stores' Reset.
func (s *Store) Reset(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reset()
	return nil
}

// AllSessions returns every stored session, expired or not, in no
// particular order. The playground lists them; an app has no use for it.
func (s *Store) AllSessions(ctx context.Context) ([]auth.SessionRecord, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]auth.SessionRecord, 0, len(s.sessions))
	for _, r := range s.sessions {
		out = append(out, r)
	}
	return out, nil
}

// CreateUser implements [auth.Store].
func (s *Store) CreateUser(ctx context.Context, user auth.UserRecord, key *auth.KeyRecord) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[user.ID]; ok {
		return auth.ErrDuplicateUser
	}
	if key != nil {
		if _, ok := s.keys[keyID{key.ProviderID, key.ProviderUserID}]; ok {
			return auth.ErrDuplicateKey
		}
	}
	user.Attributes = clone(user.Attributes)
	s.users[user.ID] = user
	if key != nil {
		s.putKey(*key)
	}
	return nil
}

func clone(b json.RawMessage) json.RawMessage {
	if b == nil {
		return nil
	}
	return append(json.RawMessage(nil), b...)
}

func (s *Store) putKey(k auth.KeyRecord) {
	id := keyID{k.ProviderID, k.ProviderUserID}
	s.keys[id] = k
	set := s.userKeys[k.UserID]
	if set == nil {
		set = map[keyID]struct{}{}
		s.userKeys[k.UserID] = set
	}
	set[id] = struct{}{}
}

// GetUser implements [auth.Store].
func (s *Store) GetUser(ctx context.Context, userID string) (auth.UserRecord, error) {
	if err := ctx.Err(); err != nil {
		return auth.UserRecord{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, ok := s.users[userID]
	if !ok {
		return auth.UserRecord{}, auth.ErrNotFound
	}
	return u, nil
}

// UpdateUserAttributes implements [auth.Store].
func (s *Store) UpdateUserAttributes(ctx context.Context, userID string, attributes json.RawMessage) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[userID]
	if !ok {
		return auth.ErrNotFound
	}
	// A new slice, never written into the old one: readers may hold it.
	u.Attributes = clone(attributes)
	s.users[userID] = u
	return nil
}

// DeleteUser implements [auth.Store].
func (s *Store) DeleteUser(ctx context.Context, userID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[userID]; !ok {
		return auth.ErrNotFound
	}
	delete(s.users, userID)
	s.deleteUserSessions(userID)
	for id := range s.userKeys[userID] {
		delete(s.keys, id)
	}
	delete(s.userKeys, userID)
	return nil
}

// CreateKey implements [auth.Store].
func (s *Store) CreateKey(ctx context.Context, key auth.KeyRecord) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[key.UserID]; !ok {
		return auth.ErrNotFound
	}
	if _, ok := s.keys[keyID{key.ProviderID, key.ProviderUserID}]; ok {
		return auth.ErrDuplicateKey
	}
	s.putKey(key)
	return nil
}

// GetKey implements [auth.Store].
func (s *Store) GetKey(ctx context.Context, providerID, providerUserID string) (auth.KeyRecord, error) {
	if err := ctx.Err(); err != nil {
		return auth.KeyRecord{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, ok := s.keys[keyID{providerID, providerUserID}]
	if !ok {
		return auth.KeyRecord{}, auth.ErrNotFound
	}
	return k, nil
}

// UpdateKeyPassword implements [auth.Store].
func (s *Store) UpdateKeyPassword(ctx context.Context, providerID, providerUserID, passwordHash string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := keyID{providerID, providerUserID}
	k, ok := s.keys[id]
	if !ok {
		return auth.ErrNotFound
	}
	k.PasswordHash = passwordHash
	s.keys[id] = k
	return nil
}

// DeleteKey implements [auth.Store].
func (s *Store) DeleteKey(ctx context.Context, providerID, providerUserID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := keyID{providerID, providerUserID}
	k, ok := s.keys[id]
	if !ok {
		return auth.ErrNotFound
	}
	delete(s.keys, id)
	delete(s.userKeys[k.UserID], id)
	return nil
}

// UserKeys implements [auth.Store].
func (s *Store) UserKeys(ctx context.Context, userID string) ([]auth.KeyRecord, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []auth.KeyRecord
	for id := range s.userKeys[userID] {
		out = append(out, s.keys[id])
	}
	return out, nil
}

// CreateSession implements [auth.Store].
func (s *Store) CreateSession(ctx context.Context, session auth.SessionRecord) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[session.UserID]; !ok {
		return auth.ErrNotFound
	}
	if _, ok := s.sessions[session.ID]; ok {
		return errDuplicateSession
	}
	s.sessions[session.ID] = session
	set := s.userSessions[session.UserID]
	if set == nil {
		set = map[string]struct{}{}
		s.userSessions[session.UserID] = set
	}
	set[session.ID] = struct{}{}
	return nil
}

type storeError string

func (e storeError) Error() string { return string(e) }

const errDuplicateSession = storeError("memstore: a session with this ID exists")

// GetSessionAndUser implements [auth.Store].
func (s *Store) GetSessionAndUser(ctx context.Context, sessionID string) (auth.SessionRecord, auth.UserRecord, error) {
	if err := ctx.Err(); err != nil {
		return auth.SessionRecord{}, auth.UserRecord{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	sess, ok := s.sessions[sessionID]
	if !ok {
		return auth.SessionRecord{}, auth.UserRecord{}, auth.ErrNotFound
	}
	return sess, s.users[sess.UserID], nil
}

// RenewSession implements [auth.Store].
func (s *Store) RenewSession(ctx context.Context, sessionID string, oldActiveExpiresAt, activeExpiresAt, idleExpiresAt time.Time) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.sessions[sessionID]
	if !ok || !sess.ActiveExpiresAt.Equal(oldActiveExpiresAt) {
		return false, nil
	}
	sess.ActiveExpiresAt, sess.IdleExpiresAt = activeExpiresAt, idleExpiresAt
	s.sessions[sessionID] = sess
	return true, nil
}

// DeleteSession implements [auth.Store].
func (s *Store) DeleteSession(ctx context.Context, sessionID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deleteSession(sessionID)
	return nil
}

func (s *Store) deleteSession(id string) {
	sess, ok := s.sessions[id]
	if !ok {
		return
	}
	delete(s.sessions, id)
	delete(s.userSessions[sess.UserID], id)
}

// DeleteUserSessions implements [auth.Store].
func (s *Store) DeleteUserSessions(ctx context.Context, userID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deleteUserSessions(userID)
	return nil
}

func (s *Store) deleteUserSessions(userID string) {
	for id := range s.userSessions[userID] {
		delete(s.sessions, id)
	}
	delete(s.userSessions, userID)
}

// UserSessions implements [auth.Store].
func (s *Store) UserSessions(ctx context.Context, userID string) ([]auth.SessionRecord, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []auth.SessionRecord
	for id := range s.userSessions[userID] {
		out = append(out, s.sessions[id])
	}
	return out, nil
}

// DeleteExpiredSessions implements [auth.Store].
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for id, sess := range s.sessions {
		if sess.IdleExpiresAt.Before(now) {
			s.deleteSession(id)
			n++
		}
	}
	return n, nil
}
