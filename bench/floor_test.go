package bench

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/sqlitestore"
	"github.com/authkit-dev/authkit/internal/testservices"
)

// The floors are the least a session check on a backend can do, with no
// library and the driver authkit uses: read the cookie with net/http, hash
// the token with SHA-256, read one row (or hash) by primary key, compare
// its expiry with the clock. authkit's Session() is measured against them.

// floorRow is the row every floor reads: a user ID and an expiry.
type floorRow struct {
	userID  string
	expires int64
}

// newFloor returns the target of a floor: a session stored by put, read
// back by get.
func newFloor(tb testing.TB, put func(id string, row floorRow), get func(ctx context.Context, id string) (floorRow, error)) *target {
	tb.Helper()
	t := &target{userID: newUserID()}
	token := newUserID() + newUserID()
	const name = auth.DefaultCookieName
	put(sessionID(token), floorRow{t.userID, time.Now().Add(24 * time.Hour).UnixNano()})
	t.req = newRequest(name, token)
	t.handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(name)
		if err != nil {
			t.fail(err)
			return
		}
		row, err := get(r.Context(), sessionID(c.Value))
		if err != nil {
			t.fail(err)
			return
		}
		if row.expires < time.Now().UnixNano() {
			t.fail(errors.New("expired"))
			return
		}
		t.answer(w, row.userID)
	})
	return t
}

// sessionID is the hex SHA-256 of the token, as authkit keys sessions.
func sessionID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// newSQLiteFloor reads the row with modernc.org/sqlite through
// database/sql, on a file opened as sqlitestore.OpenDB opens one, with a
// prepared statement (as sqlitestore prepares its reads).
func newSQLiteFloor(tb testing.TB, _ bool) *target {
	tb.Helper()
	db, err := sqlitestore.OpenDB(filepath.Join(tb.TempDir(), "floor.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE TABLE floor_sessions (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, expires INTEGER NOT NULL)`); err != nil {
		tb.Fatal(err)
	}
	stmt, err := db.Prepare(`SELECT user_id, expires FROM floor_sessions WHERE id = ?`)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { stmt.Close() })
	return newFloor(tb, func(id string, row floorRow) {
		if _, err := db.Exec(`INSERT INTO floor_sessions VALUES (?, ?, ?)`, id, row.userID, row.expires); err != nil {
			tb.Fatal(err)
		}
	}, func(ctx context.Context, id string) (row floorRow, err error) {
		err = stmt.QueryRowContext(ctx, id).Scan(&row.userID, &row.expires)
		return row, err
	})
}

// newPostgresFloor reads the row with pgxpool, as pgstore does, in a
// schema of its own that is dropped when tb ends.
func newPostgresFloor(tb testing.TB, _ bool) *target {
	tb.Helper()
	url := testservices.Postgres(tb)
	schema := testservices.UniqueName("bench_floor_")
	ctx, cancel := setupContext()
	defer cancel()
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := setupContext()
		defer cancel()
		if _, err := pool.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
		pool.Close()
	})
	table := schema + ".floor_sessions"
	if _, err := pool.Exec(ctx, "CREATE SCHEMA "+schema+"; CREATE TABLE "+table+" (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, expires BIGINT NOT NULL)"); err != nil {
		tb.Fatal(err)
	}
	query := "SELECT user_id, expires FROM " + table + " WHERE id = $1"
	return newFloor(tb, func(id string, row floorRow) {
		if _, err := pool.Exec(ctx, "INSERT INTO "+table+" VALUES ($1, $2, $3)", id, row.userID, row.expires); err != nil {
			tb.Fatal(err)
		}
	}, func(ctx context.Context, id string) (row floorRow, err error) {
		err = pool.QueryRow(ctx, query, id).Scan(&row.userID, &row.expires)
		return row, err
	})
}

// newRedisFloor reads a two-field hash with one HGETALL, as redisstore
// reads a session, under a key prefix of its own deleted when tb ends.
func newRedisFloor(tb testing.TB, _ bool) *target {
	tb.Helper()
	opts, err := redis.ParseURL(testservices.Redis(tb))
	if err != nil {
		tb.Fatal(err)
	}
	client := redis.NewClient(opts)
	prefix := testservices.UniqueName("bench:floor:") + ":"
	tb.Cleanup(func() {
		deleteKeys(tb, client, prefix)
		client.Close()
	})
	ctx, cancel := setupContext()
	defer cancel()
	return newFloor(tb, func(id string, row floorRow) {
		if err := client.HSet(ctx, prefix+id, "u", row.userID, "e", row.expires).Err(); err != nil {
			tb.Fatal(err)
		}
	}, func(ctx context.Context, id string) (row floorRow, err error) {
		var v struct {
			U string `redis:"u"`
			E int64  `redis:"e"`
		}
		res := client.HGetAll(ctx, prefix+id)
		if err := res.Scan(&v); err != nil {
			return row, err
		}
		if v.U == "" {
			return row, errors.New("no such session")
		}
		return floorRow{v.U, v.E}, nil
	})
}
