package auth_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
)

// fixedClock is a clock that reads what the example sets.
type fixedClock struct{ t time.Time }

func (c *fixedClock) Now() time.Time { return c.t }

// A session is active for a day, then idle for two weeks; validating an
// idle session renews it in place.
func Example() {
	ctx := context.Background()
	clock := &fixedClock{t: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)}
	a, err := auth.New(memstore.New(), auth.Config{Clock: clock})
	if err != nil {
		panic(err)
	}
	user, _ := a.CreateUser(ctx, auth.NewUser{Attributes: map[string]any{"username": "ada"}})
	s, _ := a.CreateSession(ctx, user.ID)
	fmt.Println("created, active until", s.ActiveExpiresAt.Format(time.DateTime))

	clock.t = clock.t.Add(30 * time.Hour) // past the active period
	s, _ = a.ValidateSession(ctx, s.Token)
	fmt.Println("renewed:", s.Fresh, "active until", s.ActiveExpiresAt.Format(time.DateTime))

	clock.t = clock.t.Add(30 * 24 * time.Hour) // past the idle period too
	_, err = a.ValidateSession(ctx, s.Token)
	fmt.Println("a month later:", errors.Is(err, auth.ErrInvalidSession))
	// Output:
	// created, active until 2026-01-02 09:00:00
	// renewed: true active until 2026-01-03 15:00:00
	// a month later: true
}

// A sign-up creates the user and its password key in one step; a sign-in
// checks the password with UseKey.
func ExampleAuth_UseKey() {
	ctx := context.Background()
	a, _ := auth.New(memstore.New(), auth.Config{})
	_, err := a.CreateUser(ctx, auth.NewUser{
		Attributes: map[string]any{"username": "ada"},
		Key:        &auth.NewKey{ProviderID: "username", ProviderUserID: "ada", Password: "correct horse battery"},
	})
	if err != nil {
		panic(err)
	}
	_, err = a.UseKey(ctx, "username", "ada", "wrong")
	fmt.Println("wrong password:", errors.Is(err, auth.ErrInvalidPassword))
	key, err := a.UseKey(ctx, "username", "ada", "correct horse battery")
	fmt.Println("right password:", err == nil, key.HasPassword)
	// Output:
	// wrong password: true
	// right password: true true
}

// The session cookie follows the session's idle expiry; the blank cookie
// clears it.
func ExampleAuth_SessionCookie() {
	ctx := context.Background()
	clock := &fixedClock{t: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)}
	a, _ := auth.New(memstore.New(), auth.Config{Clock: clock, Cookie: auth.CookieConfig{Name: "__Host-session"}})
	user, _ := a.CreateUser(ctx, auth.NewUser{})
	s, _ := a.CreateSession(ctx, user.ID)
	c := a.SessionCookie(s)
	fmt.Println(c.Name, c.MaxAge, c.HttpOnly, c.Secure, c.Expires.Format(time.DateTime))
	fmt.Println(a.BlankSessionCookie())
	// Output:
	// __Host-session 1296000 true true 2026-01-16 09:00:00
	// __Host-session=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; Secure; SameSite=Lax
}

// A user reviews their devices and signs one out.
func ExampleAuth_UserSessions() {
	ctx := context.Background()
	a, _ := auth.New(memstore.New(), auth.Config{})
	user, _ := a.CreateUser(ctx, auth.NewUser{})
	laptop, _ := a.CreateSession(ctx, user.ID)
	a.CreateSession(ctx, user.ID) // a phone
	devices, _ := a.UserSessions(ctx, user.ID)
	fmt.Println(len(devices), "devices")
	a.InvalidateSession(ctx, laptop.ID)
	devices, _ = a.UserSessions(ctx, user.ID)
	fmt.Println(len(devices), "device")
	// Output:
	// 2 devices
	// 1 device
}

// With an absolute lifetime, a session ends a fixed time after sign-in
// however often it is renewed: renewal never extends it past ExpiresAt.
func ExampleConfig_maxLifetime() {
	ctx := context.Background()
	clock := &fixedClock{t: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)}
	a, _ := auth.New(memstore.New(), auth.Config{Clock: clock, MaxLifetime: 36 * time.Hour})
	user, _ := a.CreateUser(ctx, auth.NewUser{})
	s, _ := a.CreateSession(ctx, user.ID)
	fmt.Println("ends at", s.ExpiresAt.Format(time.DateTime))

	clock.t = clock.t.Add(25 * time.Hour) // idle: renewed, cut to the end
	s, _ = a.ValidateSession(ctx, s.Token)
	fmt.Println("renewed, active until", s.ActiveExpiresAt.Format(time.DateTime))

	clock.t = s.ExpiresAt.Add(time.Nanosecond)
	_, err := a.ValidateSession(ctx, s.Token)
	fmt.Println("1ns after the end:", errors.Is(err, auth.ErrInvalidSession))
	// Output:
	// ends at 2026-01-02 21:00:00
	// renewed, active until 2026-01-02 21:00:00
	// 1ns after the end: true
}

// Session attributes change with a conditional write: of two writers
// that read the same attributes, the second gets ErrSessionChanged
// instead of silently undoing the first.
func ExampleAuth_UpdateSessionAttributes() {
	ctx := context.Background()
	a, _ := auth.New(memstore.New(), auth.Config{})
	user, _ := a.CreateUser(ctx, auth.NewUser{})
	s, _ := a.CreateSessionWith(ctx, user.ID, auth.SessionOptions{Attributes: map[string]any{"mfa": false}})

	passed, err := a.UpdateSessionAttributes(ctx, s, map[string]any{"mfa": true})
	fmt.Println(string(passed.Attributes), err)
	_, err = a.UpdateSessionAttributes(ctx, s, map[string]any{"device": "phone"}) // s is stale now
	fmt.Println(errors.Is(err, auth.ErrSessionChanged))
	// Output:
	// {"mfa":true} <nil>
	// true
}

// "Sign out everywhere else": every session of the user but the current
// one is deleted.
func ExampleAuth_InvalidateOtherSessions() {
	ctx := context.Background()
	a, _ := auth.New(memstore.New(), auth.Config{})
	user, _ := a.CreateUser(ctx, auth.NewUser{})
	current, _ := a.CreateSession(ctx, user.ID)
	for range 3 {
		a.CreateSession(ctx, user.ID)
	}
	before, _ := a.UserSessions(ctx, user.ID)
	_ = a.InvalidateOtherSessions(ctx, user.ID, current.ID)
	left, _ := a.UserSessions(ctx, user.ID)
	fmt.Println(len(before), "sessions before;", len(left), "left, the current one:", left[0].ID == current.ID)
	// Output: 4 sessions before; 1 left, the current one: true
}

// A browser session (no "remember me") has a cookie without Expires or
// Max-Age and the shorter browser-session periods; renewal keeps both.
func ExampleSessionOptions_browserSession() {
	ctx := context.Background()
	a, _ := auth.New(memstore.New(), auth.Config{})
	user, _ := a.CreateUser(ctx, auth.NewUser{})
	s, _ := a.CreateSessionWith(ctx, user.ID, auth.SessionOptions{BrowserSession: true})
	c := a.SessionCookie(s)
	fmt.Println("cookie expiry:", !c.Expires.IsZero() || c.MaxAge != 0)
	fmt.Println("active for:", s.ActiveExpiresAt.Sub(s.CreatedAt))
	// Output:
	// cookie expiry: false
	// active for: 1h0m0s
}

// A cookie of the app's own (a sign-in flow's, say) is checked against the
// rules of its name's prefix, which browsers match in any case.
func ExampleCheckCookiePrefix() {
	flow := &http.Cookie{Name: "__host-flow", Path: "/", Domain: "example.com", Secure: true}
	fmt.Println(auth.CheckCookiePrefix(flow))
	flow.Domain = ""
	fmt.Println(auth.CheckCookiePrefix(flow))
	// Output:
	// auth: cookie "__host-flow" has the __Host- prefix: it must be Secure, with Path "/" and no Domain, or browsers refuse it
	// <nil>
}

// An emailed link and code: issue both, send them, redeem one. The store
// keeps neither, and each works once.
func ExampleAuth_IssueToken() {
	ctx := context.Background()
	clock := &fixedClock{t: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)}
	a, err := auth.New(memstore.NewSessions(), auth.Config{Clock: clock})
	if err != nil {
		panic(err)
	}
	it, err := a.IssueToken(ctx, auth.NewToken{
		Purpose: "verify-email", UserID: "app-user-7", Address: "ada@example.com", Code: true,
	})
	if err != nil {
		panic(err)
	}
	// Send "https://example.com/verify?token="+it.Token and it.Code to it.Address.
	fmt.Println("valid until", it.ExpiresAt.Format(time.DateTime), "code digits:", len(it.Code))

	clock.t = clock.t.Add(10 * time.Minute)
	t, err := a.ConsumeCode(ctx, "verify-email", "app-user-7", it.Code)
	fmt.Println("verified:", t.Address, err)

	_, err = a.ConsumeToken(ctx, "verify-email", it.Token)
	fmt.Println("link after the code:", errors.Is(err, auth.ErrInvalidToken))
	// Output:
	// valid until 2026-01-01 09:15:00 code digits: 8
	// verified: ada@example.com <nil>
	// link after the code: true
}

// Counting sign-in attempts per address in a fixed window, in the store,
// so that every app server counts the same ones.
func ExampleAuth_CountAttempt() {
	ctx := context.Background()
	clock := &fixedClock{t: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)}
	a, err := auth.New(memstore.New(), auth.Config{Clock: clock})
	if err != nil {
		panic(err)
	}
	for range 3 {
		n, resetAt, _ := a.CountAttempt(ctx, "sign-in:ip:192.0.2.1", 15*time.Minute)
		fmt.Println(n, "until", resetAt.Format(time.TimeOnly))
	}
	clock.t = clock.t.Add(16 * time.Minute)
	n, _, _ := a.CountAttempt(ctx, "sign-in:ip:192.0.2.1", 15*time.Minute)
	fmt.Println("next window:", n)
	// Output:
	// 1 until 09:15:00
	// 2 until 09:15:00
	// 3 until 09:15:00
	// next window: 1
}
