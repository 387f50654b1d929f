package authtest_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/authtest"
)

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// receive hands the jar Set-Cookie lines as a response from rawURL would.
func receive(t *testing.T, j *authtest.Jar, rawURL string, lines ...string) {
	t.Helper()
	var cs []*http.Cookie
	for _, l := range lines {
		c, err := http.ParseSetCookie(l)
		if err != nil {
			t.Fatalf("test line %q: %v", l, err)
		}
		cs = append(cs, c)
	}
	j.SetCookies(mustURL(t, rawURL), cs)
}

// sends returns the Cookie header the jar would send to rawURL.
func sends(t *testing.T, j *authtest.Jar, rawURL string) string {
	t.Helper()
	var parts []string
	for _, c := range j.Cookies(mustURL(t, rawURL)) {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return strings.Join(parts, "; ")
}

func lastEvent(t *testing.T, j *authtest.Jar) authtest.Event {
	t.Helper()
	tl := j.Timeline()
	if len(tl) == 0 {
		t.Fatal("empty timeline")
	}
	return tl[len(tl)-1]
}

func TestJarRFC6265(t *testing.T) {
	type probe struct{ url, want string }
	cases := []struct {
		name   string
		from   string
		lines  []string
		probes []probe
		reject string // reason substring of the last event, if rejected
		opts   []authtest.JarOption
	}{
		{name: "host-only cookie", from: "https://example.com/", lines: []string{"a=1"},
			probes: []probe{{"https://example.com/", "a=1"}, {"https://www.example.com/", ""}, {"https://EXAMPLE.com./x", "a=1"}}},
		{name: "domain cookie", from: "https://www.example.com/", lines: []string{"a=1; Domain=.example.com"},
			probes: []probe{{"https://example.com/", "a=1"}, {"https://x.y.example.com/", "a=1"},
				{"https://badexample.com/", ""}, {"https://other.com/", ""}}},
		{name: "domain of another site", from: "https://example.com/", lines: []string{"a=1; Domain=other.com"},
			reject: `Domain "other.com" does not match the host example.com`},
		{name: "domain of a subdomain", from: "https://example.com/", lines: []string{"a=1; Domain=www.example.com"},
			reject: "does not match the host"},
		{name: "top-level domain", from: "https://example.com/", lines: []string{"a=1; Domain=com"},
			reject: "public suffix"},
		{name: "domain on an IP", from: "https://192.0.2.1/", lines: []string{"a=1; Domain=192.0.2.0"},
			reject: "on a request to the address"},
		{name: "domain equal to IP", from: "https://192.0.2.1/", lines: []string{"a=1; Domain=192.0.2.1"},
			probes: []probe{{"https://192.0.2.1/", "a=1"}}},
		// RFC 6265 section 5.3, step 6: a Domain that does not
		// domain-match the host is refused; a port is not part of a
		// domain (http-state DOMAIN0027, Go's net/http/cookiejar).
		{name: "domain with the request's port", from: "http://home.example.org:8888/cookie-parser", lines: []string{"foo=bar; domain=home.example.org:8888"},
			reject: "has a port", probes: []probe{{"http://home.example.org:8888/cookie-parser-result", ""}}},
		{name: "domain with a leading dot and a port", from: "https://foo.bar.com/", lines: []string{"a=1; domain=.foo.bar.com:80"},
			reject: "has a port", probes: []probe{{"https://foo.bar.com/", ""}, {"https://www.foo.bar.com/", ""}}},
		{name: "domain with an empty port", from: "https://foo.bar.com/", lines: []string{"a=1; domain=foo.bar.com:"},
			reject: "has a port"},
		// An address has no subdomains: a leading dot makes no domain of
		// it, and Go's jar and browsers refuse it.
		{name: "IP domain with a leading dot", from: "http://192.168.0.10/", lines: []string{"a=1; domain=.192.168.0.10"},
			reject: "on a request to the address", probes: []probe{{"http://192.168.0.10/", ""}}},
		{name: "IPv6 domain equal to the address", from: "https://[2001:db8::1]/", lines: []string{"a=1; Domain=2001:db8::1"},
			probes: []probe{{"https://[2001:db8::1]/", "a=1"}}},
		{name: "IPv6 domain with a leading dot", from: "https://[2001:db8::1]/", lines: []string{"a=1; Domain=.2001:db8::1"},
			reject: "on a request to the address"},
		{name: "path", from: "https://example.com/", lines: []string{"a=1; Path=/api"},
			probes: []probe{{"https://example.com/api", "a=1"}, {"https://example.com/api/x", "a=1"},
				{"https://example.com/apix", ""}, {"https://example.com/", ""}}},
		{name: "default path", from: "https://example.com/a/b/c", lines: []string{"a=1", "b=2; Path=relative"},
			probes: []probe{{"https://example.com/a/b", "a=1; b=2"}, {"https://example.com/a/b/z", "a=1; b=2"}, {"https://example.com/a", ""}}},
		{name: "longest path first", from: "https://example.com/", lines: []string{"a=root; Path=/", "a=deep; Path=/x/y", "a=mid; Path=/x"},
			probes: []probe{{"https://example.com/x/y/z", "a=deep; a=mid; a=root"}}},
		{name: "Secure over http", from: "http://example.com/", lines: []string{"a=1; Secure"},
			reject: "Secure cookie from an insecure origin"},
		{name: "Secure over https, not sent over http", from: "https://example.com/", lines: []string{"a=1; Secure", "b=2"},
			probes: []probe{{"https://example.com/", "a=1; b=2"}, {"http://example.com/", "b=2"}}},
		{name: "Secure over http to loopback", from: "http://127.0.0.1:8080/", lines: []string{"a=1; Secure"},
			probes: []probe{{"http://127.0.0.1:9090/", "a=1"}}},
		{name: "Secure over http to localhost", from: "http://localhost/", lines: []string{"a=1; Secure"},
			probes: []probe{{"http://localhost/", "a=1"}}},
		{name: "loopback not secure when told", from: "http://127.0.0.1:8080/", lines: []string{"a=1; Secure"},
			opts: []authtest.JarOption{authtest.WithLoopbackSecure(false)}, reject: "insecure origin"},
		{name: "__Host- without Path=/", from: "https://example.com/", lines: []string{"__Host-a=1; Secure"},
			reject: "__Host- cookie must be Secure, with Path=/"},
		{name: "__Host- with Domain", from: "https://www.example.com/", lines: []string{"__Host-a=1; Secure; Path=/; Domain=example.com"},
			reject: "__Host-"},
		{name: "__Host- valid", from: "https://example.com/x", lines: []string{"__Host-a=1; Secure; Path=/"},
			probes: []probe{{"https://example.com/", "__Host-a=1"}}},
		{name: "__Secure- without Secure", from: "https://example.com/", lines: []string{"__Secure-a=1"},
			reject: "__Secure- cookie must be Secure"},
		{name: "replace by name, domain and path", from: "https://example.com/",
			lines:  []string{"a=1", "a=2; Path=/x", "a=3"},
			probes: []probe{{"https://example.com/x", "a=2; a=3"}, {"https://example.com/", "a=3"}}},
		{name: "Max-Age=0 deletes", from: "https://example.com/", lines: []string{"a=1", "b=2", "a=gone; Max-Age=0"},
			probes: []probe{{"https://example.com/", "b=2"}}},
		{name: "past Expires deletes", from: "https://example.com/", lines: []string{"a=1", "a=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT"},
			probes: []probe{{"https://example.com/", ""}}},
		{name: "Max-Age wins over past Expires", from: "https://example.com/", lines: []string{"a=1; Max-Age=60; Expires=Thu, 01 Jan 1970 00:00:00 GMT"},
			probes: []probe{{"https://example.com/", "a=1"}}},
		{name: "no cookies for other schemes", from: "https://example.com/", lines: []string{"a=1"},
			probes: []probe{{"ftp://example.com/", ""}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			j := authtest.NewJar(c.opts...)
			receive(t, j, c.from, c.lines...)
			for _, p := range c.probes {
				if got := sends(t, j, p.url); got != p.want {
					t.Errorf("to %s: sends %q, want %q", p.url, got, p.want)
				}
			}
			ev := lastEvent(t, j)
			if c.reject != "" {
				if ev.Change != authtest.Rejected || !strings.Contains(ev.Reason, c.reject) {
					t.Errorf("last event %v, want rejected with %q", ev, c.reject)
				}
				if got := sends(t, j, c.from); got != "" {
					t.Errorf("rejected cookie sent: %q", got)
				}
			} else if ev.Change == authtest.Rejected {
				t.Errorf("unexpected rejection: %v", ev)
			}
		})
	}
}

func TestJarInsecureOriginCantOverwriteSecure(t *testing.T) {
	j := authtest.NewJar()
	receive(t, j, "https://example.com/", "a=secret; Secure")
	receive(t, j, "http://example.com/", "a=forged")
	if ev := lastEvent(t, j); ev.Change != authtest.Rejected || !strings.Contains(ev.Reason, "overwrite a Secure cookie") {
		t.Errorf("last event %v, want a rejection", ev)
	}
	if got := sends(t, j, "https://example.com/"); got != "a=secret" {
		t.Errorf("sends %q, want the Secure cookie kept", got)
	}
}

func TestJarClockExpiresCookies(t *testing.T) {
	clock := newClock()
	j := authtest.NewJar(authtest.WithClock(clock))
	expires := clock.Now().Add(2 * time.Hour).Format(http.TimeFormat)
	receive(t, j, "https://example.com/", "short=1; Max-Age=60", "long=2; Expires="+expires, "session=3")

	if got := sends(t, j, "https://example.com/"); got != "short=1; long=2; session=3" {
		t.Fatalf("at start sends %q", got)
	}
	clock.Advance(59 * time.Second)
	if got := sends(t, j, "https://example.com/"); !strings.Contains(got, "short=1") {
		t.Errorf("at 59s sends %q, want short still there", got)
	}
	clock.Advance(time.Second) // exactly Max-Age: expired
	if got := sends(t, j, "https://example.com/"); got != "long=2; session=3" {
		t.Errorf("at 60s sends %q", got)
	}
	clock.Advance(2 * time.Hour)
	if got := sends(t, j, "https://example.com/"); got != "session=3" {
		t.Errorf("after 2h sends %q, want only the session cookie", got)
	}
}

func TestJarMaxAgeCapped(t *testing.T) {
	clock := newClock()
	j := authtest.NewJar(authtest.WithClock(clock))
	receive(t, j, "https://example.com/", "a=1; Max-Age=99999999999999")
	c, ok := j.Cookie("a")
	if !ok {
		t.Fatal("cookie with huge Max-Age not stored")
	}
	if want := clock.Now().Add(400 * 24 * time.Hour); !c.Expires.Equal(want) {
		t.Errorf("expiry %v, want capped at 400 days: %v", c.Expires, want)
	}
}

func TestJarKeepsEveryAttribute(t *testing.T) {
	clock := newClock()
	j := authtest.NewJar(authtest.WithClock(clock))
	line := "sid=v1; Path=/app; Domain=Example.COM; Max-Age=120; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; HttpOnly; SameSite=None; Partitioned; Priority=High"
	rec := j.Do(linesHandler(line), authtest.BuildRequest("GET", "https://www.example.com/app/x").Build(t))
	if rec.Code != 200 {
		t.Fatalf("status %d", rec.Code)
	}
	all := j.All()
	if len(all) != 1 {
		t.Fatalf("jar holds %d cookies, want 1", len(all))
	}
	c := all[0]
	if c.Raw != line || !c.Secure || !c.HttpOnly || !c.Partitioned || c.SameSite != http.SameSiteNoneMode ||
		c.Path != "/app" || c.Domain != "example.com" || c.MaxAge != 120 || !c.Expires.Equal(clock.Now().Add(2*time.Minute)) ||
		len(c.Unparsed) != 1 || c.Unparsed[0] != "Priority=High" {
		t.Errorf("stored cookie lost attributes: %#v", c)
	}
	// The copy is the caller's: changing it changes nothing in the jar.
	c.Value = "changed"
	c.Unparsed[0] = "changed"
	if again, _ := j.Cookie("sid"); again.Value != "v1" || again.Unparsed[0] != "Priority=High" {
		t.Errorf("All returned the jar's own cookie: %#v", again)
	}
}

func TestJarTimelineLabels(t *testing.T) {
	clock := newClock()
	j := authtest.NewJar(authtest.WithClock(clock))
	exp := func(d time.Duration) string { return clock.Now().Add(d).Format(http.TimeFormat) }
	steps := []struct {
		line string
		want authtest.CookieChange
	}{
		{"a=1; Max-Age=3600", authtest.Set},
		{"a=1; Max-Age=3600", authtest.Unchanged},             // same value, same expiry (the clock stood still)
		{"a=1; Max-Age=7200", authtest.Renewed},               // later expiry
		{"a=1; Max-Age=60", authtest.Unchanged},               // earlier expiry is no renewal
		{"a=2; Max-Age=60", authtest.Rotated},                 // new value
		{"a=; Max-Age=60", authtest.Cleared},                  // emptied
		{"a=3; Max-Age=0", authtest.Cleared},                  // deleted
		{"a=4; Expires=" + exp(-time.Hour), authtest.Cleared}, // deleted with nothing to delete
		{"a=5; Expires=" + exp(time.Hour), authtest.Set},
		{"a=5; Expires=" + exp(time.Hour+500*time.Millisecond), authtest.Unchanged}, // under a second
		{"a=5", authtest.Renewed},                                                   // session cookie outlives a persistent one
	}
	for i, s := range steps {
		clock.Advance(0)
		receive(t, j, "https://example.com/", s.line)
		if ev := lastEvent(t, j); ev.Change != s.want {
			t.Errorf("step %d %q: %v, want %v", i, s.line, ev.Change, s.want)
		}
	}
	tl := j.Timeline()
	if len(tl) != len(steps) {
		t.Fatalf("timeline has %d events, want %d", len(tl), len(steps))
	}
	if ev := tl[4]; ev.Previous == nil || ev.Previous.Value != "1" || ev.Cookie.Value != "2" {
		t.Errorf("rotation event lacks the previous cookie: %+v", ev)
	}
	if ev := tl[0]; ev.Method != "" || ev.URL != "https://example.com/" || !ev.Time.Equal(clock.Now()) {
		t.Errorf("SetCookies event: method %q url %q time %v", ev.Method, ev.URL, ev.Time)
	}
}

func TestJarNeverPanicsOnGarbage(t *testing.T) {
	lines := []string{
		"", ";", "=", "=value", "no-equals", "a=1; Domain=", "a=1; Domain=.", "a=1; Domain=..example.com",
		"a=1; Max-Age=abc", "a=1; Max-Age=-5", "a=1; Max-Age=", "a=1; Expires=yesterday", "a=1; Path",
		"a=\"quoted\"; Path=/", "a=1, b=2; Path=/", "a b=1", "a=1\x00", "a=\xff\xfe", strings.Repeat("x", 10000) + "=1",
		"a=1; SameSite=Sideways", "a=1; Partitioned=yes", "a=1;;;; Secure;;",
	}
	j := authtest.NewJar()
	rec := j.Do(linesHandler(lines...), authtest.BuildRequest("GET", "/").Build(t))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	tl := j.Timeline()
	if len(tl) != len(lines) {
		t.Fatalf("timeline has %d events for %d lines", len(tl), len(lines))
	}
	// A comma is part of the value, never a separator of cookies.
	if _, ok := j.Cookie("b"); ok {
		t.Error("a comma split one Set-Cookie line into two cookies")
	}
	var rejected int
	for _, e := range tl {
		if e.Change == authtest.Rejected {
			rejected++
			if e.Reason == "" {
				t.Errorf("rejection without reason: %v", e)
			}
		}
	}
	if rejected == 0 {
		t.Error("no line was rejected")
	}
	// Nil arguments are no-ops, not panics.
	j.SetCookies(nil, nil)
	j.SetCookies(mustURL(t, "https://example.com/"), []*http.Cookie{nil, {Name: ""}})
	if got := j.Cookies(nil); got != nil {
		t.Errorf("Cookies(nil) = %v", got)
	}
	if rec := j.Do(nil, nil); rec.Code != http.StatusInternalServerError {
		t.Errorf("Do(nil, nil) status %d, want 500", rec.Code)
	}
	_ = j.Transcript()
}

func FuzzJarSetCookie(f *testing.F) {
	for _, s := range []string{"a=1; Domain=example.com; Path=/x; Max-Age=60", "a=; Max-Age=0", "__Host-a=1; Secure; Path=/", "a=1, b=2", ";;="} {
		f.Add(s, "/p/q")
	}
	f.Fuzz(func(t *testing.T, line, path string) {
		j := authtest.NewJar()
		u := &url.URL{Scheme: "https", Host: "www.example.com", Path: path}
		r := httptest.NewRequest("GET", "https://www.example.com/", nil)
		r.URL = u
		j.Do(linesHandler(line), r)
		j.Cookies(u)
		_ = j.Transcript()
		var red authtest.Redactor
		_ = red.Redact(line)
	})
}

func TestJarDoAddsCookiesToAClone(t *testing.T) {
	clock := newClock()
	h := newSessionHandler(clock)
	jar := authtest.NewJar(authtest.WithClock(clock))
	jar.Do(h, authtest.BuildRequest("GET", "/login").Build(t))
	r := authtest.BuildRequest("GET", "/renew").Build(t)
	rec := jar.Do(h, r)
	if r.Header.Get("Cookie") != "" {
		t.Error("Do changed the caller's request")
	}
	if got := rec.Request.Header.Get("Cookie"); got != "auth_session="+testToken(1) {
		t.Errorf("request as served carried %q", got)
	}
	if rec.Jar != jar {
		t.Error("recorder does not point to its jar")
	}
	// Plain http to example.com: the Secure session cookie neither goes
	// nor comes, and the timeline says why.
	rec = jar.Do(h, authtest.BuildRequest("GET", "http://example.com/login").Build(t))
	if rec.Request.Header.Get("Cookie") != "" {
		t.Error("Secure cookie sent over http")
	}
	if ev := lastEvent(t, jar); ev.Change != authtest.Rejected || ev.Method != "GET" || ev.URL != "http://example.com/login" {
		t.Errorf("last event %v", ev)
	}
}

func TestJarNamedJarsKeepUsersApart(t *testing.T) {
	clock := newClock()
	h := newSessionHandler(clock)
	alice := authtest.NewJar(authtest.WithName("alice"), authtest.WithClock(clock))
	bob := authtest.NewJar(authtest.WithName("bob"), authtest.WithClock(clock))
	alice.Do(h, authtest.BuildRequest("GET", "/login").Build(t))
	bob.Do(h, authtest.BuildRequest("GET", "/login").Build(t))
	a, _ := alice.Cookie("auth_session")
	b, _ := bob.Cookie("auth_session")
	if a == nil || b == nil || a.Value == b.Value {
		t.Fatalf("alice %v and bob %v should hold different sessions", a, b)
	}
	rec := bob.Do(h, authtest.BuildRequest("GET", "/logout").Build(t))
	if _, ok := bob.Cookie("auth_session"); ok {
		t.Error("bob still holds a session after logout")
	}
	if _, ok := alice.Cookie("auth_session"); !ok {
		t.Error("bob's logout cleared alice's jar")
	}
	rt := runRecording(t, func(tb testing.TB) { authtest.AssertSession(tb, rec, authtest.Untouched) })
	wantContains(t, rt.output(), "jar:        bob", "request:    GET /logout", "want untouched, got cleared")
	if alice.Name() != "alice" {
		t.Errorf("Name() = %q", alice.Name())
	}
}

func TestJarRealListenerWithPlainClient(t *testing.T) {
	clock := newClock()
	srv := httptest.NewServer(newSessionHandler(clock))
	defer srv.Close()
	jar := authtest.NewJar(authtest.WithClock(clock))
	client := &http.Client{Jar: jar}

	get := func(path string) *http.Response {
		t.Helper()
		resp, err := client.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	resp := get("/login")
	authtest.AssertSession(t, resp, authtest.Set, authtest.CheckClock(clock))
	authtest.AssertSessionAttrs(t, resp, authtest.DefaultCookieAttrs())
	// The Secure cookie came over http://127.0.0.1 (a secure context)...
	if got := sends(t, jar, srv.URL+"/"); got != "auth_session="+testToken(1) {
		t.Fatalf("jar sends %q after login", got)
	}
	// ...and goes back, so the server can renew it.
	clock.Advance(time.Hour)
	resp = get("/renew")
	authtest.AssertSession(t, resp, authtest.Renewed)
	resp = get("/logout")
	authtest.AssertSession(t, resp, authtest.Cleared, authtest.CheckClock(clock))
	if got := sends(t, jar, srv.URL+"/"); got != "" {
		t.Errorf("jar sends %q after logout", got)
	}
	authtest.AssertSessionHistory(t, jar, authtest.Set, authtest.Renewed, authtest.Cleared)
	if tl := jar.Timeline(); tl[0].Method != "" || !strings.HasPrefix(tl[0].URL, srv.URL) {
		t.Errorf("plain-client event: method %q url %q", tl[0].Method, tl[0].URL)
	}
}

func TestJarClientRecordsMethodsAndRedirects(t *testing.T) {
	clock := newClock()
	sessions := newSessionHandler(clock)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /signin", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, sessions.cookie(testToken(42), clock.Now().Add(testLifetime)))
		http.Redirect(w, r, "/home", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /home", func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("auth_session")
		if err != nil {
			http.Error(w, "no session", http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, "hello ", c.Value[:4])
	})
	srv := httptest.NewTLSServer(mux)
	defer srv.Close()

	jar := authtest.NewJar(authtest.WithName("carol"), authtest.WithClock(clock), authtest.WithLoopbackSecure(false))
	client := jar.Client(srv.Client())
	if client.Jar != nil {
		t.Error("the jar's client must not also have the jar in its Jar field")
	}
	resp, err := client.Post(srv.URL+"/signin", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "hello "+testToken(42)[:4] {
		t.Fatalf("after redirect: %d %q", resp.StatusCode, body)
	}
	// The response after the redirect set nothing, and its request
	// carried the cookie the jar added.
	authtest.AssertSession(t, resp, authtest.Untouched)
	if got := resp.Request.Header.Get("Cookie"); got != "auth_session="+testToken(42) {
		t.Errorf("redirected request carried %q", got)
	}
	tl := jar.Timeline()
	if len(tl) != 1 || tl[0].Method != "POST" || tl[0].Change != authtest.Set {
		t.Fatalf("timeline %v, want one POST event", tl)
	}
	tr := jar.Transcript()
	wantContains(t, tr,
		"# jar carol",
		"POST https://127.0.0.1:<port>/signin  at +0\n  cookie:         (none)\n  status:         303 See Other\n  location:       /home\n  set-cookie:     set       auth_session=<token-1>; Path=/; Expires=<now+336h>; Max-Age=1209600; HttpOnly; Secure; SameSite=Lax",
		"GET https://127.0.0.1:<port>/home  at +0\n  cookie:         auth_session=<token-1>\n  status:         200 OK\n",
	)
}

func TestJarConcurrentUse(t *testing.T) {
	clock := newClock()
	h := newSessionHandler(clock)
	jar := authtest.NewJar(authtest.WithClock(clock))
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := jar.Client(nil)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			paths := []string{"/login", "/renew", "/none", "/logout"}
			for k := range 10 {
				p := paths[(i+k)%len(paths)]
				if i%2 == 0 {
					jar.Do(h, authtest.BuildRequest("GET", p).Build(t))
				} else if resp, err := client.Get(srv.URL + p); err == nil {
					resp.Body.Close()
				}
				clock.Advance(time.Second)
				_ = jar.Timeline()
				_ = jar.All()
			}
		}()
	}
	wg.Wait()
	if n := len(jar.Timeline()); n == 0 {
		t.Error("no events after concurrent use")
	}
}

func TestJarZeroValueWorks(t *testing.T) {
	var j authtest.Jar // not made by NewJar: system clock, default cookie name
	rec := j.Do(linesHandler("auth_session="+testToken(1)+"; Path=/; Max-Age=60"), authtest.BuildRequest("GET", "/").Build(t))
	authtest.AssertSession(t, rec, authtest.Set, authtest.CheckCookieName("")) // "" means the default
	if got := sends(t, &j, "https://example.com/"); got != "auth_session="+testToken(1) {
		t.Errorf("zero Jar sends %q", got)
	}
	if tr := j.Transcript(); !strings.Contains(tr, "GET https://example.com/  at +0") {
		t.Errorf("zero Jar transcript:\n%s", tr)
	}
	want := "GET https://example.com/: set auth_session=" + testToken(1) + "; Path=/; Max-Age=60"
	if got := j.Timeline()[0].String(); got != want {
		t.Errorf("Event.String() = %q, want %q", got, want)
	}
}
