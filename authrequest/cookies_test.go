package authrequest_test

import (
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
	"github.com/authkit-dev/authkit/authrequest"
)

var tokenForm = regexp.MustCompile(`^[a-z2-7]{32}$`)

const (
	tokA = "abcdefghijklmnopqrstuvwxyz234567"
	tokB = "bcdefghijklmnopqrstuvwxyz234567a"
	tokC = "cdefghijklmnopqrstuvwxyz234567ab"
	tokD = "defghijklmnopqrstuvwxyz234567abc"
)

func TestReadSessionCookies(t *testing.T) {
	a, err := auth.New(memstore.New(), auth.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		header      string
		tokens      []string
		sent, agree bool
	}{
		{"", nil, false, false},
		{"auth_session=" + tokA, []string{tokA}, true, true},
		{"a=1; auth_session=" + tokA + "; b=2", []string{tokA}, true, true},
		{"auth_session_x=" + tokA + "; xauth_session=" + tokB, nil, false, false},
		{`auth_session="` + tokA + `"`, []string{tokA}, true, true},
		{"auth_session=garbage", nil, true, true},
		{"auth_session=", nil, true, true},
		{";;; ;auth_session=" + tokA, []string{tokA}, true, true},
		{"auth_session=garbage; auth_session=" + tokA, []string{tokA}, true, false},
		{"auth_session=" + tokA + "; auth_session=" + tokA, []string{tokA}, true, true},
		{"auth_session=" + tokB + "; auth_session=" + tokA, []string{tokB, tokA}, true, false},
		{"auth_session=" + tokA + "; auth_session=" + tokB + "; auth_session=" + tokC + "; auth_session=" + tokD, []string{tokA, tokB, tokC}, true, false},
	} {
		r := &http.Request{Header: http.Header{}}
		if tc.header != "" {
			r.Header.Set("Cookie", tc.header)
		}
		c := authrequest.ReadSessionCookies(a, r)
		if !slices.Equal(c.Tokens, tc.tokens) || c.Sent != tc.sent || c.Agree != tc.agree {
			t.Errorf("ReadSessionCookies(%q) = %q, sent %v, agree %v; want %q, %v, %v", tc.header, c.Tokens, c.Sent, c.Agree, tc.tokens, tc.sent, tc.agree)
		}
	}
}

// TestSessionCookiesFind: the first token lookup finds is the session; a
// token that names none (nil, or ErrInvalidSession) gives way to the next;
// another error ends the search.
func TestSessionCookiesFind(t *testing.T) {
	c := authrequest.SessionCookies{Tokens: []string{tokA, tokB, tokC}, Sent: true}
	errDown := errors.New("down")
	for _, tc := range []struct {
		name    string
		answers map[string]error // token → its lookup's error; absent: found
		live    map[string]bool
		want    string
		wantErr error
	}{
		{"first live", nil, map[string]bool{tokA: true, tokB: true}, tokA, nil},
		{"dead then live", map[string]error{tokA: auth.ErrInvalidSession}, map[string]bool{tokB: true}, tokB, nil},
		{"unknown then live", nil, map[string]bool{tokC: true}, tokC, nil},
		{"none", nil, nil, "", nil},
		{"store failure first", map[string]error{tokA: errDown}, map[string]bool{tokB: true}, "", errDown},
	} {
		var tried []string
		s, err := c.Find(func(token string) (*auth.Session, error) {
			tried = append(tried, token)
			if err := tc.answers[token]; err != nil {
				return nil, err
			}
			if tc.live[token] {
				return &auth.Session{Token: token}, nil
			}
			return nil, nil
		})
		got := ""
		if s != nil {
			got = s.Token
		}
		if got != tc.want || !errors.Is(err, tc.wantErr) || err != nil && tc.wantErr == nil {
			t.Errorf("%s: Find = %q, %v (tried %q); want %q, %v", tc.name, got, err, tried, tc.want, tc.wantErr)
		}
	}
}

// FuzzReadSessionCookies feeds arbitrary Cookie headers to the session
// cookie reader and checks what it returns, not just that it does not
// panic:
//   - every token is in the header, has the form of a token (32
//     characters of [a-z2-7], as ValidToken says for any value), and
//     appears once; there are at most three;
//   - when net/http finds a well-formed session token, so do we, and if
//     net/http's first session cookie is a token, it is our first too.
func FuzzReadSessionCookies(f *testing.F) {
	for _, s := range []string{
		"", "auth_session=" + tokA,
		"a=1; auth_session=" + tokA + "; b=2",
		`auth_session="` + tokA + `"`,
		"auth_session=x; auth_session=" + tokA,
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
		c := authrequest.ReadSessionCookies(a, r)
		if len(c.Tokens) > 3 {
			t.Fatalf("%d tokens, want at most 3", len(c.Tokens))
		}
		for i, v := range c.Tokens {
			if !strings.Contains(header, v) || !tokenForm.MatchString(v) || !auth.ValidToken(v) || slices.Contains(c.Tokens[:i], v) {
				t.Fatalf("token %q of %q: not in the header, not of the token form, or repeated", v, header)
			}
		}
		if len(c.Tokens) > 0 && !c.Sent {
			t.Fatalf("tokens %q but Sent false", c.Tokens)
		}
		for _, ck := range r.Cookies() {
			if ck.Name == "auth_session" && auth.ValidToken(ck.Value) && len(c.Tokens) == 0 {
				t.Fatalf("net/http finds the token %q in %q; ReadSessionCookies found none", ck.Value, header)
			}
		}
		if ck, err := r.Cookie("auth_session"); err == nil && auth.ValidToken(ck.Value) && c.Tokens[0] != ck.Value {
			t.Fatalf("net/http's first session cookie is the token %q; ReadSessionCookies' first is %q", ck.Value, c.Tokens[0])
		}
	})
}
