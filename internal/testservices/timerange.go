package testservices

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
)

// CheckTimeRange checks the stores' one time rule (auth/internal/unixnano)
// beyond the edges of its range on s, where the user userID exists: a time
// outside 1677-09-21T00:12:43.145224193Z to 2262-04-11T23:47:16.854775807Z
// is refused with a system error by every method that takes one (the
// conformance suite checks the edges themselves, the epoch and the zero
// time, which every store keeps).
func CheckTimeRange(t *testing.T, s auth.SessionStore, userID string) {
	t.Helper()
	ctx := t.Context()
	first, last := time.Unix(0, math.MinInt64+1), time.Unix(0, math.MaxInt64)
	ok := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	kept := auth.SessionRecord{ID: auth.SessionID("kept"), UserID: userID, CreatedAt: ok, RenewedAt: ok, ActiveExpiresAt: ok, IdleExpiresAt: ok}
	if err := s.CreateSession(ctx, kept); err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	for _, bad := range []time.Time{
		time.Unix(0, math.MinInt64), // encodes the zero time
		first.Add(-time.Nanosecond).In(time.Local),
		last.Add(time.Nanosecond),
		time.Date(1500, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		r := auth.SessionRecord{ID: auth.SessionID("refused"), UserID: userID, CreatedAt: ok, RenewedAt: ok, ActiveExpiresAt: ok, IdleExpiresAt: ok, ExpiresAt: bad}
		if err := s.CreateSession(ctx, r); err == nil || errors.Is(err, auth.ErrNotFound) || errors.Is(err, auth.ErrUserNotFound) {
			t.Errorf("CreateSession(ExpiresAt %v): error = %v, want a system error", bad, err)
		}
		if _, err := s.GetSession(ctx, r.ID); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("GetSession of the session refused for %v: error = %v, want auth.ErrNotFound", bad, err)
		}
		if _, err := s.RenewSession(ctx, kept.ID, ok, auth.Renewal{RenewedAt: ok, ActiveExpiresAt: ok, IdleExpiresAt: bad}); err == nil {
			t.Errorf("RenewSession(IdleExpiresAt %v) succeeded, want an error", bad)
		}
		if _, err := s.RenewSession(ctx, kept.ID, bad, auth.Renewal{RenewedAt: ok, ActiveExpiresAt: ok, IdleExpiresAt: ok}); err == nil {
			t.Errorf("RenewSession(old ActiveExpiresAt %v) succeeded, want an error", bad)
		}
		if _, err := s.DeleteExpiredSessions(ctx, bad, 10); err == nil {
			t.Errorf("DeleteExpiredSessions(%v) succeeded, want an error", bad)
		}
	}
	got, err := s.GetSession(ctx, kept.ID)
	if err != nil || !got.IdleExpiresAt.Equal(ok) || !got.ActiveExpiresAt.Equal(ok) {
		t.Errorf("GetSession after the refused calls = %+v, %v; want the session unchanged", got, err)
	}
}
