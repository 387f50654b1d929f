package fakeauth

import (
	"context"
	"errors"
	"fmt"
	"testing"
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
	// itself, so that seeding is neither logged nor made to fail.
	seed  *auth.Auth
	start time.Time
}

// An Option configures [New].
type Option func(*options)

type options struct {
	start time.Time
	cfg   auth.Config
	store Backend
}

// WithStart sets where the fake clock starts; [DefaultStart] otherwise.
func WithStart(t time.Time) Option { return func(o *options) { o.start = t } }

// WithConfig sets the Auth's configuration. Its Clock is replaced by the
// fake clock; a zero Argon2 becomes [CheapArgon2].
func WithConfig(cfg auth.Config) Option { return func(o *options) { o.cfg = cfg } }

// WithStore puts the fake in front of store instead of a new memstore: the
// playground runs its fake clock and faults over SQLite, PostgreSQL or
// Redis this way.
func WithStore(store Backend) Option { return func(o *options) { o.store = store } }

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
	if o.store == nil {
		o.store = memstore.New()
	}
	if o.cfg.Argon2 == (auth.Argon2Params{}) {
		o.cfg.Argon2 = CheapArgon2()
	}
	f := &Fake{Clock: NewClock(o.start), Store: WrapStore(o.store)}
	f.start = f.Clock.Now()
	o.cfg.Clock = f.Clock
	var err error
	if f.Auth, err = auth.New(f.Store, o.cfg); err != nil {
		return nil, fmt.Errorf("fakeauth: %w", err)
	}
	if f.seed, err = auth.New(o.store, o.cfg); err != nil {
		return nil, fmt.Errorf("fakeauth: %w", err)
	}
	return f, nil
}

// NewT is [New] for tests: it fails t on an error.
func NewT(t testing.TB, opts ...Option) *Fake {
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

// Resetter is a store that can empty itself, as memstore, sqlstore and
// redisstore can.
type Resetter interface {
	Reset(ctx context.Context) error
}

// ResetAll puts the fake back as New made it: the store emptied (users,
// keys, sessions), the clock at its start, no faults, an empty log. It
// fails if the store can't empty itself (it has no Reset method).
func (f *Fake) ResetAll(ctx context.Context) error {
	r, ok := f.Store.Inner().(Resetter)
	if !ok {
		return fmt.Errorf("fakeauth: the store %T can't be emptied: it has no Reset method", f.Store.Inner())
	}
	if err := r.Reset(ctx); err != nil {
		return fmt.Errorf("fakeauth: emptying the store: %w", err)
	}
	f.Clock.Set(f.start)
	f.Reset()
	return nil
}

// SeedUser creates a user with attribute "username" and a password key
// ("username", username). Seeding goes around the fault injector and the
// call log.
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
// or idle period. A boundary instant belongs to the earlier state.
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
	DeletedUser                      // active, but its user was deleted since
)

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
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// States returns every State, in order.
func States() []State {
	return []State{Active, Idle, Dead, ActiveEndMinus1, ActiveEnd, ActiveEndPlus1, IdleEndMinus1, IdleEnd, IdleEndPlus1, DeletedUser}
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
// the session is created (deleting a user deletes its sessions).
//
// Seeding goes around the fault injector and the call log.
func (f *Fake) SeedSession(ctx context.Context, userID string, s State) (*auth.Session, error) {
	now := f.Clock.Now()
	at, err := f.renewedAt(s, now)
	if err != nil {
		return nil, err
	}
	sess, err := f.SeedSessionRenewedAt(ctx, userID, at)
	if err != nil {
		return nil, err
	}
	if s == DeletedUser {
		if err := f.seed.DeleteUser(ctx, userID); err != nil {
			return nil, err
		}
	}
	return sess, nil
}

// SeedSessionRenewedAt creates a session for the user as if it had been
// created or last renewed at t, which may be in the past or the future.
func (f *Fake) SeedSessionRenewedAt(ctx context.Context, userID string, t time.Time) (*auth.Session, error) {
	sess, err := f.seed.CreateSession(ctx, userID)
	if err != nil {
		return nil, err
	}
	t = t.Round(0)
	active, idle := f.Auth.Expiries(t)
	ok, err := f.Store.Inner().RenewSession(ctx, sess.ID, sess.ActiveExpiresAt, auth.Renewal{RenewedAt: t, ActiveExpiresAt: active, IdleExpiresAt: idle})
	if err != nil {
		return nil, fmt.Errorf("fakeauth: seeding session expiries: %w", err)
	}
	if !ok {
		return nil, fmt.Errorf("fakeauth: seeding session expiries: the new session changed under the seeder")
	}
	sess.RenewedAt, sess.ActiveExpiresAt, sess.IdleExpiresAt, sess.Fresh = t, active, idle, false
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
