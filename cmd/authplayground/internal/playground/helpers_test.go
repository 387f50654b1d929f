package playground_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/cmd/authplayground/internal/playground"
)

// base is where the in-process tests pretend the playground listens.
const base = "http://127.0.0.1:8080"

// start is the playground clock's start in tests.
var start = time.Date(2026, time.March, 2, 9, 0, 0, 0, time.UTC)

func newServer(t *testing.T) *playground.Server {
	t.Helper()
	s, err := playground.New(playground.Config{Start: start})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// visit starts a playground and loads path in a visitor's browser,
// failing the test unless it answers 200. It returns the page and the
// playground.
func visit(t *testing.T, path string) (*authtest.HTML, *playground.Server) {
	t.Helper()
	srv := newServer(t)
	return newBrowser(t, srv, "visitor").page(path, http.StatusOK), srv
}

// browser is one user of the playground: a cookie jar that sends
// same-origin form posts, as a browser does from the playground's pages.
type browser struct {
	t   *testing.T
	srv *playground.Server
	jar *authtest.Jar
}

func newBrowser(t *testing.T, srv *playground.Server, name string) *browser {
	return &browser{t: t, srv: srv, jar: authtest.NewJar(authtest.WithName(name), authtest.WithClock(srv.Fake().Clock))}
}

func (b *browser) get(path string) *authtest.Recorder {
	b.t.Helper()
	return b.jar.Do(b.srv, authtest.BuildRequest("GET", base+path).Build(b.t))
}

// page loads path and parses it, failing the test unless the status is
// want.
func (b *browser) page(path string, want int) *authtest.HTML {
	b.t.Helper()
	rec := b.get(path)
	if rec.Code != want {
		b.t.Fatalf("GET %s: status %d, want %d\n%s", path, rec.Code, want, rec.Body)
	}
	return authtest.ParseHTML(b.t, rec.Body.String())
}

// submit posts the form of the page that matches selector, as the page
// has it, with the values of set changed, and checks that it redirects
// home with the notice key.
func (b *browser) submit(h *authtest.HTML, selector string, set url.Values, notice string) {
	b.t.Helper()
	f := h.Form(selector)
	if f.Method != http.MethodPost {
		b.t.Fatalf("form %s: method %q, want POST", selector, f.Method)
	}
	for k, v := range set {
		f.Fields[k] = v
	}
	rec := b.jar.Serve(b.srv, authtest.BuildRequest("POST", base+f.Action).WithForm(f.Fields).SameOrigin().Build(b.t))
	if rec.Code != http.StatusSeeOther {
		b.t.Fatalf("POST %s: status %d, want 303\n%s", f.Action, rec.Code, rec.Body)
	}
	if got := rec.Header().Get("Location"); got != "/" {
		b.t.Fatalf("POST %s: redirected to %q, want /", f.Action, got)
	}
	if got := noticeOf(rec); got != notice {
		b.t.Fatalf("POST %s: notice %q, want %q", f.Action, got, notice)
	}
}

// advance presses the time machine's button selector, after checking that
// it reads label, and returns the home page that follows.
func (b *browser) advance(h *authtest.HTML, selector, label string) *authtest.HTML {
	b.t.Helper()
	if got := h.Text(selector); got != label {
		b.t.Errorf("button %s reads %q, want %q", selector, got, label)
	}
	b.submit(h, selector, nil, "advanced")
	return b.page("/", http.StatusOK)
}

// signedUpBrowser starts a playground and returns a browser, on the
// playground's clock, in which ada has just signed up.
func signedUpBrowser(t *testing.T) *browser {
	t.Helper()
	b := newBrowser(t, newServer(t), "ada")
	b.signUp("ada")
	return b
}

// signUp signs the browser up with the home page's form.
func (b *browser) signUp(username string) {
	b.t.Helper()
	b.submit(b.page("/", http.StatusOK), "#signup-form", url.Values{"username": {username}, "password": {"correct horse"}}, "signed-up")
}

// A real browser's clock does not move with the playground's: the
// cookie it holds lives on real time. realBrowser is such a browser.
func realBrowser(t *testing.T, srv *playground.Server, name string) *browser {
	return &browser{t: t, srv: srv, jar: authtest.NewJar(authtest.WithName(name))}
}

// noticeOf returns the notice key a form's answer asks the home page to
// show, from its one-shot cookie.
func noticeOf(rec *authtest.Recorder) string {
	for _, c := range rec.Result().Cookies() {
		if c.Name == "play_notice" {
			return c.Value
		}
	}
	return ""
}
