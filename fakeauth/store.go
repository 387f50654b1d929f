package fakeauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/authkit-dev/authkit/auth"
)

// Op names one store method: of [auth.SessionStore], [auth.UserStore],
// [auth.SessionUserGetter], [auth.TokenStore] or [auth.CounterStore].
type Op string

// The store operations, one per store method.
const (
	OpCreateUser            Op = "CreateUser"
	OpGetUser               Op = "GetUser"
	OpUpdateUserAttributes  Op = "UpdateUserAttributes"
	OpDeleteUser            Op = "DeleteUser"
	OpCreateKey             Op = "CreateKey"
	OpGetKey                Op = "GetKey"
	OpUpdateKeyPassword     Op = "UpdateKeyPassword"
	OpDeleteKey             Op = "DeleteKey"
	OpUserKeys              Op = "UserKeys"
	OpCreateSession         Op = "CreateSession"
	OpGetSession            Op = "GetSession"
	OpGetSessionAndUser     Op = "GetSessionAndUser"
	OpRenewSession          Op = "RenewSession"
	OpDeleteSession         Op = "DeleteSession"
	OpDeleteUserSessions    Op = "DeleteUserSessions"
	OpUserSessions          Op = "UserSessions"
	OpDeleteExpiredSessions Op = "DeleteExpiredSessions"
	// OpUpdateSessionAttributes is the conditional write of a session's
	// attributes.
	OpUpdateSessionAttributes Op = "UpdateSessionAttributes"

	// The one-time token operations ([auth.TokenStore]).
	OpCreateToken         Op = "CreateToken"
	OpGetToken            Op = "GetToken"
	OpUserToken           Op = "UserToken"
	OpDeleteToken         Op = "DeleteToken"
	OpAddTokenAttempt     Op = "AddTokenAttempt"
	OpDeleteExpiredTokens Op = "DeleteExpiredTokens"

	// The throttling counter operations ([auth.CounterStore]).
	OpIncrementCounter      Op = "IncrementCounter"
	OpDeleteCounter         Op = "DeleteCounter"
	OpDeleteExpiredCounters Op = "DeleteExpiredCounters"
)

// Ops returns every store operation: the [auth.UserStore] methods, the
// session reads and writes, then the one-time token and counter
// operations.
func Ops() []Op {
	return []Op{
		OpCreateUser, OpGetUser, OpUpdateUserAttributes, OpDeleteUser,
		OpCreateKey, OpGetKey, OpUpdateKeyPassword, OpDeleteKey, OpUserKeys,
		OpCreateSession, OpGetSession, OpGetSessionAndUser, OpRenewSession, OpDeleteSession,
		OpDeleteUserSessions, OpUserSessions, OpDeleteExpiredSessions, OpUpdateSessionAttributes,
		OpCreateToken, OpGetToken, OpUserToken, OpDeleteToken, OpAddTokenAttempt, OpDeleteExpiredTokens,
		OpIncrementCounter, OpDeleteCounter, OpDeleteExpiredCounters,
	}
}

// ErrInjected is the error injected faults return when none is given.
var ErrInjected = errors.New("fakeauth: injected store failure")

// A Call is one store operation as the [Store] saw it. It holds IDs, never
// tokens, codes or password hashes.
type Call struct {
	Op        Op
	SessionID string // for session operations
	UserID    string // for user, key, session and token operations that name one
	TokenID   string // for one-time token operations that name one
	Key       string // for counter operations that name one
	// Wrote reports that the operation changed the store: it inserted,
	// rewrote or deleted a record. It is false for reads, failed calls,
	// a RenewSession or UpdateSessionAttributes that lost its condition,
	// and a delete that found nothing to delete: DeleteSession of an
	// absent session (an empty ID included), DeleteUserSessions of a user
	// without sessions, DeleteExpiredSessions with none expired, a
	// DeleteToken that found no token. DeleteCounter, which can't tell,
	// always counts as a write. (A delete
	// that races a sweep, or another process sharing the wrapped store,
	// may count a session the other deleted first.)
	Wrote bool
	// Err is the error the caller got, injected or not.
	Err error
}

// String returns a one-line summary, such as "RenewSession 9f86d0… wrote".
func (c Call) String() string {
	s := string(c.Op)
	if c.SessionID != "" {
		s += " session=" + shortID(c.SessionID)
	}
	if c.UserID != "" {
		s += " user=" + c.UserID
	}
	if c.TokenID != "" {
		s += " token=" + shortID(c.TokenID)
	}
	if c.Key != "" {
		s += " key=" + c.Key
	}
	if c.Wrote {
		s += " wrote"
	}
	if c.Err != nil {
		s += " err=" + c.Err.Error()
	}
	return s
}

// shortID returns the first 8 bytes of a session or token ID (with "…"
// when it is longer), as Call.String writes them.
func shortID(id string) string {
	if len(id) > 8 {
		return id[:8] + "…"
	}
	return id
}

// A Backend is a whole store: of sessions, users and keys, that can read a
// session with its user. memstore, sqlitestore, pgstore and redisstore
// Stores are Backends; a [Store] is one whatever it wraps, and
// [Store.Inner] returns the wrapped store as one.
type Backend interface {
	auth.SessionStore
	auth.UserStore
	auth.SessionUserGetter
}

// A Store wraps an [auth.SessionStore] with fault injection and a call
// log. It is safe for concurrent use. A fault is aimed at one operation,
// so a test that breaks RenewSession breaks nothing else.
//
// A Store has every method of a [Backend], whatever it wraps. On a store
// that keeps sessions only (memstore.NewSessions, sqlitestore.NewSessions,
// pgstore.NewSessions) its user and key methods, and GetSessionAndUser,
// fail with an error wrapping [auth.ErrNoUserStore]; the Auth of a [Fake]
// on such a store ([WithStore], [WithAppUsers]) never calls them, as an
// Auth on the store itself would not: it has no user methods.
type Store struct {
	inner   Backend           // the wrapped store, as a Backend (partialBackend when it is not one)
	wrapped auth.SessionStore // the wrapped store as it was given
	users   bool              // wrapped is an auth.UserStore
	joined  bool              // wrapped is an auth.SessionUserGetter
	// The wrapped store's tokens and counters: nil unless it is both an
	// auth.TokenStore and an auth.CounterStore (authkit's stores are).
	tokens   auth.TokenStore
	counters auth.CounterStore

	// deleting serialises the deletes that tell whether they found
	// something (by reading first) with the other deletes, so that of two
	// racing deletes of one record only one counts as a write.
	deleting sync.Mutex

	mu     sync.Mutex
	faults map[Op][]*fault
	calls  []Call
	limit  int // keep the last limit calls; 0 keeps all
}

type fault struct {
	remaining int // calls left to fail; < 0 means while pred holds
	pred      func(Call) bool
	err       error
}

// WrapStore returns a Store in front of inner, with no faults and an empty
// log. inner may keep sessions only. To build an Auth on the Store, use
// [New] with [WithStore]: its Auth has user methods exactly when inner
// keeps users, where auth.New given the Store itself would always see
// them.
func WrapStore(inner auth.SessionStore) *Store {
	s := &Store{wrapped: inner, faults: map[Op][]*fault{}}
	var users auth.UserStore
	var joined auth.SessionUserGetter
	users, s.users = inner.(auth.UserStore)
	joined, s.joined = inner.(auth.SessionUserGetter)
	if o, ok := inner.(oneTimeStore); ok {
		s.tokens, s.counters = o, o
	}
	if b, ok := inner.(Backend); ok {
		s.inner = b
	} else {
		s.inner = partialBackend{SessionStore: inner, users: users, joined: joined}
	}
	return s
}

var _ Backend = (*Store)(nil)

// Inner returns the wrapped store, to read or change it around the faults
// and the log. A store that is not a whole [Backend] (one that keeps
// sessions only) is returned as one whose missing user and key methods
// fail with an error wrapping [auth.ErrNoUserStore]; its GetSessionAndUser
// reads the session, then its user, or fails the same way without users.
func (s *Store) Inner() Backend { return s.inner }

// authStore returns s as [auth.New] should see it: an [auth.UserStore] and
// an [auth.SessionUserGetter] only when the wrapped store is one, so that
// an Auth on it has the user methods, and makes the reads, that an Auth on
// the wrapped store has.
//
// Likewise it is an [auth.TokenStore] and an [auth.CounterStore] only
// when the wrapped store is both.
func (s *Store) authStore() auth.SessionStore {
	if s.tokens != nil {
		switch {
		case s.users && s.joined:
			return s
		case s.users:
			return oneTimeSessionsAndUsers{sessionsAndUsers{s, s}, s}
		case s.joined:
			return oneTimeSessionsJoined{sessionsJoined{s, s}, s}
		}
		return oneTimeSessionsOnly{sessionsOnly{s}, s}
	}
	switch {
	case s.users && s.joined:
		return backendOnly{s}
	case s.users:
		return sessionsAndUsers{s, s}
	case s.joined:
		return sessionsJoined{s, s}
	}
	return sessionsOnly{s}
}

// oneTimeStore is a store of one-time tokens and counters.
type oneTimeStore interface {
	auth.TokenStore
	auth.CounterStore
}

// The views of a Store that authStore returns: embedding an interface
// promotes its methods only.
type (
	sessionsOnly     struct{ auth.SessionStore }
	sessionsAndUsers struct {
		auth.SessionStore
		auth.UserStore
	}
	sessionsJoined struct {
		auth.SessionStore
		auth.SessionUserGetter
	}
	backendOnly         struct{ Backend }
	oneTimeSessionsOnly struct {
		sessionsOnly
		oneTimeStore
	}
	oneTimeSessionsAndUsers struct {
		sessionsAndUsers
		oneTimeStore
	}
	oneTimeSessionsJoined struct {
		sessionsJoined
		oneTimeStore
	}
)

// partialBackend is a store that is not a whole Backend, seen as one: the
// methods it lacks fail with an error wrapping auth.ErrNoUserStore, as an
// Auth's user methods do on a store without users.
type partialBackend struct {
	auth.SessionStore
	users  auth.UserStore         // nil when the store keeps no users
	joined auth.SessionUserGetter // nil when it can't read a session with its user
}

func (p partialBackend) noUsers() error {
	return fmt.Errorf("fakeauth: %T keeps no users: %w", p.SessionStore, auth.ErrNoUserStore)
}

func (p partialBackend) CreateUser(ctx context.Context, user auth.UserRecord, key *auth.KeyRecord) error {
	if p.users == nil {
		return p.noUsers()
	}
	return p.users.CreateUser(ctx, user, key)
}

func (p partialBackend) GetUser(ctx context.Context, userID string) (auth.UserRecord, error) {
	if p.users == nil {
		return auth.UserRecord{}, p.noUsers()
	}
	return p.users.GetUser(ctx, userID)
}

func (p partialBackend) UpdateUserAttributes(ctx context.Context, userID string, attributes json.RawMessage) error {
	if p.users == nil {
		return p.noUsers()
	}
	return p.users.UpdateUserAttributes(ctx, userID, attributes)
}

func (p partialBackend) DeleteUser(ctx context.Context, userID string) error {
	if p.users == nil {
		return p.noUsers()
	}
	return p.users.DeleteUser(ctx, userID)
}

func (p partialBackend) CreateKey(ctx context.Context, key auth.KeyRecord) error {
	if p.users == nil {
		return p.noUsers()
	}
	return p.users.CreateKey(ctx, key)
}

func (p partialBackend) GetKey(ctx context.Context, providerID, providerUserID string) (auth.KeyRecord, error) {
	if p.users == nil {
		return auth.KeyRecord{}, p.noUsers()
	}
	return p.users.GetKey(ctx, providerID, providerUserID)
}

func (p partialBackend) UpdateKeyPassword(ctx context.Context, providerID, providerUserID, passwordHash string) error {
	if p.users == nil {
		return p.noUsers()
	}
	return p.users.UpdateKeyPassword(ctx, providerID, providerUserID, passwordHash)
}

func (p partialBackend) DeleteKey(ctx context.Context, providerID, providerUserID string) error {
	if p.users == nil {
		return p.noUsers()
	}
	return p.users.DeleteKey(ctx, providerID, providerUserID)
}

func (p partialBackend) UserKeys(ctx context.Context, userID string) ([]auth.KeyRecord, error) {
	if p.users == nil {
		return nil, p.noUsers()
	}
	return p.users.UserKeys(ctx, userID)
}

// GetSessionAndUser reads the session, then its user, as auth.Auth does
// on a store that can't join them.
func (p partialBackend) GetSessionAndUser(ctx context.Context, sessionID string) (auth.SessionRecord, auth.UserRecord, error) {
	if p.joined != nil {
		return p.joined.GetSessionAndUser(ctx, sessionID)
	}
	if p.users == nil {
		return auth.SessionRecord{}, auth.UserRecord{}, p.noUsers()
	}
	rec, err := p.SessionStore.GetSession(ctx, sessionID)
	if err != nil {
		return rec, auth.UserRecord{}, err
	}
	u, err := p.users.GetUser(ctx, rec.UserID)
	if errors.Is(err, auth.ErrNotFound) {
		err = auth.ErrUserNotFound
	}
	return rec, u, err
}

// FailNext makes the next n calls of op fail with err (ErrInjected when
// err is nil), before they reach the wrapped store.
func (s *Store) FailNext(op Op, n int, err error) {
	if n <= 0 {
		return
	}
	s.addFault(op, &fault{remaining: n, err: err})
}

// FailWhen makes every call of op for which pred returns true fail with err
// (ErrInjected when err is nil). pred sees the call's IDs before it runs.
func (s *Store) FailWhen(op Op, pred func(Call) bool, err error) {
	s.addFault(op, &fault{remaining: -1, pred: pred, err: err})
}

func (s *Store) addFault(op Op, f *fault) {
	if f.err == nil {
		f.err = ErrInjected
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[op] = append(s.faults[op], f)
}

// ClearFaults removes every fault.
func (s *Store) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.faults)
}

// PendingFaults returns, per operation, how many FailNext failures are
// still to come; a FailWhen fault counts as -1.
func (s *Store) PendingFaults() map[Op]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[Op]int{}
	for op, fs := range s.faults {
		for _, f := range fs {
			if f.remaining < 0 {
				out[op] = -1
				break
			}
			out[op] += f.remaining
		}
	}
	return out
}

// SetLogLimit makes the call log keep only the last n calls (all of them
// when n <= 0, the default). A long-running server on a fake, such as the
// playground, sets one so that the log does not grow without end.
func (s *Store) SetLogLimit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limit = n
	s.trim()
}

// trim drops the oldest calls beyond the limit. It lets the log grow to
// twice the limit between trims, so that recording stays cheap.
func (s *Store) trim() {
	if s.limit > 0 && len(s.calls) > s.limit {
		s.calls = append(s.calls[:0:0], s.calls[len(s.calls)-s.limit:]...)
	}
}

// Calls returns a copy of the call log, oldest first.
func (s *Store) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.trim()
	return slices.Clone(s.calls)
}

// ClearCalls empties the call log.
func (s *Store) ClearCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
}

// Count returns how many calls of op the log holds, failed ones included.
func (s *Store) Count(op Op) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.trim()
	n := 0
	for _, c := range s.calls {
		if c.Op == op {
			n++
		}
	}
	return n
}

// Writes returns how many calls in the log changed the store.
func (s *Store) Writes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.trim()
	n := 0
	for _, c := range s.calls {
		if c.Wrote {
			n++
		}
	}
	return n
}

// before returns the injected error for the call, if a fault applies.
func (s *Store) before(c Call) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults[c.Op] {
		if f.remaining < 0 {
			if f.pred == nil || f.pred(c) {
				return fmt.Errorf("%s: %w", c.Op, f.err)
			}
			continue
		}
		f.remaining--
		if f.remaining == 0 {
			s.faults[c.Op] = slices.Delete(s.faults[c.Op], i, i+1)
		}
		return fmt.Errorf("%s: %w", c.Op, f.err)
	}
	return nil
}

func (s *Store) record(c Call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
	if s.limit > 0 && len(s.calls) >= 2*s.limit {
		s.trim()
	}
}

// do runs one operation: the fault check, the call, the log entry.
func (s *Store) do(c Call, run func() (wrote bool, err error)) error {
	if err := s.before(c); err != nil {
		c.Err = err
		s.record(c)
		return err
	}
	wrote, err := run()
	c.Wrote, c.Err = wrote && err == nil, err
	s.record(c)
	return err
}

// CreateUser implements [auth.UserStore].
func (s *Store) CreateUser(ctx context.Context, user auth.UserRecord, key *auth.KeyRecord) error {
	return s.do(Call{Op: OpCreateUser, UserID: user.ID}, func() (bool, error) {
		return true, s.inner.CreateUser(ctx, user, key)
	})
}

// GetUser implements [auth.UserStore].
func (s *Store) GetUser(ctx context.Context, userID string) (u auth.UserRecord, err error) {
	err = s.do(Call{Op: OpGetUser, UserID: userID}, func() (bool, error) {
		u, err = s.inner.GetUser(ctx, userID)
		return false, err
	})
	return u, err
}

// UpdateUserAttributes implements [auth.UserStore].
func (s *Store) UpdateUserAttributes(ctx context.Context, userID string, attributes json.RawMessage) error {
	return s.do(Call{Op: OpUpdateUserAttributes, UserID: userID}, func() (bool, error) {
		return true, s.inner.UpdateUserAttributes(ctx, userID, attributes)
	})
}

// DeleteUser implements [auth.UserStore].
func (s *Store) DeleteUser(ctx context.Context, userID string) error {
	return s.do(Call{Op: OpDeleteUser, UserID: userID}, func() (bool, error) {
		s.deleting.Lock()
		defer s.deleting.Unlock()
		return true, s.inner.DeleteUser(ctx, userID)
	})
}

// CreateKey implements [auth.UserStore].
func (s *Store) CreateKey(ctx context.Context, key auth.KeyRecord) error {
	return s.do(Call{Op: OpCreateKey, UserID: key.UserID}, func() (bool, error) {
		return true, s.inner.CreateKey(ctx, key)
	})
}

// GetKey implements [auth.UserStore].
func (s *Store) GetKey(ctx context.Context, providerID, providerUserID string) (k auth.KeyRecord, err error) {
	err = s.do(Call{Op: OpGetKey}, func() (bool, error) {
		k, err = s.inner.GetKey(ctx, providerID, providerUserID)
		return false, err
	})
	return k, err
}

// UpdateKeyPassword implements [auth.UserStore].
func (s *Store) UpdateKeyPassword(ctx context.Context, providerID, providerUserID, passwordHash string) error {
	return s.do(Call{Op: OpUpdateKeyPassword}, func() (bool, error) {
		return true, s.inner.UpdateKeyPassword(ctx, providerID, providerUserID, passwordHash)
	})
}

// DeleteKey implements [auth.UserStore].
func (s *Store) DeleteKey(ctx context.Context, providerID, providerUserID string) error {
	return s.do(Call{Op: OpDeleteKey}, func() (bool, error) {
		return true, s.inner.DeleteKey(ctx, providerID, providerUserID)
	})
}

// UserKeys implements [auth.UserStore].
func (s *Store) UserKeys(ctx context.Context, userID string) (ks []auth.KeyRecord, err error) {
	err = s.do(Call{Op: OpUserKeys, UserID: userID}, func() (bool, error) {
		ks, err = s.inner.UserKeys(ctx, userID)
		return false, err
	})
	return ks, err
}

// CreateSession implements [auth.SessionStore].
func (s *Store) CreateSession(ctx context.Context, session auth.SessionRecord) error {
	return s.do(Call{Op: OpCreateSession, SessionID: session.ID, UserID: session.UserID}, func() (bool, error) {
		return true, s.inner.CreateSession(ctx, session)
	})
}

// GetSession implements [auth.SessionStore].
func (s *Store) GetSession(ctx context.Context, sessionID string) (sess auth.SessionRecord, err error) {
	err = s.do(Call{Op: OpGetSession, SessionID: sessionID}, func() (bool, error) {
		sess, err = s.inner.GetSession(ctx, sessionID)
		return false, err
	})
	return sess, err
}

// GetSessionAndUser implements [auth.SessionUserGetter].
func (s *Store) GetSessionAndUser(ctx context.Context, sessionID string) (sess auth.SessionRecord, u auth.UserRecord, err error) {
	err = s.do(Call{Op: OpGetSessionAndUser, SessionID: sessionID}, func() (bool, error) {
		sess, u, err = s.inner.GetSessionAndUser(ctx, sessionID)
		return false, err
	})
	return sess, u, err
}

// RenewSession implements [auth.SessionStore]. Only a renewal that won its
// condition counts as a write.
func (s *Store) RenewSession(ctx context.Context, sessionID string, oldActiveExpiresAt time.Time, r auth.Renewal) (ok bool, err error) {
	err = s.do(Call{Op: OpRenewSession, SessionID: sessionID}, func() (bool, error) {
		ok, err = s.inner.RenewSession(ctx, sessionID, oldActiveExpiresAt, r)
		return ok, err
	})
	return ok, err
}

// UpdateSessionAttributes implements [auth.SessionStore]. Only a write
// that won its condition counts as a write.
func (s *Store) UpdateSessionAttributes(ctx context.Context, sessionID string, old, attributes json.RawMessage) (ok bool, err error) {
	err = s.do(Call{Op: OpUpdateSessionAttributes, SessionID: sessionID}, func() (bool, error) {
		ok, err = s.inner.UpdateSessionAttributes(ctx, sessionID, old, attributes)
		return ok, err
	})
	return ok, err
}

// DeleteSession implements [auth.SessionStore]. Deleting an absent
// session succeeds and changes nothing, so the call counts as a write only
// when the session existed: the wrapped store is read first, around the
// faults and the log. (When that read fails, the call counts as a write
// if the delete succeeds.)
func (s *Store) DeleteSession(ctx context.Context, sessionID string) error {
	return s.do(Call{Op: OpDeleteSession, SessionID: sessionID}, func() (bool, error) {
		s.deleting.Lock()
		defer s.deleting.Unlock()
		_, err := s.inner.GetSession(ctx, sessionID)
		found := !errors.Is(err, auth.ErrNotFound)
		return found, s.inner.DeleteSession(ctx, sessionID)
	})
}

// DeleteUserSessions implements [auth.SessionStore]. As for
// [Store.DeleteSession], the call counts as a write only when the user had
// sessions.
func (s *Store) DeleteUserSessions(ctx context.Context, userID string) error {
	return s.do(Call{Op: OpDeleteUserSessions, UserID: userID}, func() (bool, error) {
		s.deleting.Lock()
		defer s.deleting.Unlock()
		recs, err := s.inner.UserSessions(ctx, userID)
		found := err != nil || len(recs) > 0
		return found, s.inner.DeleteUserSessions(ctx, userID)
	})
}

// UserSessions implements [auth.SessionStore].
func (s *Store) UserSessions(ctx context.Context, userID string) (ss []auth.SessionRecord, err error) {
	err = s.do(Call{Op: OpUserSessions, UserID: userID}, func() (bool, error) {
		ss, err = s.inner.UserSessions(ctx, userID)
		return false, err
	})
	return ss, err
}

// DeleteExpiredSessions implements [auth.SessionStore].
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time, limit int) (n int, err error) {
	err = s.do(Call{Op: OpDeleteExpiredSessions}, func() (bool, error) {
		n, err = s.inner.DeleteExpiredSessions(ctx, now, limit)
		return n > 0, err
	})
	return n, err
}

// noTokens is the error of a token operation on a Store whose wrapped
// store keeps no tokens (or no counters).
func (s *Store) noTokens() error {
	return fmt.Errorf("fakeauth: %T keeps no one-time tokens: %w", s.wrapped, auth.ErrNoTokenStore)
}

// noCounters is noTokens for counters.
func (s *Store) noCounters() error {
	return fmt.Errorf("fakeauth: %T keeps no counters: %w", s.wrapped, auth.ErrNoCounterStore)
}

// doTokens is do for a method of auth.TokenStore: run gets the wrapped
// store's, and the call fails with auth.ErrNoTokenStore when it keeps no
// tokens.
func (s *Store) doTokens(c Call, run func(auth.TokenStore) (wrote bool, err error)) error {
	return s.do(c, func() (bool, error) {
		if s.tokens == nil {
			return false, s.noTokens()
		}
		return run(s.tokens)
	})
}

// doCounters is do for a method of auth.CounterStore, as doTokens is for
// tokens.
func (s *Store) doCounters(c Call, run func(auth.CounterStore) (wrote bool, err error)) error {
	return s.do(c, func() (bool, error) {
		if s.counters == nil {
			return false, s.noCounters()
		}
		return run(s.counters)
	})
}

// CreateToken implements [auth.TokenStore].
func (s *Store) CreateToken(ctx context.Context, t auth.TokenRecord) error {
	return s.doTokens(Call{Op: OpCreateToken, UserID: t.UserID, TokenID: t.ID}, func(ts auth.TokenStore) (bool, error) {
		return true, ts.CreateToken(ctx, t)
	})
}

// GetToken implements [auth.TokenStore].
func (s *Store) GetToken(ctx context.Context, id string) (t auth.TokenRecord, err error) {
	err = s.doTokens(Call{Op: OpGetToken, TokenID: id}, func(ts auth.TokenStore) (bool, error) {
		t, err = ts.GetToken(ctx, id)
		return false, err
	})
	return t, err
}

// UserToken implements [auth.TokenStore].
func (s *Store) UserToken(ctx context.Context, userID, purpose string) (t auth.TokenRecord, err error) {
	err = s.doTokens(Call{Op: OpUserToken, UserID: userID}, func(ts auth.TokenStore) (bool, error) {
		t, err = ts.UserToken(ctx, userID, purpose)
		return false, err
	})
	return t, err
}

// DeleteToken implements [auth.TokenStore]. It counts as a write when it
// returns true.
func (s *Store) DeleteToken(ctx context.Context, id string) (ok bool, err error) {
	err = s.doTokens(Call{Op: OpDeleteToken, TokenID: id}, func(ts auth.TokenStore) (bool, error) {
		ok, err = ts.DeleteToken(ctx, id)
		return ok, err
	})
	return ok, err
}

// AddTokenAttempt implements [auth.TokenStore].
func (s *Store) AddTokenAttempt(ctx context.Context, id string) (n int, err error) {
	err = s.doTokens(Call{Op: OpAddTokenAttempt, TokenID: id}, func(ts auth.TokenStore) (bool, error) {
		n, err = ts.AddTokenAttempt(ctx, id)
		return true, err
	})
	return n, err
}

// DeleteExpiredTokens implements [auth.TokenStore].
func (s *Store) DeleteExpiredTokens(ctx context.Context, now time.Time, limit int) (n int, err error) {
	err = s.doTokens(Call{Op: OpDeleteExpiredTokens}, func(ts auth.TokenStore) (bool, error) {
		n, err = ts.DeleteExpiredTokens(ctx, now, limit)
		return n > 0, err
	})
	return n, err
}

// IncrementCounter implements [auth.CounterStore].
func (s *Store) IncrementCounter(ctx context.Context, key string, now, windowEnd time.Time) (n int, resetAt time.Time, err error) {
	err = s.doCounters(Call{Op: OpIncrementCounter, Key: key}, func(cs auth.CounterStore) (bool, error) {
		n, resetAt, err = cs.IncrementCounter(ctx, key, now, windowEnd)
		return true, err
	})
	return n, resetAt, err
}

// DeleteCounter implements [auth.CounterStore]. It always counts as a
// write: the contract has no way to tell whether the counter existed.
func (s *Store) DeleteCounter(ctx context.Context, key string) error {
	return s.doCounters(Call{Op: OpDeleteCounter, Key: key}, func(cs auth.CounterStore) (bool, error) {
		return true, cs.DeleteCounter(ctx, key)
	})
}

// DeleteExpiredCounters implements [auth.CounterStore].
func (s *Store) DeleteExpiredCounters(ctx context.Context, now time.Time, limit int) (n int, err error) {
	err = s.doCounters(Call{Op: OpDeleteExpiredCounters}, func(cs auth.CounterStore) (bool, error) {
		n, err = cs.DeleteExpiredCounters(ctx, now, limit)
		return n > 0, err
	})
	return n, err
}
