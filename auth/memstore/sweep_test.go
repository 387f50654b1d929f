package memstore

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
)

// TestSweepComesBackToAHeldShard holds one shard's read lock, as a
// validation does, while a sweep step runs: the step passes the shard over
// and sweeps the others, and ends (deleting fewer than its limit) only
// once it has waited for the held shard and swept it too.
func TestSweepComesBackToAHeldShard(t *testing.T) {
	ctx := context.Background()
	s := NewSessions()
	now := time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	const n = 5_000
	for i := range n {
		idle := now.Add(-time.Minute)
		r := auth.SessionRecord{
			ID: auth.SessionID(fmt.Sprint("token ", i)), UserID: fmt.Sprint("user-", i%7),
			CreatedAt: idle.Add(-2 * time.Hour), RenewedAt: idle.Add(-2 * time.Hour),
			ActiveExpiresAt: idle.Add(-time.Hour), IdleExpiresAt: idle,
		}
		if err := s.CreateSession(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	held := &s.sessions.shards[s.sessions.sweepFrom.Load()+3]
	if len(held.heap.idle) == 0 {
		t.Fatal("the held shard has no sessions: the test needs one that has")
	}
	held.mu.RLock()
	done := make(chan int)
	go func() {
		cutoff, _ := encodeTime(now)
		k, _ := s.sessions.sweep(cutoff, n+1)
		done <- k
	}()
	// The others are swept while the shard is held (within 10 s even on
	// a loaded machine), and the step has not ended.
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case k := <-done:
			t.Fatalf("the sweep ended (%d deleted) while a shard with expired sessions was held", k)
		case <-time.After(10 * time.Millisecond):
		}
		left := 0
		for i := range s.sessions.shards {
			if sh := &s.sessions.shards[i]; sh != held {
				sh.mu.Lock()
				left += len(sh.heap.idle)
				sh.mu.Unlock()
			}
		}
		if left == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("while one shard was held, %d sessions were left in the others after 10 s, want 0", left)
		}
	}
	held.mu.RUnlock()
	if k := <-done; k != n {
		t.Errorf("the sweep deleted %d, want %d", k, n)
	}
	if k := len(held.heap.idle); k != 0 {
		t.Errorf("%d sessions left in the shard that was held, want 0", k)
	}
}
