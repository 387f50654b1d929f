package pgstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
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
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return s
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
	if err != nil {
		t.Fatalf("NewSessions: %v", err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return &appStore{s, table}
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

// A store used before Migrate says so, rather than with a bare SQL error.
func TestNotMigrated(t *testing.T) {
	pgURL := testservices.Postgres(t)
	schema := newSchema(t, pgURL)
	ctx := t.Context()
	s, err := pgstore.Open(ctx, pgURL, pgstore.WithSchema(schema))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	_, err = s.GetSession(ctx, auth.SessionID("x"))
	if !errors.Is(err, pgstore.ErrNotMigrated) || errors.Is(err, auth.ErrNotFound) {
		t.Errorf("GetSession before Migrate: error = %v, want one wrapping ErrNotMigrated", err)
	}
	if err == nil || !strings.Contains(err.Error(), "call Migrate") {
		t.Errorf("GetSession before Migrate: error %q does not say to call Migrate", err)
	}
	if err := s.CreateUser(ctx, auth.UserRecord{ID: "u"}, nil); !errors.Is(err, pgstore.ErrNotMigrated) {
		t.Errorf("CreateUser before Migrate: error = %v, want one wrapping ErrNotMigrated", err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetSession(ctx, auth.SessionID("x")); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("GetSession after Migrate: error = %v, want auth.ErrNotFound", err)
	}
}

func TestMigrateConcurrently(t *testing.T) {
	pgURL := testservices.Postgres(t)
	schema := newSchema(t, pgURL)
	stores := make([]*pgstore.Store, 4)
	for i := range stores {
		s, err := pgstore.Open(t.Context(), pgURL, pgstore.WithSchema(schema))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		stores[i] = s
	}
	errs := make([]error, len(stores))
	var wg sync.WaitGroup
	for i, s := range stores {
		wg.Go(func() { errs[i] = s.Migrate(t.Context()) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("concurrent Migrate #%d: %v", i, err)
		}
	}
	for range 2 {
		if err := stores[0].Migrate(t.Context()); err != nil {
			t.Fatalf("Migrate again: %v", err)
		}
	}
	var n, maxV int64
	if err := stores[0].DB().QueryRow(t.Context(), `SELECT COUNT(*), MAX(version) FROM "`+schema+`".auth_schema_migrations`).Scan(&n, &maxV); err != nil {
		t.Fatal(err)
	}
	if want := stores[0].SchemaVersion(); n != want || maxV != want || want < 2 {
		t.Errorf("auth_schema_migrations has %d rows up to version %d, want %d up to %d (>= 2)", n, maxV, want, want)
	}
}

// A database made by the previous release (schema version 1) with live
// sessions is upgraded in place, and its sessions still validate.
func TestUpgradeFromVersion1(t *testing.T) {
	ctx := t.Context()
	pgURL := testservices.Postgres(t)
	schema := newSchema(t, pgURL)
	pool := newPool(t, pgURL)
	v1, err := os.ReadFile("../internal/sqlcore/migrations/postgres/store/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	q := `"` + schema + `".`
	now := time.Now()
	token := "abcdefghijklmnopqrstuvwxyz234567"
	s := openUnmigrated(t, pool, schema, token,
		`CREATE SCHEMA "`+schema+`"`,
		strings.ReplaceAll(string(v1), "{{schema}}", q),
		`CREATE TABLE `+q+`auth_schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`,
		`INSERT INTO `+q+`auth_schema_migrations VALUES (1, '0001_init.sql', 0)`,
		`INSERT INTO `+q+`auth_users VALUES ('u1', '{"name":"Ada"}')`,
		fmt.Sprintf(`INSERT INTO `+q+`auth_sessions VALUES ('%s', 'u1', %d, %d)`, auth.SessionID(token), now.Add(time.Hour).UnixNano(), now.Add(2*time.Hour).UnixNano()),
	)
	before := time.Now()
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate from version 1: %v", err)
	}
	a := testservices.NewAuth(t, s, nil)
	sess, user, err := a.ValidateSessionUser(ctx, token)
	if err != nil {
		t.Fatalf("ValidateSessionUser after the upgrade: %v", err)
	}
	if user.Attributes["name"] != "Ada" || sess.UserID != "u1" {
		t.Errorf("after the upgrade: session of %q, user %+v; want u1, Ada", sess.UserID, user)
	}
	if sess.CreatedAt.Before(before.Add(-time.Second)) || sess.CreatedAt.After(time.Now().Add(time.Second)) || !sess.RenewedAt.Equal(sess.CreatedAt) {
		t.Errorf("after the upgrade: CreatedAt %v, RenewedAt %v; want both the upgrade time (%v)", sess.CreatedAt, sess.RenewedAt, before)
	}
	if !sess.ExpiresAt.IsZero() || sess.Attributes != nil || sess.UserAgent != "" {
		t.Errorf("after the upgrade: ExpiresAt %v, Attributes %q, UserAgent %q; want none", sess.ExpiresAt, sess.Attributes, sess.UserAgent)
	}
	u2, err := a.CreateUser(ctx, auth.NewUser{})
	if err != nil {
		t.Fatal(err)
	}
	s2, err := a.CreateSessionWith(ctx, u2.ID, auth.SessionOptions{UserAgent: "test", Attributes: map[string]any{"device": "laptop"}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := a.ValidateSession(ctx, s2.Token)
	if err != nil || got.UserAgent != "test" || string(got.Attributes) != `{"device":"laptop"}` {
		t.Errorf("new session after the upgrade = %+v, %v", got, err)
	}
}

// Several app servers, each with its own pool on one schema, validate the
// same idle session at once.
func TestSeveralAppServers(t *testing.T) {
	pgURL := testservices.Postgres(t)
	schema := newSchema(t, pgURL)
	testservices.CheckSharedRenewal(t, openStore(t, pgURL, schema), openStore(t, pgURL, schema))
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

// An app's bigint ID column: user_id follows its type, and user IDs are
// cast from strings.
func TestSessionsBigintID(t *testing.T) {
	ctx := t.Context()
	s := sessionsStore(t, "bigint")
	if _, err := s.DB().Exec(ctx, `INSERT INTO `+s.table+` (id) VALUES (42)`); err != nil {
		t.Fatal(err)
	}
	a := testservices.NewAuth(t, s.Sessions, nil)
	sess, err := a.CreateSession(ctx, "42")
	if err != nil {
		t.Fatalf("CreateSession(42): %v", err)
	}
	if got, err := a.ValidateSession(ctx, sess.Token); err != nil || got.UserID != "42" {
		t.Fatalf("ValidateSession = %+v, %v; want the session of 42", got, err)
	}
	if _, err := a.CreateSession(ctx, "43"); !errors.Is(err, auth.ErrInvalidUser) {
		t.Errorf("CreateSession(43), no such row: error = %v, want auth.ErrInvalidUser", err)
	}
	if ss, err := a.UserSessions(ctx, "42"); err != nil || len(ss) != 1 {
		t.Errorf("UserSessions(42) = %d sessions, %v; want 1", len(ss), err)
	}
	if _, err := s.DB().Exec(ctx, `DELETE FROM `+s.table+` WHERE id = 42`); err != nil {
		t.Fatal(err)
	}
	if _, err := a.ValidateSession(ctx, sess.Token); !errors.Is(err, auth.ErrInvalidSession) {
		t.Errorf("ValidateSession after deleting user 42: error = %v, want auth.ErrInvalidSession (ON DELETE CASCADE)", err)
	}
}

// A user ID on an app's integer or uuid column must be the one the column
// gives back: PostgreSQL would cast "042" to the bigint 42, yet the
// session would carry UserID "042". Such IDs name no user, for every
// method that takes one.
func TestSessionsIDCanonical(t *testing.T) {
	for _, c := range []struct {
		idType, id string
		refused    []string
	}{
		{"bigint", "42", []string{"042", " 42", "42 ", "+42", "4.2e1", "42.0", "0x2a", "9223372036854775808", "", "forty-two"}},
		{"integer", "-7", []string{"-07", "+-7", "2147483648", "-0", "7", " -7"}},
		{"uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", []string{
			"A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}",
			"a0eebc999c0b4ef8bb6d6bb9bd380a11", "a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11", "not a uuid",
		}},
	} {
		t.Run(c.idType, func(t *testing.T) {
			ctx := t.Context()
			s := sessionsStore(t, c.idType)
			if _, err := s.DB().Exec(ctx, `INSERT INTO `+s.table+` (id) VALUES ($1)`, c.id); err != nil {
				t.Fatal(err)
			}
			a := testservices.NewAuth(t, s.Sessions, nil)
			kept, err := a.CreateSession(ctx, c.id)
			if err != nil {
				t.Fatalf("CreateSession(%q): %v", c.id, err)
			}
			for _, id := range c.refused {
				if sess, err := a.CreateSession(ctx, id); !errors.Is(err, auth.ErrInvalidUser) {
					t.Errorf("CreateSession(%q) = %+v, %v; want auth.ErrInvalidUser (not the ID the column gives back)", id, sess, err)
				}
				if ss, err := a.UserSessions(ctx, id); err != nil || len(ss) != 0 {
					t.Errorf("UserSessions(%q) = %d sessions, %v; want none", id, len(ss), err)
				}
				if err := a.InvalidateUserSessions(ctx, id); err != nil {
					t.Errorf("InvalidateUserSessions(%q): %v", id, err)
				}
			}
			got, err := a.ValidateSession(ctx, kept.Token)
			if err != nil || got.UserID != c.id {
				t.Errorf("ValidateSession of %q's session = %+v, %v; want it, untouched by the refused IDs", c.id, got, err)
			}
		})
	}
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

// A version 2 schema (sessions without a lifetime policy) upgrades to
// version 3: its sessions are persistent, and new sessions keep the
// browser-session policy through a renewal.
func TestUpgradeFromVersion2(t *testing.T) {
	ctx := t.Context()
	pgURL := testservices.Postgres(t)
	schema := newSchema(t, pgURL)
	pool := newPool(t, pgURL)
	q := `"` + schema + `".`
	stmts := []string{`CREATE SCHEMA "` + schema + `"`,
		`CREATE TABLE ` + q + `auth_schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`}
	for i, name := range []string{"0001_init.sql", "0002_session_record.sql"} {
		b, err := os.ReadFile("../internal/sqlcore/migrations/postgres/store/" + name)
		if err != nil {
			t.Fatal(err)
		}
		stmts = append(stmts, strings.ReplaceAll(string(b), "{{schema}}", q),
			fmt.Sprintf(`INSERT INTO `+q+`auth_schema_migrations VALUES (%d, '%s', 0)`, i+1, name))
	}
	token := "abcdefghijklmnopqrstuvwxyz234567"
	now := time.Now()
	stmts = append(stmts, `INSERT INTO `+q+`auth_users VALUES ('u1', NULL)`,
		fmt.Sprintf(`INSERT INTO `+q+`auth_sessions (id, user_id, active_expires_at, idle_expires_at, created_at, renewed_at, expires_at, user_agent, client_ip, attributes)
			VALUES ('%s', 'u1', %d, %d, %d, %d, 0, 'old browser', '192.0.2.1', NULL)`,
			auth.SessionID(token), now.Add(time.Hour).UnixNano(), now.Add(2*time.Hour).UnixNano(), now.UnixNano(), now.UnixNano()))
	s := openUnmigrated(t, pool, schema, token, stmts...)
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate from version 2: %v", err)
	}
	testservices.CheckUpgradedPolicy(t, s, token)
}

// Sessions for an app's users table upgrade from their version 1 too.
func TestUpgradeAppUsersFromVersion1(t *testing.T) {
	ctx := t.Context()
	pgURL := testservices.Postgres(t)
	schema := newSchema(t, pgURL)
	pool := newPool(t, pgURL)
	v1, err := os.ReadFile("../internal/sqlcore/migrations/postgres/sessions/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	q := `"` + schema + `".`
	token := "abcdefghijklmnopqrstuvwxyz234567"
	now := time.Now()
	for _, stmt := range []string{
		`CREATE SCHEMA "` + schema + `"`,
		`CREATE TABLE ` + q + `users (id TEXT PRIMARY KEY, email TEXT)`,
		`INSERT INTO ` + q + `users VALUES ('u1', 'ada@example.com')`,
		strings.NewReplacer("{{schema}}", q, "{{users}}", q+`"users"`, "{{idcol}}", `"id"`, "{{idtype}}", "text").Replace(string(v1)),
		`CREATE TABLE ` + q + `auth_sessions_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`,
		`INSERT INTO ` + q + `auth_sessions_migrations VALUES (1, '0001_init.sql', 0)`,
		fmt.Sprintf(`INSERT INTO `+q+`auth_sessions (id, user_id, created_at, renewed_at, active_expires_at, idle_expires_at, user_agent)
			VALUES ('%s', 'u1', %d, %d, %d, %d, 'old browser')`,
			auth.SessionID(token), now.UnixNano(), now.UnixNano(), now.Add(time.Hour).UnixNano(), now.Add(2*time.Hour).UnixNano()),
	} {
		if _, err := pool.Exec(ctx, stmt); err != nil {
			t.Fatalf("%.40s: %v", stmt, err)
		}
	}
	s, err := pgstore.NewSessions(pool, pgstore.UsersTable{Table: schema + ".users", IDColumn: "id"}, pgstore.WithSchema(schema))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate from version 1: %v", err)
	}
	testservices.CheckUpgradedPolicy(t, s, token)
}

// openUnmigrated runs stmts (an earlier schema and its rows) on pool,
// opens the store on schema, and checks that it asks for Migrate before it
// reads the session of token.
func openUnmigrated(t *testing.T, pool *pgxpool.Pool, schema, token string, stmts ...string) *pgstore.Store {
	t.Helper()
	for _, stmt := range stmts {
		if _, err := pool.Exec(t.Context(), stmt); err != nil {
			t.Fatalf("%.40s: %v", stmt, err)
		}
	}
	s, err := pgstore.New(pool, pgstore.WithSchema(schema))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetSession(t.Context(), auth.SessionID(token)); !errors.Is(err, pgstore.ErrNotMigrated) {
		t.Errorf("GetSession on an old schema: error = %v, want one wrapping ErrNotMigrated", err)
	}
	return s
}
