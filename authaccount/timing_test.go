package authaccount_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authaccount"
)

// resetEnv is an app on memstore whose throttle counts (the same work for
// both addresses) but never refuses, with one known address.
func resetEnv(t testing.TB) *env {
	t.Helper()
	lots := authaccount.Limit{Max: 1 << 30, Window: time.Hour}
	policy := authaccount.ThrottlePolicy{EmailPerAddress: lots, EmailPerIP: lots}
	e := newEnv(t, nil, func(_ *auth.Config, c *authaccount.Config) { c.Throttle = &policy })
	e.signUp(t, "ada@example.com", "correct horse")
	e.h = e.ac.RequestPasswordReset()
	return e
}

// requestReset serves one reset request for address and returns how long
// the handler took.
func (e *env) timeReset(t testing.TB, address string) time.Duration {
	r := newJSONRequest("/reset-password/request", map[string]string{"email": address})
	w := newRecorder()
	start := time.Now()
	e.h.ServeHTTP(w, r)
	d := time.Since(start)
	if w.Code != http.StatusAccepted {
		t.Fatalf("%s: status %d: %s", address, w.Code, w.Body)
	}
	return d
}

// medianRatio measures rounds interleaved (known, unknown, then unknown,
// known: ABBA, so that drift weighs on both alike) and returns the ratio
// of the medians, known over unknown.
func medianRatio(t testing.TB, e *env, rounds int) (ratio float64, known, unknown time.Duration) {
	var ks, us []time.Duration
	e.mail.Clear() // the outbox keeps every message: start each measurement empty
	for i := range rounds {
		if i%2 == 0 {
			ks = append(ks, e.timeReset(t, "ada@example.com"))
			us = append(us, e.timeReset(t, "nobody@example.com"))
		} else {
			us = append(us, e.timeReset(t, "nobody@example.com"))
			ks = append(ks, e.timeReset(t, "ada@example.com"))
		}
	}
	slices.Sort(ks)
	slices.Sort(us)
	known, unknown = ks[len(ks)/2], us[len(us)/2]
	return float64(known) / float64(unknown), known, unknown
}

// TestRequestResetTakesTheSameTimeForUnknownAddress: the medians of 1000
// interleaved rounds each, for a known and an unknown address, are within
// 5% of each other; a noisy machine gets a second measurement before the
// test fails.
func TestRequestResetTakesTheSameTimeForUnknownAddress(t *testing.T) {
	e := resetEnv(t)
	medianRatio(t, e, 50) // warm up
	const rounds = 1000
	var ratio float64
	var known, unknown time.Duration
	for try := range 3 { // a noisy machine gets three interleaved measurements
		ratio, known, unknown = medianRatio(t, e, rounds)
		t.Logf("try %d: median known %v, unknown %v, ratio %.3f", try+1, known, unknown, ratio)
		if ratio >= 0.95 && ratio <= 1.05 {
			return
		}
	}
	t.Errorf("request-reset medians: known %v, unknown %v: ratio %.3f, want within 5%%", known, unknown, ratio)
}

// BenchmarkRequestReset is the pair to compare: a reset request for a
// known address and for an unknown one.
func BenchmarkRequestReset(b *testing.B) {
	for _, tc := range []struct{ name, address string }{{"known", "ada@example.com"}, {"unknown", "nobody@example.com"}} {
		b.Run(tc.name, func(b *testing.B) {
			e := resetEnv(b)
			n := 0
			for b.Loop() {
				e.timeReset(b, tc.address)
				if n++; n%1000 == 0 {
					e.mail.Clear() // the outbox keeps every message
				}
			}
		})
	}
}
