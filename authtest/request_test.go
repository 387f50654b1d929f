package authtest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/authtest"
)

// NewRequest and NewRecorder are what an httptest user guesses: a
// *http.Request (with its body) and a recorder to pass to ServeHTTP.
func TestNewRequestAndRecorderAsHTTPTest(t *testing.T) {
	r := authtest.NewRequest(t, "POST", "/login", strings.NewReader("a=1"))
	if r.Method != "POST" || r.URL.Path != "/login" || r.TLS == nil || r.Host != "example.com" {
		t.Errorf("NewRequest = %s %s (TLS %v, host %q), want POST /login over TLS on example.com", r.Method, r.URL, r.TLS != nil, r.Host)
	}
	if b, _ := io.ReadAll(r.Body); string(b) != "a=1" || r.ContentLength != 3 {
		t.Errorf("body %q, length %d; want \"a=1\", 3", b, r.ContentLength)
	}
	if r := authtest.NewRequest(t, "", "http://app.test/", nil); r.Method != "GET" || r.TLS != nil || r.Body != http.NoBody && r.Body != nil {
		t.Errorf("NewRequest(\"\", http target, nil) = %s, TLS %v, body %v", r.Method, r.TLS != nil, r.Body)
	}
	rec := authtest.NewRecorder()
	http.Redirect(rec, r, "/home", http.StatusSeeOther)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/home" || rec.Request != nil {
		t.Errorf("NewRecorder after a redirect: %d %q, Request %v", rec.Code, rec.Header().Get("Location"), rec.Request)
	}
}

func TestBuildRequestDefaults(t *testing.T) {
	r := authtest.BuildRequest("", "/login?next=%2F").Build(t)
	if r.Method != "GET" || r.Host != "example.com" || r.URL.Path != "/login" || r.URL.Query().Get("next") != "/" {
		t.Errorf("request %s %s %s", r.Method, r.Host, r.URL)
	}
	if r.TLS == nil {
		t.Error("a path target should be served as https (TLS set)")
	}
	if r.RequestURI != "/login?next=%2F" || r.RemoteAddr == "" || r.Proto != "HTTP/1.1" {
		t.Errorf("server fields: RequestURI %q RemoteAddr %q Proto %q", r.RequestURI, r.RemoteAddr, r.Proto)
	}
	r = authtest.BuildRequest("POST", "http://app.test:8080/x").Build(t)
	if r.TLS != nil || r.Host != "app.test:8080" {
		t.Errorf("http target: TLS %v host %q", r.TLS, r.Host)
	}
}

func TestBuildRequestSessionAndBearer(t *testing.T) {
	tok := testToken(1)
	r := authtest.BuildRequest("GET", "/").
		WithSession(tok).
		WithCookie(&http.Cookie{Name: "theme", Value: "dark"}).
		WithBearer(tok).
		WithHeader("X-Test", "1").
		Build(t)
	if got := r.Header.Get("Cookie"); got != "auth_session="+tok+"; theme=dark" {
		t.Errorf("Cookie header %q", got)
	}
	if got := r.Header.Get("Authorization"); got != "Bearer "+tok {
		t.Errorf("Authorization %q", got)
	}
	if r.Header.Get("X-Test") != "1" {
		t.Error("WithHeader lost")
	}
}

func TestBuildRequestOrigins(t *testing.T) {
	cases := []struct {
		b                 *authtest.RequestBuilder
		origin, fetchSite string
	}{
		{authtest.BuildRequest("POST", "/logout").SameOrigin(), "https://example.com", "same-origin"},
		{authtest.BuildRequest("POST", "http://localhost:3000/logout").SameOrigin(), "http://localhost:3000", "same-origin"},
		{authtest.BuildRequest("POST", "/logout").CrossSite("https://evil.example"), "https://evil.example", "cross-site"},
		{authtest.BuildRequest("POST", "/logout").SameSite("https://blog.example.com"), "https://blog.example.com", "same-site"},
		// The last origin call wins.
		{authtest.BuildRequest("POST", "/logout").CrossSite("https://evil.example").SameOrigin(), "https://example.com", "same-origin"},
	}
	for i, c := range cases {
		r := c.b.Build(t)
		if got := r.Header.Get("Origin"); got != c.origin {
			t.Errorf("case %d: Origin %q, want %q", i, got, c.origin)
		}
		if got := r.Header.Get("Sec-Fetch-Site"); got != c.fetchSite {
			t.Errorf("case %d: Sec-Fetch-Site %q, want %q", i, got, c.fetchSite)
		}
	}
}

func TestBuildRequestBodies(t *testing.T) {
	r := authtest.BuildRequest("POST", "/login").WithForm(url.Values{"user": {"ann"}, "password": {"a b&c"}}).Build(t)
	if r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		t.Errorf("form Content-Type %q", r.Header.Get("Content-Type"))
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("password") != "a b&c" || r.PostForm.Get("user") != "ann" {
		t.Errorf("form: %v %v", err, r.PostForm)
	}

	r = authtest.BuildRequest("POST", "/api").WithJSON(map[string]int{"n": 1}).Build(t)
	var got map[string]int
	if err := json.NewDecoder(r.Body).Decode(&got); err != nil || got["n"] != 1 {
		t.Errorf("JSON body: %v %v", err, got)
	}
	if r.Header.Get("Content-Type") != "application/json" || r.ContentLength != int64(len(`{"n":1}`)) {
		t.Errorf("JSON headers: %q %d", r.Header.Get("Content-Type"), r.ContentLength)
	}
	// GetBody lets the body be read again, as http.NewRequest allows.
	body, _ := r.GetBody()
	again, _ := io.ReadAll(body)
	if string(again) != `{"n":1}` {
		t.Errorf("GetBody gave %q", again)
	}

	// Building twice gives two independent bodies.
	b := authtest.BuildRequest("POST", "/").WithBody("text/plain", []byte("hi"))
	r1, r2 := b.Build(t), b.Build(t)
	d1, _ := io.ReadAll(r1.Body)
	d2, _ := io.ReadAll(r2.Body)
	if string(d1) != "hi" || string(d2) != "hi" {
		t.Errorf("bodies %q %q", d1, d2)
	}
}

func TestBuildRequestContext(t *testing.T) {
	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, "v")
	r := authtest.BuildRequest("GET", "/").WithContext(ctx).Build(t)
	if r.Context().Value(key{}) != "v" {
		t.Error("context lost")
	}
}

func TestBuildRequestErrorsFailTheTest(t *testing.T) {
	cases := []struct {
		b    *authtest.RequestBuilder
		want string
	}{
		{authtest.BuildRequest("GET", "not a target"), "can't hold spaces"},
		{authtest.BuildRequest("G\x00T", "/"), `request "G\x00T" "/"`},
		{authtest.BuildRequest("GET", "/\r\nX: y"), "line breaks"},
		{authtest.BuildRequest("POST", "/").WithJSON(func() {}), "WithJSON: json: unsupported type"},
		{authtest.BuildRequest("GET", "/").WithCookie(nil), "WithCookie: a cookie needs a name"},
		{authtest.BuildRequest("GET", "%zz"), `request "GET" "%zz"`},
	}
	for _, c := range cases {
		if _, err := c.b.Request(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Request() error %v, want %q", err, c.want)
		}
		reached := false
		rt := runRecording(t, func(tb testing.TB) {
			c.b.Build(tb)
			reached = true
		})
		if reached || len(rt.fatals) != 1 {
			t.Errorf("Build on a bad builder (%q) did not stop the test", c.want)
		}
	}
}
