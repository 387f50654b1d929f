package authtest_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
