package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/fakeauth"
)

// This file holds the groups for the session attributes' conditional
// write (Attributes) and for the lifetime rules an Auth applies on the
// store (Lifetime): the absolute lifetime, the browser-session policy,
// "sign out everywhere else" and the end of a session's changes, each at
// its boundary instants with a controlled clock.

func attributeCases() []testCase {
	return []testCase{
		{"Updates", testAttrsUpdates},
		{"NilMatchesOnlyNone", testAttrsNilOld},
		{"StaleOld", testAttrsStale},
		{"OneByteOff", testAttrsOneByteOff},
		{"Remove", testAttrsRemove},
		{"Missing", testAttrsMissing},
		{"AfterDelete", testAttrsAfterDelete},
		{"KeepsOtherFields", testAttrsKeepsOtherFields},
		{"Concurrent", testAttrsConcurrent},
	}
}

func lifetimeCases() []testCase {
	return []testCase{
		{"BrowserSessionRoundTrips", testLifetimeBrowserFlag},
		{"AbsoluteEndMinus1ns", testLifetimeAbsolute(-time.Nanosecond)},
		{"AbsoluteEnd", testLifetimeAbsolute(0)},
		{"AbsoluteEndPlus1ns", testLifetimeAbsolute(time.Nanosecond)},
		{"AbsoluteCutsCreation", testLifetimeAbsoluteAtCreation},
		{"BrowserActiveEndMinus1ns", testLifetimeBrowser(-time.Nanosecond)},
		{"BrowserActiveEnd", testLifetimeBrowser(0)},
		{"BrowserActiveEndPlus1ns", testLifetimeBrowser(time.Nanosecond)},
		{"InvalidateOtherSessions", testLifetimeInvalidateOthers},
		{"AttributesAtIdleEndMinus1ns", testLifetimeAttributesAtEnd(-time.Nanosecond)},
		{"AttributesAtIdleEnd", testLifetimeAttributesAtEnd(0)},
		{"AttributesAtIdleEndPlus1ns", testLifetimeAttributesAtEnd(time.Nanosecond)},
	}
}

// --- Attributes --------------------------------------------------------------

func (f *fixture) setAttrs(r auth.SessionRecord, old, attrs string) bool {
	f.t.Helper()
	ok, err := f.s.UpdateSessionAttributes(f.ctx(), r.ID, raw(old), raw(attrs))
	f.noErr(fmt.Sprintf("UpdateSessionAttributes(%.12s…)", r.ID), err)
	return ok
}

// raw is the JSON of s, or nil for "".
func raw(s string) json.RawMessage {
	if s == "" {
		return nil
	}
	return json.RawMessage(s)
}

// wantAttrsUpdate calls UpdateSessionAttributes on *r with old and attrs
// ("" for nil), wants it to return want, and then the stored session to be
// *r with attrs if it wrote, unchanged if not. It updates *r to match.
func (f *fixture) wantAttrsUpdate(r *auth.SessionRecord, old, attrs string, want bool) {
	f.t.Helper()
	if got := f.setAttrs(*r, old, attrs); got != want {
		f.t.Fatalf("UpdateSessionAttributes(old %s, new %s) on stored %s = %v, want %v", orNil(old), orNil(attrs), orNil(string(r.Attributes)), got, want)
	}
	if want {
		r.Attributes = raw(attrs)
	}
	f.wantSession(*r)
}

// orNil shows the JSON s, or nil for "".
func orNil(s string) string {
	if s == "" {
		return "nil"
	}
	return s
}

func testAttrsUpdates(f *fixture) {
	f.user("u1")
	r := session("attrs", "u1")
	f.create(r)
	f.wantAttrsUpdate(&r, string(r.Attributes), `{"mfa":true,"device":"Ada's phone"}`, true)
	got, err := f.s.GetSession(f.ctx(), r.ID)
	f.noErr("GetSession", err)
	f.wantSameBytes("GetSession after UpdateSessionAttributes", string(r.Attributes), got.Attributes)
}

// A nil old matches a session without attributes only; {} matches only
// {}.
func testAttrsNilOld(f *fixture) {
	f.user("u1")
	plain := expiring("plain", "u1", t0().Add(time.Hour))
	plain.Attributes = nil
	with := session("with", "u1")
	f.create(plain)
	f.create(with)
	f.wantAttrsUpdate(&with, "", `{"x":1}`, false)
	f.wantAttrsUpdate(&plain, `{}`, `{"x":1}`, false)
	f.wantAttrsUpdate(&plain, "", `{"x":1}`, true)
}

// A second writer that read the old attributes loses.
func testAttrsStale(f *fixture) {
	f.user("u1")
	r := session("stale", "u1")
	f.create(r)
	stale := string(r.Attributes)
	f.wantAttrsUpdate(&r, stale, `{"v":2}`, true)
	f.wantAttrsUpdate(&r, stale, `{"v":3}`, false)
}

// The compare is on the bytes: JSON that means the same but is spelled
// differently does not match.
func testAttrsOneByteOff(f *fixture) {
	f.user("u1")
	r := session("one byte", "u1")
	r.Attributes = raw(`{"a":1}`)
	f.create(r)
	for _, old := range []string{`{"a":1} `, `{"a": 1}`, `{"a":2}`, `{"a":1`} {
		f.wantAttrsUpdate(&r, old, `{"b":1}`, false)
	}
}

// New attributes nil remove them; a nil old then matches.
func testAttrsRemove(f *fixture) {
	f.user("u1")
	r := session("remove", "u1")
	f.create(r)
	f.wantAttrsUpdate(&r, string(r.Attributes), "", true)
	f.wantAttrsUpdate(&r, "", `{"back":true}`, true)
}

func testAttrsMissing(f *fixture) {
	ok, err := f.s.UpdateSessionAttributes(f.ctx(), auth.SessionID("never stored"), nil, raw(`{}`))
	f.noErr("UpdateSessionAttributes(missing)", err)
	if ok {
		f.t.Error("UpdateSessionAttributes(missing) = true, want false")
	}
	f.wantNoSession(auth.SessionID("never stored"))
}

func testAttrsAfterDelete(f *fixture) {
	f.user("u1")
	r := session("deleted", "u1")
	f.create(r)
	f.noErr("DeleteSession", f.s.DeleteSession(f.ctx(), r.ID))
	if f.setAttrs(r, string(r.Attributes), `{"x":1}`) {
		f.t.Error("UpdateSessionAttributes after DeleteSession = true, want false")
	}
	f.wantNoSession(r.ID)
}

func testAttrsKeepsOtherFields(f *fixture) {
	f.user("u1")
	r := session("others", "u1")
	r.BrowserSession = true
	f.create(r)
	other := session("neighbour", "u1")
	f.create(other)
	f.wantAttrsUpdate(&r, string(r.Attributes), `{"n":1}`, true)
	f.wantSession(other)
}

func testAttrsConcurrent(f *fixture) {
	const callers = 32
	f.user("u1")
	r := session("concurrent attrs", "u1")
	f.create(r)
	oks := make([]bool, callers)
	errs := make([]error, callers)
	race(callers, func(i int) {
		oks[i], errs[i] = f.s.UpdateSessionAttributes(context.Background(), r.ID, r.Attributes, raw(fmt.Sprintf(`{"writer":%d}`, i)))
	})
	winner := f.oneWinner("UpdateSessionAttributes", oks, errs)
	r.Attributes = raw(fmt.Sprintf(`{"writer":%d}`, winner))
	f.wantSession(r)
}

// --- Lifetime ----------------------------------------------------------------

func testLifetimeBrowserFlag(f *fixture) {
	f.user("u1")
	b := session("browser", "u1")
	b.BrowserSession = true
	p := session("persistent", "u1")
	f.create(b)
	f.create(p)
	f.wantSession(b)
	f.wantSession(p)
	f.wantUserSessions("u1", b, p)
	ok, err := f.s.RenewSession(f.ctx(), b.ID, b.ActiveExpiresAt, renewal(t0().Add(48*time.Hour)))
	f.noErr("RenewSession", err)
	if !ok {
		f.t.Fatal("RenewSession = false, want true")
	}
	got, err := f.s.GetSession(f.ctx(), b.ID)
	f.noErr("GetSession", err)
	if !got.BrowserSession {
		f.t.Error("RenewSession dropped BrowserSession")
	}
}

// lifetimeAuth returns an Auth on the store and the clock it reads, which
// starts at t0, with periods short enough for an absolute lifetime of
// hours to matter (active 1h, idle 10h; browser sessions 10m and 20m) and
// the absolute lifetime maxLifetime (0 for none).
func (f *fixture) lifetimeAuth(maxLifetime time.Duration) (*auth.Auth, *fakeauth.Clock) {
	f.t.Helper()
	c := fakeauth.NewClock(t0())
	a, err := auth.New(f.s, auth.Config{
		Clock: c, Argon2: cheapArgon2(),
		ActivePeriod: time.Hour, IdlePeriod: 10 * time.Hour, MaxLifetime: maxLifetime,
		BrowserSessionActivePeriod: 10 * time.Minute, BrowserSessionIdlePeriod: 20 * time.Minute,
	})
	f.noErr("auth.New", err)
	return a, c
}

// testLifetimeAbsolute creates a session with an absolute lifetime, keeps
// it renewed (each renewal cut to the absolute end), then validates it at
// the absolute end plus off: alive, with no write, up to and including the
// end; dead and deleted 1ns after it.
func testLifetimeAbsolute(off time.Duration) func(f *fixture) {
	return func(f *fixture) {
		ctx := f.ctx()
		f.user("u1")
		a, c := f.lifetimeAuth(3 * time.Hour)
		s, err := a.CreateSession(ctx, "u1")
		f.noErr("Auth.CreateSession", err)
		end := t0().Round(0).Add(3 * time.Hour)
		if !s.ExpiresAt.Equal(end) || !s.IdleExpiresAt.Equal(end) {
			f.t.Fatalf("created: ExpiresAt %v, IdleExpiresAt %v, want both %v (idle cut to the absolute end)", s.ExpiresAt, s.IdleExpiresAt, end)
		}
		// Renew twice, each time 1ns into the idle period.
		for i := range 2 {
			c.Set(s.ActiveExpiresAt.Add(time.Nanosecond))
			s, err = a.ValidateSession(ctx, s.Token)
			f.noErr(fmt.Sprintf("Auth.ValidateSession(renewal %d)", i+1), err)
			if !s.Fresh {
				f.t.Fatalf("renewal %d: not renewed", i+1)
			}
			if s.IdleExpiresAt.After(end) || s.ActiveExpiresAt.After(end) {
				f.t.Fatalf("renewal %d: active %v, idle %v: past the absolute end %v", i+1, s.ActiveExpiresAt, s.IdleExpiresAt, end)
			}
		}
		if !s.ActiveExpiresAt.Equal(end) {
			f.t.Fatalf("after two renewals ActiveExpiresAt = %v, want the absolute end %v", s.ActiveExpiresAt, end)
		}
		f.wantSession(auth.SessionRecord{
			ID: s.ID, UserID: "u1", CreatedAt: t0(), RenewedAt: s.RenewedAt,
			ActiveExpiresAt: end, IdleExpiresAt: end, ExpiresAt: end,
		})
		if ck := a.SessionCookie(s); !ck.Expires.Equal(end) {
			f.t.Errorf("cookie Expires = %v, want the absolute end %v", ck.Expires, end)
		}
		before, err := f.s.GetSession(ctx, s.ID)
		f.noErr("GetSession", err)

		c.Set(end.Add(off))
		got, err := a.ValidateSession(ctx, s.Token)
		listed, lerr := a.UserSessions(ctx, "u1")
		f.noErr("Auth.UserSessions", lerr)
		if off > 0 {
			f.wantErr(fmt.Sprintf("Auth.ValidateSession(absolute end %+v)", off), err, auth.ErrInvalidSession)
			f.wantNoSession(s.ID)
			if len(listed) != 0 {
				f.t.Errorf("Auth.UserSessions after the absolute end: %d sessions, want none", len(listed))
			}
			return
		}
		f.noErr(fmt.Sprintf("Auth.ValidateSession(absolute end %+v)", off), err)
		if got.Fresh || got.State(c.Now()) != auth.StateActive {
			f.t.Errorf("at the absolute end %+v: Fresh %v, state %v; want an active session, not renewed", off, got.Fresh, got.State(c.Now()))
		}
		f.wantSession(before) // no write
		if len(listed) != 1 {
			f.t.Errorf("Auth.UserSessions at the absolute end %+v: %d sessions, want 1", off, len(listed))
		}
	}
}

// A session's own MaxLifetime shorter than its active period cuts both
// expiries at creation.
func testLifetimeAbsoluteAtCreation(f *fixture) {
	ctx := f.ctx()
	f.user("u1")
	a, c := f.lifetimeAuth(3 * time.Hour)
	s, err := a.CreateSessionWith(ctx, "u1", auth.SessionOptions{MaxLifetime: 30 * time.Minute})
	f.noErr("Auth.CreateSessionWith", err)
	end := t0().Round(0).Add(30 * time.Minute)
	f.wantSession(auth.SessionRecord{
		ID: s.ID, UserID: "u1", CreatedAt: t0(), RenewedAt: t0(),
		ActiveExpiresAt: end, IdleExpiresAt: end, ExpiresAt: end,
	})
	c.Set(end.Add(time.Nanosecond))
	_, err = a.ValidateSession(ctx, s.Token)
	f.wantErr("Auth.ValidateSession(1ns after a 30m lifetime)", err, auth.ErrInvalidSession)
}

// testLifetimeBrowser validates a browser session at the end of its
// (browser-session) active period plus off: active with no write up to
// the end; renewed 1ns after, with the browser-session periods and the
// policy kept in the store.
func testLifetimeBrowser(off time.Duration) func(f *fixture) {
	return func(f *fixture) {
		ctx := f.ctx()
		f.user("u1")
		a, c := f.lifetimeAuth(0)
		s, err := a.CreateSessionWith(ctx, "u1", auth.SessionOptions{BrowserSession: true, UserAgent: "storetest"})
		f.noErr("Auth.CreateSessionWith", err)
		activeEnd := t0().Round(0).Add(10 * time.Minute)
		want := auth.SessionRecord{
			ID: s.ID, UserID: "u1", CreatedAt: t0(), RenewedAt: t0(),
			ActiveExpiresAt: activeEnd, IdleExpiresAt: activeEnd.Add(20 * time.Minute),
			UserAgent: "storetest", BrowserSession: true,
		}
		f.wantSession(want)
		if ck := a.SessionCookie(s); !ck.Expires.IsZero() || ck.MaxAge != 0 {
			f.t.Errorf("browser session cookie: Expires %v, Max-Age %d; want neither", ck.Expires, ck.MaxAge)
		}

		c.Set(activeEnd.Add(off))
		got, err := a.ValidateSession(ctx, s.Token)
		f.noErr(fmt.Sprintf("Auth.ValidateSession(browser active end %+v)", off), err)
		if off <= 0 {
			if got.Fresh {
				f.t.Errorf("at the active end %+v: renewed, want active with no write", off)
			}
			f.wantSession(want)
			return
		}
		if !got.Fresh || !got.BrowserSession {
			f.t.Fatalf("1ns after the active end: Fresh %v, BrowserSession %v; want a renewed browser session", got.Fresh, got.BrowserSession)
		}
		now := c.Now().Round(0)
		want.RenewedAt, want.ActiveExpiresAt, want.IdleExpiresAt = now, now.Add(10*time.Minute), now.Add(30*time.Minute)
		f.wantSession(want)
		if ck := a.SessionCookie(got); !ck.Expires.IsZero() || ck.MaxAge != 0 {
			f.t.Errorf("renewed browser session cookie: Expires %v, Max-Age %d; want neither", ck.Expires, ck.MaxAge)
		}
	}
}

func testLifetimeInvalidateOthers(f *fixture) {
	ctx := f.ctx()
	f.user("u1")
	f.user("u2")
	a, _ := f.lifetimeAuth(3 * time.Hour)
	var mine []*auth.Session
	for range 4 {
		s, err := a.CreateSession(ctx, "u1")
		f.noErr("Auth.CreateSession", err)
		mine = append(mine, s)
	}
	theirs, err := a.CreateSession(ctx, "u2")
	f.noErr("Auth.CreateSession", err)
	f.noErr("Auth.InvalidateOtherSessions", a.InvalidateOtherSessions(ctx, "u1", mine[1].ID))
	f.wantUserSessions("u2", auth.SessionRecord{
		ID: theirs.ID, UserID: "u2", CreatedAt: t0(), RenewedAt: t0(),
		ActiveExpiresAt: theirs.ActiveExpiresAt, IdleExpiresAt: theirs.IdleExpiresAt, ExpiresAt: theirs.ExpiresAt,
	})
	for i, s := range mine {
		_, err := a.ValidateSession(ctx, s.Token)
		if i == 1 {
			f.noErr("Auth.ValidateSession(kept session)", err)
			continue
		}
		f.wantErr(fmt.Sprintf("Auth.ValidateSession(other session %d)", i), err, auth.ErrInvalidSession)
	}
	if _, err := a.ValidateSession(ctx, theirs.Token); err != nil {
		f.t.Errorf("Auth.ValidateSession(another user's session): %v", err)
	}
}

// testLifetimeAttributesAtEnd changes a session's attributes through an
// Auth at the end of its idle period plus off: written up to and
// including the end; 1ns after it the session is dead (though not yet
// swept), and the update is refused with the error of a session that is
// gone, the stored record unchanged.
func testLifetimeAttributesAtEnd(off time.Duration) func(f *fixture) {
	return func(f *fixture) {
		ctx := f.ctx()
		f.user("u1")
		a, c := f.lifetimeAuth(0)
		s, err := a.CreateSessionWith(ctx, "u1", auth.SessionOptions{Attributes: map[string]any{"v": 1}})
		f.noErr("Auth.CreateSessionWith", err)
		before, err := f.s.GetSession(ctx, s.ID)
		f.noErr("GetSession", err)

		c.Set(s.IdleExpiresAt.Add(off))
		got, err := a.UpdateSessionAttributes(ctx, s, map[string]any{"v": 2})
		if off <= 0 {
			f.noErr(fmt.Sprintf("Auth.UpdateSessionAttributes(idle end %+v)", off), err)
			want := before
			want.Attributes = raw(`{"v":2}`)
			f.wantSession(want)
			f.wantSameBytes("Auth.UpdateSessionAttributes result", `{"v":2}`, got.Attributes)
			return
		}
		f.wantErr(fmt.Sprintf("Auth.UpdateSessionAttributes(idle end %+v)", off), err, auth.ErrInvalidSession)
		f.wantSession(before)

		gone, gerr := a.CreateSession(ctx, "u1")
		f.noErr("Auth.CreateSession", gerr)
		f.noErr("Auth.InvalidateSession", a.InvalidateSession(ctx, gone.ID))
		_, want := a.UpdateSessionAttributes(ctx, gone, map[string]any{"v": 2})
		if want == nil || err.Error() != want.Error() {
			f.t.Errorf("Auth.UpdateSessionAttributes on a dead session: error %q, want %v (that of a session that is gone)", err, want)
		}
	}
}
