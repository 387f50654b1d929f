package memstore

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/internal/scale"
)

// TestScaleLockHold measures how long the chunked operations hold the
// lock with a million sessions stored: what a validation or a sign-in can
// wait at most for them, apart from the scheduler. Run with
//
//	AUTHKIT_SCALE=1 go test -run TestScaleLockHold -v ./auth/memstore
func TestScaleLockHold(t *testing.T) {
	scale.Skip(t)
	ctx := context.Background()
	s := NewSessions()
	now := time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	mk := func(i int, user string, idle time.Time) {
		r := auth.SessionRecord{
			ID: auth.SessionID(fmt.Sprint("token ", i)), UserID: user,
			CreatedAt: idle.Add(-2 * time.Hour), RenewedAt: idle.Add(-2 * time.Hour),
			ActiveExpiresAt: idle.Add(-time.Hour), IdleExpiresAt: idle,
		}
		if err := s.CreateSession(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	// Half expired, in random order of expiry; one user with 10,000.
	for i := range 1_000_000 {
		idle := now.Add(time.Duration(i%1000+1) * time.Second)
		if i%2 == 0 {
			idle = now.Add(-time.Duration((i*7919)%500_000+1) * time.Millisecond)
		}
		user := fmt.Sprintf("user-%d", i%1000)
		if i%100 == 1 {
			user = "heavy"
		}
		mk(i, user, idle)
	}

	var holds []time.Duration
	u := s.sessions.userKey("heavy")
	for range 20 {
		var out []auth.SessionRecord
		for i := range s.sessions.shards {
			sh := &s.sessions.shards[i]
			sh.mu.RLock()
			start := time.Now()
			out = sh.appendUserSessions(out, u)
			holds = append(holds, time.Since(start))
			sh.mu.RUnlock()
		}
		if len(out) != 10_000 {
			t.Fatalf("heavy user has %d sessions, want 10000", len(out))
		}
	}
	slices.Sort(holds)
	t.Logf("UserSessions of 10,000 among 1,000,000: lock held per shard: median %v, p99 %v, max %v",
		holds[len(holds)/2], holds[len(holds)*99/100], holds[len(holds)-1])

	var sweepHolds []time.Duration
	cutoff, _ := encodeTime(now)
	total := 0
	for i := range s.sessions.shards {
		sh := &s.sessions.shards[i]
		for {
			sh.mu.Lock()
			start := time.Now()
			n := sh.sweep(cutoff, sweepChunk)
			sweepHolds = append(sweepHolds, time.Since(start))
			sh.mu.Unlock()
			total += n
			if n < sweepChunk {
				break
			}
		}
	}
	if total != 500_000 {
		t.Errorf("swept %d, want 500000", total)
	}
	slices.Sort(sweepHolds)
	t.Logf("sweep of 500,000 of 1,000,000: lock held per chunk of %d: median %v, p99 %v, max %v",
		sweepChunk, sweepHolds[len(sweepHolds)/2], sweepHolds[len(sweepHolds)*99/100], sweepHolds[len(sweepHolds)-1])
}
