package main

import (
	"context"
	"database/sql"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/internal/testservices"
)

// exerciseStore runs the playground's JSON API on a real store: sign up,
// let the session go idle, renew it, list it, reset.
func exerciseStore(t *testing.T, base, wantStore string) {
	t.Helper()
	c := newAPI(t, base, "ada", nil)
	res, body := c.do("GET", "/", "")
	if res.StatusCode != 200 || !strings.Contains(body, `<code id="store-name">`+wantStore+`</code>`) {
		t.Errorf("home page does not name the store %q", wantStore)
	}
	id := c.signUp("ada")
	c.do("POST", "/_play/clock/advance", `{"by":"25h"}`)
	if got := c.states(); got[id] != "idle" {
		t.Errorf("sessions after 25h: %v, want ada's idle", got)
	}
	res, body = c.do("GET", "/api/auth/user", "")
	c.want(res, body, 200, `{"user":{"id":"`+id+`","username":"ada"}}`)
	if got := c.states(); got[id] != "active" {
		t.Errorf("sessions after renewal: %v, want ada's active", got)
	}
	// The fault injector sits in front of the real store too.
	c.do("POST", "/_play/faults", `{"op":"GetSessionAndUser","count":1}`)
	res, body = c.do("GET", "/api/auth/user", "")
	c.want(res, body, 503, "")
	res, body = c.do("POST", "/_play/reset", "")
	c.want(res, body, 200, "")
	if got := c.states(); len(got) != 0 {
		t.Errorf("sessions after reset: %v", got)
	}
}

func TestSQLiteStore(t *testing.T) {
	spec := "sqlite:" + filepath.Join(t.TempDir(), "playground.db")
	exerciseStore(t, startPlayground(t, options{db: spec}), spec)
}

// The SQLite file keeps users across restarts of the playground.
func TestSQLiteStorePersists(t *testing.T) {
	spec := "sqlite:" + filepath.Join(t.TempDir(), "playground.db")
	t.Run("first run", func(t *testing.T) {
		newAPI(t, startPlayground(t, options{db: spec}), "ada", nil).signUp("ada")
	})
	t.Run("second run", func(t *testing.T) {
		c := newAPI(t, startPlayground(t, options{db: spec}), "ada", nil)
		res, body := c.do("POST", "/api/login", `{"username":"ada","password":"correct horse"}`)
		c.want(res, body, 200, "")
	})
}

// TestPostgresStore runs on a database of its own, created for the test
// and dropped after it: a reset empties the playground's tables, which
// must not be anyone else's.
func TestPostgresStore(t *testing.T) {
	admin := testservices.Postgres(t)
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	name := testservices.UniqueName("authplayground_")
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("creating a database for the test: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("dropping the test database %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	exerciseStore(t, startPlayground(t, options{db: u.String()}), u.Redacted())
}

// TestRedisStore runs under a key prefix of its own: a reset deletes
// every key with the playground's prefix.
func TestRedisStore(t *testing.T) {
	u, err := url.Parse(testservices.Redis(t))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	prefix := testservices.UniqueName("authplayground:") + ":"
	q.Set("prefix", prefix)
	u.RawQuery = q.Encode()
	t.Cleanup(func() {
		// The test ends with a reset, which deletes the prefix's keys;
		// check that nothing was left behind.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s, _, closeStore, err := openStore(ctx, u.String())
		if err != nil {
			t.Errorf("reopening the store: %v", err)
			return
		}
		if all, err := s.(interface {
			AllSessions(context.Context) ([]auth.SessionRecord, error)
		}).AllSessions(ctx); err != nil || len(all) != 0 {
			t.Errorf("after the test the prefix holds %d sessions (%v)", len(all), err)
		}
		if err := closeStore(); err != nil {
			t.Error(err)
		}
	})
	exerciseStore(t, startPlayground(t, options{db: u.String()}), u.Redacted())
}

func TestOpenStoreRedactsPasswords(t *testing.T) {
	_, _, _, err := openStore(t.Context(), "postgres://user:hunter2@127.0.0.1:1/db?connect_timeout=1")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error %v: want one, without the password", err)
	}
	_, _, _, err = openStore(t.Context(), "redis://:hunter2@127.0.0.1:1/0?max_retries=-1")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error %v: want one, without the password", err)
	}
}
