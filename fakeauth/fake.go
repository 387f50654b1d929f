package fakeauth

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
)

// A Fake is a real [auth.Auth] with a clock the caller moves, a store
// whose operations can be made to fail, and a log of every store call.
// Each Fake has its own clock and store: nothing is shared or global, so
// tests using fakes can run in parallel.
type Fake struct {
	// Auth is the Auth under test: hand it to authrequest and to the
	// handlers being tested.
	Auth *auth.Auth
	// Clock drives every lifetime decision of Auth.
	Clock *Clock
	// Store is the store Auth uses: the wrapped store behind a fault
	// injector and call log.
	Store *Store

	// seed is an Auth with the same configuration on the wrapped store
	// itself, so that seeding is neither logged nor made to fail. It has a
	// clock of its own, set under seedMu to when a seeded session was
	// created.
	seed      *auth.Auth
	seedClock *Clock
	seedMu    sync.Mutex
	// own is the memstore the fake made for itself; nil when the fake was
	// given a store (WithStore).
	own   *ownStore
	start time.Time
}

// An Option configures [New].
type Option func(*options)

type options struct {
	start time.Time
	cfg   auth.Config
	store auth.SessionStore
}

// WithStart sets where the fake clock starts; [DefaultStart] otherwise.
func WithStart(t time.Time) Option { return func(o *options) { o.start = t } }

// WithConfig sets the Auth's configuration. Its Clock is replaced by the
// fake clock; a zero Argon2 becomes [CheapArgon2].
func WithConfig(cfg auth.Config) Option { return func(o *options) { o.cfg = cfg } }

// WithStore puts the fake in front of store instead of a new memstore: the
// playground runs its fake clock and faults over SQLite, PostgreSQL or
// Redis this way. store may keep sessions only (an app's own users table,
// as with sqlitestore.NewSessions or pgstore.NewSessions): it gets the
// faults and the call log all the same, and the fake's Auth then has no
// user methods, exactly as auth.New on store has none: they fail with
// [auth.ErrNoUserStore].
func WithStore(store auth.SessionStore) Option { return func(o *options) { o.store = store } }

// CheapArgon2 returns the password hashing cost fakes use unless told
// otherwise: a tiny fraction of a millisecond instead of tens of
// milliseconds. It is for tests only; production uses
// [auth.DefaultArgon2Params].
func CheapArgon2() auth.Argon2Params { return auth.Argon2Params{Memory: 64, Time: 1, Threads: 1} }

// New returns a Fake on a fresh in-memory store with default lifetimes
// and secure cookie settings, exactly as in production unless options say
// otherwise.
func New(opts ...Option) (*Fake, error) {
	var o options
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	var own *ownStore
	if o.store == nil {
		own = &ownStore{Store: memstore.New(), users: map[string]struct{}{}}
		o.store = own
	}
	if o.cfg.Argon2 == (auth.Argon2Params{}) {
		o.cfg.Argon2 = CheapArgon2()
	}
	f := &Fake{Clock: NewClock(o.start), Store: WrapStore(o.store), own: own}
	f.start = f.Clock.Now()
	f.seedClock = NewClock(f.start)
	o.cfg.Clock = f.Clock
	var err error
	if f.Auth, err = auth.New(f.Store.authStore(), o.cfg); err != nil {
		return nil, fmt.Errorf("fakeauth: %w", err)
	}
	o.cfg.Clock = f.seedClock
	if f.seed, err = auth.New(o.store, o.cfg); err != nil {
		return nil, fmt.Errorf("fakeauth: %w", err)
	}
	return f, nil
}

// ownStore is the memstore a fake makes for itself. It remembers the ID
// of every user it created, so that [Fake.ResetAll] can empty it by
// deleting them: deleting a user deletes its keys and sessions, and every
// session of this store has a user. Emptied this way, the memstore keeps
// the room its maps grew to, which keeps a fake reused case after case
// (the scenario runner's pool) cheap.
type ownStore struct {
	*memstore.Store

	mu    sync.Mutex
	users map[string]struct{}
}

// CreateUser implements [auth.UserStore] and remembers the user.
func (s *ownStore) CreateUser(ctx context.Context, user auth.UserRecord, key *auth.KeyRecord) error {
	if err := s.Store.CreateUser(ctx, user, key); err != nil {
		return err
	}
	s.mu.Lock()
	s.users[user.ID] = struct{}{}
	s.mu.Unlock()
	return nil
}

// empty deletes every user the store created, with their keys and
// sessions.
func (s *ownStore) empty(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id := range s.users {
		if err := s.Store.DeleteUser(ctx, id); err != nil && !errors.Is(err, auth.ErrNotFound) {
			return err
		}
		delete(s.users, id)
	}
	return nil
}

// TB is the part of [testing.TB] that [NewT] uses; *testing.T and
// *testing.B satisfy it. Taking it rather than testing.TB keeps package
// testing out of a binary that links fakeauth (the playground).
type TB interface {
	Helper()
	Fatal(args ...any)
	Cleanup(func())
}

// NewT is [New] for tests: it fails t on an error.
func NewT(t TB, opts ...Option) *Fake {
	t.Helper()
	f, err := New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// Reset removes every injected fault and empties the call log.
func (f *Fake) Reset() {
	f.Store.ClearFaults()
	f.Store.ClearCalls()
}

// Start returns where the fake's clock started.
func (f *Fake) Start() time.Time { return f.start }

// Rewind puts the clock back at its start and calls [Fake.Reset]; the
// store keeps what it holds. A fake on a store of the caller's
// ([WithStore]) is put back as New made it by emptying that store, then
// calling Rewind.
func (f *Fake) Rewind() {
	f.Clock.Set(f.start)
	f.Reset()
}

// ErrCantEmpty is what [Fake.ResetAll] returns for a fake on a store given
// with [WithStore], which the fake does not know how to empty.
var ErrCantEmpty = errors.New("fakeauth: the fake can empty only the memstore it made itself")

// ResetAll puts the fake back as New made it: the store emptied (users,
// keys, sessions), the clock at its start, no faults, an empty log. It
// must not run while the fake is in use.
//
// Only a fake on the memstore New made for it can be emptied: for one
// given a store with [WithStore], ResetAll changes nothing and returns an
// error wrapping [ErrCantEmpty]; empty the store, then call
// [Fake.Rewind].
func (f *Fake) ResetAll(ctx context.Context) error {
	if f.own == nil {
		return fmt.Errorf("%w: it was given a %T", ErrCantEmpty, f.Store.wrapped)
	}
	if err := f.own.empty(ctx); err != nil {
		return fmt.Errorf("fakeauth: emptying the store: %w", err)
	}
	f.Rewind()
	return nil
}

// SeedUser creates a user with attribute "username" and a password key
// ("username", username). Seeding goes around the fault injector and the
// call log. On a store that keeps no users ([WithAppUsers]) it fails with
// an error wrapping [auth.ErrNoUserStore], as auth.Auth.CreateUser does in
// production: the app makes its users itself.
func (f *Fake) SeedUser(ctx context.Context, username, password string) (*auth.User, error) {
	return f.seed.CreateUser(ctx, auth.NewUser{
		Attributes: map[string]any{"username": username},
		Key:        &auth.NewKey{ProviderID: "username", ProviderUserID: username, Password: password},
	})
}

// State is a point in a session's life, relative to the fake clock's now,
// to put a seeded session at.
type State int

// The states [Fake.SeedSession] can put a session in. The boundary states
// sit exactly on, or one nanosecond either side of, the end of the active
// or idle period, or of the absolute lifetime. A boundary instant belongs
// to the earlier state. On an Auth whose [auth.Config.MaxLifetime] is
// shorter than its active and idle periods together, the states late in
// the idle period are cut short by the absolute end, as the core's
// Expiries says: their sessions are dead.
const (
	Active          State = iota + 1 // just created
	Idle                             // its active period ended an hour ago
	Dead                             // its idle period ended an hour ago
	ActiveEndMinus1                  // 1ns before the end of the active period: active
	ActiveEnd                        // at the end of the active period: still active
	ActiveEndPlus1                   // 1ns after it: idle
	IdleEndMinus1                    // 1ns before the end of the idle period: idle
	IdleEnd                          // at the end of the idle period: still idle
	IdleEndPlus1                     // 1ns after it: dead
	DeletedUser                      // active, but its user was deleted since (on a store without users, its sessions were)

	// The absolute lifetime: a session kept renewed since its sign-in,
	// whose ExpiresAt is 1ns after now, now, or 1ns before now. Its
	// lifetime is the Auth's [auth.Config.MaxLifetime], or
	// [DefaultSeedMaxLifetime] on an Auth without one.
	AbsoluteEndMinus1 // 1ns before its absolute end: alive (active)
	AbsoluteEnd       // at its absolute end: still alive (active)
	AbsoluteEndPlus1  // 1ns after it: dead, however recently renewed

	// The browser-session policy (a sign-in without "remember me"): its
	// cookie has no Expires or Max-Age, its periods are the Auth's
	// browser-session ones.
	BrowserSession     // a browser session just created: active
	BrowserSessionIdle // a browser session half-way through its idle period: renewed as a browser session
)

// DefaultSeedMaxLifetime is the absolute lifetime of the AbsoluteEnd
// states on an Auth without [auth.Config.MaxLifetime]: three days, so
// that with the default periods the session is renewed twice before its
// absolute end, and its idle period would have lasted longer.
const DefaultSeedMaxLifetime = 3 * 24 * time.Hour

// String returns the state's name, such as "idle" or "active-end+1ns".
func (s State) String() string {
	switch s {
	case Active:
		return "active"
	case Idle:
		return "idle"
	case Dead:
		return "dead"
	case ActiveEndMinus1:
		return "active-end-1ns"
	case ActiveEnd:
		return "active-end"
	case ActiveEndPlus1:
		return "active-end+1ns"
	case IdleEndMinus1:
		return "idle-end-1ns"
	case IdleEnd:
		return "idle-end"
	case IdleEndPlus1:
		return "idle-end+1ns"
	case DeletedUser:
		return "deleted-user"
	case AbsoluteEndMinus1:
		return "absolute-end-1ns"
	case AbsoluteEnd:
		return "absolute-end"
	case AbsoluteEndPlus1:
		return "absolute-end+1ns"
	case BrowserSession:
		return "browser-session"
	case BrowserSessionIdle:
		return "browser-session-idle"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// States returns every State, in order.
func States() []State {
	return []State{Active, Idle, Dead, ActiveEndMinus1, ActiveEnd, ActiveEndPlus1, IdleEndMinus1, IdleEnd, IdleEndPlus1, DeletedUser,
		AbsoluteEndMinus1, AbsoluteEnd, AbsoluteEndPlus1, BrowserSession, BrowserSessionIdle}
}

// renewedAt returns when a session in state s at now was last created or
// renewed. The expiries follow from it by the core's own rule,
// [auth.Auth.Expiries]; nothing here decides what a state means.
func (f *Fake) renewedAt(s State, now time.Time) (time.Time, error) {
	active, idle := f.Auth.ActivePeriod(), f.Auth.IdlePeriod()
	switch s {
	case Active, DeletedUser:
		return now, nil
	case Idle:
		return now.Add(-active - time.Hour), nil
	case Dead:
		return now.Add(-active - idle - time.Hour), nil
	case ActiveEndMinus1:
		return now.Add(-active + 1), nil
	case ActiveEnd:
		return now.Add(-active), nil
	case ActiveEndPlus1:
		return now.Add(-active - 1), nil
	case IdleEndMinus1:
		return now.Add(-active - idle + 1), nil
	case IdleEnd:
		return now.Add(-active - idle), nil
	case IdleEndPlus1:
		return now.Add(-active - idle - 1), nil
	}
	return time.Time{}, fmt.Errorf("fakeauth: unknown session state %d", int(s))
}

// SeedSession creates a session for the user and puts it in state s at the
// fake clock's now, without moving the clock. The session carries its
// Token, for the test to send. For DeletedUser, the user is deleted after
// the session is created: deleting a user deletes its sessions, so the
// token names a session that is gone with its user. On a store that keeps
// no users ([WithAppUsers]) the user is the app's: its sessions are
// deleted, as the app's table's ON DELETE CASCADE, or the app's call of
// auth.Auth.InvalidateUserSessions, deletes them in production.
//
// Seeding goes around the fault injector and the call log.
func (f *Fake) SeedSession(ctx context.Context, userID string, s State) (*auth.Session, error) {
	now := f.Clock.Now()
	switch s {
	case AbsoluteEndMinus1, AbsoluteEnd, AbsoluteEndPlus1:
		lifetime := f.Auth.MaxLifetime()
		if lifetime == 0 {
			lifetime = DefaultSeedMaxLifetime
		}
		off := map[State]time.Duration{AbsoluteEndMinus1: 1, AbsoluteEnd: 0, AbsoluteEndPlus1: -1}[s]
		return f.SeedSessionKeptRenewed(ctx, userID, now.Add(-lifetime+off), auth.SessionOptions{MaxLifetime: lifetime})
	case BrowserSession:
		return f.SeedSessionWith(ctx, userID, now, auth.SessionOptions{BrowserSession: true})
	case BrowserSessionIdle:
		active, idle := f.Auth.Periods(true)
		return f.SeedSessionWith(ctx, userID, now.Add(-active-idle/2), auth.SessionOptions{BrowserSession: true})
	}
	at, err := f.renewedAt(s, now)
	if err != nil {
		return nil, err
	}
	sess, err := f.SeedSessionRenewedAt(ctx, userID, at)
	if err != nil {
		return nil, err
	}
	if s == DeletedUser {
		del := f.seed.DeleteUser
		if f.seed.Users() == nil {
			del = f.seed.InvalidateUserSessions
		}
		if err := del(ctx, userID); err != nil {
			return nil, err
		}
	}
	return sess, nil
}

// SeedSessionRenewedAt creates a session for the user as if it had been
// created at t, which may be in the past or the future: its CreatedAt and
// RenewedAt are t, and its expiries follow from t by the core's rule.
func (f *Fake) SeedSessionRenewedAt(ctx context.Context, userID string, t time.Time) (*auth.Session, error) {
	return f.SeedSessionWith(ctx, userID, t, auth.SessionOptions{})
}

// SeedSessionWith is [Fake.SeedSessionRenewedAt] with the device and
// attributes of opts recorded in the session.
func (f *Fake) SeedSessionWith(ctx context.Context, userID string, t time.Time, opts auth.SessionOptions) (*auth.Session, error) {
	f.seedMu.Lock()
	defer f.seedMu.Unlock()
	f.seedClock.Set(t)
	sess, err := f.seed.CreateSessionWith(ctx, userID, opts)
	if err != nil {
		return nil, err
	}
	sess.Fresh = false
	return sess, nil
}

// SeedSessionKeptRenewed creates a session as if it had been created at
// t and used ever since: renewed by the core (auth.Auth.ValidateSession)
// each time its active period ended, up to the fake clock's now or its
// absolute end, whichever comes first. A session with an absolute
// lifetime (opts.MaxLifetime, or the Config's) is seeded this way to sit
// at a chosen instant of it: its state at now is then decided by its
// ExpiresAt, not by an idle period that ran out.
func (f *Fake) SeedSessionKeptRenewed(ctx context.Context, userID string, t time.Time, opts auth.SessionOptions) (*auth.Session, error) {
	sess, err := f.SeedSessionWith(ctx, userID, t, opts)
	if err != nil {
		return nil, err
	}
	now := f.Clock.Now()
	f.seedMu.Lock()
	defer f.seedMu.Unlock()
	for {
		next := sess.ActiveExpiresAt.Add(time.Nanosecond)
		if next.After(now) || sess.ActiveExpiresAt.Equal(sess.ExpiresAt) {
			break
		}
		f.seedClock.Set(next)
		renewed, err := f.seed.ValidateSession(ctx, sess.Token)
		if err != nil {
			return nil, fmt.Errorf("fakeauth: renewing a seeded session: %w", err)
		}
		sess = renewed
	}
	sess.Fresh = false
	return sess, nil
}

// SeedUserSession is the common test start: a user "ada" with password
// "password", and a session in state s.
func (f *Fake) SeedUserSession(ctx context.Context, s State) (*auth.User, *auth.Session, error) {
	u, err := f.SeedUser(ctx, "ada", "password")
	if err != nil {
		return nil, nil, err
	}
	sess, err := f.SeedSession(ctx, u.ID, s)
	if err != nil {
		return nil, nil, err
	}
	return u, sess, nil
}

// StoredSession returns the session with the given ID as the store holds
// it, bypassing faults and the log; ok is false if it is not stored.
func (f *Fake) StoredSession(ctx context.Context, id string) (rec auth.SessionRecord, ok bool, err error) {
	rec, err = f.Store.Inner().GetSession(ctx, id)
	if err == nil {
		return rec, true, nil
	}
	if errors.Is(err, auth.ErrNotFound) {
		return rec, false, nil
	}
	return rec, false, err
}
