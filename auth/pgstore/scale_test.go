package pgstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/internal/scale"
	"github.com/authkit-dev/authkit/internal/testservices"
)

// scaleBackend is a fresh store in its own schema with the user "filler".
func scaleBackend(t *testing.T) scale.Backend {
	t.Helper()
	pgURL := testservices.Postgres(t)
	schema := newSchema(t, pgURL)
	s := openStore(t, pgURL, schema)
	if err := s.CreateUser(t.Context(), auth.UserRecord{ID: "filler"}, nil); err != nil {
		t.Fatal(err)
	}
	table := `"` + schema + `".auth_sessions`
	floor := scale.FloorSelect(table) + ` WHERE id = $1`
	return scale.Backend{
		Store: s,
		Fill: func(ctx context.Context, n, expired int, now time.Time) error {
			live, dead := now.Add(24*time.Hour).UnixNano(), now.Add(-time.Hour).UnixNano()
			if _, err := s.DB().Exec(ctx, `INSERT INTO `+table+`
				(id, user_id, created_at, renewed_at, active_expires_at, idle_expires_at, expires_at, user_agent, client_ip, attributes)
				SELECT lpad(to_hex(i), 64, '0'), 'filler', $2::bigint, $2::bigint,
					CASE WHEN i <= $3 THEN $4::bigint ELSE $5::bigint END, CASE WHEN i <= $3 THEN $4::bigint ELSE $5::bigint END,
					0, 'Mozilla/5.0 (scale test)', '192.0.2.1', NULL
				FROM generate_series(1, $1::int) AS i`,
				n, now.UnixNano(), expired, dead, live); err != nil {
				return err
			}
			_, err := s.DB().Exec(ctx, `ANALYZE `+table)
			return err
		},
		Floor: func(ctx context.Context, id string) error {
			return scale.ScanFloor(s.DB().QueryRow(ctx, floor, id).Scan)
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
