package memstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
)

// IDs that are not 64 lowercase hex characters (never made by Auth) are
// kept apart from the compact ones, and still round-trip.
func TestOddSessionIDs(t *testing.T) {
	ctx := context.Background()
	s := memstore.NewSessions()
	at := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	canonical := auth.SessionID("token")
	ids := []string{"x", strings.ToUpper(canonical), canonical[:63], canonical + "0", "ünïcode", canonical}
	for i, id := range ids {
		r := auth.SessionRecord{ID: id, UserID: "u", CreatedAt: at, RenewedAt: at,
			ActiveExpiresAt: at.Add(time.Duration(i) * time.Hour), IdleExpiresAt: at.Add(time.Duration(i+1) * time.Hour)}
		if err := s.CreateSession(ctx, r); err != nil {
			t.Fatalf("CreateSession(%q): %v", id, err)
		}
	}
	for _, id := range ids {
		got, err := s.GetSession(ctx, id)
		if err != nil || got.ID != id {
			t.Errorf("GetSession(%q) = %q, %v", id, got.ID, err)
		}
	}
	list, err := s.UserSessions(ctx, "u")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range list {
		seen[r.ID] = true
	}
	for _, id := range ids {
		if !seen[id] {
			t.Errorf("UserSessions misses %q (got %d sessions)", id, len(list))
		}
	}
	// The sweep deletes the first three (idle 1h, 2h, 3h before 3h30).
	n, err := s.DeleteExpiredSessions(ctx, at.Add(3*time.Hour+30*time.Minute), 10)
	if err != nil || n != 3 {
		t.Errorf("DeleteExpiredSessions = %d, %v; want 3", n, err)
	}
	for i, id := range ids {
		_, err := s.GetSession(ctx, id)
		if gone := errors.Is(err, auth.ErrNotFound); gone != (i < 3) {
			t.Errorf("after the sweep, GetSession(%q): %v", id, err)
		}
	}
	if err := s.DeleteSession(ctx, "ünïcode"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetSession(ctx, "ünïcode"); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("GetSession after DeleteSession: %v", err)
	}
}

// Times int64 nanoseconds can't hold are refused with a system error,
// not stored wrong.
func TestTimeRange(t *testing.T) {
	ctx := context.Background()
	s := memstore.NewSessions()
	ok := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, bad := range []time.Time{time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)} {
		r := auth.SessionRecord{ID: auth.SessionID("t"), UserID: "u", CreatedAt: ok, RenewedAt: ok, ActiveExpiresAt: ok, IdleExpiresAt: bad}
		err := s.CreateSession(ctx, r)
		if err == nil || errors.Is(err, auth.ErrNotFound) || errors.Is(err, auth.ErrUserNotFound) {
			t.Errorf("CreateSession(idle %v) = %v, want a system error", bad, err)
		}
		if _, err := s.GetSession(ctx, r.ID); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("a refused session is stored: %v", err)
		}
		r.IdleExpiresAt = ok
		if err := s.CreateSession(ctx, r); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RenewSession(ctx, r.ID, ok, auth.Renewal{RenewedAt: ok, ActiveExpiresAt: ok, IdleExpiresAt: bad}); err == nil {
			t.Errorf("RenewSession(idle %v) succeeded", bad)
		}
		// The sweep takes any now: far past deletes nothing, far future all.
		if n, err := s.DeleteExpiredSessions(ctx, time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC), 10); n != 0 || err != nil {
			t.Errorf("DeleteExpiredSessions(year 1000) = %d, %v", n, err)
		}
		if n, err := s.DeleteExpiredSessions(ctx, time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), 10); n != 1 || err != nil {
			t.Errorf("DeleteExpiredSessions(year 3000) = %d, %v", n, err)
		}
	}
}
