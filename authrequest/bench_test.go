package authrequest_test

import (
	"context"
	"crypto/sha256"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
	"github.com/authkit-dev/authkit/authrequest"
	"github.com/authkit-dev/authkit/fakeauth"
)

// benchSetup returns an Auth on a bare memstore and a request carrying an
// active session.
func benchSetup(b *testing.B) (*auth.Auth, *memstore.Store, *http.Request, *auth.Session) {
	store := memstore.New()
	a, err := auth.New(store, auth.Config{Clock: fakeauth.NewClock(fakeauth.DefaultStart())})
	if err != nil {
		b.Fatal(err)
	}
	u, err := a.CreateUser(context.Background(), auth.NewUser{Attributes: map[string]any{"username": "ada"}})
	if err != nil {
		b.Fatal(err)
	}
	s, err := a.CreateSession(context.Background(), u.ID)
	if err != nil {
		b.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Cookie", "theme=dark; auth_session="+s.Token+"; lang=en")
	return a, store, r, s
}

// discardWriter is a ResponseWriter that keeps nothing, so the benchmark
// measures the AuthRequest, not a recorder.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}

// BenchmarkSession is AuthRequest.Session on an active session, on
// memstore: the per-request cost of authkit.
func BenchmarkSession(b *testing.B) {
	a, store, r, s := benchSetup(b)
	w := &discardWriter{h: http.Header{}}
	before, _ := store.GetSession(context.Background(), s.ID)
	b.ReportAllocs()
	for b.Loop() {
		got, err := authrequest.New(a, w, r).Session()
		if err != nil || got == nil {
			b.Fatal("no session")
		}
	}
	after, err := store.GetSession(context.Background(), s.ID)
	if err != nil || len(w.h) != 0 || !after.ActiveExpiresAt.Equal(before.ActiveExpiresAt) {
		b.Fatal("an active session was written or its cookie set")
	}
}

// BenchmarkSessionParallel is BenchmarkSession on every core.
func BenchmarkSessionParallel(b *testing.B) {
	a, _, r, _ := benchSetup(b)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		w := &discardWriter{h: http.Header{}}
		for pb.Next() {
			if got, _ := authrequest.New(a, w, r).Session(); got == nil {
				b.Fatal("no session")
			}
		}
	})
}

// BenchmarkBaseline is the irreducible work of a session check: read the
// cookie with net/http, hash the token, one map lookup.
func BenchmarkBaseline(b *testing.B) {
	_, _, r, s := benchSetup(b)
	m := map[[sha256.Size]byte]auth.SessionRecord{sha256.Sum256([]byte(s.Token)): {ID: s.ID}}
	b.ReportAllocs()
	for b.Loop() {
		c, err := r.Cookie("auth_session")
		if err != nil {
			b.Fatal(err)
		}
		if _, ok := m[sha256.Sum256([]byte(c.Value))]; !ok {
			b.Fatal("not found")
		}
	}
}

// BenchmarkNewAPIHandler is the cost of building APIHandler, which a test
// that builds its app's handler for every case pays each time.
func BenchmarkNewAPIHandler(b *testing.B) {
	a, _, _, _ := benchSetup(b)
	b.ReportAllocs()
	for b.Loop() {
		_ = authrequest.APIHandler(a)
	}
}
