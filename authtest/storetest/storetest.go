// Package storetest checks implementations of the store contracts of
// package auth, as [testing/fstest.TestFS] checks a file system.
//
// A store package runs the suites from its own tests, with a constructor
// that returns a new, empty store:
//
//	func TestConformance(t *testing.T) {
//		storetest.TestSessionStore(t, func(t *testing.T) auth.SessionStore { return newTestStore(t) })
//		storetest.TestUserStore(t, func(t *testing.T) auth.UserStore { return newTestStore(t) })
//	}
//
// [TestSessionStore] checks [auth.SessionStore] and, when the store has
// it, [auth.SessionUserGetter]; [TestUserStore] checks [auth.UserStore]
// and, when the value is also a SessionStore, the ties between the two
// (deleting a user deletes its sessions; a session needs a user). Each
// [TestTokenStore] and [TestCounterStore] check [auth.TokenStore] and
// [auth.CounterStore], the one-time tokens and throttling counters, with
// an [auth.Auth] on the store when it is also a SessionStore. Each
// rule of the contracts' doc comments is a named subtest, such as
// TestSessionStore/Renew/Concurrent, so a failing implementer can read
// which rule broke and run it alone with -run.
//
// The suites never wait for real time to pass. They use timestamps from
// the first to the last instant int64 Unix nanoseconds hold (but
// math.MinInt64 itself: 1677-09-21T00:12:43.145224193Z to
// 2262-04-11T23:47:16.854775807Z), the Unix epoch among them, in several
// time zones and with odd nanoseconds, and expect the same instants back.
// The zero time means none: it reads back as the zero time and is before
// every instant.
// A store that drops records by a real-time TTL must keep each record it
// was given for the length of a test, whatever its expiry times say: the
// contract says the store does not judge expiry.
//
// newStore registers the store's cleanup (a dropped schema, deleted keys)
// with t.Cleanup, and calls t.Skip when its backend is unavailable.
package storetest

import (
	"context"
	"testing"

	"github.com/authkit-dev/authkit/auth"
)

// An Option tells the suites about a store: see [AppUsers] and
// [OrphanUser].
type Option func(*config)

type config struct {
	createUser func(ctx context.Context, s auth.SessionStore, userID string) error
	deleteUser func(ctx context.Context, s auth.SessionStore, userID string) error
	appUsers   bool
	orphanUser func(ctx context.Context, s auth.SessionStore, userID string) error
}

// AppUsers tells the suite that the store keeps sessions for an app's own
// users table: create makes a user sessions can reference, delete deletes
// it as the app would (nil when deleting is the app's job and the app
// calls [auth.Auth.InvalidateUserSessions]; then no cascade is checked).
// With AppUsers, the suite expects CreateSession to refuse a user that
// create did not make, with [auth.ErrUserNotFound].
//
// Without AppUsers, a store that is an [auth.UserStore] gets its users
// from its own CreateUser, and a store that is neither takes any user ID.
func AppUsers(create, delete func(ctx context.Context, s auth.SessionStore, userID string) error) Option {
	return func(c *config) {
		c.appUsers = true
		c.createUser, c.deleteUser = create, delete
	}
}

// OrphanUser gives the suite a way to remove a user's record behind the
// store's back, leaving its sessions in place, as a fault or a manual edit
// of the database would. With it, the suite checks that
// [auth.SessionUserGetter.GetSessionAndUser] reports such a session with
// [auth.ErrUserNotFound] (and the session itself), never as a missing
// session or a zero user. Without it, that case is not run: a store whose
// sessions always end with their user has no orphans to observe.
func OrphanUser(remove func(ctx context.Context, s auth.SessionStore, userID string) error) Option {
	return func(c *config) { c.orphanUser = remove }
}

// TestSessionStore runs the conformance suite for [auth.SessionStore]
// (and, when the store has it, [auth.SessionUserGetter]) as named subtests
// of t; newStore returns a new, empty store per subtest.
//
// The groups are Session (create, read, delete, list), Fields (every
// field of [auth.SessionRecord] round-trips exactly), Renew (the
// conditional write), Attributes (the conditional write of a session's
// attributes), Lifetime (an [auth.Auth] on the store applying the
// absolute lifetime, the browser-session policy, "sign out everywhere
// else" and no attribute change to a dead session, at the boundary
// instants t-1ns, t and t+1ns), Sweep (bounded steps of DeleteExpiredSessions),
// Users (a store that knows users refuses unknown ones and ends sessions
// with their user), GetSessionAndUser, Auth (an [auth.Auth] on the store:
// tokens are never stored, a whole lifecycle), Context (a cancelled
// context) and ModelCheck (random operation sequences against a model).
// Cases that do not apply to the store (GetSessionAndUser on a store
// without it, say) are not run.
func TestSessionStore(t *testing.T, newStore func(t *testing.T) auth.SessionStore, opts ...Option) {
	t.Helper()
	cfg := newConfig(opts)
	caps := probe(newStore(t), cfg)
	runGroups(t, sessionGroups(caps), func(t *testing.T) *fixture {
		return newFixture(t, newStore(t), cfg)
	})
}

// TestUserStore runs the conformance suite for [auth.UserStore] as named
// subtests of t; newStore returns a new, empty store per subtest. When the
// value is also an [auth.SessionStore] it checks the tie-ins: DeleteUser
// deletes the user's sessions, and CreateSession refuses an unknown user.
//
// The groups are User, Attributes, Key, Sessions (the tie-ins, when the
// value is also a SessionStore), Auth (passwords are stored hashed) and
// Context (a cancelled context).
func TestUserStore(t *testing.T, newStore func(t *testing.T) auth.UserStore) {
	t.Helper()
	var cfg config
	us := newStore(t)
	ss, _ := us.(auth.SessionStore)
	caps := capabilities{users: true, sessions: ss != nil}
	if ss != nil {
		_, caps.joiner = ss.(auth.SessionUserGetter)
	}
	runGroups(t, userGroups(caps), func(t *testing.T) *fixture {
		u := newStore(t)
		f := newFixture(t, nil, cfg)
		f.us = u
		f.s, _ = u.(auth.SessionStore)
		f.js, _ = u.(auth.SessionUserGetter)
		return f
	})
}

func newConfig(opts []Option) config {
	var c config
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	return c
}

// capabilities say which cases apply to a store.
type capabilities struct {
	sessions   bool // a SessionStore (always, in TestSessionStore)
	users      bool // an auth.UserStore
	joiner     bool // an auth.SessionUserGetter
	knowsUsers bool // refuses sessions of unknown users
	deletes    bool // the suite can delete a user (and check the cascade)
	orphans    bool // the suite can make an orphan session
}

func probe(s auth.SessionStore, cfg config) capabilities {
	c := capabilities{sessions: true}
	_, c.users = s.(auth.UserStore)
	_, c.joiner = s.(auth.SessionUserGetter)
	if cfg.appUsers {
		c.knowsUsers = true
		c.deletes = cfg.deleteUser != nil
	} else {
		c.knowsUsers, c.deletes = c.users, c.users
	}
	c.orphans = cfg.orphanUser != nil && c.joiner
	return c
}

type group struct {
	name  string
	cases []testCase
}

type testCase struct {
	name string
	run  func(f *fixture)
}

func runGroups(t *testing.T, groups []group, newFixture func(t *testing.T) *fixture) {
	t.Helper()
	for _, g := range groups {
		if len(g.cases) == 0 {
			continue
		}
		t.Run(g.name, func(t *testing.T) {
			for _, c := range g.cases {
				t.Run(c.name, func(t *testing.T) {
					c.run(newFixture(t))
				})
			}
		})
	}
}

// when returns cases if cond holds, and none otherwise.
func when(cond bool, cases ...testCase) []testCase {
	if !cond {
		return nil
	}
	return cases
}
