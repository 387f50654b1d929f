package pgstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql, for the driver comparison

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/pgstore"
	"github.com/authkit-dev/authkit/authtest/storetest"
	"github.com/authkit-dev/authkit/internal/testservices"
)

// newSchema returns a schema name no other test uses, dropped with
// everything in it at the end of the test.
func newSchema(t testing.TB, pgURL string) string {
	t.Helper()
	schema := testservices.UniqueName("authkit_test_")
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		pool, err := pgxpool.New(ctx, pgURL)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer pool.Close()
		if _, err := pool.Exec(ctx, `DROP SCHEMA IF EXISTS "`+schema+`" CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return schema
}

// openStore returns a migrated Store in schema, closed at the end of the
// test.
func openStore(t testing.TB, pgURL, schema string) *pgstore.Store {
	t.Helper()
	s, err := pgstore.Open(context.Background(), pgURL, pgstore.WithSchema(schema))
	return testservices.Migrated(t, s, err)
}

func newStore(t testing.TB) *pgstore.Store {
	t.Helper()
	pgURL := testservices.Postgres(t)
	return openStore(t, pgURL, newSchema(t, pgURL))
}

// newPool returns a pool closed at the end of the test.
func newPool(t testing.TB, pgURL string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), pgURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// appStore is a Sessions with the name of the app's users table it
// references, for appUsers.
type appStore struct {
	*pgstore.Sessions
	table string
}

// sessionsStore returns a migrated Sessions on an app's table users (id
// of idType) in a new schema.
func sessionsStore(t testing.TB, idType string) *appStore {
	t.Helper()
	pgURL := testservices.Postgres(t)
	schema := newSchema(t, pgURL)
	pool := newPool(t, pgURL)
	ctx := context.Background()
	table := `"` + schema + `".users`
	for _, q := range []string{
		`CREATE SCHEMA "` + schema + `"`,
		`CREATE TABLE ` + table + ` (id ` + idType + ` PRIMARY KEY, email text NOT NULL DEFAULT '')`,
	} {
		if _, err := pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	s, err := pgstore.NewSessions(pool, pgstore.UsersTable{Table: schema + ".users", IDColumn: "id", IDType: idType}, pgstore.WithSchema(schema))
	return &appStore{testservices.Migrated(t, s, err), table}
}

// appUsers creates and deletes rows of the app's users table, as the app
// would.
var appUsers = storetest.AppUsers(
	func(ctx context.Context, s auth.SessionStore, userID string) error {
		a := s.(*appStore)
		_, err := a.DB().Exec(ctx, `INSERT INTO `+a.table+` (id) VALUES ($1)`, userID)
		return err
	},
	func(ctx context.Context, s auth.SessionStore, userID string) error {
		a := s.(*appStore)
		_, err := a.DB().Exec(ctx, `DELETE FROM `+a.table+` WHERE id = $1`, userID)
		return err
	},
)

// testStore is a Store with its schema's name, for orphanUser.
type testStore struct {
	*pgstore.Store
	schema string
}

// orphanUser deletes a user row without its sessions, with the foreign
// key's trigger disabled for the transaction: what a manual edit could do.
var orphanUser = storetest.OrphanUser(func(ctx context.Context, s auth.SessionStore, userID string) error {
	ts := s.(*testStore)
	tx, err := ts.DB().Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	for _, q := range []string{"SET LOCAL session_replication_role = replica", `DELETE FROM "` + ts.schema + `".auth_users WHERE id = $1`} {
		args := []any{}
		if strings.Contains(q, "$1") {
			args = append(args, userID)
		}
		if _, err := tx.Exec(ctx, q, args...); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return tx.Commit(ctx)
})

func TestConformance(t *testing.T) {
	pgURL := testservices.Postgres(t)
	t.Run("Store", func(t *testing.T) {
		storetest.TestSessionStore(t, func(t *testing.T) auth.SessionStore {
			schema := newSchema(t, pgURL)
			return &testStore{openStore(t, pgURL, schema), schema}
		}, orphanUser)
	})
	t.Run("Users", func(t *testing.T) {
		storetest.TestUserStore(t, func(t *testing.T) auth.UserStore { return openStore(t, pgURL, newSchema(t, pgURL)) })
	})
	t.Run("Sessions", func(t *testing.T) {
		storetest.TestSessionStore(t, func(t *testing.T) auth.SessionStore { return sessionsStore(t, "text") }, appUsers)
	})
	t.Run("Store/Tokens", func(t *testing.T) {
		storetest.TestTokenStore(t, func(t *testing.T) auth.TokenStore { return openStore(t, pgURL, newSchema(t, pgURL)) })
	})
	t.Run("Store/Counters", func(t *testing.T) {
		storetest.TestCounterStore(t, func(t *testing.T) auth.CounterStore { return openStore(t, pgURL, newSchema(t, pgURL)) })
	})
	// An app's bigint IDs: the tokens' user_id is text, with no foreign
	// key, whatever the app's ID type.
	t.Run("Sessions/Tokens", func(t *testing.T) {
		storetest.TestTokenStore(t, func(t *testing.T) auth.TokenStore { return sessionsStore(t, "bigint") })
	})
	t.Run("Sessions/Counters", func(t *testing.T) {
		storetest.TestCounterStore(t, func(t *testing.T) auth.CounterStore { return sessionsStore(t, "bigint") })
	})
}

func TestNewRejects(t *testing.T) {
	if _, err := pgstore.New(nil); err == nil {
		t.Error("New(nil) succeeded, want an error")
	}
	pool := newPool(t, testservices.Postgres(t))
	if _, err := pgstore.New(pool, pgstore.WithSchema(`a"b`)); err == nil {
		t.Error(`New(WithSchema("a\"b")) succeeded, want an error`)
	}
	for _, u := range []pgstore.UsersTable{
		{Table: "", IDColumn: "id"},
		{Table: "users", IDColumn: ""},
		{Table: `users"; DROP TABLE x; --`, IDColumn: "id"},
		{Table: "a.b.c", IDColumn: "id"},
		{Table: "users", IDColumn: "id", IDType: "numeric"},
	} {
		if _, err := pgstore.NewSessions(pool, u); err == nil {
			t.Errorf("NewSessions(%+v) succeeded, want an error", u)
		}
	}
}

// With the connection to PostgreSQL cut, validation fails with a store
// error (never a logout), and works again once it is back.
func TestFaults(t *testing.T) {
	pgURL := testservices.Postgres(t)
	schema := newSchema(t, pgURL)
	u, err := url.Parse(pgURL)
	if err != nil {
		t.Fatal(err)
	}
	p := testservices.StartProxy(t, u.Host)
	u.Host = p.Addr()
	q := u.Query()
	q.Set("connect_timeout", "5")
	u.RawQuery = q.Encode()
	s := openStore(t, u.String(), schema)
	testservices.CheckFaults(t, testservices.NewAuth(t, s, nil), p)
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[len(ds)/2]
}

func BenchmarkStore(b *testing.B) {
	storetest.BenchmarkSessionStore(b, func(b *testing.B) auth.SessionStore { return newStore(b) })
}

// BenchmarkDriver compares the two ways of running the store's GetSession
// SELECT with pgx: its own pool (what the store uses) and database/sql on
// pgx's stdlib adapter. Run with -count 6: the two alternate within each
// round, on one table.
func BenchmarkDriver(b *testing.B) {
	pgURL := testservices.Postgres(b)
	schema := newSchema(b, pgURL)
	s := openStore(b, pgURL, schema)
	ctx := context.Background()
	if err := s.CreateUser(ctx, auth.UserRecord{ID: "u1"}, nil); err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	id := auth.SessionID("bench")
	err := s.CreateSession(ctx, auth.SessionRecord{ID: id, UserID: "u1", CreatedAt: now, RenewedAt: now,
		ActiveExpiresAt: now.Add(time.Hour), IdleExpiresAt: now.Add(2 * time.Hour), UserAgent: "Mozilla/5.0", ClientIP: "192.0.2.1"})
	if err != nil {
		b.Fatal(err)
	}
	query := `SELECT s.id, s.user_id, s.created_at, s.renewed_at, s.active_expires_at, s.idle_expires_at, s.expires_at, s.user_agent, s.client_ip, s.attributes FROM "` + schema + `".auth_sessions s WHERE s.id = $1`
	db, err := sql.Open("pgx", pgURL)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	type row struct {
		id, user, ua, ip                      string
		created, renewed, active, idle, expir int64
		attrs                                 []byte
	}
	pool := s.DB()
	pgxRead := func() error {
		var r row
		return pool.QueryRow(ctx, query, id).Scan(&r.id, &r.user, &r.created, &r.renewed, &r.active, &r.idle, &r.expir, &r.ua, &r.ip, &r.attrs)
	}
	sqlRead := func() error {
		var r row
		return db.QueryRowContext(ctx, query, id).Scan(&r.id, &r.user, &r.created, &r.renewed, &r.active, &r.idle, &r.expir, &r.ua, &r.ip, &r.attrs)
	}
	// Paired: each iteration runs both, in random order, and the medians
	// are reported, so that the machine's swings hit both alike.
	b.Run("paired", func(b *testing.B) {
		var tp, ts []time.Duration
		for i := 0; b.Loop(); i++ {
			first, second, d1, d2 := pgxRead, sqlRead, &tp, &ts
			if rand.IntN(2) == 0 {
				first, second, d1, d2 = sqlRead, pgxRead, &ts, &tp
			}
			for _, step := range []struct {
				read func() error
				d    *[]time.Duration
			}{{first, d1}, {second, d2}} {
				start := time.Now()
				if err := step.read(); err != nil {
					b.Fatal(err)
				}
				*step.d = append(*step.d, time.Since(start))
			}
		}
		mp, ms := median(tp), median(ts)
		b.ReportMetric(float64(mp.Nanoseconds()), "pgxpool-median-ns")
		b.ReportMetric(float64(ms.Nanoseconds()), "database-sql-median-ns")
		b.ReportMetric(float64(ms)/float64(mp), "sql/pgx")
	})
	b.Run("pgxpool", func(b *testing.B) {
		for b.Loop() {
			var r row
			if err := pool.QueryRow(ctx, query, id).Scan(&r.id, &r.user, &r.created, &r.renewed, &r.active, &r.idle, &r.expir, &r.ua, &r.ip, &r.attrs); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("database-sql", func(b *testing.B) {
		for b.Loop() {
			var r row
			if err := db.QueryRowContext(ctx, query, id).Scan(&r.id, &r.user, &r.created, &r.renewed, &r.active, &r.idle, &r.expir, &r.ua, &r.ip, &r.attrs); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("store-GetSession", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.GetSession(ctx, id); err != nil {
				b.Fatal(err)
			}
		}
	})
}
