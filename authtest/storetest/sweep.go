package storetest

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/google/go-cmp/cmp"
)

// --- Sweep -------------------------------------------------------------------

func testSweepBoundary(now time.Time) func(f *fixture) {
	return func(f *fixture) {
		f.user("u1")
		f.user("u2")
		mk := func(name, user string, idle time.Time) auth.SessionRecord {
			r := expiring(name, user, idle)
			f.create(r)
			return r
		}
		gone := []auth.SessionRecord{
			mk("1ns before", "u1", now.Add(-time.Nanosecond).In(zoneA())),
			mk("1s before", "u2", now.Add(-time.Second)),
			mk("far past", "u1", time.Date(1800, 1, 1, 0, 0, 0, 0, time.UTC)),
		}
		kept := []auth.SessionRecord{
			mk("at now", "u1", now.In(zoneB())),
			mk("1ns after", "u2", now.Add(time.Nanosecond)),
			mk("1s after", "u1", now.Add(time.Second)),
			mk("far future", "u2", time.Date(2199, 1, 1, 0, 0, 0, 0, time.UTC)),
		}
		n, err := f.s.DeleteExpiredSessions(f.ctx(), now, 100)
		f.noErr("DeleteExpiredSessions", err)
		if n != len(gone) {
			f.t.Errorf("DeleteExpiredSessions(%v, 100) = %d, want %d (IdleExpiresAt strictly before now)", now, n, len(gone))
		}
		for _, r := range gone {
			f.wantNoSession(r.ID)
		}
		for _, r := range kept {
			f.wantSession(r)
		}
		f.wantUserSessions("u1", kept[0], kept[2])
		f.wantUserSessions("u2", kept[1], kept[3])

		n, err = f.s.DeleteExpiredSessions(f.ctx(), now, 100)
		f.noErr("DeleteExpiredSessions again", err)
		if n != 0 {
			f.t.Errorf("DeleteExpiredSessions again = %d, want 0", n)
		}
		for _, r := range kept {
			f.wantSession(r)
		}
		if f.us != nil {
			f.wantUser(userRecord("u1"))
		}
	}
}

// sweepFixture stores expired sessions (idle expiry before t0) and live
// ones over three users.
func sweepFixture(f *fixture, expired, live int) (gone, kept []auth.SessionRecord) {
	f.t.Helper()
	users := []string{"u1", "u2", "u3"}
	for _, u := range users {
		f.user(u)
	}
	for i := range expired {
		r := expiring(fmt.Sprint("expired ", i), users[i%3], t0().Add(-time.Duration(i+1)*time.Minute))
		f.create(r)
		gone = append(gone, r)
	}
	for i := range live {
		r := expiring(fmt.Sprint("live ", i), users[i%3], t0().Add(time.Duration(i)*time.Minute))
		f.create(r)
		kept = append(kept, r)
	}
	return gone, kept
}

// One step deletes at most limit sessions, and fewer than limit only when
// no more are expired (Auth stops the sweep on a short step).
func testSweepLimit(f *fixture) {
	gone, kept := sweepFixture(f, 7, 3)
	for _, step := range []struct{ limit, want int }{{3, 3}, {1, 1}, {2, 2}, {5, 1}, {5, 0}} {
		n, err := f.s.DeleteExpiredSessions(f.ctx(), t0(), step.limit)
		f.noErr("DeleteExpiredSessions", err)
		if n != step.want {
			f.t.Fatalf("DeleteExpiredSessions(t0(), limit %d) = %d, want %d", step.limit, n, step.want)
		}
	}
	for _, r := range gone {
		f.wantNoSession(r.ID)
	}
	for _, r := range kept {
		f.wantSession(r)
	}
}

// Steps of 500 (Auth's default) finish a sweep of 1,234 expired sessions
// among live ones.
func testSweepSteps(f *fixture) {
	const expired, limit = 1234, 500
	gone, kept := sweepFixture(f, expired, 50)
	var steps []int
	total := 0
	for range expired/limit + 2 {
		n, err := f.s.DeleteExpiredSessions(f.ctx(), t0(), limit)
		f.noErr("DeleteExpiredSessions", err)
		if n > limit {
			f.t.Fatalf("DeleteExpiredSessions(limit %d) = %d", limit, n)
		}
		steps = append(steps, n)
		total += n
		if n < limit {
			break
		}
	}
	if want := []int{500, 500, 234}; !cmp.Equal(steps, want) {
		f.t.Errorf("sweep steps = %v, want %v", steps, want)
	}
	if total != expired {
		f.t.Errorf("sweep deleted %d, want %d", total, expired)
	}
	for _, r := range gone[:10] {
		f.wantNoSession(r.ID)
	}
	for _, r := range kept {
		f.wantSession(r)
	}
	for _, u := range []string{"u1", "u2", "u3"} {
		var want []auth.SessionRecord
		for _, r := range kept {
			if r.UserID == u {
				want = append(want, r)
			}
		}
		f.wantUserSessions(u, want...)
	}
}

// A step whose context ends part way through reports the sessions it
// deleted before it stopped, error or not: what it returns plus what is
// left adds up to what was expired, whenever it is cancelled (a store that
// deletes in several round trips must count the replies of those that
// ran).
func testSweepCancelled(f *fixture) {
	const expired = 150
	f.user("u1")
	for round, after := range []time.Duration{time.Millisecond, 4 * time.Millisecond, 16 * time.Millisecond} {
		ids := make([]string, 0, expired)
		for i := range expired {
			r := expiring(fmt.Sprintf("cancelled sweep %d/%d", round, i), "u1", t0().Add(-time.Duration(i+1)*time.Second))
			f.create(r)
			ids = append(ids, r.ID)
		}
		ctx, cancel := context.WithTimeout(f.ctx(), after)
		n, err := f.s.DeleteExpiredSessions(ctx, t0(), expired)
		cancel()
		left := 0
		for _, id := range ids {
			_, gerr := f.s.GetSession(f.ctx(), id)
			switch {
			case gerr == nil:
				left++
			case !isNotFound(gerr):
				f.t.Fatalf("GetSession: %v", gerr)
			}
		}
		if n != expired-left {
			f.t.Errorf("DeleteExpiredSessions cancelled after %v = %d, %v; but %d of the %d expired sessions are gone", after, n, err, expired-left, expired)
		}
		// Finish the sweep before the next round.
		for {
			n, err := f.s.DeleteExpiredSessions(f.ctx(), t0(), 500)
			f.noErr("DeleteExpiredSessions", err)
			if n < 500 {
				break
			}
		}
	}
}

// Sweeps running at once (app servers sweeping one backend) fail none and
// count each session once: what they report, plus what a last sweep finds
// left (a sweeper may stop early on a step another one raced), adds up to
// the expired sessions, and the live ones stay.
func testSweepConcurrent(f *fixture) {
	const expired, limit, sweepers = 300, 7, 4
	gone, kept := sweepFixture(f, expired, 10)
	var total atomic.Int64
	errs := make([]error, sweepers)
	race(sweepers, func(i int) {
		for {
			n, err := f.s.DeleteExpiredSessions(context.Background(), t0(), limit)
			if err != nil {
				errs[i] = err
				return
			}
			if n > limit {
				errs[i] = fmt.Errorf("DeleteExpiredSessions(limit %d) = %d", limit, n)
				return
			}
			total.Add(int64(n))
			if n < limit {
				return
			}
		}
	})
	for i, err := range errs {
		f.noErr(fmt.Sprintf("sweeper #%d", i), err)
	}
	for {
		n, err := f.s.DeleteExpiredSessions(f.ctx(), t0(), limit)
		f.noErr("DeleteExpiredSessions after the race", err)
		total.Add(int64(n))
		if n < limit {
			break
		}
	}
	if got := total.Load(); got != expired {
		f.t.Errorf("concurrent sweeps reported %d deleted in all, want %d (each session once)", got, expired)
	}
	for _, r := range gone[:10] {
		f.wantNoSession(r.ID)
	}
	for _, r := range kept {
		f.wantSession(r)
	}
}

// The sweep goes by IdleExpiresAt alone: a session past its active expiry
// (idle) is kept, as is one whose absolute expiry is past but whose idle
// expiry is not (Auth never stores that, but the store does not judge).
func testSweepOnlyIdle(f *fixture) {
	f.user("u1")
	idle := expiring("idle", "u1", t0().Add(time.Hour))
	idle.ActiveExpiresAt = t0().Add(-time.Hour)
	odd := expiring("absolute past", "u1", t0().Add(time.Hour))
	odd.ExpiresAt = t0().Add(-time.Hour)
	dead := expiring("dead", "u1", t0().Add(-time.Nanosecond))
	dead.ExpiresAt = t0().Add(time.Hour)
	for _, r := range []auth.SessionRecord{idle, odd, dead} {
		f.create(r)
	}
	f.wantSwept("t0", t0(), 10, 1)
	f.wantSession(idle)
	f.wantSession(odd)
	f.wantNoSession(dead.ID)
}

// The sweep reads the renewed expiry, not the one at creation: a store
// that indexes expiries keeps its index in step with RenewSession.
func testSweepFollowsRenewal(f *fixture) {
	f.user("u1")
	past, future := t0().Add(-time.Hour), t0().Add(time.Hour)
	saved := expiring("saved", "u1", past)
	doomed := expiring("doomed", "u1", future)
	f.create(saved)
	f.create(doomed)
	for _, c := range []struct {
		r    *auth.SessionRecord
		idle time.Time
	}{{&saved, future}, {&doomed, past}} {
		ren := auth.Renewal{RenewedAt: c.idle.Add(-time.Hour), ActiveExpiresAt: c.idle.Add(-time.Minute), IdleExpiresAt: c.idle}
		ok, err := f.s.RenewSession(f.ctx(), c.r.ID, c.r.ActiveExpiresAt, ren)
		f.noErr("RenewSession", err)
		if !ok {
			f.t.Fatal("RenewSession = false, want true")
		}
		c.r.RenewedAt, c.r.ActiveExpiresAt, c.r.IdleExpiresAt = ren.RenewedAt, ren.ActiveExpiresAt, ren.IdleExpiresAt
	}
	f.wantSwept("t0", t0(), 10, 1)
	f.wantSession(saved)
	f.wantNoSession(doomed.ID)
	// A deleted and re-created session is swept by its new expiry.
	f.noErr("DeleteSession", f.s.DeleteSession(f.ctx(), saved.ID))
	again := expiring("saved", "u1", past)
	f.create(again)
	f.wantSwept("after re-create", t0(), 10, 1)
	f.wantNoSession(again.ID)
}

func testSweepEmpty(f *fixture) {
	f.wantSwept("empty store", t0(), 500, 0)
}
