package sqlitestore_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/sqlitestore"
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/internal/testservices"
)

// holdWriteLock takes the database's write lock on a connection of its
// own handle (as another process would) and keeps it until the test ends
// or the returned function is called.
func holdWriteLock(t *testing.T, path string) (release func()) {
	t.Helper()
	db, err := sqlitestore.OpenDB(path)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := db.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(t.Context(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			conn.ExecContext(context.Background(), "ROLLBACK")
			conn.Close()
			db.Close()
		})
	}
	t.Cleanup(release)
	return release
}

// A write waiting for SQLite's write lock, held by another connection,
// returns when its context ends, not when the lock is released: 8
// renewals with a 300ms deadline all return a store failure wrapping
// context.DeadlineExceeded within a second, while the lock is held for
// longer.
func TestWriteWaitingForLockHonoursContext(t *testing.T) {
	path := filepath.Join(t.TempDir(), "auth.db")
	s := openStore(t, path)
	clock := fakeauth.NewClock(time.Now())
	a := testservices.NewAuth(t, s, clock)
	u, err := a.CreateUser(t.Context(), auth.NewUser{})
	if err != nil {
		t.Fatal(err)
	}
	var tokens []string
	for range 8 {
		sess, err := a.CreateSession(t.Context(), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, sess.Token)
	}
	clock.Advance(a.Config().ActivePeriod + time.Minute) // every session idle: validating renews it

	release := holdWriteLock(t, path)
	start := time.Now()
	errs := make([]error, len(tokens))
	took := make([]time.Duration, len(tokens))
	var wg sync.WaitGroup
	for i, token := range tokens {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
			defer cancel()
			_, errs[i] = a.ValidateSession(ctx, token)
			took[i] = time.Since(start)
		})
	}
	wg.Wait()
	release()
	for i := range tokens {
		if !errors.Is(errs[i], auth.ErrStore) || !errors.Is(errs[i], context.DeadlineExceeded) {
			t.Errorf("renewal %d under a held write lock: error = %v, want auth.ErrStore wrapping context.DeadlineExceeded", i, errs[i])
		}
		if took[i] > time.Second {
			t.Errorf("renewal %d with a 300ms deadline returned after %v, want within 1s", i, took[i].Round(time.Millisecond))
		}
	}
	// The lock released, the same renewals succeed.
	for i, token := range tokens {
		if got, err := a.ValidateSession(t.Context(), token); err != nil || !got.Fresh {
			t.Errorf("renewal %d after the lock was released = %v; want a renewed session", i, err)
		}
	}
}

// A write that finds the write lock held waits for it (up to
// WriteLockTimeout), rather than failing at once with SQLITE_BUSY: the
// connections' busy_timeout is short, so the store does the waiting.
func TestWriteWaitsForLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "auth.db")
	s := openStore(t, path)
	a := testservices.NewAuth(t, s, nil)
	u, err := a.CreateUser(t.Context(), auth.NewUser{})
	if err != nil {
		t.Fatal(err)
	}
	release := holdWriteLock(t, path)
	time.AfterFunc(300*time.Millisecond, release)
	start := time.Now()
	if _, err := a.CreateSession(t.Context(), u.ID); err != nil {
		t.Fatalf("CreateSession while another connection holds the write lock for 300ms: %v", err)
	}
	if took := time.Since(start); took < 250*time.Millisecond {
		t.Errorf("CreateSession returned after %v, before the lock was released", took)
	}
}
