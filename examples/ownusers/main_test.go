package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/pgstore/pgstoretest"
)

// calls counts the session store's calls by method.
type calls struct {
	auth.SessionStore
	mu sync.Mutex
	n  map[string]int
}

func (c *calls) count(m string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n[m]++
}

func (c *calls) reset() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.n
	c.n = map[string]int{}
	return n
}

func (c *calls) GetSession(ctx context.Context, id string) (auth.SessionRecord, error) {
	c.count("GetSession")
	return c.SessionStore.GetSession(ctx, id)
}

func (c *calls) RenewSession(ctx context.Context, id string, old time.Time, r auth.Renewal) (bool, error) {
	c.count("RenewSession")
	return c.SessionStore.RenewSession(ctx, id, old, r)
}

func (c *calls) DeleteSession(ctx context.Context, id string) error {
	c.count("DeleteSession")
	return c.SessionStore.DeleteSession(ctx, id)
}

// server starts the app on dsn and returns its URL, the store's call
// counter and the app.
func server(t *testing.T, dsn string) (string, *calls, *app, func()) {
	t.Helper()
	c := &calls{n: map[string]int{}}
	a, closeDB, err := open(t.Context(), dsn, auth.Config{Cookie: auth.CookieConfig{Insecure: true}}, func(s auth.SessionStore) auth.SessionStore {
		c.SessionStore = s
		return c
	})
	if err != nil {
		t.Fatalf("open(%s): %v", dsn, err)
	}
	a.bcryptCost = bcrypt.MinCost
	srv := httptest.NewServer(a.handler())
	t.Cleanup(func() { srv.Close(); closeDB() })
	return srv.URL, c, a, closeDB
}

// client is a browser: a cookie jar, no redirects followed.
func client(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func do(t *testing.T, c *http.Client, method, u string, form url.Values) (int, string) {
	t.Helper()
	var resp *http.Response
	var err error
	if method == http.MethodPost {
		resp, err = c.PostForm(u, form)
	} else {
		resp, err = c.Get(u)
	}
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func creds(email, password string) url.Values {
	return url.Values{"email": {email}, "password": {password}}
}

// checkApp runs the app's story on one database. tables lists the tables
// of the database's schema.
func checkApp(t *testing.T, dsn string, tables func() []string) {
	base, store, app, closeDB := server(t, dsn)
	laptop, phone := client(t), client(t)

	if code, _ := do(t, laptop, "POST", base+"/signup", creds("not an email", "password1")); code != http.StatusBadRequest {
		t.Errorf("sign-up with a bad email: status %d, want 400", code)
	}
	if code, _ := do(t, laptop, "POST", base+"/signup", creds("ada@example.com", "short")); code != http.StatusBadRequest {
		t.Errorf("sign-up with a short password: status %d, want 400", code)
	}
	if code, _ := do(t, laptop, "POST", base+"/signup", creds("ada@example.com", "correct horse")); code != http.StatusSeeOther {
		t.Fatalf("sign-up: status %d, want 303", code)
	}
	if code, _ := do(t, phone, "POST", base+"/signup", creds("ada@example.com", "another one")); code != http.StatusConflict {
		t.Errorf("second sign-up with the same email: status %d, want 409", code)
	}

	// Sign-up wrote the app's table only: authkit has no users or keys.
	got := strings.Join(tables(), " ")
	if strings.Contains(got, "auth_users") || strings.Contains(got, "auth_keys") || !strings.Contains(got, "auth_sessions") {
		t.Errorf("tables = %s; want auth_sessions and no auth_users or auth_keys", got)
	}
	var n int
	if err := app.db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM users WHERE email = 'ada@example.com'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("app's users rows for ada = %d, %v; want 1", n, err)
	}

	// A signed-in page costs one store call: GetSession, one SELECT.
	store.reset()
	if code, body := do(t, laptop, "GET", base+"/", nil); code != http.StatusOK || !strings.Contains(body, "ada@example.com") {
		t.Fatalf("profile: status %d, body %q; want ada's page", code, body)
	}
	if got := store.reset(); len(got) != 1 || got["GetSession"] != 1 {
		t.Errorf("store calls for a validated request = %v, want exactly one GetSession", got)
	}

	if code, _ := do(t, phone, "POST", base+"/signin", creds("ada@example.com", "wrong password")); code != http.StatusUnauthorized {
		t.Errorf("sign-in with a wrong password: status %d, want 401", code)
	}
	if code, _ := do(t, phone, "POST", base+"/signin", creds("ada@example.com", "correct horse")); code != http.StatusSeeOther {
		t.Fatalf("sign-in: status %d, want 303", code)
	}
	if _, body := do(t, phone, "GET", base+"/", nil); !strings.Contains(body, "ada@example.com") {
		t.Fatalf("profile on the phone: %q; want ada's page", body)
	}

	// Sign-out ends the phone's session only.
	if code, _ := do(t, phone, "POST", base+"/signout", nil); code != http.StatusSeeOther {
		t.Errorf("sign-out: status %d, want 303", code)
	}
	if _, body := do(t, phone, "GET", base+"/", nil); strings.Contains(body, "ada@example.com") {
		t.Error("the phone is still signed in after signing out")
	}
	if code, _ := do(t, phone, "POST", base+"/signin", creds("ada@example.com", "correct horse")); code != http.StatusSeeOther {
		t.Fatalf("sign-in again: status %d, want 303", code)
	}
	baseURL, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	phoneCookies := phone.Jar.Cookies(baseURL)

	// Deleting the account (the app's row) ends every session of it.
	if code, _ := do(t, laptop, "POST", base+"/delete", nil); code != http.StatusSeeOther {
		t.Fatalf("delete account: status %d, want 303", code)
	}
	if _, body := do(t, phone, "GET", base+"/", nil); strings.Contains(body, "ada@example.com") {
		t.Error("the phone's cookie still signs in after the account was deleted")
	}
	stale := client(t)
	stale.Jar.SetCookies(baseURL, phoneCookies)
	if _, body := do(t, stale, "GET", base+"/", nil); strings.Contains(body, "ada@example.com") {
		t.Error("a copy of the phone's cookie still signs in after the account was deleted")
	}
	if err := app.db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM auth_sessions`).Scan(&n); err != nil || n != 0 {
		t.Errorf("sessions left after the account was deleted = %d, %v; want 0 (ON DELETE CASCADE)", n, err)
	}

	// A database failure is a 503, not a sign-out.
	if code, _ := do(t, laptop, "POST", base+"/signup", creds("bob@example.com", "correct horse")); code != http.StatusSeeOther {
		t.Fatalf("sign-up bob: status %d, want 303", code)
	}
	closeDB()
	if code, _ := do(t, laptop, "GET", base+"/", nil); code != http.StatusServiceUnavailable {
		t.Errorf("profile with the database closed: status %d, want 503", code)
	}
}

func TestSQLite(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "app.db")
	checkApp(t, dsn, func() []string {
		return tableNames(t, dsn, `SELECT name FROM sqlite_master WHERE type = 'table'`)
	})
}

func TestPostgres(t *testing.T) {
	dsn := pgstoretest.URL(t) // a schema of this test's own, as search_path
	checkApp(t, dsn, func() []string {
		return tableNames(t, dsn, `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`)
	})
}

// tableNames opens the app's database at dsn, as the app does, and
// returns the table names that query lists.
func tableNames(t *testing.T, dsn, query string) []string {
	t.Helper()
	a, closeDB, err := open(t.Context(), dsn, auth.Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB()
	rows, err := a.db.QueryContext(t.Context(), query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		names = append(names, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return names
}
