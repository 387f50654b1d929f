package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/fakeauth"
)

// BenchmarkSessionStore benchmarks an [auth.Auth] on the store that
// newStore returns, as an app uses it:
//
//   - ValidateActive validates an active session: one read of the session.
//   - Renew validates an idle session on every iteration (a clock the
//     benchmark controls moves past ActiveExpiresAt each time), so each
//     iteration is one read and one conditional write.
//   - Create creates a session.
//
// newStore is called once per sub-benchmark; opts are as for
// [TestSessionStore].
func BenchmarkSessionStore(b *testing.B, newStore func(b *testing.B) auth.SessionStore, opts ...Option) {
	b.Helper()
	cfg := newConfig(opts)
	for _, bm := range []struct {
		name string
		op   func(ctx context.Context, a *auth.Auth, c *fakeauth.Clock, token string) error
	}{
		{"ValidateActive", func(ctx context.Context, a *auth.Auth, _ *fakeauth.Clock, token string) error {
			s, err := a.ValidateSession(ctx, token)
			if err == nil && s.Fresh {
				return errors.New("ValidateSession renewed an active session")
			}
			return err
		}},
		{"Renew", func(ctx context.Context, a *auth.Auth, c *fakeauth.Clock, token string) error {
			c.Advance(a.Config().ActivePeriod + time.Nanosecond)
			s, err := a.ValidateSession(ctx, token)
			if err == nil && !s.Fresh {
				return errors.New("ValidateSession did not renew an idle session")
			}
			return err
		}},
		{"Create", func(ctx context.Context, a *auth.Auth, _ *fakeauth.Clock, _ string) error {
			_, err := a.CreateSession(ctx, "bench-user")
			return err
		}},
	} {
		b.Run(bm.name, func(b *testing.B) {
			a, c, token := benchSetup(b, newStore(b), cfg)
			ctx := b.Context()
			b.ReportAllocs()
			for b.Loop() {
				if err := bm.op(ctx, a, c, token); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func benchSetup(b *testing.B, s auth.SessionStore, cfg config) (*auth.Auth, *fakeauth.Clock, string) {
	b.Helper()
	// A short active period keeps the clock within int64 nanoseconds for
	// any realistic b.N: each Renew iteration moves it by one second.
	c := fakeauth.NewClock(time.Date(2001, 2, 3, 4, 5, 6, 7, time.UTC))
	a, err := auth.New(s, auth.Config{ActivePeriod: time.Second, IdlePeriod: time.Hour, Clock: c, Argon2: cheapArgon2()})
	if err != nil {
		b.Fatalf("auth.New: %v", err)
	}
	f := newFixture(b, s, cfg)
	f.user("bench-user")
	sess, err := a.CreateSession(b.Context(), "bench-user")
	if err != nil {
		b.Fatalf("CreateSession: %v", err)
	}
	return a, c, sess.Token
}
