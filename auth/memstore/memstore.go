// Package memstore is an [auth.SessionStore] and [auth.UserStore] in
// memory: for tests, for the playground, and for a single-process app that
// accepts losing every session when it restarts.
//
// Both kinds of store also keep one-time tokens ([auth.TokenStore]) and
// throttling counters ([auth.CounterStore]), under locks of their own.
//
// Sessions die with their user: [Store.DeleteUser] deletes them in the
// same step. An app that keeps its users itself (and only uses the store
// for sessions) calls [auth.Auth.InvalidateUserSessions] when it deletes a
// user.
//
// A Store is safe for concurrent use. The sessions are kept in 1,024
// shards by ID, each under a lock of its own; users, keys and the shards
// as a whole under another. A method on one session holds its shard's
// lock for its whole work, so it is atomic, the conditional renewal
// included. The methods on a user's sessions visit the shards one at a
// time, as the contract allows: DeleteUser and DeleteUserSessions holding
// the store's lock, so that no session of the user is created meanwhile;
// UserSessions listing a session that exists for the whole call. A sweep
// (DeleteExpiredSessions) deletes at most 16 sessions per hold of a
// shard's lock, so that a sweep of millions of sessions, or listing a
// user with ten thousand, never holds up validations for more than a few
// microseconds at a time, and rarely at all.
//
// A session costs about 175 bytes, with its own user (ten million,
// bench/TENMILLION.md), plus its user agent, client IP and attributes
// when it has them. Times are kept as int64 Unix nanoseconds, by the one rule
// of authkit's stores: the zero time means none and is before every
// instant; every instant from 1677-09-21T00:12:43.145224193Z to
// 2262-04-11T23:47:16.854775807Z, the Unix epoch included, round-trips
// (in UTC); any other time is refused with a system error, by every
// method that takes one.
package memstore

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/internal/pace"
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
	userKeys map[string]map[keyID]struct{}
	sessions sessionTable
	oneTime  oneTime // tokens and counters (tokens.go)
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

// lock takes the write lock, unless ctx is done: then it returns ctx's
// error and the method changes nothing. (A helper that also deferred the
// unlock would have to return a closure, which allocates.)
func (s *data) lock(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	return nil
}

// rlock is lock for the read lock.
func (s *data) rlock(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	return nil
}

func (s *data) reset() {
	s.users = map[string]auth.UserRecord{}
	s.keys = map[keyID]auth.KeyRecord{}
	s.userKeys = map[string]map[keyID]struct{}{}
	s.sessions.init()
	s.oneTime.init()
}

// CreateUser implements [auth.UserStore].
func (s *Store) CreateUser(ctx context.Context, user auth.UserRecord, key *auth.KeyRecord) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
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
	return lookup(ctx, s.data, s.users, userID)
}

// lookup returns m[k] under the read lock, or auth.ErrNotFound. (m is
// one of s's maps, which New makes once.)
func lookup[K comparable, V any](ctx context.Context, s *data, m map[K]V, k K) (V, error) {
	var zero V
	if err := s.rlock(ctx); err != nil {
		return zero, err
	}
	defer s.mu.RUnlock()
	v, ok := m[k]
	if !ok {
		return zero, auth.ErrNotFound
	}
	return v, nil
}

// UpdateUserAttributes implements [auth.UserStore].
func (s *Store) UpdateUserAttributes(ctx context.Context, userID string, attributes json.RawMessage) error {
	return change(ctx, s.data, s.users, userID, func(u auth.UserRecord) {
		// A new slice, never written into the old one: readers may hold it.
		u.Attributes = clone(attributes)
		s.users[userID] = u
	})
}

// DeleteUser implements [auth.UserStore].
func (s *Store) DeleteUser(ctx context.Context, userID string) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := s.users[userID]; !ok {
		return auth.ErrNotFound
	}
	delete(s.users, userID)
	s.sessions.deleteUser(userID)
	for id := range s.userKeys[userID] {
		delete(s.keys, id)
	}
	delete(s.userKeys, userID)
	return nil
}

// CreateKey implements [auth.UserStore].
func (s *Store) CreateKey(ctx context.Context, key auth.KeyRecord) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
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
	return lookup(ctx, s.data, s.keys, keyID{providerID, providerUserID})
}

// UpdateKeyPassword implements [auth.UserStore].
func (s *Store) UpdateKeyPassword(ctx context.Context, providerID, providerUserID, passwordHash string) error {
	id := keyID{providerID, providerUserID}
	return change(ctx, s.data, s.keys, id, func(k auth.KeyRecord) {
		k.PasswordHash = passwordHash
		s.keys[id] = k
	})
}

// DeleteKey implements [auth.UserStore].
func (s *Store) DeleteKey(ctx context.Context, providerID, providerUserID string) error {
	id := keyID{providerID, providerUserID}
	return change(ctx, s.data, s.keys, id, func(k auth.KeyRecord) {
		delete(s.keys, id)
		delete(s.userKeys[k.UserID], id)
	})
}

// change calls f with m[k] under the write lock, or returns
// auth.ErrNotFound when m has no k. (m is one of s's maps, which New
// makes once.)
func change[K comparable, V any](ctx context.Context, s *data, m map[K]V, k K, f func(V)) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	v, ok := m[k]
	if !ok {
		return auth.ErrNotFound
	}
	f(v)
	return nil
}

// UserKeys implements [auth.UserStore].
func (s *Store) UserKeys(ctx context.Context, userID string) ([]auth.KeyRecord, error) {
	if err := s.rlock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	var out []auth.KeyRecord
	for id := range s.userKeys[userID] {
		out = append(out, s.keys[id])
	}
	return out, nil
}

// CreateSession implements [auth.SessionStore]. It refuses, with a system
// error, times outside the range the package doc gives.
func (s *Sessions) CreateSession(ctx context.Context, session auth.SessionRecord) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	e, x, err := encode(session)
	if err != nil {
		return err
	}
	// The read lock keeps the user (and its sessions) from being deleted
	// meanwhile: DeleteUser and DeleteUserSessions take the write lock.
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, ok := s.users[session.UserID]; !ok && !s.appUsers {
		return auth.ErrUserNotFound
	}
	return s.sessions.insert(session.ID, session.UserID, e, x)
}

// GetSession implements [auth.SessionStore].
func (s *Sessions) GetSession(ctx context.Context, sessionID string) (auth.SessionRecord, error) {
	if err := ctx.Err(); err != nil {
		return auth.SessionRecord{}, err
	}
	rec, ok := s.sessions.get(sessionID)
	if !ok {
		return auth.SessionRecord{}, auth.ErrNotFound
	}
	return rec, nil
}

// GetSessionAndUser implements [auth.SessionUserGetter].
func (s *Store) GetSessionAndUser(ctx context.Context, sessionID string) (auth.SessionRecord, auth.UserRecord, error) {
	if err := s.rlock(ctx); err != nil {
		return auth.SessionRecord{}, auth.UserRecord{}, err
	}
	defer s.mu.RUnlock()
	rec, ok := s.sessions.get(sessionID)
	if !ok {
		return auth.SessionRecord{}, auth.UserRecord{}, auth.ErrNotFound
	}
	u, ok := s.users[rec.UserID]
	if !ok {
		return rec, auth.UserRecord{}, auth.ErrUserNotFound
	}
	return rec, u, nil
}

// RenewSession implements [auth.SessionStore].
func (s *Sessions) RenewSession(ctx context.Context, sessionID string, oldActiveExpiresAt time.Time, r auth.Renewal) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	old, ok := encodeTime(oldActiveExpiresAt)
	if !ok {
		return false, errTimeRange
	}
	renewed, err := encodeRenewal(r)
	if err != nil {
		return false, err
	}
	return s.sessions.renew(sessionID, old, renewed), nil
}

// UpdateSessionAttributes implements [auth.SessionStore]: the compare and
// the write under one lock.
func (s *Sessions) UpdateSessionAttributes(ctx context.Context, sessionID string, old, attributes json.RawMessage) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	return s.sessions.setAttributes(sessionID, old, attributes), nil
}

// DeleteSession implements [auth.SessionStore].
func (s *Sessions) DeleteSession(ctx context.Context, sessionID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.sessions.delete(sessionID)
	return nil
}

// DeleteUserSessions implements [auth.SessionStore]. It visits the shards
// one at a time, holding the store's lock so that no session of the user
// is created meanwhile.
func (s *Sessions) DeleteUserSessions(ctx context.Context, userID string) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	s.sessions.deleteUser(userID)
	return nil
}

// UserSessions implements [auth.SessionStore]. It reads the shards one at
// a time, so that listing a user with many sessions holds up others
// briefly. A session that exists for the whole call is listed; one
// created or deleted meanwhile may or may not be.
func (s *Sessions) UserSessions(ctx context.Context, userID string) ([]auth.SessionRecord, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return s.sessions.userSessions(userID), nil
}

// DeleteExpiredSessions implements [auth.SessionStore]. An index ordered by
// IdleExpiresAt in every shard makes each step cost its limit, not the
// number of sessions stored; and the step takes one shard's lock at a
// time, for at most sweepChunk deletions, so that a validation or a
// sign-in waits for it only when it needs the same shard, and then for a
// few microseconds.
//
// The sweep then leaves the CPU to the app for sweepDuty times as long
// as it held the shards' locks (its work, not the time it waited for
// them or for a CPU, which on a busy machine is most of its time). It
// does not pause after every step: it owes the pause until it amounts to
// sweepPause, and then waits it out at once. On a process whose
// goroutines keep every CPU busy a waiting goroutine gets a CPU back only
// when the scheduler preempts one (every 10 ms), so a pause per step of
// 500 would cost 10 ms each: 100 s for 5,000,000 sessions (issue 21).
func (s *Sessions) DeleteExpiredSessions(ctx context.Context, now time.Time, limit int) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	cutoff, ok := encodeTime(now)
	if !ok {
		return 0, errTimeRange
	}
	n, worked := s.sessions.sweep(cutoff, limit)
	owed := time.Duration(s.sessions.owed.Add(int64(sweepDuty * worked)))
	if owed < sweepPause && n == limit {
		return n, nil
	}
	// Pay what is owed: all of it, or, at the sweep's end, what this
	// step adds, so that the last step does not wait for earlier ones.
	s.sessions.owed.Add(-int64(owed))
	if n < limit {
		owed = min(owed, sweepDuty*worked)
	}
	if err := pace.Wait(ctx, owed); err != nil {
		return n, err
	}
	return n, nil
}

// sweepDuty is how many times as long as it worked a sweep waits. A sweep
// does not park behind validations (sessionTable.sweep), so its work is
// all CPU: about 1.4 s for 5,000,000 at ten million sessions. With a duty
// of 1 that sweep took 3.3 to 3.5 s and raised validation p99 during it
// 1.7 to 3.2 times on 2 busy vCPUs; with 8 it took 14.0 to 20.5 s at
// 0.96 to 1.18 times in two runs (bench/TENMILLION.md).
const sweepDuty = 8

// sweepPause is how long the pause a sweep owes grows before it waits it
// out: long enough that the 10 ms a saturated scheduler may add to each
// wait is a small part of it.
const sweepPause = 30 * time.Millisecond
