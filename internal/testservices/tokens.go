package testservices

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
)

// TokenStore is a store of one-time tokens and counters, for the checks
// below: what every authkit store beyond memstore is, run by the SQL and
// Redis stores' tests on each backend and mode (the storetest suite
// checks the contracts; these, the ways each store could break them:
// upserts, concurrent writers, sweep steps).
type TokenStore interface {
	auth.TokenStore
	auth.CounterStore
}

func tokenRecord(id, userID, purpose string, expires time.Time) auth.TokenRecord {
	return auth.TokenRecord{
		ID: auth.SessionID(id), Purpose: purpose, UserID: userID, Address: userID + "@example.com",
		CodeHash: auth.SessionID("code" + id), CreatedAt: expires.Add(-15 * time.Minute), ExpiresAt: expires,
	}
}

// CheckCreateTokenReplaces checks that CreateToken replaces the user's token of the purpose (the
// replaced ID is gone), keeps other purposes and users, and refuses an
// ID that exists, also the replaced row's own.
func CheckCreateTokenReplaces(t *testing.T, s TokenStore) {
	ctx := t.Context()
	exp := time.Date(2031, 3, 14, 15, 9, 26, 535897933, time.UTC)
	old := tokenRecord("a", "u1", "reset-password", exp)
	old.Attempts = 3
	for _, r := range []auth.TokenRecord{old, tokenRecord("b", "u1", "verify-email", exp), tokenRecord("c", "u2", "reset-password", exp)} {
		if err := s.CreateToken(ctx, r); err != nil {
			t.Fatalf("CreateToken(%s): %v", r.Purpose, err)
		}
	}
	if got, err := s.GetToken(ctx, old.ID); err != nil || got != old {
		t.Fatalf("GetToken = %+v, %v; want %+v", got, err, old)
	}
	nw := tokenRecord("d", "u1", "reset-password", exp.Add(time.Hour))
	if err := s.CreateToken(ctx, nw); err != nil {
		t.Fatalf("CreateToken(newer): %v", err)
	}
	if _, err := s.GetToken(ctx, old.ID); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("GetToken(replaced) error = %v, want auth.ErrNotFound", err)
	}
	if _, err := s.AddTokenAttempt(ctx, old.ID); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("AddTokenAttempt(replaced) error = %v, want auth.ErrNotFound", err)
	}
	if ok, err := s.DeleteToken(ctx, old.ID); ok || err != nil {
		t.Errorf("DeleteToken(replaced) = %v, %v; want false, nil", ok, err)
	}
	if got, err := s.UserToken(ctx, "u1", "reset-password"); err != nil || got != nw {
		t.Errorf("UserToken = %+v, %v; want the newer %+v (attempts 0)", got, err, nw)
	}
	for _, r := range []auth.TokenRecord{tokenRecord("b", "u1", "verify-email", exp), tokenRecord("c", "u2", "reset-password", exp)} {
		if got, err := s.UserToken(ctx, r.UserID, r.Purpose); err != nil || got != r {
			t.Errorf("UserToken(%s, %s) = %+v, %v; want it untouched", r.UserID, r.Purpose, got, err)
		}
	}
	// The same ID again, for the same user and purpose: no row changes,
	// yet it must not pass as created.
	if err := s.CreateToken(ctx, nw); err == nil || errors.Is(err, auth.ErrNotFound) {
		t.Errorf("CreateToken(existing ID, same user and purpose) error = %v, want a system error", err)
	}
	dup := nw
	dup.UserID = "u3"
	if err := s.CreateToken(ctx, dup); err == nil || errors.Is(err, auth.ErrNotFound) {
		t.Errorf("CreateToken(existing ID, another user) error = %v, want a system error", err)
	}
	clash := tokenRecord("b", "u2", "reset-password", exp) // b's ID, replacing c's row
	if err := s.CreateToken(ctx, clash); err == nil {
		t.Errorf("CreateToken(an ID of another row, replacing c) succeeded; want a system error")
	}
	if got, err := s.UserToken(ctx, "u2", "reset-password"); err != nil || got.ID != auth.SessionID("c") {
		t.Errorf("UserToken(u2) after the refused replacement = %+v, %v; want c unchanged", got, err)
	}
}

// CheckTokensConcurrently checks concurrent writes on one token or key:
// one token survives CreateToken,
// one DeleteToken wins, attempts and counts are each returned once.
func CheckTokensConcurrently(t *testing.T, s TokenStore) {
	ctx := t.Context()
	const n = 8
	exp := time.Date(2031, 3, 14, 15, 9, 26, 0, time.UTC)
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { errs[i] = s.CreateToken(ctx, tokenRecord(fmt.Sprint("t", i), "u", "sign-in", exp)) })
	}
	wg.Wait()
	survivors := 0
	for i := range n {
		if _, err := s.GetToken(ctx, auth.SessionID(fmt.Sprint("t", i))); err == nil {
			survivors++
		}
		if errs[i] != nil {
			t.Errorf("concurrent CreateToken #%d: %v", i, errs[i])
		}
	}
	if survivors != 1 {
		t.Fatalf("tokens left after %d concurrent CreateToken = %d, want 1", n, survivors)
	}
	tok, err := s.UserToken(ctx, "u", "sign-in")
	if err != nil {
		t.Fatal(err)
	}
	attempts := make([]int, n)
	for i := range n {
		wg.Go(func() { attempts[i], errs[i] = s.AddTokenAttempt(ctx, tok.ID) })
	}
	wg.Wait()
	slices.Sort(attempts)
	for i := range n {
		if errs[i] != nil || attempts[i] != i+1 {
			t.Errorf("concurrent AddTokenAttempt: sorted results %v, errors %v; want 1 to %d", attempts, errs, n)
			break
		}
	}
	wins := make([]bool, n)
	for i := range n {
		wg.Go(func() { wins[i], errs[i] = s.DeleteToken(ctx, tok.ID) })
	}
	wg.Wait()
	if c := len(slices.DeleteFunc(wins, func(w bool) bool { return !w })); c != 1 || errors.Join(errs...) != nil {
		t.Errorf("concurrent DeleteToken: %d won, errors %v; want exactly 1", c, errors.Join(errs...))
	}
	if _, err := s.AddTokenAttempt(ctx, tok.ID); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("AddTokenAttempt(deleted) error = %v, want auth.ErrNotFound", err)
	}

	now := exp
	counts := make([]int, n)
	ends := make([]time.Time, n)
	for i := range n {
		wg.Go(func() { counts[i], ends[i], errs[i] = s.IncrementCounter(ctx, "k", now, now.Add(time.Minute)) })
	}
	wg.Wait()
	slices.Sort(counts)
	for i := range n {
		if errs[i] != nil || counts[i] != i+1 || !ends[i].Equal(now.Add(time.Minute)) {
			t.Errorf("concurrent IncrementCounter: sorted counts %v, ends %v, errors %v; want 1 to %d, one window", counts, ends, errs, n)
			break
		}
	}
}

// CheckCounterWindowAndSweeps checks that a counter's window ends at its
// last instant (at it, the count goes on; after it, the counter starts
// again), and that the token sweep, and the counter sweep when
// counterSweep is set (a store that leaves counters to a TTL returns 0),
// delete what ended before now, at most limit a step.
func CheckCounterWindowAndSweeps(t *testing.T, s TokenStore, counterSweep bool) {
	ctx := t.Context()
	t0 := time.Date(2031, 3, 14, 15, 9, 26, 535897933, time.UTC)
	end := t0.Add(time.Minute)
	step := func(now, windowEnd time.Time, wantN int, wantEnd time.Time) {
		t.Helper()
		n, got, err := s.IncrementCounter(ctx, "k", now, windowEnd)
		if err != nil || n != wantN || !got.Equal(wantEnd) {
			t.Errorf("IncrementCounter(now %v) = %d, %v, %v; want %d, %v", now, n, got, err, wantN, wantEnd)
		}
	}
	step(t0, end, 1, end)
	step(end, end.Add(time.Minute), 2, end)
	step(end.Add(time.Nanosecond), end.Add(time.Hour), 1, end.Add(time.Hour))
	if err := s.DeleteCounter(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteCounter(ctx, "k"); err != nil {
		t.Errorf("DeleteCounter(missing): %v", err)
	}
	step(t0, end, 1, end)

	for i := range 5 {
		if _, _, err := s.IncrementCounter(ctx, fmt.Sprint("old", i), t0, t0); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateToken(ctx, tokenRecord(fmt.Sprint("old", i), fmt.Sprint("u", i), "sign-in", t0)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateToken(ctx, tokenRecord("live", "u", "sign-in", end)); err != nil {
		t.Fatal(err)
	}
	if n, err := s.DeleteExpiredTokens(ctx, t0, 10); err != nil || n != 0 {
		t.Errorf("DeleteExpiredTokens(at the expiry) = %d, %v; want 0 (alive at its last instant)", n, err)
	}
	for _, sweep := range []struct {
		name string
		f    func(now time.Time, limit int) (int, error)
	}{
		{"tokens", func(now time.Time, limit int) (int, error) { return s.DeleteExpiredTokens(ctx, now, limit) }},
		{"counters", func(now time.Time, limit int) (int, error) { return s.DeleteExpiredCounters(ctx, now, limit) }},
	} {
		if sweep.name == "counters" && !counterSweep {
			if n, err := sweep.f(t0.Add(time.Nanosecond), 2); err != nil || n != 0 {
				t.Errorf("DeleteExpiredCounters = %d, %v; want 0 (left to the TTL)", n, err)
			}
			continue
		}
		now := t0.Add(time.Nanosecond)
		got := []int{}
		for range 3 {
			n, err := sweep.f(now, 2)
			if err != nil {
				t.Fatalf("sweep %s: %v", sweep.name, err)
			}
			got = append(got, n)
		}
		if !slices.Equal(got, []int{2, 2, 1}) {
			t.Errorf("sweep %s, limit 2: deleted %v, want [2 2 1]", sweep.name, got)
		}
		if _, err := sweep.f(now, 0); err == nil {
			t.Errorf("sweep %s, limit 0: no error", sweep.name)
		}
	}
	if _, err := s.GetToken(ctx, auth.SessionID("live")); err != nil {
		t.Errorf("GetToken(live) after the sweep: %v", err)
	}
	if n, end2, err := s.IncrementCounter(ctx, "k", t0, end); err != nil || n != 2 || !end2.Equal(end) {
		t.Errorf("IncrementCounter(k) after the sweep = %d, %v, %v; want 2 (kept)", n, end2, err)
	}
}
