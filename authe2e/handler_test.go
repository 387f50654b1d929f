package authe2e_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
	"github.com/authkit-dev/authkit/authe2e"
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/fakemail"
)

const secret = "0123456789abcdef0123456789abcdef-test"

// app is an Auth on a fault-injecting memstore and an e2e clock, with the
// control handler in front, as an app's end-to-end build wires them.
type app struct {
	a     *auth.Auth
	clock *authe2e.Clock
	store *fakeauth.Store
	mail  *fakemail.Outbox
	h     http.Handler
}

func newApp(t *testing.T) *app {
	t.Helper()
	clock := authe2e.NewClock()
	store := fakeauth.WrapStore(memstore.New())
	a, err := auth.New(store, auth.Config{Clock: clock, Argon2: fakeauth.CheapArgon2()})
	if err != nil {
		t.Fatal(err)
	}
	mail := fakemail.New(fakemail.WithClock(clock))
	h, err := authe2e.New(authe2e.Config{
		Auth: a, Clock: clock, Secret: secret, Store: store, Mail: mail,
		SeedUser: func(ctx context.Context, name string) (string, error) {
			u, err := a.CreateUser(ctx, auth.NewUser{Attributes: map[string]any{"name": name}})
			if err != nil {
				return "", err
			}
			return u.ID, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return &app{a: a, clock: clock, store: store, mail: mail, h: h}
}

// call sends a control request from remote with the given Authorization
// header value ("" for none).
func (ap *app) call(method, path, body, authz, remote string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, authe2e.DefaultPrefix+path, strings.NewReader(body))
	r.RemoteAddr = remote
	if authz != "" {
		r.Header.Set("Authorization", authz)
	}
	w := httptest.NewRecorder()
	ap.h.ServeHTTP(w, r)
	return w
}

// everyRoute is each control route with a body that would change
// something.
var everyRoute = []struct{ method, path, body string }{
	{"POST", "session", `{"user":"ada"}`},
	{"POST", "clock", `{"advance":"48h"}`},
	{"GET", "clock", ``},
	{"GET", "mail", ``},
	{"DELETE", "mail", ``},
	{"POST", "faults", `{"op":"GetSession"}`},
	{"DELETE", "faults", ``},
	{"POST", "reset", `{}`},
}

// assertUnchanged fails if a control request changed the clock, armed a
// fault or created a session.
func (ap *app) assertUnchanged(t *testing.T) {
	t.Helper()
	if off := ap.clock.Offset(); off != 0 {
		t.Errorf("clock moved by %v", off)
	}
	if f := ap.store.PendingFaults(); len(f) != 0 {
		t.Errorf("faults armed: %v", f)
	}
	if n := ap.store.Count(fakeauth.OpCreateSession); n != 0 {
		t.Errorf("%d sessions created", n)
	}
}

func TestDefaultBuildServesNoControlRoute(t *testing.T) {
	if authe2e.Enabled() {
		t.Skip("built with -tags authkit_e2e; this test is for the default build")
	}
	ap := newApp(t)
	for _, rt := range everyRoute {
		w := ap.call(rt.method, rt.path, rt.body, "Bearer "+secret, "127.0.0.1:5555")
		if w.Code != http.StatusNotFound {
			t.Errorf("%s %s: status %d, want 404 in a default build", rt.method, rt.path, w.Code)
		}
	}
	ap.assertUnchanged(t)
}

func TestWrongOrMissingSecretChangesNothing(t *testing.T) {
	requireE2EBuild(t)
	for _, authz := range []string{"", "Bearer ", "Bearer " + secret[:len(secret)-1], "Bearer " + secret + "x", secret, "Basic " + secret, "bearer " + secret} {
		ap := newApp(t)
		for _, rt := range everyRoute {
			w := ap.call(rt.method, rt.path, rt.body, authz, "127.0.0.1:5555")
			if w.Code != http.StatusForbidden {
				t.Errorf("Authorization %q, %s %s: status %d, want 403", authz, rt.method, rt.path, w.Code)
			}
		}
		ap.assertUnchanged(t)
	}
}

func TestNonLoopbackCallerRefused(t *testing.T) {
	requireE2EBuild(t)
	for _, remote := range []string{"203.0.113.7:4000", "[2001:db8::1]:4000", "10.0.0.2:80", "192.168.1.1:1", "garbage"} {
		ap := newApp(t)
		for _, rt := range everyRoute {
			w := ap.call(rt.method, rt.path, rt.body, "Bearer "+secret, remote)
			if w.Code != http.StatusForbidden {
				t.Errorf("from %s, %s %s: status %d, want 403", remote, rt.method, rt.path, w.Code)
			}
		}
		ap.assertUnchanged(t)
	}
	// The loopback addresses of both families are let in.
	for _, remote := range []string{"127.0.0.1:1", "[::1]:1", "127.0.0.2:1"} {
		ap := newApp(t)
		if w := ap.call("GET", "clock", "", "Bearer "+secret, remote); w.Code != http.StatusOK {
			t.Errorf("from %s: status %d, want 200", remote, w.Code)
		}
	}
}

func requireE2EBuild(t *testing.T) {
	t.Helper()
	if !authe2e.Enabled() {
		t.Skip("needs -tags authkit_e2e (.ci/run runs it so)")
	}
}

func TestRoutesOfNilConfigFieldsAnswer501(t *testing.T) {
	requireE2EBuild(t)
	clock := authe2e.NewClock()
	a, err := auth.New(memstore.New(), auth.Config{Clock: clock, Argon2: fakeauth.CheapArgon2()})
	if err != nil {
		t.Fatal(err)
	}
	seed := func(context.Context, string) (string, error) { return "", nil }
	h, err := authe2e.New(authe2e.Config{Auth: a, Clock: clock, Secret: secret, SeedUser: seed})
	if err != nil {
		t.Fatal(err)
	}
	ap := &app{a: a, clock: clock, h: h}
	for _, rt := range everyRoute {
		w := ap.call(rt.method, rt.path, rt.body, "Bearer "+secret, "127.0.0.1:1")
		needsNil := rt.path == "mail" || rt.path == "faults"
		if (w.Code == http.StatusNotImplemented) != needsNil {
			t.Errorf("no Store and no Mail, %s %s: status %d: %s", rt.method, rt.path, w.Code, w.Body)
		}
	}
}
