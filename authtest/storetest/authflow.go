package storetest

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/google/go-cmp/cmp"
)

// --- Auth --------------------------------------------------------------------

func testAuthTokensNotStored(f *fixture) {
	ctx := f.ctx()
	f.user("u1")
	c := fakeauth.NewClock(t0())
	a := newAuth(f.t, f.s, c)
	sess, err := a.CreateSessionWith(ctx, "u1", auth.SessionOptions{
		UserAgent: "storetest", ClientIP: "2001:db8::2", Attributes: map[string]any{"device": "phone"},
	})
	f.noErr("Auth.CreateSessionWith", err)
	if _, err := a.ValidateSession(ctx, sess.Token); err != nil {
		f.t.Fatalf("Auth.ValidateSession: %v", err)
	}
	c.Advance(a.Config().ActivePeriod + time.Second) // idle: renewal writes too
	renewed, err := a.ValidateSession(ctx, sess.Token)
	f.noErr("Auth.ValidateSession(idle)", err)

	recs, err := f.s.UserSessions(ctx, "u1")
	f.noErr("UserSessions", err)
	want := []auth.SessionRecord{{
		ID: auth.SessionID(sess.Token), UserID: "u1",
		CreatedAt: sess.CreatedAt, RenewedAt: renewed.RenewedAt,
		ActiveExpiresAt: renewed.ActiveExpiresAt, IdleExpiresAt: renewed.IdleExpiresAt,
		UserAgent: "storetest", ClientIP: "2001:db8::2", Attributes: json.RawMessage(`{"device":"phone"}`),
	}}
	if diff := cmp.Diff(want, recs, cmpOpts); diff != "" {
		f.t.Errorf("UserSessions after Auth.CreateSessionWith mismatch (-want +got):\n%s", diff)
	}
	for _, r := range recs {
		if strings.Contains(fmt.Sprintf("%+v %s", r, r.Attributes), sess.Token) {
			f.t.Errorf("stored session record contains the token")
		}
	}
	_, err = f.s.GetSession(ctx, sess.Token)
	f.wantErr("GetSession(token instead of ID)", err, auth.ErrNotFound)
}

func testAuthLifecycle(f *fixture) {
	ctx := f.ctx()
	f.user("u1")
	c := fakeauth.NewClock(t0())
	a := newAuth(f.t, f.s, c)
	sess, err := a.CreateSession(ctx, "u1")
	f.noErr("Auth.CreateSession", err)
	f.wantSession(auth.SessionRecord{
		ID: sess.ID, UserID: "u1", CreatedAt: t0(), RenewedAt: t0(),
		ActiveExpiresAt: sess.ActiveExpiresAt, IdleExpiresAt: sess.IdleExpiresAt,
	})

	c.Advance(a.Config().ActivePeriod + time.Nanosecond)
	renewed, err := a.ValidateSession(ctx, sess.Token)
	f.noErr("Auth.ValidateSession(idle)", err)
	if !renewed.Fresh || !renewed.ActiveExpiresAt.After(sess.ActiveExpiresAt) {
		f.t.Errorf("idle session not renewed: before %v, after %v (Fresh %v)", sess.ActiveExpiresAt, renewed.ActiveExpiresAt, renewed.Fresh)
	}
	f.wantSession(auth.SessionRecord{
		ID: sess.ID, UserID: "u1", CreatedAt: t0(), RenewedAt: c.Now(),
		ActiveExpiresAt: renewed.ActiveExpiresAt, IdleExpiresAt: renewed.IdleExpiresAt,
	})

	again, err := a.ValidateSession(ctx, sess.Token)
	f.noErr("Auth.ValidateSession(active)", err)
	if again.Fresh {
		f.t.Error("active session validated as Fresh")
	}

	c.Advance(a.Config().ActivePeriod + a.Config().IdlePeriod + time.Nanosecond)
	_, err = a.ValidateSession(ctx, sess.Token)
	f.wantErr("Auth.ValidateSession(dead)", err, auth.ErrInvalidSession)
	f.wantNoSession(sess.ID)
}

func testAuthSweep(f *fixture) {
	ctx := f.ctx()
	f.user("u1")
	c := fakeauth.NewClock(t0())
	a, err := auth.New(f.s, auth.Config{Clock: c, Argon2: cheapArgon2(), SweepBatch: 4})
	f.noErr("auth.New", err)
	var old []*auth.Session
	for range 10 {
		s, err := a.CreateSession(ctx, "u1")
		f.noErr("Auth.CreateSession", err)
		old = append(old, s)
	}
	c.Advance(a.Config().ActivePeriod + a.Config().IdlePeriod + time.Nanosecond)
	fresh, err := a.CreateSession(ctx, "u1")
	f.noErr("Auth.CreateSession", err)
	n, err := a.DeleteExpiredSessions(ctx)
	f.noErr("Auth.DeleteExpiredSessions", err)
	if n != len(old) {
		f.t.Errorf("Auth.DeleteExpiredSessions = %d, want %d", n, len(old))
	}
	for _, s := range old {
		f.wantNoSession(s.ID)
	}
	if _, err := a.ValidateSession(ctx, fresh.Token); err != nil {
		f.t.Errorf("Auth.ValidateSession(live session after the sweep): %v", err)
	}
}
