package testservices

import (
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/fakeauth"
)

// CheckUpgradedPolicy checks a store just upgraded to the schema that
// records a session's lifetime policy: the session of token, stored
// before, is persistent and keeps its device; a new browser session keeps
// its policy through a renewal. The user "u1" must exist.
func CheckUpgradedPolicy(t testing.TB, s auth.SessionStore, token string) {
	t.Helper()
	ctx := t.Context()
	clock := fakeauth.NewClock(time.Now())
	a := NewAuth(t, s, clock)
	old, err := a.ValidateSession(ctx, token)
	if err != nil {
		t.Fatalf("ValidateSession(session stored before the upgrade): %v", err)
	}
	if old.BrowserSession || old.UserAgent != "old browser" {
		t.Errorf("session stored before the upgrade: BrowserSession %v, UserAgent %q; want a persistent session of \"old browser\"", old.BrowserSession, old.UserAgent)
	}
	b, err := a.CreateSessionWith(ctx, "u1", auth.SessionOptions{BrowserSession: true})
	if err != nil {
		t.Fatalf("CreateSessionWith(browser session) after the upgrade: %v", err)
	}
	clock.Advance(b.ActiveExpiresAt.Sub(clock.Now()) + time.Nanosecond)
	renewed, err := a.ValidateSession(ctx, b.Token)
	if err != nil {
		t.Fatalf("ValidateSession(idle browser session): %v", err)
	}
	if !renewed.Fresh || !renewed.BrowserSession {
		t.Errorf("idle browser session after the upgrade: Fresh %v, BrowserSession %v; want renewed, still a browser session", renewed.Fresh, renewed.BrowserSession)
	}
}
