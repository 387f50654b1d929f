package sqlitestore_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/sqlitestore"
)

// readOnce creates a user and a session in s and reads the session back.
func readOnce(t *testing.T, s *sqlitestore.Store) {
	t.Helper()
	ctx := context.Background()
	if err := s.CreateUser(ctx, auth.UserRecord{ID: "u1"}, nil); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	rec := auth.SessionRecord{ID: "s1", UserID: "u1", CreatedAt: now, RenewedAt: now,
		ActiveExpiresAt: now.Add(time.Hour), IdleExpiresAt: now.Add(2 * time.Hour)}
	if err := s.CreateSession(ctx, rec); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if _, err := s.GetSession(ctx, "s1"); err != nil {
			t.Fatal(err)
		}
	}
}

// newOnOwnHandle returns a migrated store on a file handle the test owns
// (OpenDB: no limit on its pool), closed when the test ends.
func newOnOwnHandle(t *testing.T) (*sql.DB, *sqlitestore.Store) {
	t.Helper()
	db, err := sqlitestore.OpenDB(filepath.Join(t.TempDir(), "auth.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := sqlitestore.New(db)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db, s
}

// On a handle with no limit on its pool, a store reads on a connection of
// its own, held between reads and closed by Close, even on a handle the
// app owns.
func TestSessionReadsOnConnectionsOfTheStore(t *testing.T) {
	db, s := newOnOwnHandle(t)
	readOnce(t, s)
	if got := db.Stats().InUse; got != 1 {
		t.Errorf("after sequential reads: %d connections in use; want 1, the store's", got)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if got := db.Stats().InUse; got != 0 {
		t.Errorf("after Close: %d connections in use; want 0", got)
	}
	if err := db.Ping(); err != nil {
		t.Errorf("the app's handle after the store's Close: %v", err)
	}
}

// A handle kept to one connection (":memory:") has none to spare: reads
// go through its pool, and writes after them do not wait.
func TestSessionReadsOnALimitedPoolUseThePool(t *testing.T) {
	s := memoryStore(t)
	readOnce(t, s)
	if got := s.DB().Stats().InUse; got != 0 {
		t.Errorf("after reads on :memory:: %d connections in use; want 0", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.DeleteSession(ctx, "s1"); err != nil {
		t.Errorf("DeleteSession after reads: %v", err)
	}
}

// A read whose context has ended returns an error wrapping the context's.
func TestSessionReadEndsWithItsContext(t *testing.T) {
	s := fileStore(t)
	readOnce(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.GetSession(ctx, "s1"); !errors.Is(err, context.Canceled) || errors.Is(err, auth.ErrNotFound) {
		t.Errorf("GetSession with an ended context: err = %v; want one wrapping context.Canceled", err)
	}
}

// An app that limits its pool after making the store still gets
// connections for its own queries and the store's writes: the store keeps
// at most half of the pool for its reads, and reads through the pool
// beyond that.
func TestPoolLimitedAfterNewLeavesConnectionsForWrites(t *testing.T) {
	db, s := newOnOwnHandle(t)
	defer s.Close()
	readOnce(t, s)
	db.SetMaxOpenConns(2)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	errs := make(chan error, 64)
	for range 32 {
		go func() {
			_, err := s.GetSession(ctx, "s1")
			errs <- err
		}()
	}
	now := time.Now()
	for i := range 8 {
		rec := auth.SessionRecord{ID: auth.SessionID(string(rune('a' + i))), UserID: "u1", CreatedAt: now, RenewedAt: now,
			ActiveExpiresAt: now.Add(time.Hour), IdleExpiresAt: now.Add(2 * time.Hour)}
		if err := s.CreateSession(ctx, rec); err != nil {
			t.Fatalf("a write with the pool limited to 2: %v", err)
		}
	}
	var row int
	if err := db.QueryRowContext(ctx, "SELECT 1").Scan(&row); err != nil {
		t.Fatalf("the app's own query with the pool limited to 2: %v", err)
	}
	for range 32 {
		if err := <-errs; err != nil {
			t.Errorf("a read with the pool limited to 2: %v", err)
		}
	}
	if got := db.Stats().InUse; got > 1 {
		t.Errorf("%d connections held by the store's reads; want at most half of the pool (1)", got)
	}
}
