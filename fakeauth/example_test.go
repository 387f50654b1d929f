package fakeauth_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authrequest"
	"github.com/authkit-dev/authkit/fakeauth"
)

// A test puts a session in the state it needs, sends it, and reads the
// call log to see what the store did.
func Example() {
	ctx := context.Background()
	f, _ := fakeauth.New()
	_, s, _ := f.SeedUserSession(ctx, fakeauth.Idle)

	r := httptest.NewRequest("GET", "/", nil)
	r.AddCookie(f.Auth.SessionCookie(s))
	got, _ := authrequest.New(f.Auth, httptest.NewRecorder(), r).Session()
	fmt.Println("renewed:", got.Fresh)
	for _, c := range f.Store.Calls() {
		fmt.Println(c.Op, c.Wrote)
	}
	// Output:
	// renewed: true
	// GetSession false
	// RenewSession true
}

// Fault injection aims at one store operation: here the renewal write
// fails once, and the session is kept.
func ExampleStore_FailNext() {
	ctx := context.Background()
	f, _ := fakeauth.New()
	_, s, _ := f.SeedUserSession(ctx, fakeauth.Idle)
	f.Store.FailNext(fakeauth.OpRenewSession, 1, nil)

	_, err := f.Auth.ValidateSession(ctx, s.Token)
	fmt.Println(err)
	_, err = f.Auth.ValidateSession(ctx, s.Token)
	fmt.Println(err)
	// Output:
	// auth: store failure: renew session: RenewSession: fakeauth: injected store failure
	// <nil>
}

// Each fake has its own clock; moving it moves every lifetime decision.
func ExampleClock() {
	ctx := context.Background()
	f, _ := fakeauth.New()
	_, s, _ := f.SeedUserSession(ctx, fakeauth.Active)
	f.Clock.Advance(15*24*60*60*1e9 + 1) // 15 days and 1ns: past the idle period
	_, err := f.Auth.ValidateSession(ctx, s.Token)
	fmt.Println(f.Clock.Now().Format("2006-01-02"), err)
	// Output:
	// 2026-01-16 auth: invalid session: expired
}

// One fake serves many cases: Reset empties its store and puts the
// clock back between them.
func ExampleFake_Reset() {
	ctx := context.Background()
	f, _ := fakeauth.New()
	_, s, _ := f.SeedUserSession(ctx, fakeauth.Active)
	f.Clock.Advance(time.Hour)

	err := f.Reset(ctx)
	_, stored, _ := f.StoredSession(ctx, s.ID)
	fmt.Println(err, stored, f.Clock.Now().Equal(f.Start()))
	// Output:
	// <nil> false true
}

// The absolute-lifetime states put a session, kept renewed since its
// sign-in, on either side of its absolute end.
func ExampleFake_SeedSession_absoluteLifetime() {
	ctx := context.Background()
	f, _ := fakeauth.New(fakeauth.WithConfig(auth.Config{MaxLifetime: 7 * 24 * time.Hour}))
	u, _ := f.SeedUser(ctx, "ada", "pw")
	for _, st := range []fakeauth.State{fakeauth.AbsoluteEnd, fakeauth.AbsoluteEndPlus1} {
		s, _ := f.SeedSession(ctx, u.ID, st)
		_, err := f.Auth.ValidateSession(ctx, s.Token)
		fmt.Printf("%s: renewed since sign-in %v, valid %v\n", st, s.RenewedAt.After(s.CreatedAt), err == nil)
	}
	// Output:
	// absolute-end: renewed since sign-in true, valid true
	// absolute-end+1ns: renewed since sign-in true, valid false
}
