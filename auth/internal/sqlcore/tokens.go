package sqlcore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/internal/unixnano"
)

// tokenQueries are the statements of [Tokens] and [Counters], built by
// buildQueries with the others.
type tokenQueries struct {
	createToken, getToken, userToken, deleteToken, addTokenAttempt, deleteExpiredTokens string
	incrementCounter, deleteCounter, deleteExpiredCounters                              string
}

// buildTokenQueries writes the statements with q, buildQueries's
// rewriter: {t} is auth_tokens and {c} auth_counters, with the schema.
func buildTokenQueries(q func(string) string) tokenQueries {
	return tokenQueries{
		// One statement replaces the user's token of the purpose, so that
		// concurrent calls need no lock and exactly one token survives:
		// the unique (user_id, purpose) makes a second insert update the
		// first's row (on PostgreSQL it waits for the first to commit),
		// and the row takes the new ID, so the replaced ID is gone. An ID
		// that exists already is a primary-key violation, or, when it is
		// the row's own, changes no row (the WHERE): an error either way.
		createToken: q(`INSERT INTO {t} AS t (id, purpose, user_id, address, code_hash, attempts, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (user_id, purpose) DO UPDATE SET id = excluded.id, address = excluded.address,
				code_hash = excluded.code_hash, attempts = excluded.attempts,
				created_at = excluded.created_at, expires_at = excluded.expires_at
			WHERE t.id <> excluded.id`),
		getToken:            q(`SELECT id, ` + tokenCols + ` FROM {t} WHERE id = ?`),
		userToken:           q(`SELECT id, ` + tokenCols + ` FROM {t} WHERE user_id = ? AND purpose = ?`),
		deleteToken:         q(`DELETE FROM {t} WHERE id = ?`),
		addTokenAttempt:     q(`UPDATE {t} SET attempts = attempts + 1 WHERE id = ? RETURNING attempts`),
		deleteExpiredTokens: q(`DELETE FROM {t} WHERE id IN (SELECT id FROM {t} WHERE expires_at < ? LIMIT ?)`),

		// One upsert: the read and the write of a count are one step.
		// SET's expressions all read the row as it was.
		incrementCounter: q(`INSERT INTO {c} AS c (key, count, reset_at) VALUES (?, 1, ?)
			ON CONFLICT (key) DO UPDATE SET
				count = CASE WHEN c.reset_at < ? THEN 1 ELSE c.count + 1 END,
				reset_at = CASE WHEN c.reset_at < ? THEN excluded.reset_at ELSE c.reset_at END
			RETURNING count, reset_at`),
		deleteCounter:         q(`DELETE FROM {c} WHERE key = ?`),
		deleteExpiredCounters: q(`DELETE FROM {c} WHERE key IN (SELECT key FROM {c} WHERE reset_at < ? LIMIT ?)`),
	}
}

// tokenCols are the columns scanToken reads after the ID.
const tokenCols = `purpose, user_id, address, code_hash, attempts, created_at, expires_at`

func scanToken(r Row) (auth.TokenRecord, error) {
	var t auth.TokenRecord
	var attempts, created, expires int64
	if err := r.Scan(&t.ID, &t.Purpose, &t.UserID, &t.Address, &t.CodeHash, &attempts, &created, &expires); err != nil {
		return auth.TokenRecord{}, err
	}
	t.Attempts = int(attempts)
	t.CreatedAt, t.ExpiresAt = unixnano.Decode(created), unixnano.Decode(expires)
	return t, nil
}

// Tokens implements [auth.TokenStore] on a [Core], in both users modes:
// a token's user ID is kept as given, with no foreign key. The SQL
// stores' types embed it.
type Tokens struct{ c *Core }

// Tokens returns the one-time token methods on c.
func (c *Core) Tokens() Tokens { return Tokens{c} }

// errTokenExists is a system error: token IDs are hashes of random
// tokens, so a collision means a bug.
var errTokenExists = errors.New("a token with this ID exists")

// CreateToken implements [auth.TokenStore] with one upsert on the unique
// (user_id, purpose): see buildTokenQueries.
func (x Tokens) CreateToken(ctx context.Context, t auth.TokenRecord) error {
	c := x.c
	created, err := c.nanos(t.CreatedAt)
	if err != nil {
		return err
	}
	expires, err := c.nanos(t.ExpiresAt)
	if err != nil {
		return err
	}
	n, err := c.db.Exec(ctx, c.q.tokens.createToken, t.ID, t.Purpose, t.UserID, t.Address, t.CodeHash, int64(t.Attempts), created, expires)
	if err != nil {
		// A unique violation (an existing ID) stays a system error.
		return c.wrap("create token", err)
	}
	if n == 0 {
		return fmt.Errorf("%s: create token: %w", c.cfg.Name, errTokenExists)
	}
	return nil
}

// GetToken implements [auth.TokenStore]: one SELECT by primary key.
func (x Tokens) GetToken(ctx context.Context, id string) (auth.TokenRecord, error) {
	return x.c.readToken(ctx, "get token", x.c.q.tokens.getToken, id)
}

// UserToken implements [auth.TokenStore]: one SELECT on the unique
// (user_id, purpose).
func (x Tokens) UserToken(ctx context.Context, userID, purpose string) (auth.TokenRecord, error) {
	return x.c.readToken(ctx, "get user token", x.c.q.tokens.userToken, userID, purpose)
}

func (c *Core) readToken(ctx context.Context, op, query string, args ...any) (auth.TokenRecord, error) {
	t, err := scanToken(c.db.QueryRow(ctx, query, args...))
	if c.isNoRows(err) {
		return auth.TokenRecord{}, auth.ErrNotFound
	}
	if err != nil {
		return auth.TokenRecord{}, c.wrap(op, err)
	}
	return t, nil
}

// DeleteToken implements [auth.TokenStore] with one DELETE: of
// concurrent ones, the one that changed the row reports true (the
// database locks the row; the others find it gone).
func (x Tokens) DeleteToken(ctx context.Context, id string) (bool, error) {
	c := x.c
	n, err := c.db.Exec(ctx, c.q.tokens.deleteToken, id)
	if err != nil {
		return false, c.wrap("delete token", err)
	}
	return n == 1, nil
}

// AddTokenAttempt implements [auth.TokenStore] with one UPDATE ...
// RETURNING.
func (x Tokens) AddTokenAttempt(ctx context.Context, id string) (int, error) {
	c := x.c
	var n int64
	err := c.writeRow(ctx, c.q.tokens.addTokenAttempt, []any{id}, &n)
	if c.isNoRows(err) {
		return 0, auth.ErrNotFound
	}
	if err != nil {
		return 0, c.wrap("add token attempt", err)
	}
	return int(n), nil
}

// DeleteExpiredTokens implements [auth.TokenStore]: one bounded DELETE on
// the expires_at index, a step like DeleteExpiredSessions's.
func (x Tokens) DeleteExpiredTokens(ctx context.Context, now time.Time, limit int) (int, error) {
	return x.c.sweep(ctx, "delete expired tokens", x.c.q.tokens.deleteExpiredTokens, now, limit)
}

// Counters implements [auth.CounterStore] on a [Core], in both users
// modes. The SQL stores' types embed it.
type Counters struct{ c *Core }

// Counters returns the throttle counter methods on c.
func (c *Core) Counters() Counters { return Counters{c} }

// IncrementCounter implements [auth.CounterStore] with one INSERT ... ON
// CONFLICT DO UPDATE ... RETURNING: a counter whose window ended before
// now starts again at 1 with windowEnd, any other counts one more in its
// window. The database runs concurrent upserts of one key one after the
// other, so each returns its own count.
func (x Counters) IncrementCounter(ctx context.Context, key string, now, windowEnd time.Time) (int, time.Time, error) {
	c := x.c
	nowN, err := c.nanos(now)
	if err != nil {
		return 0, time.Time{}, err
	}
	end, err := c.nanos(windowEnd)
	if err != nil {
		return 0, time.Time{}, err
	}
	var count, resetAt int64
	if err := c.writeRow(ctx, c.q.tokens.incrementCounter, []any{key, end, nowN, nowN}, &count, &resetAt); err != nil {
		return 0, time.Time{}, c.wrap("increment counter", err)
	}
	return int(count), unixnano.Decode(resetAt), nil
}

// DeleteCounter implements [auth.CounterStore].
func (x Counters) DeleteCounter(ctx context.Context, key string) error {
	c := x.c
	if _, err := c.db.Exec(ctx, c.q.tokens.deleteCounter, key); err != nil {
		return c.wrap("delete counter", err)
	}
	return nil
}

// DeleteExpiredCounters implements [auth.CounterStore]: one bounded
// DELETE on the reset_at index, a step like DeleteExpiredSessions's.
func (x Counters) DeleteExpiredCounters(ctx context.Context, now time.Time, limit int) (int, error) {
	return x.c.sweep(ctx, "delete expired counters", x.c.q.tokens.deleteExpiredCounters, now, limit)
}

// writeRow runs a write that returns one row (... RETURNING) and scans
// it into dest; with no row, the error is the driver's no-rows error. On
// SQLite it runs in a transaction, which is what takes the store's write
// turn and the write lock (QueryRow is the read path there); on
// PostgreSQL a statement is a transaction already.
func (c *Core) writeRow(ctx context.Context, query string, args []any, dest ...any) error {
	if c.cfg.Postgres {
		return c.db.QueryRow(ctx, query, args...).Scan(dest...)
	}
	return c.db.InTx(ctx, func(tx Querier) error {
		return tx.QueryRow(ctx, query, args...).Scan(dest...)
	})
}

var (
	_ auth.TokenStore   = Tokens{}
	_ auth.CounterStore = Counters{}
)
