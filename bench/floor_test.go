package bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/authkit-dev/authkit/auth/sqlitestore"
	"github.com/authkit-dev/authkit/internal/testservices"
)

// The floors are the least a session check on a backend can do, with no
// library and the driver authkit uses: read the cookie with net/http, hash
// the token with SHA-256, read one row (or hash) by primary key, compare
// its expiry with the clock. authkit's Session() is measured against them.
//
// "floor" reads a row of the shape of a session as authkit keeps it (user
// ID, five times, user agent, client IP, attributes: what an auth.Session
// carries), with the values of the benchmark's session (no device, no
// attributes); "floor-min" reads only a user ID and an expiry, the least
// any session library can read.

// floorRow is the row every floor reads. The wide floors fill every field;
// the narrow ones only userID and expires.
type floorRow struct {
	userID                         string
	created, renewed, active, idle int64
	expires                        int64
	userAgent, clientIP            string
	attributes                     []byte
}

// newFloor returns the target of a floor: a session stored by put, read
// back by get.
func newFloor(tb testing.TB, put func(id string, row floorRow), get func(ctx context.Context, id string) (floorRow, error)) *target {
	tb.Helper()
	t := &target{userID: newUserID()}
	token := newUserID() + newUserID()
	now := time.Now()
	put(sessionID(token), floorRow{
		userID: t.userID, created: now.UnixNano(), renewed: now.UnixNano(),
		active: now.Add(24 * time.Hour).UnixNano(), idle: now.Add(15 * 24 * time.Hour).UnixNano(),
		expires: now.Add(24 * time.Hour).UnixNano(),
	})
	t.serveToken(token, func(ctx context.Context, token string) (string, error) {
		row, err := get(ctx, sessionID(token))
		if err != nil {
			return "", err
		}
		if row.expires < time.Now().UnixNano() {
			return "", errors.New("expired")
		}
		return row.userID, nil
	})
	return t
}

// sessionID is the hex SHA-256 of the token, as authkit keys sessions.
func sessionID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// newSQLiteFloor reads the row with modernc.org/sqlite, on a file opened
// as sqlitestore.OpenDB opens one, as a careful engineer would on many
// cores: on connections kept for reads (two per CPU, as sqlitestore
// keeps), handed out through a buffered channel, each read running below
// database/sql on the driver's connection (sql.Conn.Raw) with a driver
// statement prepared once on it. Through a *sql.Stmt, even one bound to a
// connection, database/sql takes the handle's one lock twice per read,
// and every core waits there.
func newSQLiteFloor(wide bool) func(tb testing.TB, _ bool) *target {
	return func(tb testing.TB, _ bool) *target {
		tb.Helper()
		db, err := sqlitestore.OpenDB(filepath.Join(tb.TempDir(), "floor.db"))
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { db.Close() })
		if _, err := db.Exec(`CREATE TABLE floor_sessions (id TEXT PRIMARY KEY, user_id TEXT NOT NULL,
			created_at INTEGER NOT NULL, renewed_at INTEGER NOT NULL, active_expires_at INTEGER NOT NULL,
			idle_expires_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
			user_agent TEXT NOT NULL, client_ip TEXT NOT NULL, attributes TEXT)`); err != nil {
			tb.Fatal(err)
		}
		query := `SELECT user_id, active_expires_at FROM floor_sessions WHERE id = ?`
		if wide {
			query = `SELECT user_id, created_at, renewed_at, active_expires_at, idle_expires_at, expires_at,
				user_agent, client_ip, attributes FROM floor_sessions WHERE id = ?`
		}
		type readConn struct {
			conn *sql.Conn
			stmt driver.StmtQueryContext
			args []driver.NamedValue
			vals []driver.Value
		}
		conns := make(chan *readConn, 2*runtime.GOMAXPROCS(0))
		for range cap(conns) {
			ctx, cancel := setupContext()
			conn, err := db.Conn(ctx)
			if err != nil {
				cancel()
				tb.Fatal(err)
			}
			c := &readConn{conn: conn, args: make([]driver.NamedValue, 1)}
			err = conn.Raw(func(dc any) error {
				st, err := dc.(driver.ConnPrepareContext).PrepareContext(ctx, query)
				if err == nil {
					c.stmt = st.(driver.StmtQueryContext)
				}
				return err
			})
			cancel()
			if err != nil {
				tb.Fatal(err)
			}
			tb.Cleanup(func() {
				conn.Raw(func(any) error { return c.stmt.(driver.Stmt).Close() })
				conn.Close()
			})
			conns <- c
		}
		return newFloor(tb, func(id string, r floorRow) {
			if _, err := db.Exec(`INSERT INTO floor_sessions VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`,
				id, r.userID, r.created, r.renewed, r.active, r.idle, r.userAgent, r.clientIP, r.attributes); err != nil {
				tb.Fatal(err)
			}
		}, func(ctx context.Context, id string) (r floorRow, err error) {
			var c *readConn
			select {
			case c = <-conns:
			case <-ctx.Done():
				return r, ctx.Err()
			}
			defer func() { conns <- c }()
			err = c.conn.Raw(func(any) error {
				c.args[0] = driver.NamedValue{Ordinal: 1, Value: id}
				rows, err := c.stmt.QueryContext(ctx, c.args)
				if err != nil {
					return err
				}
				defer rows.Close()
				if len(c.vals) == 0 {
					c.vals = make([]driver.Value, len(rows.Columns()))
				}
				if err := rows.Next(c.vals); err != nil {
					return err
				}
				v := c.vals
				var ok bool
				if r.userID, ok = v[0].(string); !ok {
					return errors.New("user_id is not text")
				}
				if !wide {
					r.expires, _ = v[1].(int64)
					return nil
				}
				r.created, _ = v[1].(int64)
				r.renewed, _ = v[2].(int64)
				r.expires, _ = v[3].(int64)
				r.idle, _ = v[4].(int64)
				r.active, _ = v[5].(int64)
				r.userAgent, _ = v[6].(string)
				r.clientIP, _ = v[7].(string)
				switch a := v[8].(type) {
				case string:
					r.attributes = []byte(a)
				case []byte:
					r.attributes = bytes.Clone(a)
				}
				return nil
			})
			return r, err
		})
	}
}

// newPostgresFloor reads the row with pgxpool, as pgstore does, in a
// schema of its own that is dropped when tb ends.
func newPostgresFloor(wide bool) func(tb testing.TB, _ bool) *target {
	return func(tb testing.TB, _ bool) *target {
		tb.Helper()
		return postgresFloorOn(tb, schemaPool(tb, "bench_floor_"), wide)
	}
}

// postgresFloorOn returns the PostgreSQL floor on pool, in a table that it
// creates in the schema of pool's search_path.
func postgresFloorOn(tb testing.TB, pool *pgxpool.Pool, wide bool) *target {
	tb.Helper()
	ctx, cancel := setupContext()
	defer cancel()
	const table = "floor_sessions"
	if _, err := pool.Exec(ctx, "CREATE TABLE "+table+` (id TEXT PRIMARY KEY, user_id TEXT NOT NULL,
		created_at BIGINT NOT NULL, renewed_at BIGINT NOT NULL, active_expires_at BIGINT NOT NULL,
		idle_expires_at BIGINT NOT NULL, expires_at BIGINT NOT NULL,
		user_agent TEXT NOT NULL, client_ip TEXT NOT NULL, attributes JSON)`); err != nil {
		tb.Fatal(err)
	}
	query := "SELECT user_id, active_expires_at FROM " + table + " WHERE id = $1"
	if wide {
		query = "SELECT user_id, created_at, renewed_at, active_expires_at, idle_expires_at, expires_at, " +
			"user_agent, client_ip, attributes FROM " + table + " WHERE id = $1"
	}
	return newFloor(tb, func(id string, r floorRow) {
		if _, err := pool.Exec(ctx, "INSERT INTO "+table+" VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $9)",
			id, r.userID, r.created, r.renewed, r.active, r.idle, r.userAgent, r.clientIP, r.attributes); err != nil {
			tb.Fatal(err)
		}
	}, func(ctx context.Context, id string) (r floorRow, err error) {
		if !wide {
			err = pool.QueryRow(ctx, query, id).Scan(&r.userID, &r.expires)
			return r, err
		}
		err = pool.QueryRow(ctx, query, id).Scan(&r.userID, &r.created, &r.renewed, &r.expires, &r.idle, &r.active,
			&r.userAgent, &r.clientIP, &r.attributes)
		return r, err
	})
}

// newRedisFloor reads a hash with one HGETALL, as redisstore reads a
// session, under a key prefix of its own deleted when tb ends. The wide
// hash has the fields of redisstore's session hash.
func newRedisFloor(wide bool) func(tb testing.TB, _ bool) *target {
	return func(tb testing.TB, _ bool) *target {
		tb.Helper()
		return redisFloorOn(tb, testservices.RedisClient(tb), wide)
	}
}

// redisFloorOn returns the Redis floor on client, under a key prefix of
// its own deleted when tb ends.
func redisFloorOn(tb testing.TB, client *redis.Client, wide bool) *target {
	tb.Helper()
	prefix := testservices.RedisPrefix(tb, client, "bench:floor:")
	ctx, cancel := setupContext()
	defer cancel()
	return newFloor(tb, func(id string, r floorRow) {
		fields := []any{"u", r.userID, "a", r.active}
		if wide {
			fields = append(fields, "c", r.created, "r", r.renewed, "i", r.idle, "e", "", "ua", r.userAgent, "ip", r.clientIP)
		}
		if err := client.HSet(ctx, prefix+id, fields...).Err(); err != nil {
			tb.Fatal(err)
		}
	}, func(ctx context.Context, id string) (floorRow, error) {
		m, err := client.HGetAll(ctx, prefix+id).Result()
		if err != nil {
			return floorRow{}, err
		}
		r := floorRow{userID: m["u"], userAgent: m["ua"], clientIP: m["ip"]}
		if r.userID == "" {
			return r, errors.New("no such session")
		}
		for _, f := range []struct {
			name string
			to   *int64
		}{{"a", &r.expires}, {"c", &r.created}, {"r", &r.renewed}, {"i", &r.idle}} {
			if v, ok := m[f.name]; ok {
				if *f.to, err = strconv.ParseInt(v, 10, 64); err != nil {
					return r, err
				}
			}
		}
		return r, nil
	})
}
