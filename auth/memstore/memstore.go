// Package memstore is an [auth.SessionStore] and [auth.UserStore] in
// memory: for tests, for the playground, and for a single-process app that
// accepts losing every session when it restarts.
//
// Sessions die with their user: [Store.DeleteUser] deletes them in the
// same step. An app that keeps its users itself (and only uses the store
// for sessions) calls [auth.Auth.InvalidateUserSessions] when it deletes a
// user.
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

// Store keeps users, keys and sessions in memory: an [auth.SessionStore]
// and an [auth.UserStore] in one. The zero value is not usable: call
// [New].
type Store struct {
	Sessions
}

// Sessions keeps sessions only, for an app that keeps its users itself: an
// [auth.SessionStore] that does not know users, so [auth.New] gives the
// Auth no user methods. It takes any user ID, and a user's sessions stay
// until the app calls [auth.Auth.InvalidateUserSessions]. The zero value is
// not usable: call [NewSessions].
type Sessions struct {
	*data
}

type data struct {
	appUsers bool // sessions only: users are the app's
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
	s := &Store{Sessions{&data{}}}
	s.reset()
	return s
}

// NewSessions returns an empty Sessions.
func NewSessions() *Sessions {
	s := &Sessions{&data{appUsers: true}}
	s.reset()
	return s
}

var (
	_ auth.SessionStore      = (*Store)(nil)
	_ auth.UserStore         = (*Store)(nil)
	_ auth.SessionUserGetter = (*Store)(nil)
	_ auth.SessionStore      = (*Sessions)(nil)
)

func (s *data) reset() {
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

// CreateUser implements [auth.UserStore].
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

func (s *data) putKey(k auth.KeyRecord) {
	id := keyID{k.ProviderID, k.ProviderUserID}
	s.keys[id] = k
	set := s.userKeys[k.UserID]
	if set == nil {
		set = map[keyID]struct{}{}
		s.userKeys[k.UserID] = set
	}
	set[id] = struct{}{}
}

// GetUser implements [auth.UserStore].
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

// UpdateUserAttributes implements [auth.UserStore].
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

// DeleteUser implements [auth.UserStore].
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

// CreateKey implements [auth.UserStore].
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

// GetKey implements [auth.UserStore].
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

// UpdateKeyPassword implements [auth.UserStore].
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

// DeleteKey implements [auth.UserStore].
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

// UserKeys implements [auth.UserStore].
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

// CreateSession implements [auth.SessionStore].
func (s *Sessions) CreateSession(ctx context.Context, session auth.SessionRecord) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[session.UserID]; !ok && !s.appUsers {
		return auth.ErrUserNotFound
	}
	if _, ok := s.sessions[session.ID]; ok {
		return errDuplicateSession
	}
	session.Attributes = clone(session.Attributes)
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

// GetSession implements [auth.SessionStore].
func (s *Sessions) GetSession(ctx context.Context, sessionID string) (auth.SessionRecord, error) {
	if err := ctx.Err(); err != nil {
		return auth.SessionRecord{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	sess, ok := s.sessions[sessionID]
	if !ok {
		return auth.SessionRecord{}, auth.ErrNotFound
	}
	return sess, nil
}

// GetSessionAndUser implements [auth.SessionUserGetter].
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
	u, ok := s.users[sess.UserID]
	if !ok {
		return sess, auth.UserRecord{}, auth.ErrUserNotFound
	}
	return sess, u, nil
}

// RenewSession implements [auth.SessionStore].
func (s *Sessions) RenewSession(ctx context.Context, sessionID string, oldActiveExpiresAt time.Time, r auth.Renewal) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.sessions[sessionID]
	if !ok || !sess.ActiveExpiresAt.Equal(oldActiveExpiresAt) {
		return false, nil
	}
	sess.RenewedAt, sess.ActiveExpiresAt, sess.IdleExpiresAt = r.RenewedAt, r.ActiveExpiresAt, r.IdleExpiresAt
	s.sessions[sessionID] = sess
	return true, nil
}

// DeleteSession implements [auth.SessionStore].
func (s *Sessions) DeleteSession(ctx context.Context, sessionID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deleteSession(sessionID)
	return nil
}

func (s *data) deleteSession(id string) {
	sess, ok := s.sessions[id]
	if !ok {
		return
	}
	delete(s.sessions, id)
	delete(s.userSessions[sess.UserID], id)
}

// DeleteUserSessions implements [auth.SessionStore].
func (s *Sessions) DeleteUserSessions(ctx context.Context, userID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deleteUserSessions(userID)
	return nil
}

func (s *data) deleteUserSessions(userID string) {
	for id := range s.userSessions[userID] {
		delete(s.sessions, id)
	}
	delete(s.userSessions, userID)
}

// UserSessions implements [auth.SessionStore].
func (s *Sessions) UserSessions(ctx context.Context, userID string) ([]auth.SessionRecord, error) {
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

// DeleteExpiredSessions implements [auth.SessionStore].
func (s *Sessions) DeleteExpiredSessions(ctx context.Context, now time.Time, limit int) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for id, sess := range s.sessions {
		if n >= limit {
			break
		}
		if sess.IdleExpiresAt.Before(now) {
			s.deleteSession(id)
			n++
		}
	}
	return n, nil
}
