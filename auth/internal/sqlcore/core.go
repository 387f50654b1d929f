package sqlcore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/internal/pace"
)

// UsersTable names an app's users table and its ID column.
type UsersTable struct {
	Table, IDColumn string
	// IDType is the PostgreSQL type of the ID column: "text" (or ""),
	// "integer", "bigint" or "uuid". SQLite ignores it.
	IDType string
}

// Config describes a store to [New].
type Config struct {
	// Name prefixes errors: "sqlitestore" or "pgstore".
	Name string
	// Postgres selects PostgreSQL's SQL ($n placeholders, casts); SQLite
	// otherwise.
	Postgres bool
	// Schema is the PostgreSQL schema of authkit's tables, unquoted, or "".
	Schema string
	// Users is the app's users table, or nil for authkit's own.
	Users *UsersTable
	// NoRows is the driver's no-rows error.
	NoRows error
	// Classify tells what a driver error is.
	Classify func(error) Kind
	// NotMigrated is the sentinel that errors from a database without the
	// tables wrap.
	NotMigrated error
	// CheckUser makes GetSession check, in the same statement, that the
	// app's user row still exists (SQLite app-users mode: the cascade
	// depends on the deleting connection's foreign_keys pragma).
	CheckUser bool
	// PaceSweep makes each DeleteExpiredSessions step wait pace.Duty
	// times as long as its DELETE took before it returns, so that a sweep
	// leaves the rest of the time to the app (SQLite runs in the app's
	// process, on its CPUs).
	PaceSweep bool
}

// Core implements the store methods on a [DB].
type Core struct {
	db  DB
	cfg Config
	q   queries
	// idOK reports whether a user ID is one the ID column gives back
	// unchanged (see canonicalID); nil when every string is.
	idOK func(string) bool
}

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Quote validates name as an SQL identifier (letters, digits and
// underscores, not starting with a digit), or, when dotted is set, as
// "schema.table", and returns it double-quoted.
func Quote(name string, dotted bool) (string, error) {
	parts := []string{name}
	if dotted {
		if a, b, ok := strings.Cut(name, "."); ok {
			parts = []string{a, b}
		}
	}
	for i, p := range parts {
		if !identifier.MatchString(p) || len(p) > 63 {
			return "", fmt.Errorf("invalid SQL identifier %q (want letters, digits and underscores)", name)
		}
		parts[i] = `"` + p + `"`
	}
	return strings.Join(parts, "."), nil
}

// idTypes are the PostgreSQL types an app's ID column may have.
var idTypes = map[string]string{"": "text", "text": "text", "integer": "integer", "bigint": "bigint", "uuid": "uuid"}

// New returns a Core on db.
func New(db DB, cfg Config) (*Core, error) {
	c := &Core{db: db, cfg: cfg}
	prefix := ""
	if cfg.Schema != "" {
		s, err := Quote(cfg.Schema, false)
		if err != nil {
			return nil, fmt.Errorf("%s: schema: %w", cfg.Name, err)
		}
		prefix = s + "."
	}
	users, idcol, idtype := prefix+"auth_users", "id", "text"
	if u := cfg.Users; u != nil {
		var err error
		if users, err = Quote(u.Table, cfg.Postgres); err != nil {
			return nil, fmt.Errorf("%s: users table: %w", cfg.Name, err)
		}
		if idcol, err = Quote(u.IDColumn, false); err != nil {
			return nil, fmt.Errorf("%s: users ID column: %w", cfg.Name, err)
		}
		t, ok := idTypes[strings.ToLower(u.IDType)]
		if !ok || (!cfg.Postgres && u.IDType != "") {
			return nil, fmt.Errorf("%s: users ID type %q: want text, integer, bigint or uuid (PostgreSQL only)", cfg.Name, u.IDType)
		}
		idtype = t
	}
	c.q = buildQueries(cfg, prefix, users, idcol, idtype)
	if cfg.Postgres {
		c.idOK = canonicalID(idtype)
	}
	return c, nil
}

// canonicalID returns the check that a user ID is exactly the text a
// PostgreSQL column of type idtype gives back, or nil for text, where
// every string is. User IDs are strings compared exactly ([auth.Session]'s
// UserID is the one given at creation), but PostgreSQL casts " 42",
// "+42" and "042" to the bigint 42 and upper-case or braced UUIDs to the
// one lower-case form; such an ID names no user, instead of naming one
// under a second spelling. SQLite's column type is the app's and unknown
// here: its insert compares CAST(id AS TEXT) in SQL instead, and its
// user_id column is TEXT, so its reads compare exactly already.
func canonicalID(idtype string) func(string) bool {
	integer := func(bits int) func(string) bool {
		return func(id string) bool {
			n, err := strconv.ParseInt(id, 10, bits)
			return err == nil && strconv.FormatInt(n, 10) == id
		}
	}
	switch idtype {
	case "integer":
		return integer(32)
	case "bigint":
		return integer(64)
	case "uuid":
		return func(id string) bool {
			if len(id) != 36 {
				return false
			}
			for i := 0; i < len(id); i++ {
				c := id[i]
				switch i {
				case 8, 13, 18, 23:
					if c != '-' {
						return false
					}
				default:
					if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
						return false
					}
				}
			}
			return true
		}
	}
	return nil
}

// knownID reports whether userID can name a user: whether the ID column
// gives it back unchanged.
func (c *Core) knownID(userID string) bool { return c.idOK == nil || c.idOK(userID) }

// The instants int64 Unix nanoseconds can hold.
var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

// Nanos encodes t as Unix nanoseconds, and the zero time as
// math.MinInt64 (so that, say, a renewal compared with the zero time
// matches nothing). It refuses times outside the int64 range, and the
// instant math.MinInt64 itself (in 1677), which reads back as zero.
func (c *Core) Nanos(t time.Time) (int64, error) {
	if t.IsZero() {
		return math.MinInt64, nil
	}
	if !t.After(minTime) || t.After(maxTime) {
		return 0, fmt.Errorf("%s: time %v is outside the range of int64 Unix nanoseconds (%v to %v)", c.cfg.Name, t, minTime.UTC(), maxTime.UTC())
	}
	return t.UnixNano(), nil
}

// FromNanos decodes what [Core.Nanos] encodes; times are in UTC.
func FromNanos(n int64) time.Time {
	if n == math.MinInt64 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// ExpiryNanos encodes an absolute expiry: the zero time (none) as 0, as
// the schema documents. It refuses the Unix epoch itself, which would read
// back as none.
func (c *Core) ExpiryNanos(t time.Time) (int64, error) {
	if t.IsZero() {
		return 0, nil
	}
	n, err := c.Nanos(t)
	if err == nil && n == 0 {
		err = fmt.Errorf("%s: absolute expiry %v is the Unix epoch, which encodes none", c.cfg.Name, t)
	}
	return n, err
}

// FromExpiryNanos decodes what [Core.ExpiryNanos] encodes.
func FromExpiryNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return FromNanos(n)
}

// jsonArg is the SQL value for JSON attributes: NULL for nil, the bytes
// unchanged as text otherwise.
func jsonArg(a json.RawMessage) any {
	if a == nil {
		return nil
	}
	return string(a)
}

func (c *Core) isNoRows(err error) bool { return errors.Is(err, c.cfg.NoRows) }

// sessionCols is the column list scanSession reads, s.id first;
// sessionColsByID the same without s.id, for a read by ID.
const (
	sessionCols     = `s.id, ` + sessionColsByID
	sessionColsByID = `{suid}, s.created_at, s.renewed_at, s.active_expires_at, s.idle_expires_at, s.expires_at, s.user_agent, s.client_ip, s.attributes, s.browser_session`
)

// sessionScan holds the destinations of one session row in one
// allocation: Scan's arguments escape, so pointers to locals would cost an
// allocation each, on the path of every validation.
type sessionScan struct {
	rec                                              auth.SessionRecord
	created, renewed, active, idle, expires, browser int64
	attrs                                            []byte
	dest                                             [13]any
}

// scanSession scans the columns of sessionCols (of sessionColsByID when id
// is not "": the row is that session's), then extra (at most two).
func scanSession(r Row, id string, extra ...any) (auth.SessionRecord, error) {
	s := new(sessionScan)
	dest := append(s.dest[:0], &s.rec.ID)
	if id != "" {
		dest, s.rec.ID = dest[:0], id
	}
	dest = append(dest, &s.rec.UserID, &s.created, &s.renewed, &s.active, &s.idle, &s.expires, &s.rec.UserAgent, &s.rec.ClientIP, &s.attrs, &s.browser)
	if err := r.Scan(append(dest, extra...)...); err != nil {
		return auth.SessionRecord{}, err
	}
	rec := s.rec
	rec.CreatedAt, rec.RenewedAt = FromNanos(s.created), FromNanos(s.renewed)
	rec.ActiveExpiresAt, rec.IdleExpiresAt, rec.ExpiresAt = FromNanos(s.active), FromNanos(s.idle), FromExpiryNanos(s.expires)
	if s.attrs != nil {
		rec.Attributes = s.attrs
	}
	rec.BrowserSession = s.browser != 0
	return rec, nil
}

// flag is the SQL value of a boolean column: 1 or 0.
func flag(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// CreateSession implements [auth.SessionStore]. The insert selects from
// the users table, so a missing user inserts nothing, atomically. A user
// ID that the ID column would give back in another spelling is
// [auth.ErrUserNotFound] (see canonicalID).
func (c *Core) CreateSession(ctx context.Context, s auth.SessionRecord) error {
	if !c.knownID(s.UserID) {
		return fmt.Errorf("%w: %s: user ID %q is not as the users table's ID column writes it", auth.ErrUserNotFound, c.cfg.Name, s.UserID)
	}
	var ts [5]int64
	for i, t := range []time.Time{s.CreatedAt, s.RenewedAt, s.ActiveExpiresAt, s.IdleExpiresAt} {
		n, err := c.Nanos(t)
		if err != nil {
			return err
		}
		ts[i] = n
	}
	n, err := c.ExpiryNanos(s.ExpiresAt)
	if err != nil {
		return err
	}
	ts[4] = n
	args := []any{s.ID, ts[0], ts[1], ts[2], ts[3], ts[4], s.UserAgent, s.ClientIP, jsonArg(s.Attributes), flag(s.BrowserSession), s.UserID}
	if c.q.insertSessionExact {
		args = append(args, s.UserID)
	}
	n, err = c.db.Exec(ctx, c.q.insertSession, args...)
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
func (c *Core) GetSession(ctx context.Context, id string) (auth.SessionRecord, error) {
	rec, err := scanSession(c.db.QueryRow(ctx, c.q.getSession, id), id)
	if c.isNoRows(err) {
		return auth.SessionRecord{}, auth.ErrNotFound
	}
	if err != nil {
		return auth.SessionRecord{}, c.wrap("get session", err)
	}
	return rec, nil
}

// GetSessionAndUser implements [auth.SessionUserGetter]: one SELECT
// joining the user.
func (c *Core) GetSessionAndUser(ctx context.Context, id string) (auth.SessionRecord, auth.UserRecord, error) {
	var uid *string
	var attrs []byte
	rec, err := scanSession(c.db.QueryRow(ctx, c.q.getSessionAndUser, id), "", &uid, &attrs)
	if c.isNoRows(err) {
		return auth.SessionRecord{}, auth.UserRecord{}, auth.ErrNotFound
	}
	if err != nil {
		return auth.SessionRecord{}, auth.UserRecord{}, c.wrap("get session and user", err)
	}
	if uid == nil {
		return rec, auth.UserRecord{}, auth.ErrUserNotFound
	}
	return rec, auth.UserRecord{ID: *uid, Attributes: attrs}, nil
}

// RenewSession implements [auth.SessionStore] with one conditional UPDATE.
func (c *Core) RenewSession(ctx context.Context, id string, old time.Time, r auth.Renewal) (bool, error) {
	var ts [4]int64
	for i, t := range []time.Time{r.RenewedAt, r.ActiveExpiresAt, r.IdleExpiresAt, old} {
		n, err := c.Nanos(t)
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
func (c *Core) UpdateSessionAttributes(ctx context.Context, id string, old, attributes json.RawMessage) (bool, error) {
	n, err := c.db.Exec(ctx, c.q.updateSessionAttributes, jsonArg(attributes), id, jsonArg(old))
	if err != nil {
		return false, c.wrap("update session attributes", err)
	}
	return n == 1, nil
}

// DeleteSession implements [auth.SessionStore].
func (c *Core) DeleteSession(ctx context.Context, id string) error {
	if _, err := c.db.Exec(ctx, c.q.deleteSession, id); err != nil {
		return c.wrap("delete session", err)
	}
	return nil
}

// DeleteUserSessions implements [auth.SessionStore]. An ID the ID column
// would give back in another spelling names no user: nothing to delete.
func (c *Core) DeleteUserSessions(ctx context.Context, userID string) error {
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
func (c *Core) UserSessions(ctx context.Context, userID string) ([]auth.SessionRecord, error) {
	if !c.knownID(userID) {
		return nil, nil
	}
	var out []auth.SessionRecord
	err := c.db.Query(ctx, c.q.userSessions, func(r Row) error {
		rec, err := scanSession(r, "")
		if err != nil {
			return err
		}
		out = append(out, rec)
		return nil
	}, userID)
	if err != nil {
		return nil, c.wrap("list user sessions", err)
	}
	return out, nil
}

// DeleteExpiredSessions implements [auth.SessionStore]: one DELETE of at
// most limit rows found on the idle_expires_at index.
func (c *Core) DeleteExpiredSessions(ctx context.Context, now time.Time, limit int) (int, error) {
	if limit <= 0 {
		return 0, fmt.Errorf("%s: delete expired sessions: limit %d is not positive", c.cfg.Name, limit)
	}
	n, err := c.Nanos(now)
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
			return 0, c.wrap("delete expired sessions", err)
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
		deleted, err = tx.Exec(ctx, c.q.deleteExpired, n, limit)
		return err
	})
	if err != nil {
		// Rolled back, or the commit's outcome unknown: nothing to count.
		return 0, c.wrap("delete expired sessions", err)
	}
	if c.cfg.PaceSweep {
		if err := pace.After(ctx, start); err != nil {
			// The step is done: its count belongs in the caller's total.
			return int(deleted), c.wrap("delete expired sessions", err)
		}
	}
	return int(deleted), nil
}

// pgSweepStep bounds a PostgreSQL sweep step, which its caller's context
// does not cut short once it has begun.
const pgSweepStep = 10 * time.Second

// CreateUser implements [auth.UserStore]: user and key in one
// transaction.
func (c *Core) CreateUser(ctx context.Context, user auth.UserRecord, key *auth.KeyRecord) error {
	var sentinel error
	err := c.db.InTx(ctx, func(tx Querier) error {
		if _, err := tx.Exec(ctx, c.q.insertUser, user.ID, jsonArg(user.Attributes)); err != nil {
			if c.cfg.Classify(err) == Unique {
				sentinel = auth.ErrDuplicateUser
			}
			return err
		}
		if key != nil {
			if _, err := tx.Exec(ctx, c.q.insertKey, key.ProviderID, key.ProviderUserID, key.UserID, key.PasswordHash); err != nil {
				if c.cfg.Classify(err) == Unique {
					sentinel = auth.ErrDuplicateKey
				}
				return err
			}
		}
		return nil
	})
	if sentinel != nil {
		return sentinel
	}
	if err != nil {
		return c.wrap("create user", err)
	}
	return nil
}

// GetUser implements [auth.UserStore].
func (c *Core) GetUser(ctx context.Context, userID string) (auth.UserRecord, error) {
	var attrs []byte
	err := c.db.QueryRow(ctx, c.q.getUser, userID).Scan(&attrs)
	if c.isNoRows(err) {
		return auth.UserRecord{}, auth.ErrNotFound
	}
	if err != nil {
		return auth.UserRecord{}, c.wrap("get user", err)
	}
	return auth.UserRecord{ID: userID, Attributes: attrs}, nil
}

// execOne runs a statement that must change one row, and returns
// [auth.ErrNotFound] if it changed none.
func (c *Core) execOne(ctx context.Context, op, query string, args ...any) error {
	n, err := c.db.Exec(ctx, query, args...)
	if err != nil {
		return c.wrap(op, err)
	}
	if n == 0 {
		return auth.ErrNotFound
	}
	return nil
}

// UpdateUserAttributes implements [auth.UserStore].
func (c *Core) UpdateUserAttributes(ctx context.Context, userID string, attributes json.RawMessage) error {
	return c.execOne(ctx, "update user attributes", c.q.updateUserAttributes, jsonArg(attributes), userID)
}

// DeleteUser implements [auth.UserStore]: the user's sessions, keys and
// the user in one transaction (not relying on SQLite's foreign_keys
// pragma).
func (c *Core) DeleteUser(ctx context.Context, userID string) error {
	found := true
	err := c.db.InTx(ctx, func(tx Querier) error {
		for _, q := range []string{c.q.deleteUserSessions, c.q.deleteUserKeys} {
			if _, err := tx.Exec(ctx, q, userID); err != nil {
				return err
			}
		}
		n, err := tx.Exec(ctx, c.q.deleteUser, userID)
		if err != nil {
			return err
		}
		if n == 0 {
			found = false
			return auth.ErrNotFound // rolls back nothing that matters
		}
		return nil
	})
	if !found {
		return auth.ErrNotFound
	}
	if err != nil {
		return c.wrap("delete user", err)
	}
	return nil
}

// CreateKey implements [auth.UserStore]. The insert selects from the users
// table, so a missing user inserts nothing, atomically.
func (c *Core) CreateKey(ctx context.Context, key auth.KeyRecord) error {
	err := c.execOne(ctx, "create key", c.q.insertKeyForUser, key.ProviderID, key.ProviderUserID, key.PasswordHash, key.UserID)
	if err == nil || errors.Is(err, auth.ErrNotFound) {
		return err
	}
	switch c.cfg.Classify(err) {
	case Unique:
		return auth.ErrDuplicateKey
	case ForeignKey:
		return auth.ErrNotFound
	}
	return err
}

// GetKey implements [auth.UserStore].
func (c *Core) GetKey(ctx context.Context, providerID, providerUserID string) (auth.KeyRecord, error) {
	k := auth.KeyRecord{ProviderID: providerID, ProviderUserID: providerUserID}
	err := c.db.QueryRow(ctx, c.q.getKey, providerID, providerUserID).Scan(&k.UserID, &k.PasswordHash)
	if c.isNoRows(err) {
		return auth.KeyRecord{}, auth.ErrNotFound
	}
	if err != nil {
		return auth.KeyRecord{}, c.wrap("get key", err)
	}
	return k, nil
}

// UpdateKeyPassword implements [auth.UserStore].
func (c *Core) UpdateKeyPassword(ctx context.Context, providerID, providerUserID, passwordHash string) error {
	return c.execOne(ctx, "update key password", c.q.updateKeyPassword, passwordHash, providerID, providerUserID)
}

// DeleteKey implements [auth.UserStore].
func (c *Core) DeleteKey(ctx context.Context, providerID, providerUserID string) error {
	return c.execOne(ctx, "delete key", c.q.deleteKey, providerID, providerUserID)
}

// UserKeys implements [auth.UserStore].
func (c *Core) UserKeys(ctx context.Context, userID string) ([]auth.KeyRecord, error) {
	var out []auth.KeyRecord
	err := c.db.Query(ctx, c.q.userKeys, func(r Row) error {
		k := auth.KeyRecord{UserID: userID}
		if err := r.Scan(&k.ProviderID, &k.ProviderUserID, &k.PasswordHash); err != nil {
			return err
		}
		out = append(out, k)
		return nil
	}, userID)
	if err != nil {
		return nil, c.wrap("list user keys", err)
	}
	return out, nil
}
