package storetest

import (
	"fmt"
	"slices"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/authkit-dev/authkit/auth"
)

// The model check drives the store and a plain map with the same random
// sequence of session operations, and fails on the first divergence; rapid
// shrinks a failing sequence to a short one. Each sequence uses IDs of its
// own and deletes its sessions when it ends, so one store serves them all.
// Run more sequences with -rapid.checks=N (100 by default, 20 with -short).

type modelCheck struct {
	f      *fixture
	prefix string
	users  []string
	ids    []string // every session ID the sequence has created
	model  map[string]auth.SessionRecord
}

func testModelCheck(f *fixture) {
	run := 0
	rapid.Check(f.t, func(rt *rapid.T) {
		run++
		mc := &modelCheck{f: f, prefix: fmt.Sprintf("model %d ", run), model: map[string]auth.SessionRecord{}}
		for i := range 3 {
			u := fmt.Sprintf("model-%d-u%d", run, i)
			f.user(u)
			mc.users = append(mc.users, u)
		}
		defer mc.cleanup(rt)
		rt.Repeat(map[string]func(*rapid.T){
			"create":             mc.create,
			"get":                mc.get,
			"renew":              mc.renew,
			"delete":             mc.delete,
			"deleteUserSessions": mc.deleteUserSessions,
			"userSessions":       mc.userSessions,
			"sweep":              mc.sweep,
		})
	})
}

func (mc *modelCheck) cleanup(rt *rapid.T) {
	for _, u := range mc.users {
		if err := mc.f.s.DeleteUserSessions(mc.f.ctx(), u); err != nil {
			rt.Fatalf("cleanup: DeleteUserSessions(%q): %v", u, err)
		}
	}
}

// instant draws one of a few minutes around t0, so that expiries collide
// and the sweep's boundary is hit.
func instant(rt *rapid.T, label string) time.Time {
	return t0().Add(time.Duration(rapid.IntRange(-5, 5).Draw(rt, label)) * time.Minute)
}

func (mc *modelCheck) pickID(rt *rapid.T) string {
	if len(mc.ids) == 0 || rapid.IntRange(0, 9).Draw(rt, "unknown") == 0 {
		return auth.SessionID(mc.prefix + "never created")
	}
	return rapid.SampledFrom(mc.ids).Draw(rt, "session")
}

func (mc *modelCheck) create(rt *rapid.T) {
	name := fmt.Sprint(len(mc.ids))
	r := session(mc.prefix+name, rapid.SampledFrom(mc.users).Draw(rt, "user"))
	r.IdleExpiresAt = instant(rt, "idle")
	r.ActiveExpiresAt = r.IdleExpiresAt.Add(-time.Minute)
	if err := mc.f.s.CreateSession(mc.f.ctx(), r); err != nil {
		rt.Fatalf("CreateSession: %v", err)
	}
	mc.ids = append(mc.ids, r.ID)
	mc.model[r.ID] = r
}

func (mc *modelCheck) get(rt *rapid.T) {
	id := mc.pickID(rt)
	got, err := mc.f.s.GetSession(mc.f.ctx(), id)
	want, ok := mc.model[id]
	switch {
	case !ok:
		if err == nil || !isNotFound(err) {
			rt.Fatalf("GetSession(%.12s…) of a session the model does not have: %v, want ErrNotFound", id, err)
		}
	case err != nil:
		rt.Fatalf("GetSession(%.12s…): %v", id, err)
	default:
		if diff := cmp.Diff(want, got, cmpOpts); diff != "" {
			rt.Fatalf("GetSession(%.12s…) mismatch (-model +store):\n%s", id, diff)
		}
	}
}

func (mc *modelCheck) renew(rt *rapid.T) {
	id := mc.pickID(rt)
	want, exists := mc.model[id]
	old := instant(rt, "old").Add(-time.Minute)
	if exists && rapid.Bool().Draw(rt, "matching") {
		old = want.ActiveExpiresAt
	}
	idle := instant(rt, "new idle")
	ren := auth.Renewal{RenewedAt: idle.Add(-2 * time.Minute), ActiveExpiresAt: idle.Add(-time.Minute), IdleExpiresAt: idle}
	ok, err := mc.f.s.RenewSession(mc.f.ctx(), id, old, ren)
	if err != nil {
		rt.Fatalf("RenewSession: %v", err)
	}
	wantOK := exists && want.ActiveExpiresAt.Equal(old)
	if ok != wantOK {
		rt.Fatalf("RenewSession(%.12s…, old %v) = %v, model says %v", id, old, ok, wantOK)
	}
	if ok {
		want.RenewedAt, want.ActiveExpiresAt, want.IdleExpiresAt = ren.RenewedAt, ren.ActiveExpiresAt, ren.IdleExpiresAt
		mc.model[id] = want
	}
}

func (mc *modelCheck) delete(rt *rapid.T) {
	id := mc.pickID(rt)
	if err := mc.f.s.DeleteSession(mc.f.ctx(), id); err != nil {
		rt.Fatalf("DeleteSession: %v", err)
	}
	delete(mc.model, id)
}

func (mc *modelCheck) deleteUserSessions(rt *rapid.T) {
	u := rapid.SampledFrom(mc.users).Draw(rt, "user")
	if err := mc.f.s.DeleteUserSessions(mc.f.ctx(), u); err != nil {
		rt.Fatalf("DeleteUserSessions: %v", err)
	}
	for id, r := range mc.model {
		if r.UserID == u {
			delete(mc.model, id)
		}
	}
}

func (mc *modelCheck) userSessions(rt *rapid.T) {
	u := rapid.SampledFrom(mc.users).Draw(rt, "user")
	got, err := mc.f.s.UserSessions(mc.f.ctx(), u)
	if err != nil {
		rt.Fatalf("UserSessions: %v", err)
	}
	var want []auth.SessionRecord
	for _, r := range mc.model {
		if r.UserID == u {
			want = append(want, r)
		}
	}
	if len(want) == 0 && len(got) == 0 {
		return
	}
	slices.SortFunc(want, bySessionID)
	slices.SortFunc(got, bySessionID)
	if diff := cmp.Diff(want, got, cmpOpts); diff != "" {
		rt.Fatalf("UserSessions(%q) mismatch (-model +store):\n%s", u, diff)
	}
}

func (mc *modelCheck) sweep(rt *rapid.T) {
	now := instant(rt, "now")
	limit := rapid.IntRange(1, 4).Draw(rt, "limit")
	n, err := mc.f.s.DeleteExpiredSessions(mc.f.ctx(), now, limit)
	if err != nil {
		rt.Fatalf("DeleteExpiredSessions: %v", err)
	}
	var expired []string
	for id, r := range mc.model {
		if r.IdleExpiresAt.Before(now) {
			expired = append(expired, id)
		}
	}
	if want := min(limit, len(expired)); n != want {
		rt.Fatalf("DeleteExpiredSessions(%v, %d) = %d, model has %d expired: want %d", now, limit, n, len(expired), want)
	}
	// Which ones went is the store's choice: ask it.
	slices.Sort(expired)
	for _, id := range expired {
		if _, err := mc.f.s.GetSession(mc.f.ctx(), id); isNotFound(err) {
			delete(mc.model, id)
		} else if err != nil {
			rt.Fatalf("GetSession: %v", err)
		}
	}
	if left := len(expired) - n; left != countExpired(mc.model, now) {
		rt.Fatalf("DeleteExpiredSessions reported %d deleted, but %d of the %d expired are gone", n, len(expired)-countExpired(mc.model, now), len(expired))
	}
}

func countExpired(m map[string]auth.SessionRecord, now time.Time) int {
	n := 0
	for _, r := range m {
		if r.IdleExpiresAt.Before(now) {
			n++
		}
	}
	return n
}
