package redisstore_test

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/redisstore"
)

// Checks of the token and counter methods beyond the conformance suite:
// what is particular to Redis (references, TTLs, the sweep index).
var tokenChecks = []struct {
	name string
	f    func(t *testing.T, s *redisstore.Sessions)
}{
	{"StaleEntriesReadAsNoToken", testTokenStaleEntries},
	{"KeysExpire", testTokenKeysExpire},
}

func tokenRec(id, userID string, expires time.Time) auth.TokenRecord {
	return auth.TokenRecord{ID: auth.SessionID(id), Purpose: "sign-in", UserID: userID, Address: "a@example.com", CreatedAt: expires.Add(-time.Minute), ExpiresAt: expires}
}

// A replacement whose tidying-up was lost (a dropped connection) leaves
// the replaced token's reference and sweep entry: the token is gone all
// the same, for every method, and the sweep removes the stale entry
// without counting it.
func testTokenStaleEntries(t *testing.T, s *redisstore.Sessions) {
	ctx := t.Context()
	old, nw := tokenRec("old", "u1", t0), tokenRec("new", "u1", t0)
	for _, r := range []auth.TokenRecord{old, nw} {
		if err := s.CreateToken(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	tag := strconv.Itoa(len("sign-in")) + ":sign-in" + "u1"
	member := strconv.Itoa(len(old.ID)) + ":" + old.ID + tag
	pipe := s.Client().Pipeline()
	pipe.Set(ctx, s.Prefix()+"{I:"+old.ID+"}", tag, time.Hour)
	pipe.ZAdd(ctx, s.Prefix()+"{tsweep}", redis.Z{Score: float64(t0.Unix()), Member: member})
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetToken(ctx, old.ID); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("GetToken(replaced, stale reference) error = %v, want auth.ErrNotFound", err)
	}
	if _, err := s.AddTokenAttempt(ctx, old.ID); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("AddTokenAttempt(replaced, stale reference) error = %v, want auth.ErrNotFound", err)
	}
	if ok, err := s.DeleteToken(ctx, old.ID); ok || err != nil {
		t.Errorf("DeleteToken(replaced, stale reference) = %v, %v; want false, nil", ok, err)
	}
	if got, err := s.GetToken(ctx, nw.ID); err != nil || got.ID != nw.ID {
		t.Errorf("GetToken(new) = %+v, %v; want it untouched", got, err)
	}
	if n, err := s.DeleteExpiredTokens(ctx, t0.Add(time.Nanosecond), 10); err != nil || n != 1 {
		t.Errorf("DeleteExpiredTokens = %d, %v; want 1 (the new token; the stale entry not counted)", n, err)
	}
	if n, err := s.Client().ZCard(ctx, s.Prefix()+"{tsweep}").Result(); err != nil || n != 0 {
		t.Errorf("sweep index after the sweep: %d entries, %v; want 0", n, err)
	}
}

// Token keys (hash and reference) and counters get a TTL: Redis drops
// them by itself once past their expiry plus the grace period.
func testTokenKeysExpire(t *testing.T, s *redisstore.Sessions) {
	ctx := t.Context()
	r := tokenRec("ttl", "u1", time.Now().Add(time.Hour))
	if err := s.CreateToken(ctx, r); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.IncrementCounter(ctx, "k", time.Now(), time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	tag := strconv.Itoa(len("sign-in")) + ":sign-in" + "u1"
	for key, max := range map[string]time.Duration{
		"{T:" + tag + "}":  time.Hour + redisstore.DefaultExpiryGrace,
		"{I:" + r.ID + "}": time.Hour + redisstore.DefaultExpiryGrace,
		"{C:k}":            time.Minute + redisstore.DefaultExpiryGrace,
	} {
		ttl, err := s.Client().PTTL(ctx, s.Prefix()+key).Result()
		if err != nil || ttl <= max-time.Minute || ttl > max {
			t.Errorf("PTTL(%s) = %v, %v; want about %v", key, ttl, err, max)
		}
	}
}
