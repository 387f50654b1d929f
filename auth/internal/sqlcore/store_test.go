package sqlcore_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/internal/testservices"
)

// token is a valid session token (32 base32 characters) for the sessions
// the tests write by hand.
const token = "abcdefghijklmnopqrstuvwxyz234567"

// A store used before Migrate says so, rather than with a bare SQL error.
func TestNotMigrated(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := t.Context()
		s := b.newDB(t).store(t)
		_, err := s.GetSession(ctx, auth.SessionID("x"))
		if err == nil || errors.Is(err, auth.ErrNotFound) || !strings.Contains(err.Error(), "not migrated: call Migrate") {
			t.Errorf("GetSession before Migrate: error = %v, want one wrapping the store's ErrNotMigrated", err)
		}
		if err := s.(auth.UserStore).CreateUser(ctx, auth.UserRecord{ID: "u"}, nil); err == nil || !strings.Contains(err.Error(), "call Migrate") {
			t.Errorf("CreateUser before Migrate: error = %v, want one wrapping the store's ErrNotMigrated", err)
		}
		migrated(t, s)
		if _, err := s.GetSession(ctx, auth.SessionID("x")); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("GetSession after Migrate: error = %v, want auth.ErrNotFound", err)
		}
	})
}

// Several processes starting at once migrate once; Migrate again does
// nothing.
func TestMigrateConcurrently(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		db := b.newDB(t)
		stores := make([]sqlStore, 4)
		for i := range stores {
			stores[i] = db.store(t)
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
			migrated(t, stores[0])
		}
		var n, maxV int64
		db.scan(t, "SELECT COUNT(*), MAX(version) FROM auth_schema_migrations", &n, &maxV)
		if want := stores[0].SchemaVersion(); n != want || maxV != want || want < 4 {
			t.Errorf("auth_schema_migrations has %d rows up to version %d, want %d up to %d (>= 4)", n, maxV, want, want)
		}
	})
}

// Several app servers, each with its own handle and connection pool on one
// database, validate the same idle session at once.
func TestSeveralAppServers(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		db := b.newDB(t)
		testservices.CheckSharedRenewal(t, migrated(t, db.store(t)), migrated(t, db.store(t)))
	})
}

// Times outside the stores' one range are refused with a system error.
func TestTimeRange(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		s := migrated(t, b.newDB(t).store(t))
		if err := s.(auth.UserStore).CreateUser(t.Context(), auth.UserRecord{ID: "u1"}, nil); err != nil {
			t.Fatal(err)
		}
		testservices.CheckTimeRange(t, s, "u1")
	})
}

// oldMigrations returns the dialect's migrations of mode ("store" or
// "sessions") up to version upTo, for an app's table users with a text ID
// where the mode is sessions, followed by the statements that record them
// as applied.
func oldMigrations(t *testing.T, b backend, mode string, upTo int) []string {
	t.Helper()
	table := "auth_schema_migrations"
	if mode == "sessions" {
		table = "auth_sessions_migrations"
	}
	stmts := []string{`CREATE TABLE ` + table + ` (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`}
	entries, err := os.ReadDir("migrations/" + b.dialect + "/" + mode)
	if err != nil {
		t.Fatal(err)
	}
	fill := strings.NewReplacer("{{schema}}", "", "{{users}}", `"users"`, "{{idcol}}", `"id"`, "{{idtype}}", "text")
	for i, e := range entries[:upTo] {
		sql, err := os.ReadFile("migrations/" + b.dialect + "/" + mode + "/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		stmts = append(stmts, fill.Replace(string(sql)), fmt.Sprintf(`INSERT INTO %s VALUES (%d, '%s', 0)`, table, i+1, e.Name()))
	}
	return stmts
}

// wantNotMigrated checks that s asks for Migrate before it reads the
// session of token.
func wantNotMigrated(t *testing.T, s sqlStore) {
	t.Helper()
	if _, err := s.GetSession(t.Context(), auth.SessionID(token)); err == nil || !strings.Contains(err.Error(), "call Migrate") {
		t.Errorf("GetSession on an old database: error = %v, want one wrapping the store's ErrNotMigrated", err)
	}
}

// A database made by the first release (schema version 1) with live
// sessions is upgraded in place, and its sessions still validate: with
// the time of the upgrade as their creation and renewal, and no absolute
// end.
func TestUpgradeFromVersion1(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := t.Context()
		db := b.newDB(t)
		now := time.Now()
		db.exec(t, oldMigrations(t, b, "store", 1)...)
		db.exec(t, `INSERT INTO auth_users VALUES ('u1', '{"name":"Ada"}')`,
			fmt.Sprintf(`INSERT INTO auth_sessions VALUES ('%s', 'u1', %d, %d)`, auth.SessionID(token), now.Add(time.Hour).UnixNano(), now.Add(2*time.Hour).UnixNano()))
		s := db.store(t)
		wantNotMigrated(t, s)
		before := time.Now()
		migrated(t, s)
		a := testservices.NewAuth(t, s, nil)
		sess, user, err := a.ValidateSessionUser(ctx, token)
		if err != nil {
			t.Fatalf("ValidateSessionUser after the upgrade: %v", err)
		}
		if user.Attributes["name"] != "Ada" || sess.UserID != "u1" {
			t.Errorf("after the upgrade: session of %q, user %+v; want u1, Ada", sess.UserID, user)
		}
		// PostgreSQL's clock, not this process's, dates the upgrade.
		if sess.CreatedAt.Before(before.Add(-time.Second)) || sess.CreatedAt.After(time.Now().Add(time.Second)) || !sess.RenewedAt.Equal(sess.CreatedAt) {
			t.Errorf("after the upgrade: CreatedAt %v, RenewedAt %v; want both the upgrade time (%v)", sess.CreatedAt, sess.RenewedAt, before)
		}
		if !sess.ExpiresAt.IsZero() || sess.Attributes != nil || sess.UserAgent != "" {
			t.Errorf("after the upgrade: ExpiresAt %v, Attributes %q, UserAgent %q; want none", sess.ExpiresAt, sess.Attributes, sess.UserAgent)
		}
		// New sessions work too, with every field.
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
	})
}

// A version 2 database (sessions without a lifetime policy, "no absolute
// end" stored as 0) upgrades: its sessions are persistent and have no
// absolute end, and new sessions keep the browser-session policy through
// a renewal.
func TestUpgradeFromVersion2(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		db := b.newDB(t)
		now := time.Now()
		db.exec(t, oldMigrations(t, b, "store", 2)...)
		db.exec(t, `INSERT INTO auth_users VALUES ('u1', NULL)`,
			fmt.Sprintf(`INSERT INTO auth_sessions (id, user_id, active_expires_at, idle_expires_at, created_at, renewed_at, expires_at, user_agent, client_ip, attributes)
			VALUES ('%s', 'u1', %d, %d, %d, %d, 0, 'old browser', '192.0.2.1', NULL)`,
				auth.SessionID(token), now.Add(time.Hour).UnixNano(), now.Add(2*time.Hour).UnixNano(), now.UnixNano(), now.UnixNano()))
		s := db.store(t)
		wantNotMigrated(t, s)
		migrated(t, s)
		testservices.CheckUpgradedPolicy(t, s, token)
	})
}

// A version 3 database, the last to store "no absolute end" as 0, keeps
// its sessions' absolute ends through the upgrade: none stays none, and
// an instant stays that instant.
func TestUpgradeFromVersion3(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		db := b.newDB(t)
		now := time.Now().UTC()
		db.exec(t, oldMigrations(t, b, "store", 3)...)
		db.exec(t, `INSERT INTO auth_users VALUES ('u1', NULL)`)
		ends := map[string]int64{"none": 0, "an instant": now.Add(30 * 24 * time.Hour).UnixNano()}
		for name, end := range ends {
			db.exec(t, fmt.Sprintf(`INSERT INTO auth_sessions (id, user_id, active_expires_at, idle_expires_at, created_at, renewed_at, expires_at, user_agent, client_ip, attributes, browser_session)
			VALUES ('%s', 'u1', %d, %d, %d, %d, %d, '', '', NULL, 0)`,
				auth.SessionID(name), now.Add(time.Hour).UnixNano(), now.Add(2*time.Hour).UnixNano(), now.UnixNano(), now.UnixNano(), end))
		}
		s := migrated(t, db.store(t))
		for name, end := range ends {
			got, err := s.GetSession(t.Context(), auth.SessionID(name))
			if err != nil {
				t.Fatalf("GetSession(%s) after the upgrade: %v", name, err)
			}
			want := time.Time{}
			if end != 0 {
				want = time.Unix(0, end)
			}
			if !got.ExpiresAt.Equal(want) {
				t.Errorf("session with %s as its absolute end: ExpiresAt = %v after the upgrade, want %v", name, got.ExpiresAt, want)
			}
		}
	})
}

// Sessions for an app's users table upgrade from their version 1 too.
func TestUpgradeAppUsersFromVersion1(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		db := b.newDB(t)
		now := time.Now()
		db.exec(t, appTable("TEXT"), `INSERT INTO users VALUES ('u1', 'ada@example.com')`)
		db.exec(t, oldMigrations(t, b, "sessions", 1)...)
		db.exec(t, fmt.Sprintf(`INSERT INTO auth_sessions (id, user_id, created_at, renewed_at, active_expires_at, idle_expires_at, user_agent)
			VALUES ('%s', 'u1', %d, %d, %d, %d, 'old browser')`,
			auth.SessionID(token), now.UnixNano(), now.UnixNano(), now.Add(time.Hour).UnixNano(), now.Add(2*time.Hour).UnixNano()))
		s := migrated(t, db.sessions(t, "text"))
		var n, maxV int64
		db.scan(t, "SELECT COUNT(*), MAX(version) FROM auth_sessions_migrations", &n, &maxV)
		if want := s.SchemaVersion(); n != want || maxV != want {
			t.Errorf("auth_sessions_migrations has %d rows up to version %d, want %d up to %d", n, maxV, want, want)
		}
		testservices.CheckUpgradedPolicy(t, s, token)
	})
}
