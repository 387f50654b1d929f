package authtest_test

import (
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/authtest"
)

func TestRedactor(t *testing.T) {
	a, b := testToken(1), testToken(2)
	var r authtest.Redactor
	got := r.Redact("auth_session=" + a + "; other=" + b + "; again=" + a + "; long=x" + a + "; up=" + strings.ToUpper(a))
	want := "auth_session=<token-1>; other=<token-2>; again=<token-1>; long=x" + a + "; up=" + strings.ToUpper(a)
	if got != want {
		t.Errorf("Redact:\n got %s\nwant %s", got, want)
	}
	// The numbering holds across calls on one Redactor...
	if got := r.Redact("Bearer " + b); got != "Bearer <token-2>" {
		t.Errorf("second call: %q", got)
	}
	if r.Token("custom-value") != "<token-3>" || r.Token("") != "" || r.Token(a) != "<token-1>" {
		t.Error("Token numbering")
	}
	// ...and restarts on a new one.
	var r2 authtest.Redactor
	if got := r2.Redact(b); got != "<token-1>" {
		t.Errorf("fresh Redactor: %q", got)
	}
	// A 64-character hex session ID is not a token; nor are shorter words.
	id := strings.Repeat("ab12", 16)
	if got := r2.Redact(id + " abcdefgh"); got != id+" abcdefgh" {
		t.Errorf("non-tokens changed: %q", got)
	}
}

func TestRedactorLoopbackPorts(t *testing.T) {
	var r authtest.Redactor
	cases := map[string]string{
		"http://127.0.0.1:41873/login":            "http://127.0.0.1:<port>/login",
		"https://[::1]:8443/x and localhost:3000": "https://[::1]:<port>/x and localhost:<port>",
		"127.0.0.1:":               "127.0.0.1:",
		"http://example.com:8080/": "http://example.com:8080/",
	}
	for in, want := range cases {
		if got := r.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}
