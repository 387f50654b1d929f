package main

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

// skipUnbuilt skips t while the backend spec names is not built in: its
// opening function is a stub, pending the new stores.
func skipUnbuilt(t *testing.T, spec string) {
	t.Helper()
	b, _, err := openStore(t.Context(), spec)
	if errors.Is(err, errNotBuilt) {
		t.Skipf("pending the new stores: %v", err)
	}
	if err == nil {
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSQLiteStore(t *testing.T) {
	spec := "sqlite:" + filepath.Join(t.TempDir(), "playground.db")
	skipUnbuilt(t, spec)
	exerciseStore(t, startPlayground(t, options{db: spec}), spec)
}

// The SQLite file keeps users across restarts of the playground.
func TestSQLiteStorePersists(t *testing.T) {
	spec := "sqlite:" + filepath.Join(t.TempDir(), "playground.db")
	skipUnbuilt(t, spec)
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
	skipUnbuilt(t, "postgres://127.0.0.1:1/x?connect_timeout=1")
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
	skipUnbuilt(t, "redis://127.0.0.1:1/0?max_retries=-1")
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
		b, _, err := openStore(ctx, u.String())
		if err != nil {
			t.Errorf("reopening the store: %v", err)
			return
		}
		if all, err := b.Admin.AllSessions(ctx); err != nil || len(all) != 0 {
			t.Errorf("after the test the prefix holds %d sessions (%v)", len(all), err)
		}
		if err := b.Close(); err != nil {
			t.Error(err)
		}
	})
	exerciseStore(t, startPlayground(t, options{db: u.String()}), u.Redacted())
}

func TestOpenStoreRedactsPasswords(t *testing.T) {
	_, _, err := openStore(t.Context(), "postgres://user:hunter2@127.0.0.1:1/db?connect_timeout=1")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error %v: want one, without the password", err)
	}
	_, _, err = openStore(t.Context(), "redis://:hunter2@127.0.0.1:1/0?max_retries=-1")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error %v: want one, without the password", err)
	}
}

func TestRedisPrefix(t *testing.T) {
	for _, tt := range []struct {
		spec, url, prefix string
		ok                bool
	}{
		{"redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0", "", false},
		{"redis://127.0.0.1:6379/0?prefix=play:", "redis://127.0.0.1:6379/0", "play:", true},
		{"rediss://h/1?prefix=&max_retries=2", "rediss://h/1?max_retries=2", "", true},
	} {
		u, p, ok, err := redisPrefix(tt.spec)
		if err != nil || u != tt.url || p != tt.prefix || ok != tt.ok {
			t.Errorf("redisPrefix(%q) = %q, %q, %v, %v; want %q, %q, %v", tt.spec, u, p, ok, err, tt.url, tt.prefix, tt.ok)
		}
	}
	if _, _, _, err := redisPrefix("redis://:hunter2@h:x/0"); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("bad URL: %v, want an error without the password", err)
	}
}
