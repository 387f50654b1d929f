package storetest

import (
	"fmt"
	"math"
	"time"

	"github.com/authkit-dev/authkit/auth"
)

// The time rule of the store contract, at its edges: an instant
// round-trips exactly, the Unix epoch like any other; the zero time means
// none, round-trips as the zero time and is before every instant; the
// range is what int64 Unix nanoseconds hold.

// firstInstant and lastInstant are the ends of the range every store
// keeps.
func firstInstant() time.Time { return time.Unix(0, math.MinInt64+1).In(zoneA()) }
func lastInstant() time.Time  { return time.Unix(0, math.MaxInt64).In(zoneB()) }

// An absent absolute expiry, device and attributes read back absent: the
// zero time (not the Unix epoch), "" and nil (not an empty object or the
// JSON null).
func testFieldsZero(f *fixture) {
	f.user("u1")
	r := auth.SessionRecord{
		ID: auth.SessionID("plain"), UserID: "u1",
		CreatedAt: t0(), RenewedAt: t0(),
		ActiveExpiresAt: t0().Add(time.Hour), IdleExpiresAt: t0().Add(2 * time.Hour),
	}
	f.create(r)
	f.wantSession(r)
	got, err := f.s.GetSession(f.ctx(), r.ID)
	f.noErr("GetSession", err)
	if !got.ExpiresAt.IsZero() {
		f.t.Errorf("GetSession: ExpiresAt = %v, want the zero time", got.ExpiresAt)
	}
	if got.Attributes != nil {
		f.t.Errorf("GetSession: Attributes = %q, want nil", got.Attributes)
	}
	f.wantUserSessions("u1", r)
}

func oddTimes() []time.Time {
	return []time.Time{
		t0(),
		time.Date(2024, 2, 29, 23, 59, 59, 999999999, time.UTC),
		time.Date(1969, 7, 20, 20, 17, 40, 1, zoneB()),
		time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1800, 1, 1, 0, 0, 0, 999999999, zoneA()),
		time.Date(2199, 12, 31, 23, 59, 59, 123456789, zoneB()),
		time.Unix(1700000000, 123456789).In(time.Local),
	}
}

func testFieldsTimestamps(f *fixture) {
	f.user("u1")
	times := oddTimes()
	var want []auth.SessionRecord
	for i, at := range times {
		r := auth.SessionRecord{
			ID:              auth.SessionID(fmt.Sprint("timestamps ", i)),
			UserID:          "u1",
			CreatedAt:       at.Add(-3 * time.Nanosecond),
			RenewedAt:       at.Add(-time.Nanosecond).In(zoneA()),
			ActiveExpiresAt: at,
			IdleExpiresAt:   at.Add(time.Nanosecond).In(zoneB()),
			ExpiresAt:       at.Add(2 * time.Nanosecond),
		}
		f.create(r)
		f.wantSession(r)
		want = append(want, r)
	}
	f.wantUserSessions("u1", want...)

	// Renewing to the same odd instants reads back exactly too.
	for i, r := range want {
		next := times[(i+1)%len(times)]
		ren := auth.Renewal{RenewedAt: next.Add(-5), ActiveExpiresAt: next.In(zoneA()), IdleExpiresAt: next.Add(3)}
		ok, err := f.s.RenewSession(f.ctx(), r.ID, r.ActiveExpiresAt, ren)
		f.noErr("RenewSession", err)
		if !ok {
			f.t.Fatalf("RenewSession(%v) = false, want true", r.ActiveExpiresAt)
		}
		want[i].RenewedAt, want[i].ActiveExpiresAt, want[i].IdleExpiresAt = ren.RenewedAt, ren.ActiveExpiresAt, ren.IdleExpiresAt
		f.wantSession(want[i])
	}
	f.wantUserSessions("u1", want...)
}

// The range's ends: every instant int64 Unix nanoseconds hold round-trips,
// from the first after math.MinInt64 (1677-09-21T00:12:43.145224193Z; the
// instant math.MinInt64 itself may encode the zero time) to the last,
// 2262-04-11T23:47:16.854775807Z.
func testFieldsTimestampLimits(f *fixture) {
	f.user("u1")
	lo, hi := firstInstant(), lastInstant()
	r := auth.SessionRecord{
		ID: auth.SessionID("limits"), UserID: "u1",
		CreatedAt: lo, RenewedAt: lo.In(zoneB()),
		ActiveExpiresAt: hi.Add(-time.Hour), IdleExpiresAt: hi.In(zoneA()), ExpiresAt: hi,
	}
	f.create(r)
	f.wantSession(r)
	f.wantRenew("to the range's ends", r.ID, r.ActiveExpiresAt, auth.Renewal{RenewedAt: hi, ActiveExpiresAt: lo, IdleExpiresAt: lo.Add(time.Nanosecond)}, true)
	r.RenewedAt, r.ActiveExpiresAt, r.IdleExpiresAt = hi, lo, lo.Add(time.Nanosecond)
	f.wantSession(r)
	f.wantSwept("1ns after the first instant", lo.Add(time.Nanosecond), 10, 0)
	f.wantSwept("the last instant", hi, 10, 1)
	f.wantNoSession(r.ID)
}

// The Unix epoch is an instant like any other, in every field (the
// absolute expiry included: it is not read as none), in a renewal's
// comparison and at a sweep's boundary.
func testTimesEpoch(f *fixture) {
	f.user("u1")
	epoch := time.Unix(0, 0)
	r := auth.SessionRecord{
		ID: auth.SessionID("epoch"), UserID: "u1",
		CreatedAt: epoch, RenewedAt: epoch.In(zoneA()),
		ActiveExpiresAt: epoch.In(zoneB()), IdleExpiresAt: epoch, ExpiresAt: epoch,
	}
	f.create(r)
	f.wantSession(r)
	ren := auth.Renewal{RenewedAt: epoch, ActiveExpiresAt: epoch.Add(time.Nanosecond), IdleExpiresAt: epoch}
	f.wantRenew("old: the epoch, as stored", r.ID, epoch, ren, true)
	r.RenewedAt, r.ActiveExpiresAt, r.IdleExpiresAt = ren.RenewedAt, ren.ActiveExpiresAt, ren.IdleExpiresAt
	f.wantSession(r)
	f.wantSwept("the epoch", epoch, 10, 0)
	f.wantSession(r)
	f.wantSwept("1ns after the epoch", epoch.Add(time.Nanosecond), 10, 1)
	f.wantNoSession(r.ID)
}

// The zero time means none in every field: it round-trips as the zero
// time, a renewal compares it as stored, and it is before every instant,
// so that a sweep at the zero time deletes nothing and one at the first
// instant deletes a session whose idle expiry is none.
func testTimesZero(f *fixture) {
	f.user("u1")
	r := auth.SessionRecord{ID: auth.SessionID("zero times"), UserID: "u1"}
	f.create(r)
	f.wantSession(r)
	f.wantRenew("old: the epoch, stored: the zero time", r.ID, time.Unix(0, 0), auth.Renewal{}, false)
	f.wantRenew("old: the zero time, as stored", r.ID, time.Time{}, auth.Renewal{}, true)
	f.wantSession(r)
	f.wantSwept("the zero time", time.Time{}, 10, 0)
	f.wantSession(r)
	f.wantSwept("the first instant", firstInstant(), 10, 1)
	f.wantNoSession(r.ID)
}
