package scenarios_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/scenarios"
)

// benchCase returns the generated case of target the benchmarks run: the
// request the plain benchmark sends, an active session's GET of the
// APIHandler's user route.
func benchCase(b *testing.B, target scenarios.Target) scenarios.Case {
	for _, c := range scenarios.Standard(target) {
		if c.Name() == "active/GET /api/auth/user" {
			return c
		}
	}
	b.Fatal("no case active/GET /api/auth/user")
	return scenarios.Case{}
}

// plain is one plain httptest request to the handler, carrying an active
// session: the cost a scenario case is measured against.
type plain struct {
	h      http.Handler
	cookie *http.Cookie
}

// newPlain returns the plain request to target's handler on a new fake,
// with an active session's cookie.
func newPlain(b *testing.B, target scenarios.Target) plain {
	f, err := fakeauth.New()
	if err != nil {
		b.Fatal(err)
	}
	_, s, err := f.SeedUserSession(context.Background(), fakeauth.Active)
	if err != nil {
		b.Fatal(err)
	}
	return plain{h: target.Handler(f), cookie: f.Auth.SessionCookie(s)}
}

func (p plain) do(b *testing.B) {
	r := httptest.NewRequest("GET", "https://example.com/api/auth/user", nil)
	r.AddCookie(p.cookie)
	rec := httptest.NewRecorder()
	p.h.ServeHTTP(rec, r)
	if rec.Code != http.StatusOK {
		b.Fatal(rec.Code)
	}
}

// BenchmarkScenarioCase is one generated case, end to end, as Run runs it
// by default: a new fake and handler, seeding, the request through a
// cookie jar, and every check.
func BenchmarkScenarioCase(b *testing.B) {
	benchExecute(b, authkitTarget())
}

// benchExecute runs the benchmark's case on target once per iteration,
// failing on the first run whose checks do not pass.
func benchExecute(b *testing.B, target scenarios.Target) {
	runner, c := scenarios.NewRunner(target), benchCase(b, authkitTarget())
	b.ReportAllocs()
	for b.Loop() {
		if r := runner.Execute(context.Background(), c); !r.Passed() {
			b.Fatal(r.Report())
		}
	}
}

// BenchmarkPlainRequest is one plain httptest request to the same handler.
func BenchmarkPlainRequest(b *testing.B) {
	p := newPlain(b, authkitTarget())
	b.ReportAllocs()
	for b.Loop() {
		p.do(b)
	}
}

// reusing is the benchmark's target with its handler reused across cases,
// as a table of a stateless handler can run.
func reusing() scenarios.Target {
	t := authkitTarget()
	t.ReuseHandler = true
	return t
}

// BenchmarkScenarioCaseReuse is BenchmarkScenarioCase with the handler
// reused (Target.ReuseHandler).
func BenchmarkScenarioCaseReuse(b *testing.B) {
	benchExecute(b, reusing())
}

// BenchmarkScenarioCaseVsPlain runs a generated case (handler reused) and
// a plain request interleaved, one of each per iteration, so that both see
// the same machine, and reports each one's time and their ratio
// (case/plain; the goal is at most 2). The fresh sub-benchmark does the
// same with the default runner, which builds the handler for each case.
func BenchmarkScenarioCaseVsPlain(b *testing.B) {
	b.Run("reuse", func(b *testing.B) { vsPlain(b, reusing()) })
	b.Run("fresh", func(b *testing.B) { vsPlain(b, authkitTarget()) })
}

func vsPlain(b *testing.B, target scenarios.Target) {
	vsPlainOn(b, target, benchCase(b, authkitTarget()), newPlain(b, authkitTarget()))
}

// vsPlainOn runs case c on target and the plain request p interleaved,
// one of each per iteration, and reports their times and ratio.
func vsPlainOn(b *testing.B, target scenarios.Target, c scenarios.Case, p plain) {
	runner := scenarios.NewRunner(target)
	var inCase, inPlain time.Duration
	n := 0
	for b.Loop() {
		t0 := time.Now()
		if r := runner.Execute(context.Background(), c); !r.Passed() {
			b.Fatal(r.Report())
		}
		t1 := time.Now()
		p.do(b)
		inCase, inPlain = inCase+t1.Sub(t0), inPlain+time.Since(t1)
		n++
	}
	b.ReportMetric(float64(inCase.Nanoseconds())/float64(n), "case-ns/op")
	b.ReportMetric(float64(inPlain.Nanoseconds())/float64(n), "plain-ns/op")
	b.ReportMetric(float64(inCase)/float64(inPlain), "case/plain")
}

// BenchmarkREADMECaseVsPlain is BenchmarkScenarioCaseVsPlain on the
// README's app (its handler and Target, as printed), with the default
// runner: a new handler for every case.
func BenchmarkREADMECaseVsPlain(b *testing.B) {
	vsPlainOn(b, target, benchCase(b, target), newPlain(b, target))
}
