package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
)

// TestSignUpInOut drives the example over a real listener with a real
// cookie jar.
func TestSignUpInOut(t *testing.T) {
	a, err := auth.New(memstore.New(), auth.Config{Cookie: auth.CookieConfig{Insecure: true}, Argon2: auth.Argon2Params{Memory: 64, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(newHandler(a))
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	post := func(path string, form url.Values) string {
		req, _ := http.NewRequest("POST", srv.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", srv.URL)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	creds := url.Values{"username": {"ada"}, "password": {"pw"}}
	if body := post("/signup", creds); !strings.Contains(body, "Signed in as <b>ada</b>") {
		t.Fatalf("after sign-up: %s", body)
	}
	if body := post("/signup", creds); !strings.Contains(body, "Signed in as") {
		t.Fatalf("a signed-in user lost the session on a duplicate sign-up: %s", body)
	}
	if body := post("/logout", nil); !strings.Contains(body, "Sign in") {
		t.Fatalf("after sign-out: %s", body)
	}
	if body := post("/signup", url.Values{"username": {"eve"}, "password": {""}}); !strings.Contains(body, "choose a username and a password") {
		t.Fatalf("sign-up with an empty password: %s", body)
	}
	if body := post("/login", url.Values{"username": {"ada"}, "password": {"nope"}}); !strings.Contains(body, "wrong username or password") {
		t.Fatalf("bad password: %s", body)
	}
	if body := post("/login", creds); !strings.Contains(body, "Signed in as <b>ada</b>") {
		t.Fatalf("after sign-in: %s", body)
	}
}
