package memstore_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
	"github.com/authkit-dev/authkit/authtest/storetest"
	"github.com/authkit-dev/authkit/internal/testservices"
)

// TestConformance needs Store and Sessions to be auth.SessionStore, and
// Store auth.UserStore, to compile; the join is optional in the contract
// (the suite checks it when a store has it), so this keeps a Store that
// lost it from passing.
var _ auth.SessionUserGetter = (*memstore.Store)(nil)

// TestConformance is memstore's conformance run, as every backend has one
// in its own tests. memstore being the reference store, it is also the
// suites' own check: storetest has no store of its own to run them on.
func TestConformance(t *testing.T) {
	stores := []struct {
		name string
		new  func() store
	}{
		{"Store", func() store { return memstore.New() }},
		{"Sessions", func() store { return memstore.NewSessions() }},
	}
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			t.Run("SessionStore", func(t *testing.T) {
				storetest.TestSessionStore(t, func(t *testing.T) auth.SessionStore { return s.new() })
			})
			if _, ok := s.new().(auth.UserStore); ok {
				t.Run("UserStore", func(t *testing.T) {
					storetest.TestUserStore(t, func(t *testing.T) auth.UserStore { return s.new().(auth.UserStore) })
				})
			}
			t.Run("TokenStore", func(t *testing.T) {
				storetest.TestTokenStore(t, func(t *testing.T) auth.TokenStore { return s.new() })
			})
			t.Run("CounterStore", func(t *testing.T) {
				storetest.TestCounterStore(t, func(t *testing.T) auth.CounterStore { return s.new() })
			})
		})
	}
}

// store is what both kinds of memstore are.
type store interface {
	auth.SessionStore
	auth.TokenStore
	auth.CounterStore
}

func BenchmarkSessionStore(b *testing.B) {
	b.Run("Store", func(b *testing.B) {
		storetest.BenchmarkSessionStore(b, func(b *testing.B) auth.SessionStore { return memstore.New() })
	})
	b.Run("Sessions", func(b *testing.B) {
		storetest.BenchmarkSessionStore(b, func(b *testing.B) auth.SessionStore { return memstore.NewSessions() })
	})
}

// Two handles on one memstore are one store: the shared-renewal check
// (one renewal write among racing servers) holds trivially, and checks
// the helper itself on both kinds of store.
func TestSharedRenewal(t *testing.T) {
	t.Run("Store", func(t *testing.T) {
		s := memstore.New()
		testservices.CheckSharedRenewal(t, s, s)
	})
	t.Run("Sessions", func(t *testing.T) {
		s := memstore.NewSessions()
		testservices.CheckSharedRenewal(t, s, s)
	})
}

// A sweep ends promptly while the app keeps every CPU busy: it neither
// yields between its chunks nor pauses after every step, either of which
// costs a scheduler preemption (10 ms) each time (issue 21: 96 s for
// 5,000,000 sessions). 20,000 sessions took about 15 s that way; now well
// under a second (a few with -race).
func TestSweepWhileCPUsBusy(t *testing.T) {
	ctx := context.Background()
	s := memstore.NewSessions()
	at := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	const n = 20_000
	for i := range n {
		r := auth.SessionRecord{ID: auth.SessionID(fmt.Sprint("token ", i)), UserID: fmt.Sprint("u", i%100),
			CreatedAt: at, RenewedAt: at, ActiveExpiresAt: at, IdleExpiresAt: at.Add(time.Duration(i) * time.Millisecond)}
		if err := s.CreateSession(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	a, err := auth.New(s, auth.Config{Clock: fixedClock(at.Add(time.Hour))})
	if err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for x := 0; !stop.Load(); x++ {
				_ = x * x
			}
		})
	}
	start := time.Now()
	got, err := a.DeleteExpiredSessions(ctx)
	took := time.Since(start)
	stop.Store(true)
	wg.Wait()
	if err != nil || got != n {
		t.Fatalf("DeleteExpiredSessions = %d, %v; want %d", got, err, n)
	}
	if took > 5*time.Second {
		t.Errorf("a sweep of %d sessions with every CPU busy took %v, want under 5s", n, took)
	}
	t.Logf("swept %d with every CPU busy in %v", n, took)
}

type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }
