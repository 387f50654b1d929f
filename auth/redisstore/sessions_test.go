package redisstore_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/internal/testservices"
)

// Checks of the session methods on a Store and on a Sessions, beyond the
// conformance suite: what is particular to Redis.

type sessionCheck struct {
	name string
	// f gets the store and a function that makes a user sessions can
	// reference (a no-op on Sessions).
	f func(t *testing.T, s auth.SessionStore, createUser func(string))
}

var sessionChecks = []sessionCheck{
	{"TimeRange", func(t *testing.T, s auth.SessionStore, createUser func(string)) {
		createUser("u1")
		testservices.CheckTimeRange(t, s, "u1")
	}},
	{"RoundTripEveryField", func(t *testing.T, s auth.SessionStore, createUser func(string)) {
		ctx := t.Context()
		createUser("u1")
		full := record("full", "u1", t0)
		bare := auth.SessionRecord{ID: auth.SessionID("bare"), UserID: "u1", CreatedAt: t0, RenewedAt: t0, ActiveExpiresAt: t0, IdleExpiresAt: t0.Add(time.Hour)}
		empty := bare
		empty.ID = auth.SessionID("empty attributes")
		empty.Attributes = json.RawMessage{}
		for _, r := range []auth.SessionRecord{full, bare, empty} {
			if err := s.CreateSession(ctx, r); err != nil {
				t.Fatalf("CreateSession: %v", err)
			}
			got, err := s.GetSession(ctx, r.ID)
			if err != nil {
				t.Fatalf("GetSession: %v", err)
			}
			sameSessions(t, "GetSession", r, got)
			if (r.Attributes == nil) != (got.Attributes == nil) {
				t.Errorf("Attributes nil = %v, want %v", got.Attributes == nil, r.Attributes == nil)
			}
			if !got.ExpiresAt.IsZero() && r.ExpiresAt.IsZero() {
				t.Errorf("zero ExpiresAt came back as %v", got.ExpiresAt)
			}
		}
		if _, err := s.GetSession(ctx, auth.SessionID("nobody")); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("GetSession(unknown) = %v, want ErrNotFound", err)
		}
		if err := s.CreateSession(ctx, full); err == nil || errors.Is(err, auth.ErrNotFound) || errors.Is(err, auth.ErrUserNotFound) {
			t.Errorf("CreateSession(duplicate ID) = %v, want a system error", err)
		}
		out := full
		out.ID = auth.SessionID("out of range")
		out.ExpiresAt = time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)
		if err := s.CreateSession(ctx, out); err == nil {
			t.Error("CreateSession with a time past 2262 succeeded, want an error")
		}
	}},
	{"Renew", func(t *testing.T, s auth.SessionStore, createUser func(string)) {
		ctx := t.Context()
		createUser("u1")
		r := record("renew", "u1", t0)
		if err := s.CreateSession(ctx, r); err != nil {
			t.Fatal(err)
		}
		rn := auth.Renewal{RenewedAt: t0.Add(time.Nanosecond), ActiveExpiresAt: t0.Add(time.Hour + 1), IdleExpiresAt: t0.Add(2*time.Hour + 3)}
		if ok, err := s.RenewSession(ctx, r.ID, r.ActiveExpiresAt.Add(1), rn); ok || err != nil {
			t.Errorf("RenewSession(wrong old expiry) = %v, %v; want false, nil", ok, err)
		}
		const callers = 16
		var wg sync.WaitGroup
		wins := make(chan bool, callers)
		for range callers {
			wg.Go(func() {
				ok, err := s.RenewSession(ctx, r.ID, r.ActiveExpiresAt, rn)
				if err != nil {
					t.Errorf("RenewSession: %v", err)
				}
				wins <- ok
			})
		}
		wg.Wait()
		close(wins)
		n := 0
		for ok := range wins {
			if ok {
				n++
			}
		}
		if n != 1 {
			t.Errorf("concurrent renewals that won = %d, want 1", n)
		}
		want := r
		want.RenewedAt, want.ActiveExpiresAt, want.IdleExpiresAt = rn.RenewedAt, rn.ActiveExpiresAt, rn.IdleExpiresAt
		got, err := s.GetSession(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		sameSessions(t, "after renewal", want, got)
		if err := s.DeleteSession(ctx, r.ID); err != nil {
			t.Fatal(err)
		}
		if ok, err := s.RenewSession(ctx, r.ID, rn.ActiveExpiresAt, rn); ok || err != nil {
			t.Errorf("RenewSession(deleted) = %v, %v; want false, nil", ok, err)
		}
		if _, err := s.GetSession(ctx, r.ID); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("GetSession after renewing a deleted session = %v, want ErrNotFound", err)
		}
	}},
	{"DeleteAndList", func(t *testing.T, s auth.SessionStore, createUser func(string)) {
		ctx := t.Context()
		createUser("u1")
		createUser("u2")
		var u1 []auth.SessionRecord
		for i := range 5 {
			// One long dead: listing returns expired sessions too.
			r := record(fmt.Sprint("u1-", i), "u1", t0.Add(time.Duration(i-1)*24*time.Hour*365))
			u1 = append(u1, r)
			if err := s.CreateSession(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		other := record("u2", "u2", t0)
		if err := s.CreateSession(ctx, other); err != nil {
			t.Fatal(err)
		}
		got, err := s.UserSessions(ctx, "u1")
		if err != nil {
			t.Fatal(err)
		}
		sameSessions(t, "UserSessions(u1)", sortByID(slices.Clone(u1)), sortByID(got))
		if got, err := s.UserSessions(ctx, "nobody"); got != nil || err != nil {
			t.Errorf("UserSessions(unknown) = %v, %v; want nil, nil", got, err)
		}
		if err := s.DeleteSession(ctx, u1[0].ID); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteSession(ctx, u1[0].ID); err != nil {
			t.Errorf("DeleteSession(deleted) = %v, want nil", err)
		}
		got, _ = s.UserSessions(ctx, "u1")
		sameSessions(t, "UserSessions after DeleteSession", sortByID(slices.Clone(u1[1:])), sortByID(got))
		if err := s.DeleteUserSessions(ctx, "u1"); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteUserSessions(ctx, "nobody"); err != nil {
			t.Errorf("DeleteUserSessions(unknown) = %v", err)
		}
		for _, r := range u1 {
			if _, err := s.GetSession(ctx, r.ID); !errors.Is(err, auth.ErrNotFound) {
				t.Errorf("GetSession after DeleteUserSessions = %v, want ErrNotFound", err)
			}
		}
		if got, _ := s.UserSessions(ctx, "u1"); len(got) != 0 {
			t.Errorf("UserSessions after DeleteUserSessions = %d sessions", len(got))
		}
		if _, err := s.GetSession(ctx, other.ID); err != nil {
			t.Errorf("another user's session after DeleteUserSessions: %v", err)
		}
	}},
	{"ListManyInBatches", func(t *testing.T, s auth.SessionStore, createUser func(string)) {
		ctx := t.Context()
		createUser("many")
		const n = 1234 // more than two batches
		want := map[string]bool{}
		for i := range n {
			r := record(fmt.Sprint("many-", i), "many", t0)
			want[r.ID] = true
			if err := s.CreateSession(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.UserSessions(ctx, "many")
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, r := range got {
			if !want[r.ID] || seen[r.ID] {
				t.Fatalf("UserSessions returned %.12s… unexpected or twice", r.ID)
			}
			seen[r.ID] = true
		}
		if len(seen) != n {
			t.Errorf("UserSessions returned %d sessions, want %d", len(seen), n)
		}
		if err := s.DeleteUserSessions(ctx, "many"); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.UserSessions(ctx, "many"); len(got) != 0 {
			t.Errorf("after DeleteUserSessions, %d sessions left", len(got))
		}
	}},
	{"DeleteExpiredInBoundedSteps", func(t *testing.T, s auth.SessionStore, createUser func(string)) {
		ctx := t.Context()
		createUser("u1")
		now := t0
		var dead, live []auth.SessionRecord
		for i := range 5 {
			r := record(fmt.Sprint("dead-", i), "u1", now.Add(-time.Duration(i)*time.Hour-time.Nanosecond))
			dead = append(dead, r)
		}
		// The same second as now, one nanosecond before: dead. At now
		// exactly, and after: alive.
		dead = append(dead, record("dead-ns", "u1", now.Add(-time.Nanosecond)))
		live = append(live, record("live-now", "u1", now), record("live-ns", "u1", now.Add(time.Nanosecond)), record("live-later", "u1", now.Add(time.Hour)))
		for _, r := range append(slices.Clone(dead), live...) {
			if err := s.CreateSession(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		var counts []int
		for range 10 {
			n, err := s.DeleteExpiredSessions(ctx, now, 4)
			if err != nil {
				t.Fatal(err)
			}
			counts = append(counts, n)
			if n < 4 {
				break
			}
		}
		if want := []int{4, 2}; !slices.Equal(counts, want) {
			t.Errorf("DeleteExpiredSessions(limit 4) counts = %v, want %v", counts, want)
		}
		for _, r := range dead {
			if _, err := s.GetSession(ctx, r.ID); !errors.Is(err, auth.ErrNotFound) {
				t.Errorf("dead session %v after the sweep: %v", r.IdleExpiresAt, err)
			}
		}
		for _, r := range live {
			if _, err := s.GetSession(ctx, r.ID); err != nil {
				t.Errorf("live session %v after the sweep: %v", r.IdleExpiresAt, err)
			}
		}
		got, _ := s.UserSessions(ctx, "u1")
		sameSessions(t, "UserSessions after the sweep", sortByID(slices.Clone(live)), sortByID(got))
		// A renewed session moves in the sweep's order.
		if ok, err := s.RenewSession(ctx, live[2].ID, live[2].ActiveExpiresAt, auth.Renewal{RenewedAt: now, ActiveExpiresAt: now, IdleExpiresAt: now.Add(-time.Second)}); !ok || err != nil {
			t.Fatalf("RenewSession = %v, %v", ok, err)
		}
		if n, err := s.DeleteExpiredSessions(ctx, now, 10); n != 1 || err != nil {
			t.Errorf("DeleteExpiredSessions after renewing into the past = %d, %v; want 1", n, err)
		}
	}},
}
