package sqlitestore_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/internal/scale"
)

// scaleBackend is a fresh file store with the user "filler".
func scaleBackend(t *testing.T) scale.Backend {
	t.Helper()
	s := openStore(t, filepath.Join(t.TempDir(), "scale.db"))
	if err := s.CreateUser(t.Context(), auth.UserRecord{ID: "filler"}, nil); err != nil {
		t.Fatal(err)
	}
	floor, err := s.DB().Prepare(scale.FloorSelect("auth_sessions") + ` WHERE id = ?`)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { floor.Close() })
	return scale.Backend{
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
			return scale.ScanFloor(floor.QueryRowContext(ctx, id).Scan)
		},
	}
}

// Validation at 1,000 and 1,000,000 sessions against the raw floor
// (AUTHKIT_SCALE=1).
func TestScaleLatency(t *testing.T) { scale.CheckLatency(t, scaleBackend) }

// Sweeping 500,000 expired of 1,000,000 in bounded steps, of auth's
// default size and of 100, and paced (AUTHKIT_SCALE=1).
func TestScaleSweep(t *testing.T) {
	for _, batch := range []int{auth.DefaultSweepBatch, 100} {
		t.Run(fmt.Sprint(batch), func(t *testing.T) { scale.CheckSweep(t, scaleBackend, batch, false) })
	}
	t.Run("paced", func(t *testing.T) { scale.CheckSweep(t, scaleBackend, auth.DefaultSweepBatch, true) })
}

// BenchmarkSessionsCheckUser measures what the EXISTS on the app's users
// table costs GetSession in sessions mode: the same primary-key SELECT
// with and without it, paired in random order, medians reported.
func BenchmarkSessionsCheckUser(b *testing.B) {
	s := sessionsStore(b, filepath.Join(b.TempDir(), "app.db"))
	ctx := context.Background()
	if _, err := s.DB().ExecContext(ctx, `INSERT INTO users (id) VALUES ('u1')`); err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	id := auth.SessionID("bench")
	if err := s.CreateSession(ctx, auth.SessionRecord{ID: id, UserID: "u1", CreatedAt: now, RenewedAt: now, ActiveExpiresAt: now.Add(time.Hour), IdleExpiresAt: now.Add(2 * time.Hour)}); err != nil {
		b.Fatal(err)
	}
	cols := scale.FloorSelect("auth_sessions s") + ` WHERE s.id = ?`
	plain, err := s.DB().Prepare(cols)
	if err != nil {
		b.Fatal(err)
	}
	defer plain.Close()
	checked, err := s.DB().Prepare(cols + ` AND EXISTS (SELECT 1 FROM "users" u WHERE u."id" = s.user_id)`)
	if err != nil {
		b.Fatal(err)
	}
	defer checked.Close()
	read := func(st *sql.Stmt) func() error {
		return func() error { return scale.ScanFloor(st.QueryRowContext(ctx, id).Scan) }
	}
	reads := []func() error{read(plain), read(checked), func() error { _, err := s.GetSession(ctx, id); return err }}
	ds := make([][]time.Duration, len(reads))
	for b.Loop() {
		for _, i := range rand.Perm(len(reads)) {
			t0 := time.Now()
			if err := reads[i](); err != nil {
				b.Fatal(err)
			}
			ds[i] = append(ds[i], time.Since(t0))
		}
	}
	med := func(d []time.Duration) float64 { slices.Sort(d); return float64(d[len(d)/2].Nanoseconds()) }
	p, c, g := med(ds[0]), med(ds[1]), med(ds[2])
	b.ReportMetric(p, "plain-median-ns")
	b.ReportMetric(c, "exists-median-ns")
	b.ReportMetric(g, "store-median-ns")
	b.ReportMetric(c/p, "exists/plain")
}
