package auth_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
)

var tokenForm = regexp.MustCompile(`^[a-z2-7]{32}$`)

// FuzzSessionCookie feeds arbitrary Cookie headers to the session cookie
// reader and checks what it returns, not just that it does not panic:
//   - the value is a substring of the header (nothing invented);
//   - a value with the form of a token is exactly 32 characters of
//     [a-z2-7], and ValidToken agrees with that form for any value;
//   - when net/http finds a well-formed session token, so do we, and if
//     net/http's first session cookie is a token, it is ours too.
func FuzzSessionCookie(f *testing.F) {
	for _, s := range []string{
		"", "auth_session=abcdefghijklmnopqrstuvwxyz234567",
		"a=1; auth_session=abcdefghijklmnopqrstuvwxyz234567; b=2",
		`auth_session="abcdefghijklmnopqrstuvwxyz234567"`,
		"auth_session=x; auth_session=abcdefghijklmnopqrstuvwxyz234567",
		"auth_session=\x00; ;;=;auth_session", "auth_session=ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
	} {
		f.Add(s)
	}
	a, err := auth.New(memstore.New(), auth.Config{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, header string) {
		r := &http.Request{Header: http.Header{"Cookie": {header}}}
		v, ok := a.ReadSessionCookie(r)
		if !ok {
			if v != "" {
				t.Fatalf("not found, but value %q", v)
			}
		} else if !strings.Contains(header, v) {
			t.Fatalf("value %q is not in the header %q", v, header)
		}
		if auth.ValidToken(v) != tokenForm.MatchString(v) {
			t.Fatalf("ValidToken(%q) = %v, the token form says %v", v, auth.ValidToken(v), tokenForm.MatchString(v))
		}
		var stdToken string
		for _, c := range r.Cookies() {
			if c.Name == "auth_session" && auth.ValidToken(c.Value) {
				stdToken = c.Value
				break
			}
		}
		if stdToken != "" && !auth.ValidToken(v) {
			t.Fatalf("net/http finds the token %q in %q; ReadSessionCookie returned %q", stdToken, header, v)
		}
		if c, err := r.Cookie("auth_session"); err == nil && auth.ValidToken(c.Value) && c.Value != v {
			t.Fatalf("net/http's first session cookie is the token %q; ReadSessionCookie returned %q", c.Value, v)
		}
	})
}

// FuzzBearerToken checks the Authorization header reader: the token it
// returns is in the header, has no leading space, and is found only for
// the Bearer scheme.
func FuzzBearerToken(f *testing.F) {
	for _, s := range []string{"", "Bearer abc", "bearer  abc", "Basic abc", "Bearer", "Bearer\tabc", "BEARER x y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		r := &http.Request{Header: http.Header{"Authorization": {header}}}
		tok, ok := auth.ReadBearerToken(r)
		if !ok {
			return
		}
		if tok == "" || strings.HasPrefix(tok, " ") || !strings.Contains(header, tok) {
			t.Fatalf("ReadBearerToken(%q) = %q", header, tok)
		}
		if scheme, _, _ := strings.Cut(header, " "); !strings.EqualFold(scheme, "bearer") {
			t.Fatalf("ReadBearerToken(%q) found a token under scheme %q", header, scheme)
		}
	})
}
