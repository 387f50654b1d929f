package authtest_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/fakeauth"
)

// FuzzJarProperties sends two arbitrary Set-Cookie lines to a jar and
// checks what it keeps, not just that it survives:
//   - a line net/http can't parse is never stored;
//   - every stored cookie comes from one of the lines (same name);
//   - the jar never holds two cookies with the same name, domain and path;
//   - every stored cookie is live on the jar's clock;
//   - a stored "__Host-" cookie is Secure, host-only, with Path "/";
//   - the timeline has one event per line received, holding the line as
//     it was sent (nothing split on commas).
func FuzzJarProperties(f *testing.F) {
	for _, s := range [][2]string{
		{"auth_session=abc; Path=/; Max-Age=60; Secure; HttpOnly", "auth_session=; Max-Age=0"},
		{"a=1, b=2; Expires=Wed, 21 Oct 2015 07:28:00 GMT", "a=2; Domain=example.com"},
		{"__Host-s=1; Secure; Path=/", "__Host-s=2; Path=/x; Secure"},
		{"x=1; Domain=.www.example.com; Path=/p", "x=1; Path=/p; Max-Age=-5"},
		{"s=1; Partitioned; Secure; SameSite=None", "s=2; Domain=com"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, line1, line2 string) {
		clock := fakeauth.NewClock(time.Time{})
		jar := authtest.NewJar(authtest.WithClock(clock))
		var lines []string
		for _, l := range []string{line1, line2} {
			if l != "" && !strings.ContainsAny(l, "\r\n") {
				lines = append(lines, l)
			}
		}
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			for _, l := range lines {
				w.Header().Add("Set-Cookie", l)
			}
		})
		jar.Do(h, httptest.NewRequest("GET", "https://www.example.com/p/q", nil))

		names := map[string]bool{}
		for _, l := range lines {
			if c, err := http.ParseSetCookie(l); err == nil {
				names[c.Name] = true
			}
		}
		seen := map[[3]string]bool{}
		for _, c := range jar.All() {
			if !names[c.Name] {
				t.Fatalf("stored cookie %q comes from no parseable line of %q", c.Name, lines)
			}
			key := [3]string{c.Name, c.Domain, c.Path}
			if seen[key] {
				t.Fatalf("two cookies for %v", key)
			}
			seen[key] = true
			if !c.Expires.IsZero() && !c.Expires.After(clock.Now()) {
				t.Fatalf("stored cookie %q expired at %v (now %v)", c.Name, c.Expires, clock.Now())
			}
			if strings.HasPrefix(c.Name, "__Host-") && (!c.Secure || c.Path != "/" || c.Domain != "www.example.com") {
				t.Fatalf("__Host- cookie stored with Secure %v, Path %q, Domain %q", c.Secure, c.Path, c.Domain)
			}
		}
		tl := jar.Timeline()
		if len(tl) != len(lines) {
			t.Fatalf("%d timeline events for %d lines", len(tl), len(lines))
		}
		for i, e := range tl {
			if e.Line != lines[i] {
				t.Fatalf("event %d holds %q, the line was %q", i, e.Line, lines[i])
			}
		}
		u, _ := url.Parse("https://www.example.com/p/q")
		for _, c := range jar.Cookies(u) {
			if !names[c.Name] {
				t.Fatalf("Cookies returned %q, from no line", c.Name)
			}
		}
	})
}
