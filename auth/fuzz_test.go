package auth_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/auth"
)

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
