package playground_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/cmd/authplayground/internal/playground"
)

// BenchmarkUser compares GET /api/auth/user with an active session on the
// playground (middleware, session check, request log) with a bare handler
// writing the same JSON, in process. The load test
// (./cmd/authplayground/internal/loadtest) measures the same over TCP.
func BenchmarkUser(b *testing.B) {
	srv, err := playground.New(playground.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	w := httptest.NewRecorder()
	signup := httptest.NewRequest("POST", base+"/api/signup", strings.NewReader(`{"username":"ada","password":"pw"}`))
	signup.Header.Set("Content-Type", "application/json")
	srv.ServeHTTP(w, signup)
	cookie := strings.Split(w.Header().Get("Set-Cookie"), ";")[0]
	w = httptest.NewRecorder()
	r := httptest.NewRequest("GET", base+"/api/auth/user", nil)
	r.Header.Set("Cookie", cookie)
	srv.ServeHTTP(w, r)
	body := w.Body.Bytes()
	if w.Code != http.StatusOK || !strings.Contains(string(body), "ada") {
		b.Fatalf("GET /api/auth/user: %d %s", w.Code, body)
	}
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if _, err := w.Write(body); err != nil {
			b.Error(err)
		}
	})
	for _, tc := range []struct {
		name string
		h    http.Handler
	}{{"playground", srv}, {"bare", bare}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				r := httptest.NewRequest("GET", base+"/api/auth/user", nil)
				r.Header.Set("Cookie", cookie)
				for pb.Next() {
					w := httptest.NewRecorder()
					tc.h.ServeHTTP(w, r)
					if w.Code != http.StatusOK {
						b.Errorf("status %d", w.Code)
						return
					}
				}
			})
		})
	}
}
