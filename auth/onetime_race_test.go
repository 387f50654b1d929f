package auth_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
)

// One-time tokens under races: a store that holds concurrent consumers
// at the worst moment, and what Auth guarantees all the same.

// barrier holds each caller of wait until n have called it.
type barrier struct {
	mu   sync.Mutex
	n    int
	done chan struct{}
}

func newBarrier(n int) *barrier { return &barrier{n: n, done: make(chan struct{})} }

func (b *barrier) wait() {
	b.mu.Lock()
	b.n--
	if b.n == 0 {
		close(b.done)
	}
	b.mu.Unlock()
	<-b.done
}

// raceStore makes concurrent consumers race at the worst moment: every
// GetToken and UserToken returns only once all have read, and every
// AddTokenAttempt only once all have reserved, so that each of them acts
// on what it read before any of them has written. It records the attempt
// numbers it hands out, and the one of the caller marked in its context.
type raceStore struct {
	*memstore.Store
	reads, reserves *barrier
	mu              sync.Mutex
	attempts        []int
	marked          int
}

type markKey struct{}

func (s *raceStore) GetToken(ctx context.Context, id string) (auth.TokenRecord, error) {
	r, err := s.Store.GetToken(ctx, id)
	s.reads.wait()
	return r, err
}

func (s *raceStore) UserToken(ctx context.Context, userID, purpose string) (auth.TokenRecord, error) {
	r, err := s.Store.UserToken(ctx, userID, purpose)
	s.reads.wait()
	return r, err
}

func (s *raceStore) AddTokenAttempt(ctx context.Context, id string) (int, error) {
	n, err := s.Store.AddTokenAttempt(ctx, id)
	s.mu.Lock()
	s.attempts = append(s.attempts, n)
	if ctx.Value(markKey{}) != nil {
		s.marked = n
	}
	s.mu.Unlock()
	s.reserves.wait()
	return n, err
}

func newRaceAuth(t *testing.T, n int) (*auth.Auth, *raceStore) {
	t.Helper()
	store := &raceStore{Store: memstore.New(), reads: newBarrier(n), reserves: newBarrier(n)}
	a, err := auth.New(store, auth.Config{Clock: fixedClockAt(t0)})
	if err != nil {
		t.Fatal(err)
	}
	return a, store
}

// Single use under races: 32 consumers that all read the token before any
// deletes it; exactly one wins.
func TestConcurrentConsumeTokenOneWinner(t *testing.T) {
	a, _ := newRaceAuth(t, 32)
	it := issue(t, a, auth.NewToken{Purpose: "sign-in", UserID: "u"})
	var wins, invalid atomic.Int32
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			_, err := a.ConsumeToken(context.Background(), "sign-in", it.Token)
			switch {
			case err == nil:
				wins.Add(1)
			case errors.Is(err, auth.ErrInvalidToken):
				invalid.Add(1)
			default:
				t.Errorf("ConsumeToken: %v", err)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 || invalid.Load() != 31 {
		t.Errorf("32 concurrent ConsumeToken: %d won, %d invalid; want 1 and 31", wins.Load(), invalid.Load())
	}
}

// Each try reserves an attempt before it compares, so concurrent guesses
// can't compare more than MaxCodeAttempts codes: 32 guesses that all read
// the token and all reserve before any compares, one of them the right
// code. The reservations are 1..32, each once; the right code wins only
// if its reservation was within the limit (an attacker's guesses beyond
// it are never compared); and afterwards the token is gone.
func TestConcurrentWrongCodesBoundedByMaxAttempts(t *testing.T) {
	for trial := range 20 {
		a, store := newRaceAuth(t, 32)
		it := issue(t, a, auth.NewToken{Purpose: "sign-in", UserID: "u", Code: true})
		var rightErr error
		var wg sync.WaitGroup
		for i := range 32 {
			wg.Go(func() {
				ctx, code := context.Background(), wrongCode(it.Code)
				if i == trial {
					ctx, code = context.WithValue(ctx, markKey{}, true), it.Code
				}
				_, err := a.ConsumeCode(ctx, "sign-in", "u", code)
				if i == trial {
					rightErr = err
				} else if !errors.Is(err, auth.ErrInvalidToken) {
					t.Errorf("ConsumeCode(wrong): %v, want ErrInvalidToken", err)
				}
			})
		}
		wg.Wait()
		seen := map[int]bool{}
		for _, n := range store.attempts {
			if n < 1 || n > 32 || seen[n] {
				t.Fatalf("attempts %v, want 1..32 each once", store.attempts)
			}
			seen[n] = true
		}
		if rightErr == nil && store.marked > auth.DefaultMaxCodeAttempts {
			t.Fatalf("trial %d: the right code won with attempt %d of a limit of %d", trial, store.marked, auth.DefaultMaxCodeAttempts)
		}
		if _, err := store.Store.GetToken(context.Background(), it.ID); !errors.Is(err, auth.ErrNotFound) {
			t.Fatalf("token after 32 tries: %v, want deleted", err)
		}
	}
}
