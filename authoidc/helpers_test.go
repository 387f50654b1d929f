package authoidc_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/authkit-dev/authkit/authoidc"
	"github.com/authkit-dev/authkit/authrequest"
	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/fakeoidc"
)

const redirect = "https://example.com/auth/oidc/callback"

// rig is an app on a fake with a provider on a listener, and a browser.
type rig struct {
	t   *testing.T
	f   *fakeauth.Fake
	p   *fakeoidc.Provider
	c   *authoidc.Client
	h   http.Handler
	jar *authtest.Jar
	err error // the last error the hook saw
}

// newRig builds the rig; each edit changes the Client's Config.
func newRig(t *testing.T, edits ...func(*authoidc.Config)) *rig {
	t.Helper()
	return newRigOn(t, fakeauth.NewT(t), edits...)
}

// newRigOn is newRig on the fake f.
func newRigOn(t *testing.T, f *fakeauth.Fake, edits ...func(*authoidc.Config)) *rig {
	t.Helper()
	p := fakeoidc.NewServer(t, fakeoidc.WithClock(f.Clock),
		fakeoidc.WithUser(fakeoidc.User{Subject: "alice", Claims: map[string]any{"email": "alice@example.com", "email_verified": true}}),
		fakeoidc.WithClient(fakeoidc.Client{ID: "app", Secret: "s", RedirectURIs: []string{redirect}}))
	if err := p.SetLogin("alice"); err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, f: f, p: p, jar: authtest.NewJar(authtest.WithClock(f.Clock))}
	cfg := authoidc.Config{Issuer: p.Issuer(), ClientID: "app", ClientSecret: "s", RedirectURL: redirect,
		OnError: func(w http.ResponseWriter, req *http.Request, err error) {
			r.err = err
			authoidc.DefaultErrorHandler(w, req, err)
		}}
	for _, e := range edits {
		e(&cfg)
	}
	r.c = newClient(t, f.Auth, cfg)
	mux := http.NewServeMux()
	mux.HandleFunc("/auth/oidc/start", r.c.Start)
	mux.HandleFunc("GET /auth/oidc/callback", r.c.Callback)
	mux.HandleFunc("/auth/oidc/logout", r.c.Logout)
	r.h = authrequest.MustMiddleware(f.Auth)(mux)
	return r
}

func (r *rig) get(target string) *authtest.Recorder {
	r.t.Helper()
	return r.jar.Serve(r.h, authtest.BuildRequest("GET", target).Build(r.t))
}

// toProvider follows the start's redirect through the provider and
// returns the callback path and query.
func (r *rig) toProvider(start *authtest.Recorder) string {
	r.t.Helper()
	if start.Code != http.StatusFound && start.Code != http.StatusSeeOther {
		r.t.Fatalf("start: %d %s", start.Code, start.Body)
	}
	resp, err := noFollow.Get(start.Header().Get("Location"))
	if err != nil {
		r.t.Fatal(err)
	}
	resp.Body.Close()
	u, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		r.t.Fatal(err)
	}
	return u.RequestURI()
}
