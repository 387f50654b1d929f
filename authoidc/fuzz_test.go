package authoidc_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/fakeauth"
)

// FuzzCallback sends the callback any query and any flow cookie: it never
// panics, never signs in, and always clears the flow cookie.
func FuzzCallback(f *testing.F) {
	f.Add("code=abc&state=def", "")
	f.Add("error=access_denied&state=x", "AAAA")
	f.Add("code=%zz", "not base64!")
	f.Add("", "eyJzIjoiIn0")
	f.Fuzz(func(t *testing.T, query, cookie string) {
		r := newRig(t)
		u := &url.URL{Path: "/auth/oidc/callback", RawQuery: query}
		req, err := authtest.BuildRequest("GET", u.String()).Request()
		if err != nil {
			t.Skip()
		}
		if cookie != "" {
			req.AddCookie(&http.Cookie{Name: "__Host-authkit-oidc", Value: cookie})
		}
		rec := authtest.Serve(r.h, req)
		if rec.Code < 400 {
			t.Fatalf("query %q cookie %q: status %d", query, cookie, rec.Code)
		}
		if n := r.f.Store.Count(fakeauth.OpCreateSession); n != 0 {
			t.Fatalf("created %d sessions", n)
		}
		cleared := false
		for _, c := range rec.Result().Cookies() {
			cleared = cleared || c.Name == "__Host-authkit-oidc" && c.MaxAge < 0
		}
		if !cleared {
			t.Fatalf("the flow cookie was not cleared: %v", rec.Header().Values("Set-Cookie"))
		}
	})
}
