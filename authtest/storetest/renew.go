package storetest

import (
	"context"
	"fmt"
	"time"

	"github.com/authkit-dev/authkit/auth"
)

// --- Renew -------------------------------------------------------------------

// renewal returns a Renewal at t: renewed then, active for a day, idle for
// two weeks after.
func renewal(t time.Time) auth.Renewal {
	return auth.Renewal{RenewedAt: t, ActiveExpiresAt: t.Add(24 * time.Hour), IdleExpiresAt: t.Add(15 * 24 * time.Hour)}
}

func renewFixture(f *fixture) auth.SessionRecord {
	f.t.Helper()
	f.user("u1")
	r := session("renew me", "u1")
	f.create(r)
	return r
}

func testRenewUpdates(f *fixture) {
	r := renewFixture(f)
	other := session("bystander", "u1")
	f.create(other)
	ren := renewal(t0().Add(48*time.Hour + 1))
	ok, err := f.s.RenewSession(f.ctx(), r.ID, r.ActiveExpiresAt, ren)
	f.noErr("RenewSession", err)
	if !ok {
		f.t.Fatal("RenewSession with the stored expiry = false, want true")
	}
	r.RenewedAt, r.ActiveExpiresAt, r.IdleExpiresAt = ren.RenewedAt, ren.ActiveExpiresAt, ren.IdleExpiresAt
	f.wantSession(r)
	f.wantSession(other)
	// Renewing again needs the new expiry.
	ren2 := renewal(t0().Add(72 * time.Hour))
	ok, err = f.s.RenewSession(f.ctx(), r.ID, ren.ActiveExpiresAt, ren2)
	f.noErr("RenewSession again", err)
	if !ok {
		f.t.Fatal("RenewSession with the renewed expiry = false, want true")
	}
	r.RenewedAt, r.ActiveExpiresAt, r.IdleExpiresAt = ren2.RenewedAt, ren2.ActiveExpiresAt, ren2.IdleExpiresAt
	f.wantSession(r)
	f.wantUserSessions("u1", r, other)
}

// RenewSession writes RenewedAt and the two expiries, and nothing else:
// not CreatedAt, the absolute expiry, the device or the attributes.
func testRenewKeepsOtherFields(f *fixture) {
	r := renewFixture(f)
	ren := auth.Renewal{
		RenewedAt:       r.ExpiresAt.Add(time.Hour), // past the absolute expiry: the store does not judge
		ActiveExpiresAt: r.ExpiresAt.Add(2 * time.Hour),
		IdleExpiresAt:   r.ExpiresAt.Add(3 * time.Hour),
	}
	ok, err := f.s.RenewSession(f.ctx(), r.ID, r.ActiveExpiresAt, ren)
	f.noErr("RenewSession", err)
	if !ok {
		f.t.Fatal("RenewSession = false, want true")
	}
	want := r
	want.RenewedAt, want.ActiveExpiresAt, want.IdleExpiresAt = ren.RenewedAt, ren.ActiveExpiresAt, ren.IdleExpiresAt
	f.wantSession(want)
	f.wantUserSessions("u1", want)
}

func testRenewStale(f *fixture) {
	r := renewFixture(f)
	ok, err := f.s.RenewSession(f.ctx(), r.ID, r.ActiveExpiresAt.Add(-time.Hour), renewal(t0().Add(72*time.Hour)))
	f.noErr("RenewSession(stale)", err)
	if ok {
		f.t.Error("RenewSession with a stale expiry = true, want false")
	}
	ok, err = f.s.RenewSession(f.ctx(), r.ID, time.Time{}, renewal(t0().Add(72*time.Hour)))
	f.noErr("RenewSession(zero time)", err)
	if ok {
		f.t.Error("RenewSession with the zero time = true, want false")
	}
	f.wantSession(r)
}

func testRenewOneNanosecondOff(f *fixture) {
	r := renewFixture(f)
	for _, old := range []time.Time{r.ActiveExpiresAt.Add(time.Nanosecond), r.ActiveExpiresAt.Add(-time.Nanosecond)} {
		ok, err := f.s.RenewSession(f.ctx(), r.ID, old, renewal(t0().Add(72*time.Hour)))
		f.noErr("RenewSession", err)
		if ok {
			f.t.Errorf("RenewSession(stored %v, old %v) = true, want false", r.ActiveExpiresAt, old)
		}
	}
	f.wantSession(r)
}

func testRenewComparesInstants(f *fixture) {
	r := renewFixture(f)
	ren := renewal(t0().Add(72 * time.Hour))
	ok, err := f.s.RenewSession(f.ctx(), r.ID, r.ActiveExpiresAt.In(zoneB()), ren)
	f.noErr("RenewSession", err)
	if !ok {
		f.t.Errorf("RenewSession(stored expiry in another zone) = false, want true")
	}
	r.RenewedAt, r.ActiveExpiresAt, r.IdleExpiresAt = ren.RenewedAt, ren.ActiveExpiresAt, ren.IdleExpiresAt
	f.wantSession(r)
}

// wantRenewMisses checks that renewing r, a session that is not stored,
// returns false without an error and stores nothing.
func (f *fixture) wantRenewMisses(what string, r auth.SessionRecord) {
	f.t.Helper()
	ok, err := f.s.RenewSession(f.ctx(), r.ID, r.ActiveExpiresAt, renewal(t0().Add(72*time.Hour)))
	f.noErr("RenewSession("+what+")", err)
	if ok {
		f.t.Errorf("RenewSession(%s) = true, want false", what)
	}
	f.wantNoSession(r.ID)
}

func testRenewMissing(f *fixture) {
	f.user("u1")
	f.wantRenewMisses("missing session", session("never created", "u1"))
	f.wantUserSessions("u1")
}

func testRenewAfterDelete(f *fixture) {
	r := renewFixture(f)
	f.noErr("DeleteUserSessions", f.s.DeleteUserSessions(f.ctx(), "u1"))
	f.wantRenewMisses("after DeleteUserSessions", r)
	f.wantUserSessions("u1")
}

// Of 32 concurrent renewals with the same old expiry, exactly one wins,
// and what is stored is the winner's renewal.
func testRenewConcurrent(f *fixture) {
	const callers = 32
	f.raceRounds(3, "concurrent", func(round int, r auth.SessionRecord) {
		oks := make([]bool, callers)
		errs := make([]error, callers)
		ren := func(i int) auth.Renewal { return renewal(t0().Add(48*time.Hour + time.Duration(i))) }
		race(callers, func(i int) {
			oks[i], errs[i] = f.s.RenewSession(context.Background(), r.ID, r.ActiveExpiresAt, ren(i))
		})
		w := ren(f.oneWinner(fmt.Sprintf("round %d: RenewSession", round), oks, errs))
		r.RenewedAt, r.ActiveExpiresAt, r.IdleExpiresAt = w.RenewedAt, w.ActiveExpiresAt, w.IdleExpiresAt
		f.wantSession(r)
	})
}

// Renewals racing a delete never bring the session back.
func testRenewRacingDelete(f *fixture) {
	const renewers = 16
	f.raceRounds(10, "racing", func(round int, r auth.SessionRecord) {
		errs := make([]error, renewers+1)
		race(renewers+1, func(i int) {
			if i == renewers/2 {
				errs[i] = f.s.DeleteSession(context.Background(), r.ID)
				return
			}
			old := r.ActiveExpiresAt
			ren := renewal(t0().Add(48*time.Hour + time.Duration(i)))
			if i%2 == 1 {
				// Chains after a winner: renews a renewed session.
				old = t0().Add(48*time.Hour + time.Duration(i-1)).Add(24 * time.Hour)
			}
			_, errs[i] = f.s.RenewSession(context.Background(), r.ID, old, ren)
		})
		for i, err := range errs {
			if err != nil {
				f.t.Fatalf("round %d: call #%d: %v", round, i, err)
			}
		}
		f.wantNoSession(r.ID)
	})
	f.wantUserSessions("u1")
}
