package fakeauth

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/internal/usermem"
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
	own   *usermem.Store
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
	var own *usermem.Store
	if o.store == nil {
		own = usermem.New()
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

// TB is the part of [testing.TB] that [NewT] uses. A *testing.T, B or F
// is one; fakeauth does not import package testing, so that a program
// built on a fake (the playground) links no test code.
type TB interface {
	Helper()
	Fatal(args ...any)
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

// Start returns where the fake's clock started.
func (f *Fake) Start() time.Time { return f.start }

// ErrCantEmpty is what [Fake.Reset] returns for a fake on a store given
// with [WithStore], which the fake does not know how to empty.
var ErrCantEmpty = errors.New("fakeauth: the fake can empty only the memstore it made itself")

// Reset puts the fake back as New made it: the store emptied (users,
// keys, sessions), the clock at its start, no faults, an empty call log.
// It must not run while the fake is in use.
//
// Only a fake on the memstore New made for it can be emptied: for one
// given a store with [WithStore], Reset changes nothing and returns an
// error wrapping [ErrCantEmpty]; empty that store, then call
// [Fake.ResetKeepingStore].
func (f *Fake) Reset(ctx context.Context) error {
	if f.own == nil {
		return fmt.Errorf("%w: it was given a %T", ErrCantEmpty, f.Store.wrapped)
	}
	if err := f.own.Empty(ctx); err != nil {
		return fmt.Errorf("fakeauth: emptying the store: %w", err)
	}
	f.ResetKeepingStore()
	return nil
}

// ResetKeepingStore is [Fake.Reset] without emptying the store: the clock
// back at its start, no faults, an empty call log; the store keeps what
// it holds. A fake on a store of the caller's ([WithStore]) is put back as
// New made it by emptying that store, then calling ResetKeepingStore.
func (f *Fake) ResetKeepingStore() {
	f.Clock.Set(f.start)
	f.Store.ClearFaults()
	f.Store.ClearCalls()
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
// to put a seeded session at. Each is named for where it lies, and
// [State.AuthState] says which [auth.State] the core gives a session there:
// the fake's states refine the core's three, they never redefine them.
type State int

// The states [Fake.SeedSession] can put a session in. The boundary states
// sit exactly on, or one nanosecond either side of, the end of the active
// or idle period, or of the absolute lifetime, where the core puts those
// ends ([auth.Auth.NewSessionExpiries]): on an Auth whose
// [auth.Config.MaxLifetime] is shorter than its active and idle periods
// together, the idle period ends at the absolute end, and IdleEnd is that
// instant. A boundary instant belongs to the earlier state.
const (
	Active          State = iota + 1 // just created: active
	Idle                             // its active period ended an hour ago: idle
	Dead                             // its idle period ended an hour ago: dead
	ActiveEndMinus1                  // 1ns before the end of the active period: active
	ActiveEnd                        // at the end of the active period: still active
	ActiveEndPlus1                   // 1ns after it: idle
	IdleEndMinus1                    // 1ns before the end of the idle period: idle
	IdleEnd                          // at the end of the idle period: still idle
	IdleEndPlus1                     // 1ns after it: dead
	DeletedUser                      // created active, then its user deleted (on a store without users, its sessions): gone
	Invalidated                      // created active, then invalidated (signed out on another device): gone

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
	BrowserSessionIdle // a browser session half-way through its idle period: idle, renewed as a browser session
)

// DefaultSeedMaxLifetime is the absolute lifetime of the AbsoluteEnd
// states on an Auth without [auth.Config.MaxLifetime]: three days, so
// that with the default periods the session is renewed twice before its
// absolute end, and its idle period would have lasted longer.
const DefaultSeedMaxLifetime = 3 * 24 * time.Hour

// String returns the state's name, such as "idle" or "active-end+1ns".
func (s State) String() string {
	name, _ := s.info()
	if name == "" {
		return fmt.Sprintf("State(%d)", int(s))
	}
	return name
}

// AuthState returns the core's state of a session seeded in s, at the
// fake clock's now: what [auth.Session.State] says of it, and
// [auth.StateDead] for a session that is gone (DeletedUser, Invalidated),
// which validation refuses as it refuses a dead one. It is zero for a
// value that is no State.
func (s State) AuthState() auth.State {
	_, life := s.info()
	return life
}

// info returns the state's name and the core's state of a session seeded
// in it; "" and 0 for a value that is no State.
func (s State) info() (string, auth.State) {
	switch s {
	case Active:
		return "active", auth.StateActive
	case Idle:
		return "idle", auth.StateIdle
	case Dead:
		return "dead", auth.StateDead
	case ActiveEndMinus1:
		return "active-end-1ns", auth.StateActive
	case ActiveEnd:
		return "active-end", auth.StateActive
	case ActiveEndPlus1:
		return "active-end+1ns", auth.StateIdle
	case IdleEndMinus1:
		return "idle-end-1ns", auth.StateIdle
	case IdleEnd:
		return "idle-end", auth.StateIdle
	case IdleEndPlus1:
		return "idle-end+1ns", auth.StateDead
	case DeletedUser:
		return "deleted-user", auth.StateDead
	case Invalidated:
		return "invalidated", auth.StateDead
	case AbsoluteEndMinus1:
		return "absolute-end-1ns", auth.StateActive
	case AbsoluteEnd:
		return "absolute-end", auth.StateActive
	case AbsoluteEndPlus1:
		return "absolute-end+1ns", auth.StateDead
	case BrowserSession:
		return "browser-session", auth.StateActive
	case BrowserSessionIdle:
		return "browser-session-idle", auth.StateIdle
	}
	return "", 0
}

// createdAt returns when a session in state s at now was created (or last
// renewed). Where each state's boundary lies is the core's answer,
// [auth.Auth.NewSessionExpiries], for a session created at now: the ends
// of its periods are that far from its creation whenever it is created.
// Nothing here decides what a state means.
func (f *Fake) createdAt(s State, now time.Time) (time.Time, error) {
	activeEnd, idleEnd, _ := f.Auth.NewSessionExpiries(now, auth.SessionOptions{})
	active, idle := activeEnd.Sub(now), idleEnd.Sub(now) // to each end, from creation
	if s == Active || s == DeletedUser || s == Invalidated {
		return now, nil
	}
	// How long before now each state's session was created.
	ago := map[State]time.Duration{
		Idle: active + time.Hour, Dead: idle + time.Hour,
		ActiveEndMinus1: active - 1, ActiveEnd: active, ActiveEndPlus1: active + 1,
		IdleEndMinus1: idle - 1, IdleEnd: idle, IdleEndPlus1: idle + 1,
	}
	if d, ok := ago[s]; ok {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("fakeauth: unknown session state %d", int(s))
}

// SeedSession creates a session for the user and puts it in state s at the
// fake clock's now, without moving the clock. The session carries its
// Token, for the test to send. For Invalidated, the session is deleted
// after it is created, as signing out on another device does. For
// DeletedUser, the user is deleted after
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
		lifetime := f.Auth.Config().MaxLifetime
		if lifetime == 0 {
			lifetime = DefaultSeedMaxLifetime
		}
		off := map[State]time.Duration{AbsoluteEndMinus1: 1, AbsoluteEnd: 0, AbsoluteEndPlus1: -1}[s]
		return f.seedKeptRenewed(ctx, userID, now.Add(-lifetime+off), auth.SessionOptions{MaxLifetime: lifetime})
	case BrowserSession:
		return f.SeedSessionWith(ctx, userID, now, auth.SessionOptions{BrowserSession: true})
	case BrowserSessionIdle:
		browser := auth.SessionOptions{BrowserSession: true}
		activeEnd, idleEnd, _ := f.Auth.NewSessionExpiries(now, browser)
		// Half-way through its idle period: its active period ended
		// (idleEnd-activeEnd)/2 ago.
		return f.SeedSessionWith(ctx, userID, now.Add(-activeEnd.Sub(now)-idleEnd.Sub(activeEnd)/2), browser)
	}
	at, err := f.createdAt(s, now)
	if err != nil {
		return nil, err
	}
	sess, err := f.SeedSessionWith(ctx, userID, at, auth.SessionOptions{})
	if err != nil {
		return nil, err
	}
	if s == Invalidated {
		if err := f.seed.InvalidateSession(ctx, sess.ID); err != nil {
			return nil, err
		}
	}
	if s == DeletedUser {
		del := f.seed.DeleteUser
		if !f.seed.KeepsUsers() {
			del = f.seed.InvalidateUserSessions
		}
		if err := del(ctx, userID); err != nil {
			return nil, err
		}
	}
	return sess, nil
}

// SeedSessionWith creates a session for the user with opts (a device, attributes, a
// browser session...) as if it had been created at t, which may be in the
// past or the future: its CreatedAt and RenewedAt are t, and its expiries
// follow from t by the core's rule. The session carries its Token and is
// not Fresh. Seeding goes around the fault injector and the call log.
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

// seedKeptRenewed creates a session as if it had been created at
// t and used ever since: renewed by the core (auth.Auth.ValidateSession)
// each time its active period ended, up to the fake clock's now or its
// absolute end, whichever comes first. A session with an absolute
// lifetime (opts.MaxLifetime, or the Config's) is seeded this way to sit
// at a chosen instant of it: its state at now is then decided by its
// ExpiresAt, not by an idle period that ran out.
func (f *Fake) seedKeptRenewed(ctx context.Context, userID string, t time.Time, opts auth.SessionOptions) (*auth.Session, error) {
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
