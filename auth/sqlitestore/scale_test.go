package sqlitestore_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/internal/sqlscale"
)

// scaleBackend is a fresh file store with the user "filler".
func scaleBackend(t *testing.T) sqlscale.Backend {
	t.Helper()
	s := openStore(t, filepath.Join(t.TempDir(), "scale.db"))
	if err := s.CreateUser(t.Context(), auth.UserRecord{ID: "filler"}, nil); err != nil {
		t.Fatal(err)
	}
	floor, err := s.DB().Prepare(`SELECT id, user_id, created_at, renewed_at, active_expires_at, idle_expires_at, expires_at, user_agent, client_ip, attributes FROM auth_sessions WHERE id = ?`)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { floor.Close() })
	return sqlscale.Backend{
		Store: s,
		Fill: func(ctx context.Context, n, expired int, now time.Time) error {
			live, dead := now.Add(24*time.Hour).UnixNano(), now.Add(-time.Hour).UnixNano()
			// One statement, one transaction: a recursive CTE makes the rows.
			_, err := s.DB().ExecContext(ctx, `INSERT INTO auth_sessions
				(id, user_id, created_at, renewed_at, active_expires_at, idle_expires_at, expires_at, user_agent, client_ip, attributes)
				WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
				SELECT printf('%064x', i), 'filler', ?, ?, CASE WHEN i <= ? THEN ? ELSE ? END, CASE WHEN i <= ? THEN ? ELSE ? END,
					0, 'Mozilla/5.0 (scale test)', '192.0.2.1', NULL FROM n`,
				n, now.UnixNano(), now.UnixNano(), expired, dead, live, expired, dead, live)
			return err
		},
		Floor: func(ctx context.Context, id string) error {
			var (
				sid, uid, ua, ip                      string
				created, renewed, active, idle, expir int64
				attrs                                 []byte
			)
			return floor.QueryRowContext(ctx, id).Scan(&sid, &uid, &created, &renewed, &active, &idle, &expir, &ua, &ip, &attrs)
		},
	}
}

// Validation at 1,000 and 1,000,000 sessions against the raw floor
// (AUTHKIT_SCALE=1).
func TestScaleLatency(t *testing.T) { sqlscale.CheckLatency(t, scaleBackend) }

// Sweeping 500,000 expired of 1,000,000 in bounded steps (AUTHKIT_SCALE=1).
func TestScaleSweep(t *testing.T) { sqlscale.CheckSweep(t, scaleBackend) }
