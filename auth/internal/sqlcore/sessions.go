package sqlcore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/internal/pace"
)

// Sessions implements [auth.SessionStore] on a [Core]. The SQL stores'
// Sessions types embed it, so that each method is written once for both
// dialects.
type Sessions struct{ c *Core }

// Sessions returns the session methods on c.
func (c *Core) Sessions() Sessions { return Sessions{c} }

// CreateSession implements [auth.SessionStore]. The insert selects from
// the users table, so a missing user inserts nothing, atomically. A user
// ID that the ID column would give back in another spelling is
// [auth.ErrUserNotFound] (see canonicalID).
func (x Sessions) CreateSession(ctx context.Context, s auth.SessionRecord) error {
	c := x.c
	if !c.knownID(s.UserID) {
		return fmt.Errorf("%w: %s: user ID %q is not as the users table's ID column writes it", auth.ErrUserNotFound, c.cfg.Name, s.UserID)
	}
	var ts [5]int64
	for i, t := range []time.Time{s.CreatedAt, s.RenewedAt, s.ActiveExpiresAt, s.IdleExpiresAt, s.ExpiresAt} {
		n, err := c.nanos(t)
		if err != nil {
			return err
		}
		ts[i] = n
	}
	args := []any{s.ID, ts[0], ts[1], ts[2], ts[3], ts[4], s.UserAgent, s.ClientIP, jsonArg(s.Attributes), flag(s.BrowserSession), s.UserID}
	if c.q.insertSessionExact {
		args = append(args, s.UserID)
	}
	n, err := c.db.Exec(ctx, c.q.insertSession, args...)
	switch {
	case err != nil && c.cfg.Classify(err) == ForeignKey:
		// The user was deleted between the SELECT and the insert's check.
		return auth.ErrUserNotFound
	case err != nil:
		// A unique violation (an existing session ID) stays a system error.
		return c.wrap("create session", err)
	case n == 0:
		return auth.ErrUserNotFound
	}
	return nil
}

// GetSession implements [auth.SessionStore]: one SELECT by primary key.
func (x Sessions) GetSession(ctx context.Context, id string) (auth.SessionRecord, error) {
	c := x.c
	rec, err := c.sessionByID(ctx, c.q.getSession, id)
	if c.isNoRows(err) {
		return auth.SessionRecord{}, auth.ErrNotFound
	}
	if err != nil {
		return auth.SessionRecord{}, c.wrap("get session", err)
	}
	return rec, nil
}

// RenewSession implements [auth.SessionStore] with one conditional UPDATE.
func (x Sessions) RenewSession(ctx context.Context, id string, old time.Time, r auth.Renewal) (bool, error) {
	c := x.c
	var ts [4]int64
	for i, t := range []time.Time{r.RenewedAt, r.ActiveExpiresAt, r.IdleExpiresAt, old} {
		n, err := c.nanos(t)
		if err != nil {
			return false, err
		}
		ts[i] = n
	}
	n, err := c.db.Exec(ctx, c.q.renewSession, ts[0], ts[1], ts[2], id, ts[3])
	if err != nil {
		return false, c.wrap("renew session", err)
	}
	return n == 1, nil
}

// UpdateSessionAttributes implements [auth.SessionStore] with one
// conditional UPDATE comparing the stored attributes as text.
func (x Sessions) UpdateSessionAttributes(ctx context.Context, id string, old, attributes json.RawMessage) (bool, error) {
	c := x.c
	n, err := c.db.Exec(ctx, c.q.updateSessionAttributes, jsonArg(attributes), id, jsonArg(old))
	if err != nil {
		return false, c.wrap("update session attributes", err)
	}
	return n == 1, nil
}

// DeleteSession implements [auth.SessionStore].
func (x Sessions) DeleteSession(ctx context.Context, id string) error {
	c := x.c
	if _, err := c.db.Exec(ctx, c.q.deleteSession, id); err != nil {
		return c.wrap("delete session", err)
	}
	return nil
}

// DeleteUserSessions implements [auth.SessionStore]. An ID the ID column
// would give back in another spelling names no user: nothing to delete.
func (x Sessions) DeleteUserSessions(ctx context.Context, userID string) error {
	c := x.c
	if !c.knownID(userID) {
		return nil
	}
	if _, err := c.db.Exec(ctx, c.q.deleteUserSessions, userID); err != nil {
		return c.wrap("delete user sessions", err)
	}
	return nil
}

// UserSessions implements [auth.SessionStore]: one query on the user_id
// index. An ID the ID column would give back in another spelling names no
// user: it has none.
func (x Sessions) UserSessions(ctx context.Context, userID string) ([]auth.SessionRecord, error) {
	c := x.c
	if !c.knownID(userID) {
		return nil, nil
	}
	return queryAll(ctx, c, "list user sessions", c.q.userSessions, func(r Row) (auth.SessionRecord, error) {
		return scanSession(r, "")
	}, userID)
}

// DeleteExpiredSessions implements [auth.SessionStore]: one DELETE of at
// most limit rows found on the idle_expires_at index.
func (x Sessions) DeleteExpiredSessions(ctx context.Context, now time.Time, limit int) (int, error) {
	return x.c.sweep(ctx, "delete expired sessions", x.c.q.deleteExpired, now, limit)
}

// sweep runs one step of a sweep: query, a DELETE of at most limit rows
// (its two parameters) expired before now, in a transaction of its own,
// and returns how many rows it deleted.
func (c *Core) sweep(ctx context.Context, op, query string, now time.Time, limit int) (int, error) {
	if limit <= 0 {
		return 0, fmt.Errorf("%s: %s: limit %d is not positive", c.cfg.Name, op, limit)
	}
	n, err := c.nanos(now)
	if err != nil {
		return 0, err
	}
	// One transaction, on both: its BEGIN is where SQLite waits for the
	// write lock (immediate transactions, as OpenDB sets), which a
	// context can cut short without losing a count, since the DELETE
	// then never ran; the DELETE and COMMIT run to a known end, so the
	// count returned is what was deleted.
	//
	// On PostgreSQL the step, once begun, runs to its end whatever ctx
	// does (within pgSweepStep): a COMMIT cut short by ctx after the
	// server ran it would leave the count unknown, and the step is one
	// bounded DELETE.
	txCtx := ctx
	if c.cfg.Postgres {
		if err := ctx.Err(); err != nil {
			return 0, c.wrap(op, err)
		}
		var cancel context.CancelFunc
		txCtx, cancel = context.WithTimeout(context.WithoutCancel(ctx), pgSweepStep)
		defer cancel()
	}
	var deleted int64
	start := time.Now()
	err = c.db.InTx(txCtx, func(tx Querier) error {
		ctx := txCtx
		if c.cfg.Postgres {
			// A sweep step need not wait for its commit to reach the
			// disk: if the server crashes first, the sessions it deleted
			// are still dead and the next sweep deletes them again. Not
			// waiting keeps the step's flushes from queueing ahead of
			// sign-ins' commits.
			if _, err := tx.Exec(ctx, "SET LOCAL synchronous_commit TO OFF"); err != nil {
				return err
			}
		}
		var err error
		deleted, err = tx.Exec(ctx, query, n, limit)
		return err
	})
	if err != nil {
		// Rolled back, or the commit's outcome unknown: nothing to count.
		return 0, c.wrap(op, err)
	}
	if c.cfg.PaceSweep {
		if err := pace.After(ctx, start); err != nil {
			// The step is done: its count belongs in the caller's total.
			return int(deleted), c.wrap(op, err)
		}
	}
	return int(deleted), nil
}
