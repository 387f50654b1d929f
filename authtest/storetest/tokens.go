package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/google/go-cmp/cmp"
)

// TestTokenStore runs the conformance suite for [auth.TokenStore] as named
// subtests of t; newStore returns a new, empty store per subtest.
//
// The groups are Token (create, read, replace, delete, attempts), Times
// (every instant round-trips, the extremes included), Sweep (bounded
// steps of DeleteExpiredTokens, only tokens expired before now), and,
// when the value is also an [auth.SessionStore], Auth: an [auth.Auth] on
// the store with a fake clock, checking the expiry at t-1ns, t and t+1ns
// and that of 32 concurrent consumers exactly one wins. Users are any IDs:
// a token store keeps no foreign key to users.
func TestTokenStore(t *testing.T, newStore func(t *testing.T) auth.TokenStore) {
	t.Helper()
	_, withAuth := newStore(t).(auth.SessionStore)
	for _, c := range []struct {
		name string
		run  func(t *testing.T, s auth.TokenStore)
		auth bool
	}{
		{"Token/CreateGet", testTokenCreateGet, false},
		{"Token/NotFound", testTokenNotFound, false},
		{"Token/DuplicateID", testTokenDuplicateID, false},
		{"Token/ReplacesOlderOfSameUserAndPurpose", testTokenReplaces, false},
		{"Token/ConcurrentCreateOneSurvives", testTokenConcurrentCreate, false},
		{"Token/Delete", testTokenDelete, false},
		{"Token/DeleteConcurrent", testTokenDeleteConcurrent, false},
		{"Token/AddAttempt", testTokenAddAttempt, false},
		{"Token/AddAttemptConcurrent", testTokenAddAttemptConcurrent, false},
		{"Times/RoundTrip", testTokenTimes, false},
		{"Sweep/OnlyExpiredBeforeNow", testTokenSweepOnlyExpired, false},
		{"Sweep/BoundedByLimit", testTokenSweepLimit, false},
		{"Auth/ExpiryBoundaries", testTokenAuthExpiry, true},
		{"Auth/ConcurrentConsumersOneWinner", testTokenAuthConcurrent, true},
		{"Auth/ConcurrentCodesWithinLimit", testTokenAuthCodes, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.auth && !withAuth {
				t.Skip("the token store is not an auth.SessionStore: no auth.Auth can run on it")
			}
			c.run(t, newStore(t))
		})
	}
}

func tokenCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// tokenRecord returns a token of user for purpose, its ID from name.
func tokenRecord(name, user, purpose string, expiresAt time.Time) auth.TokenRecord {
	created := expiresAt.Add(-15 * time.Minute)
	if created.Before(firstInstant()) {
		created = expiresAt
	}
	return auth.TokenRecord{
		ID: auth.SessionID("storetest-token-" + name), Purpose: purpose, UserID: user,
		Address: user + "@example.com", CodeHash: auth.SessionID("code-" + name),
		CreatedAt: created, ExpiresAt: expiresAt,
	}
}

func createToken(t *testing.T, s auth.TokenStore, r auth.TokenRecord) {
	t.Helper()
	if err := s.CreateToken(tokenCtx(t), r); err != nil {
		t.Fatalf("CreateToken(%s): %v", r.ID, err)
	}
}

// storedToken stores the token most tests start from (user u1's sign-in
// token, expiring at t0) and returns it with a context for the test.
func storedToken(t *testing.T, s auth.TokenStore) (context.Context, auth.TokenRecord) {
	t.Helper()
	r := tokenRecord("a", "u1", "sign-in", t0())
	createToken(t, s, r)
	return tokenCtx(t), r
}

func wantToken(t *testing.T, s auth.TokenStore, want auth.TokenRecord) {
	t.Helper()
	ctx := tokenCtx(t)
	got, err := s.GetToken(ctx, want.ID)
	if err != nil {
		t.Fatalf("GetToken(%s): %v", want.ID, err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GetToken mismatch (-want +got):\n%s", diff)
	}
	got, err = s.UserToken(ctx, want.UserID, want.Purpose)
	if err != nil {
		t.Fatalf("UserToken(%s, %s): %v", want.UserID, want.Purpose, err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("UserToken mismatch (-want +got):\n%s", diff)
	}
}

func wantNoToken(t *testing.T, s auth.TokenStore, r auth.TokenRecord) {
	t.Helper()
	if _, err := s.GetToken(tokenCtx(t), r.ID); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("GetToken(%s): err = %v, want ErrNotFound", r.ID, err)
	}
}

func testTokenCreateGet(t *testing.T, s auth.TokenStore) {
	r := tokenRecord("a", "u1", "verify-email", t0())
	createToken(t, s, r)
	wantToken(t, s, r)
	// No code: CodeHash "" reads back as "".
	r2 := tokenRecord("b", "u1", "sign-in", t0())
	r2.CodeHash, r2.Address = "", ""
	createToken(t, s, r2)
	wantToken(t, s, r2)
}

func testTokenNotFound(t *testing.T, s auth.TokenStore) {
	ctx := tokenCtx(t)
	if _, err := s.GetToken(ctx, auth.SessionID("absent")); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("GetToken(absent): err = %v, want ErrNotFound", err)
	}
	if _, err := s.UserToken(ctx, "nobody", "sign-in"); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("UserToken(absent): err = %v, want ErrNotFound", err)
	}
	if _, err := s.AddTokenAttempt(ctx, auth.SessionID("absent")); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("AddTokenAttempt(absent): err = %v, want ErrNotFound", err)
	}
}

func testTokenDuplicateID(t *testing.T, s auth.TokenStore) {
	r := tokenRecord("a", "u1", "sign-in", t0())
	createToken(t, s, r)
	dup := r
	dup.UserID, dup.Purpose = "u2", "verify-email"
	err := s.CreateToken(tokenCtx(t), dup)
	if err == nil || errors.Is(err, auth.ErrNotFound) {
		t.Errorf("CreateToken(existing ID): err = %v, want a system error", err)
	}
}

// A new token deletes the same user's older one of the same purpose, and
// no other.
func testTokenReplaces(t *testing.T, s auth.TokenStore) {
	old := tokenRecord("old", "u1", "sign-in", t0())
	otherPurpose := tokenRecord("purpose", "u1", "verify-email", t0())
	otherUser := tokenRecord("user", "u2", "sign-in", t0())
	for _, r := range []auth.TokenRecord{old, otherPurpose, otherUser} {
		createToken(t, s, r)
	}
	newer := tokenRecord("new", "u1", "sign-in", t0().Add(time.Hour))
	createToken(t, s, newer)
	wantNoToken(t, s, old)
	for _, r := range []auth.TokenRecord{newer, otherPurpose, otherUser} {
		wantToken(t, s, r)
	}
}

// Of concurrent creations for one user and purpose exactly one survives.
func testTokenConcurrentCreate(t *testing.T, s auth.TokenStore) {
	ctx := tokenCtx(t)
	recs := make([]auth.TokenRecord, 16)
	for i := range recs {
		recs[i] = tokenRecord(fmt.Sprint("c", i), "u1", "sign-in", t0())
	}
	race(len(recs), func(i int) {
		if err := s.CreateToken(ctx, recs[i]); err != nil {
			t.Errorf("CreateToken: %v", err)
		}
	})
	got, err := s.UserToken(ctx, "u1", "sign-in")
	if err != nil {
		t.Fatalf("UserToken: %v", err)
	}
	alive := 0
	for _, r := range recs {
		if _, err := s.GetToken(ctx, r.ID); err == nil {
			alive++
			if r.ID != got.ID {
				t.Errorf("token %s survives but UserToken returns %s", r.ID, got.ID)
			}
		} else if !errors.Is(err, auth.ErrNotFound) {
			t.Fatalf("GetToken: %v", err)
		}
	}
	if alive != 1 {
		t.Errorf("%d of 16 concurrent tokens of one user and purpose survive, want 1", alive)
	}
}

func testTokenDelete(t *testing.T, s auth.TokenStore) {
	ctx, r := storedToken(t, s)
	if ok, err := s.DeleteToken(ctx, r.ID); !ok || err != nil {
		t.Errorf("DeleteToken = %v, %v; want true, nil", ok, err)
	}
	wantNoToken(t, s, r)
	if _, err := s.UserToken(ctx, "u1", "sign-in"); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("UserToken after DeleteToken: err = %v, want ErrNotFound", err)
	}
	if ok, err := s.DeleteToken(ctx, r.ID); ok || err != nil {
		t.Errorf("DeleteToken again = %v, %v; want false, nil", ok, err)
	}
	// The user can have a token of that purpose again.
	r2 := tokenRecord("b", "u1", "sign-in", t0())
	createToken(t, s, r2)
	wantToken(t, s, r2)
}

// What makes a token single-use: of 32 concurrent deletes, one true.
func testTokenDeleteConcurrent(t *testing.T, s auth.TokenStore) {
	ctx, r := storedToken(t, s)
	got := concurrently(t, "DeleteToken", 32, func() (int, error) {
		ok, err := s.DeleteToken(ctx, r.ID)
		if ok {
			return 1, err
		}
		return 0, err
	})
	if got[1] != 1 || got[0] != 31 {
		t.Errorf("32 concurrent DeleteToken: %d returned true, %d false; want 1 and 31", got[1], got[0])
	}
}

// wantEachOnce checks that the results of n concurrent calls were 1 to n,
// each once.
func wantEachOnce(t *testing.T, what string, seen map[int]int, n int) {
	t.Helper()
	for i := 1; i <= n; i++ {
		if seen[i] != 1 {
			t.Errorf("%d concurrent %s returned %v, want 1 to %d each once", n, what, seen, n)
			return
		}
	}
}

func testTokenAddAttempt(t *testing.T, s auth.TokenStore) {
	ctx, r := storedToken(t, s)
	for want := 1; want <= 3; want++ {
		n, err := s.AddTokenAttempt(ctx, r.ID)
		if n != want || err != nil {
			t.Errorf("AddTokenAttempt = %d, %v; want %d", n, err, want)
		}
	}
	r.Attempts = 3
	wantToken(t, s, r)
}

func testTokenAddAttemptConcurrent(t *testing.T, s auth.TokenStore) {
	ctx, r := storedToken(t, s)
	seen := concurrently(t, "AddTokenAttempt", 32, func() (int, error) {
		return s.AddTokenAttempt(ctx, r.ID)
	})
	wantEachOnce(t, "AddTokenAttempt", seen, 32)
	r.Attempts = 32
	wantToken(t, s, r)
}

func testTokenTimes(t *testing.T, s auth.TokenStore) {
	times := append(oddTimes(), firstInstant(), lastInstant())
	for i, at := range times {
		r := tokenRecord(fmt.Sprint("t", i), fmt.Sprint("u", i), "sign-in", at)
		r.CreatedAt = times[(i+1)%len(times)]
		createToken(t, s, r)
		wantToken(t, s, r)
	}
}

// DeleteExpiredTokens deletes tokens whose ExpiresAt is before now: one at
// now is kept (the end instant is the token's).
func testTokenSweepOnlyExpired(t *testing.T, s auth.TokenStore) {
	ctx := tokenCtx(t)
	now := t0()
	before := tokenRecord("before", "u1", "sign-in", now.Add(-time.Nanosecond))
	at := tokenRecord("at", "u2", "sign-in", now)
	after := tokenRecord("after", "u3", "sign-in", now.Add(time.Nanosecond))
	first := tokenRecord("first", "u4", "sign-in", firstInstant())
	last := tokenRecord("last", "u5", "sign-in", lastInstant())
	for _, r := range []auth.TokenRecord{before, at, after, first, last} {
		createToken(t, s, r)
	}
	n, err := s.DeleteExpiredTokens(ctx, now, 100)
	if n != 2 || err != nil {
		t.Errorf("DeleteExpiredTokens = %d, %v; want 2 (ExpiresAt now-1ns and the first instant)", n, err)
	}
	wantNoToken(t, s, before)
	wantNoToken(t, s, first)
	for _, r := range []auth.TokenRecord{at, after, last} {
		wantToken(t, s, r)
	}
	if n, err := s.DeleteExpiredTokens(ctx, lastInstant(), 100); n != 2 || err != nil {
		t.Errorf("DeleteExpiredTokens(last instant) = %d, %v; want 2 (all but the one at the last instant)", n, err)
	}
	wantToken(t, s, last)
}

func testTokenSweepLimit(t *testing.T, s auth.TokenStore) {
	ctx := tokenCtx(t)
	for i := range 5 {
		createToken(t, s, tokenRecord(fmt.Sprint("x", i), fmt.Sprint("u", i), "sign-in", t0()))
	}
	live := tokenRecord("live", "live", "sign-in", t0().Add(time.Hour))
	createToken(t, s, live)
	now := t0().Add(time.Nanosecond)
	for _, want := range []int{2, 2, 1, 0} {
		if n, err := s.DeleteExpiredTokens(ctx, now, 2); n != want || err != nil {
			t.Errorf("DeleteExpiredTokens(limit 2) = %d, %v; want %d", n, err, want)
		}
	}
	wantToken(t, s, live)
}

// --- Auth on the token store --------------------------------------------------

func tokenAuth(t *testing.T, s auth.TokenStore) (*auth.Auth, *fakeauth.Clock) {
	c := fakeauth.NewClock(t0())
	return newAuth(t, s.(auth.SessionStore), c), c
}

// The issue's must-show: a token is alive while now <= ExpiresAt on the
// Auth's clock: accepted at ExpiresAt-1ns and at ExpiresAt, refused (and
// deleted) at ExpiresAt+1ns; by link and by code.
func testTokenAuthExpiry(t *testing.T, s auth.TokenStore) {
	ctx := tokenCtx(t)
	a, c := tokenAuth(t, s)
	for i, off := range []time.Duration{-time.Nanosecond, 0, time.Nanosecond} {
		for _, byCode := range []bool{false, true} {
			user := fmt.Sprintf("u%d-%v", i, byCode)
			c.Set(t0())
			it, err := a.IssueToken(ctx, auth.NewToken{Purpose: "sign-in", UserID: user, Code: true})
			if err != nil {
				t.Fatalf("Auth.IssueToken: %v", err)
			}
			c.Set(it.ExpiresAt.Add(off))
			if byCode {
				_, err = a.ConsumeCode(ctx, "sign-in", user, it.Code)
			} else {
				_, err = a.ConsumeToken(ctx, "sign-in", it.Token)
			}
			if off <= 0 && err != nil {
				t.Errorf("consume (code %v) at ExpiresAt%+v: %v, want accepted", byCode, off, err)
			}
			if off > 0 && !errors.Is(err, auth.ErrInvalidToken) {
				t.Errorf("consume (code %v) at ExpiresAt%+v: %v, want ErrInvalidToken", byCode, off, err)
			}
			if _, err := s.GetToken(ctx, it.ID); !errors.Is(err, auth.ErrNotFound) {
				t.Errorf("token after consume (code %v) at ExpiresAt%+v: %v, want deleted", byCode, off, err)
			}
		}
	}
}

// The issue's must-show: 32 concurrent consumers of one token, one winner.
func testTokenAuthConcurrent(t *testing.T, s auth.TokenStore) {
	ctx := tokenCtx(t)
	a, _ := tokenAuth(t, s)
	it, err := a.IssueToken(ctx, auth.NewToken{Purpose: "sign-in", UserID: "u1"})
	if err != nil {
		t.Fatalf("Auth.IssueToken: %v", err)
	}
	const won, refused = 1, 0
	got := concurrently(t, "Auth.ConsumeToken", 32, func() (int, error) {
		_, err := a.ConsumeToken(ctx, "sign-in", it.Token)
		if errors.Is(err, auth.ErrInvalidToken) {
			return refused, nil
		}
		return won, err
	})
	if got[won] != 1 || got[refused] != 31 {
		t.Errorf("32 concurrent Auth.ConsumeToken: %d won, %d refused; want 1 and 31", got[won], got[refused])
	}
}

// 32 concurrent wrong codes: no more than MaxCodeAttempts are compared,
// so the token is then gone and the right code is refused.
func testTokenAuthCodes(t *testing.T, s auth.TokenStore) {
	ctx := tokenCtx(t)
	a, _ := tokenAuth(t, s)
	it, err := a.IssueToken(ctx, auth.NewToken{Purpose: "sign-in", UserID: "u1", Code: true})
	if err != nil {
		t.Fatalf("Auth.IssueToken: %v", err)
	}
	wrong := []byte(it.Code)
	wrong[0] = '0' + (wrong[0]-'0'+1)%10
	race(32, func(int) {
		if _, err := a.ConsumeCode(ctx, "sign-in", "u1", string(wrong)); !errors.Is(err, auth.ErrInvalidToken) {
			t.Errorf("Auth.ConsumeCode(wrong): %v, want ErrInvalidToken", err)
		}
	})
	if _, err := a.ConsumeCode(ctx, "sign-in", "u1", it.Code); !errors.Is(err, auth.ErrInvalidToken) {
		t.Errorf("right code after 32 wrong ones: %v, want ErrInvalidToken", err)
	}
	if _, err := s.GetToken(ctx, it.ID); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("token after its attempts were used up: %v, want deleted", err)
	}
}
