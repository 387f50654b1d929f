package sqlcore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/internal/unixnano"
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

// nanos encodes t by the stores' one rule (see unixnano): Unix
// nanoseconds, unixnano.None for the zero time, an error outside the
// range.
func (c *Core) nanos(t time.Time) (int64, error) {
	n, err := unixnano.Encode(t)
	if err != nil {
		return 0, fmt.Errorf("%s: %v: %w", c.cfg.Name, t, err)
	}
	return n, nil
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
//
// Each column is named by one letter: modernc's SQLite driver copies
// every column's name into a new string on each query, but a one-byte
// string is Go's static one, so these names cost a read nothing (ten
// allocations fewer for a session read). Rows are scanned by position:
// the names are not read.
const (
	sessionCols     = `s.id AS k, ` + sessionColsByID
	sessionColsByID = `{suid} AS a, s.created_at AS b, s.renewed_at AS c, s.active_expires_at AS d, s.idle_expires_at AS e, s.expires_at AS f, s.user_agent AS g, s.client_ip AS h, s.attributes AS i, s.browser_session AS j`
)

// sessionScan holds the destinations of one session row in one
// allocation: Scan's arguments escape, so pointers to locals would cost an
// allocation each, on the path of every validation. It holds the columns
// as scanned, not an auth.SessionRecord, whose five time.Time would make
// the allocation 120 bytes larger for fields the scan never writes.
type sessionScan struct {
	id, userID, userAgent, clientIP                  string
	created, renewed, active, idle, expires, browser int64
	attrs                                            []byte
	dest                                             [13]any
}

// scanSession scans the columns of sessionCols (of sessionColsByID when id
// is not "": the row is that session's), then extra (at most two).
func scanSession(r Row, id string, extra ...any) (auth.SessionRecord, error) {
	return new(sessionScan).scan(r, id, extra...)
}

// sessionByID reads the session id with query, a read by primary key
// whose one argument is id, and scans it as scanSession does. On a StdDB
// the row, its argument and the destinations are one allocation, on the
// path of every validation.
func (c *Core) sessionByID(ctx context.Context, query, id string) (auth.SessionRecord, error) {
	d, ok := c.db.(*StdDB)
	if !ok {
		return scanSession(c.db.QueryRow(ctx, query, id), id)
	}
	v := new(struct {
		row  readRow
		scan sessionScan
	})
	return v.scan.scan(d.rowByID(&v.row, ctx, query, id), id)
}

// scan is scanSession with s as the destinations.
func (s *sessionScan) scan(r Row, id string, extra ...any) (auth.SessionRecord, error) {
	dest := append(s.dest[:0], &s.id)
	if id != "" {
		dest, s.id = dest[:0], id
	}
	dest = append(dest, &s.userID, &s.created, &s.renewed, &s.active, &s.idle, &s.expires, &s.userAgent, &s.clientIP, &s.attrs, &s.browser)
	if err := r.Scan(append(dest, extra...)...); err != nil {
		return auth.SessionRecord{}, err
	}
	rec := auth.SessionRecord{
		ID: s.id, UserID: s.userID, UserAgent: s.userAgent, ClientIP: s.clientIP,
		CreatedAt: unixnano.Decode(s.created), RenewedAt: unixnano.Decode(s.renewed),
		ActiveExpiresAt: unixnano.Decode(s.active), IdleExpiresAt: unixnano.Decode(s.idle), ExpiresAt: unixnano.Decode(s.expires),
		BrowserSession: s.browser != 0,
	}
	if s.attrs != nil {
		rec.Attributes = s.attrs
	}
	return rec, nil
}

// flag is the SQL value of a boolean column: 1 or 0.
func flag(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// pgSweepStep bounds a PostgreSQL sweep step, which its caller's context
// does not cut short once it has begun.
const pgSweepStep = 10 * time.Second

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
