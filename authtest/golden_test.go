package authtest_test

import (
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authtest"
)

// The -update flag of this package's tests: "go test ./authtest -update"
// rewrites testdata/*.golden. authtest.Updating finds it by name.
var _ = flag.Bool("update", false, "rewrite testdata/*.golden files")

// inTempDir runs the rest of the test in an empty directory, with the
// update switches off unless the test turns them on.
func inTempDir(t *testing.T) {
	t.Helper()
	t.Chdir(t.TempDir())
	t.Setenv(authtest.UpdateEnv, "")
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		f.Value.Set("false")
		t.Cleanup(func() { f.Value.Set("true") })
	}
}

func TestGoldenCompare(t *testing.T) {
	inTempDir(t)
	if err := os.MkdirAll("testdata/sub", 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile("testdata/same.golden", []byte("line one\r\nline two\r\n"), 0o644)
	os.WriteFile("testdata/sub/other.golden", []byte("a\nb\nc\n"), 0o644)

	if !authtest.AssertGolden(t, "same", "line one\nline two\n") {
		t.Error("CRLF golden file did not match LF text")
	}
	// Tokens are redacted before comparing, so the random token of a run
	// matches the placeholder in the file.
	os.WriteFile("testdata/tok.golden", []byte("cookie <token-1>\n"), 0o644)
	if !authtest.AssertGolden(t, "tok", "cookie "+testToken(9)+"\n") {
		t.Error("token was not redacted before comparing")
	}

	rt := runRecording(t, func(tb testing.TB) { authtest.AssertGolden(tb, "sub/other", "a\nB\nc\n") })
	wantContains(t, rt.output(),
		"authtest: golden testdata/sub/other.golden differs; if the change is right, run the test with -update (or AUTHKIT_UPDATE_GOLDEN=1)",
		"(-want +got):", `- 	"b",`, `+ 	"B",`)

	rt = runRecording(t, func(tb testing.TB) { authtest.RequireGolden(tb, "missing", "x") })
	if len(rt.fatals) != 1 {
		t.Errorf("RequireGolden on a missing file: %d fatals", len(rt.fatals))
	}
	wantContains(t, rt.output(), "testdata/missing.golden does not exist; run the test with -update")

	for _, bad := range []string{"", "../escape", "/abs", "a/../../b", `a\b`, "nul\x00"} {
		rt = runRecording(t, func(tb testing.TB) { authtest.AssertGolden(tb, bad, "x") })
		wantContains(t, rt.output(), "want a relative name without")
	}
}

func TestGoldenUpdate(t *testing.T) {
	for _, how := range []string{"env", "flag"} {
		t.Run(how, func(t *testing.T) {
			inTempDir(t)
			if how == "env" {
				t.Setenv(authtest.UpdateEnv, "1")
			} else {
				f := flag.Lookup("update")
				f.Value.Set("true")
				t.Cleanup(func() { f.Value.Set("false") })
			}
			if !authtest.Updating() {
				t.Fatal("Updating() is false")
			}
			rt := runRecording(t, func(tb testing.TB) {
				authtest.AssertGolden(tb, "deep/new", "token "+testToken(1)+"\n")
			})
			if rt.Failed() {
				t.Fatalf("update failed: %s", rt.output())
			}
			wantContains(t, strings.Join(rt.logs, "\n"), "authtest: wrote "+filepath.Join("testdata", "deep", "new.golden"))
			data, err := os.ReadFile("testdata/deep/new.golden")
			if err != nil || string(data) != "token <token-1>\n" {
				t.Errorf("written file %q, %v", data, err)
			}
		})
	}
	inTempDir(t)
	if authtest.Updating() {
		t.Error("Updating() is true with the switches off")
	}
}

func TestTranscriptOfASessionLifecycle(t *testing.T) {
	clock := newClock()
	h, a := coreHandler(t, clock)
	jar := authtest.NewJar(authtest.WithName("ann"), authtest.WithClock(clock))

	rec := jar.Serve(h, authtest.BuildRequest("POST", "/login").SameOrigin().Build(t))
	authtest.RequireSession(t, rec, authtest.Set)
	authtest.AssertSessionAttrs(t, rec, authtest.DefaultCookieAttrs())
	authtest.AssertSessionExpiry(t, rec)
	authtest.AssertSessionExpiresAt(t, rec, clock.Now().Add(a.Config().ActivePeriod+a.Config().IdlePeriod))

	rec = jar.Do(h, authtest.BuildRequest("GET", "/me").Build(t))
	authtest.AssertSession(t, rec, authtest.Untouched) // active: nothing written
	if got := authtest.ParseHTML(t, rec.Body.String()).Text("#user"); got != "ann" {
		t.Errorf("user %q", got)
	}

	clock.Advance(a.Config().ActivePeriod + time.Minute) // idle: validation renews
	rec = jar.Do(h, authtest.BuildRequest("GET", "/me").Build(t))
	authtest.AssertSession(t, rec, authtest.Renewed)
	authtest.AssertSessionExpiry(t, rec)
	authtest.AssertSessionExpiresAt(t, rec, clock.Now().Add(a.Config().ActivePeriod+a.Config().IdlePeriod))

	rec = jar.Do(h, authtest.BuildRequest("POST", "/logout").SameOrigin().Build(t))
	authtest.AssertSession(t, rec, authtest.Cleared)
	authtest.AssertSessionExpiry(t, rec) // the blank cookie: Max-Age=0 and a past Expires

	rec = jar.Do(h, authtest.BuildRequest("GET", "/me").Build(t))
	if rec.Code != http.StatusUnauthorized {
		t.Errorf("after logout: %d", rec.Code)
	}
	authtest.AssertSessionHistory(t, jar, authtest.Set, authtest.Renewed, authtest.Cleared)
	authtest.AssertGolden(t, "session_lifecycle", jar.Transcript())
}

// The transcript of a real-listener exchange on the system clock is the
// same from run to run: tokens, ports and times are all made stable.
func TestTranscriptIsStableOnTheSystemClock(t *testing.T) {
	run := func() string {
		h, _ := coreHandler(t, auth.SystemClock{})
		srv := httptest.NewServer(h)
		defer srv.Close()
		jar := authtest.NewJar(authtest.WithName("real"))
		client := jar.Client(nil)
		for _, step := range []struct{ method, path string }{{"POST", "/login"}, {"GET", "/me"}, {"POST", "/logout"}} {
			req, _ := http.NewRequest(step.method, srv.URL+step.path, nil)
			req.Header.Set("Authorization", "Bearer "+testToken(3))
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		return jar.Transcript()
	}
	first, second := run(), run()
	if first != second {
		t.Errorf("transcripts differ:\n%s\n---\n%s", first, second)
	}
	wantContains(t, first,
		"POST http://127.0.0.1:<port>/login  at +0",
		"  authorization:  Bearer <token-1>",
		"  set-cookie:     set       auth_session=<token-2>; Path=/; Expires=<now+360h>; Max-Age=1296000; HttpOnly; Secure; SameSite=Lax",
		"GET http://127.0.0.1:<port>/me  at +0\n  cookie:         auth_session=<token-2>\n",
		"  set-cookie:     cleared   auth_session=; Path=/; Expires=<past>; Max-Age=0; HttpOnly; Secure; SameSite=Lax",
	)
	if strings.Contains(first, testToken(3)) {
		t.Error("bearer token in the clear")
	}
}

func TestTranscriptRedactsOtherAuthorization(t *testing.T) {
	jar := authtest.NewJar()
	jar.Do(linesHandler(), authtest.BuildRequest("GET", "/").WithHeader("Authorization", "Basic dXNlcjpwYXNz").Build(t))
	tr := jar.Transcript()
	wantContains(t, tr, "  authorization:  Basic <redacted>\n")
	if strings.Contains(tr, "dXNlcjpwYXNz") {
		t.Errorf("Basic credentials in the clear:\n%s", tr)
	}
}
