package scenarios_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/scenarios"
)

// BenchmarkScenarioCase is one standard case, end to end, as Run runs it
// in a table: a fake from the runner's pool (reset after the previous
// case), seeding, the request through a cookie jar, and every check.
func BenchmarkScenarioCase(b *testing.B) {
	runner := scenarios.NewRunner(authkitTarget())
	c := scenarios.Renewed()
	b.ReportAllocs()
	for b.Loop() {
		if r := runner.Execute(context.Background(), c); !r.Passed() {
			b.Fatal(r.Report())
		}
	}
}

// BenchmarkPlainRequest is one plain httptest request to the same handler,
// carrying an active session: the cost a scenario case is measured against.
func BenchmarkPlainRequest(b *testing.B) {
	f, err := fakeauth.New()
	if err != nil {
		b.Fatal(err)
	}
	_, s, err := f.SeedUserSession(context.Background(), fakeauth.Active)
	if err != nil {
		b.Fatal(err)
	}
	h := authkitTarget().Handler(f)
	cookie := f.Auth.SessionCookie(s)
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest("GET", "https://example.com/api/auth/user", nil)
		r.AddCookie(cookie)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code)
		}
	}
}

// BenchmarkScenarioCaseFresh is one case on a new fake and handler
// (scenarios.Execute), for comparison.
func BenchmarkScenarioCaseFresh(b *testing.B) {
	target := authkitTarget()
	c := scenarios.Renewed()
	b.ReportAllocs()
	for b.Loop() {
		if r := scenarios.Execute(context.Background(), target, c); !r.Passed() {
			b.Fatal(r.Report())
		}
	}
}
