package playground

import (
	"net/http"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/fakeauth"
)

func TestHideToken(t *testing.T) {
	token := "abcdefghijklmnopqrstuvwxyz234567"
	if !auth.ValidToken(token) {
		t.Fatal("test token is not a token")
	}
	line := "auth_session=" + token + "; Path=/; Max-Age=10; HttpOnly"
	got := hideToken(line)
	want := "auth_session=<token of session " + auth.SessionID(token)[:8] + "…>; Path=/; Max-Age=10; HttpOnly"
	if got != want {
		t.Errorf("hideToken = %q, want %q", got, want)
	}
	for _, line := range []string{"auth_session=; Path=/; Max-Age=0", "theme=dark", "garbage;;;", ""} {
		if got := hideToken(line); got != line {
			t.Errorf("hideToken(%q) = %q, want it unchanged", line, got)
		}
	}
}

// The inspector reads what a response did with authtest's vocabulary,
// from the request's cookie and the response's Set-Cookie lines.
func TestInspectorLabels(t *testing.T) {
	f, err := fakeauth.New()
	if err != nil {
		t.Fatal(err)
	}
	in := newInspector(f.Auth, f.Clock)
	token := "abcdefghijklmnopqrstuvwxyz234567"
	other := "bbcdefghijklmnopqrstuvwxyz234567"
	req := func(cookie string) *http.Request {
		r, err := http.NewRequest("GET", "http://127.0.0.1/x", nil)
		if err != nil {
			t.Fatal(err)
		}
		if cookie != "" {
			r.AddCookie(&http.Cookie{Name: auth.DefaultCookieName, Value: cookie})
		}
		return r
	}
	in.record(req(""), 200, nil) // no Set-Cookie: not kept
	in.record(req(""), 200, []string{"auth_session=" + token + "; Path=/; Max-Age=100"})
	in.record(req(token), 200, []string{"auth_session=" + token + "; Path=/; Max-Age=200"})
	in.record(req(token), 200, []string{"auth_session=" + other + "; Path=/; Max-Age=200"})
	in.record(req(other), 200, []string{"auth_session=; Path=/; Max-Age=0"})
	in.record(req(""), 200, []string{"theme=dark"}) // the session cookie untouched: not kept
	var got []string
	for _, e := range in.Events() {
		got = append(got, e.Change)
		for _, l := range e.Lines {
			if strings.Contains(l, token) || strings.Contains(l, other) {
				t.Errorf("event line shows a token: %q", l)
			}
		}
	}
	if want := "cleared rotated renewed set"; strings.Join(got, " ") != want {
		t.Errorf("labels newest first %q, want %q", strings.Join(got, " "), want)
	}
}
