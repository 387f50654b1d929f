package bench

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
)

// A target is one library serving the benchmark handler on one backend,
// with one user signed in: the handler reads the session and answers with
// the user ID.
type target struct {
	handler http.Handler

	// req carries the session cookie. It is built once and served again
	// and again, unless mutatesRequest.
	req *http.Request

	// mutatesRequest is set for gorilla/sessions, which stores its
	// registry in the request itself (*r = *r.WithContext(...)), so a
	// request can be served only once: each serve gets a shallow copy,
	// the copy net/http's own WithContext makes.
	mutatesRequest bool

	userID string

	// failures counts requests whose handler did not find the signed-in
	// user; err is the first error seen.
	failures atomic.Int64
	mu       sync.Mutex
	err      error

	// counter counts the reads and writes of the library's store when the
	// target was built for counting; nil otherwise, and for libraries
	// without a server-side store.
	counter counter

	// advance moves the clock the library decides expiry with, when the
	// target was built for counting and the library takes a clock
	// (authkit); nil when the library reads the system clock.
	advance func(time.Duration)
}

// A counter reports how many times a store was read and written.
type counter interface {
	reads() int64
	writes() int64
}

// calls is a counter for the wrappers that count a store's calls as they
// pass them on.
type calls struct{ nReads, nWrites atomic.Int64 }

func (c *calls) reads() int64  { return c.nReads.Load() }
func (c *calls) writes() int64 { return c.nWrites.Load() }

// cookieHeader returns the Cookie header a browser would send: the session
// cookie between two unrelated ones, the same shape for every library.
func cookieHeader(name, value string) string {
	return "theme=dark; " + name + "=" + value + "; lang=en"
}

// newRequest returns a GET request carrying the session cookie.
func newRequest(cookieName, value string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "https://example.com/profile", nil)
	r.Header.Set("Cookie", cookieHeader(cookieName, value))
	return r
}

// serveToken makes t's handler the check of the targets that use no
// library: read the session cookie (named as authkit's) with net/http, find
// the user of its token with lookup, answer with it.
func (t *target) serveToken(token string, lookup func(ctx context.Context, token string) (userID string, err error)) {
	const name = auth.DefaultCookieName
	t.req = newRequest(name, token)
	t.handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(name)
		if err != nil {
			t.fail(err)
			return
		}
		userID, err := lookup(r.Context(), c.Value)
		if err != nil {
			t.fail(err)
			return
		}
		t.answer(w, userID)
	})
}

// answer writes the user ID, as every benchmark handler does, and counts a
// failure if it is not the signed-in user's.
func (t *target) answer(w http.ResponseWriter, userID string) {
	if userID != t.userID {
		t.fail(fmt.Errorf("handler read user %q, want %q", userID, t.userID))
	}
	w.Write([]byte(userID))
}

// fail records a request that did not find the session.
func (t *target) fail(err error) {
	if t.failures.Add(1) == 1 {
		t.mu.Lock()
		t.err = err
		t.mu.Unlock()
	}
}

// check fails tb if any request served so far did not find the session: a
// benchmark of an error path would measure the wrong thing.
func (t *target) check(tb testing.TB) {
	tb.Helper()
	if n := t.failures.Load(); n > 0 {
		t.mu.Lock()
		defer t.mu.Unlock()
		tb.Fatalf("%d requests did not find the session; the first: %v", n, t.err)
	}
}

// serve serves the target's request once on w, after emptying w's header
// map for reuse.
func (t *target) serve(w *discardWriter) {
	clear(w.h)
	r := t.req
	if t.mutatesRequest {
		r = r.WithContext(r.Context())
	}
	t.handler.ServeHTTP(w, r)
}

// discardWriter is an [http.ResponseWriter] that keeps nothing but a header
// map, reused from request to request, so that a benchmark measures the
// session library, not [httptest.ResponseRecorder].
type discardWriter struct{ h http.Header }

func newDiscardWriter() *discardWriter { return &discardWriter{h: http.Header{}} }

// Header returns the reusable header map.
func (w *discardWriter) Header() http.Header { return w.h }

// Write discards b.
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }

// WriteHeader discards the status code.
func (w *discardWriter) WriteHeader(int) {}

// newUserID returns a random user ID for the peers, shaped like authkit's
// (16 characters).
func newUserID() string {
	return fmt.Sprintf("%x", randomBytes(8))
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}
