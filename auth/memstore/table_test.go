package memstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
	"github.com/authkit-dev/authkit/internal/testservices"
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

// Times outside the stores' one range are refused with a system error,
// not stored wrong.
func TestTimeRange(t *testing.T) {
	testservices.CheckTimeRange(t, memstore.NewSessions(), "u1")
}
