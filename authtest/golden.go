package authtest

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// UpdateEnv is the environment variable that, set to a true value ("1",
// "true"), makes [AssertGolden] rewrite golden files instead of comparing.
const UpdateEnv = "AUTHKIT_UPDATE_GOLDEN"

// Updating reports whether golden files are to be rewritten: when the
// test binary has a boolean flag named "update" that is set, or when
// [UpdateEnv] is true.
//
// Package authtest defines no flag itself: a flag defined by a library
// at init is global state, and it would clash with the -update flag many
// test packages already define. Instead Updating looks the flag up when
// it is called, after the test binary parsed its flags. To make
// "go test ./yourpkg -update" work, define the flag in one test file of
// your package:
//
//	var _ = flag.Bool("update", false, "rewrite testdata/*.golden")
//
// or run AUTHKIT_UPDATE_GOLDEN=1 go test ./yourpkg. Package authtest's
// own tests define the flag, so "go test ./authtest -update" works.
func Updating() bool {
	switch strings.ToLower(os.Getenv(UpdateEnv)) {
	case "1", "true", "yes", "on":
		return true
	}
	f := flag.Lookup("update")
	if f == nil {
		return false
	}
	if g, ok := f.Value.(flag.Getter); ok {
		if b, ok := g.Get().(bool); ok {
			return b
		}
	}
	return f.Value.String() == "true"
}

// GoldenPath returns the file [AssertGolden] uses for name:
// testdata/<name>.golden, relative to the package directory, which is
// where go test runs tests.
func GoldenPath(name string) string {
	return filepath.Join("testdata", name+".golden")
}

// AssertGolden compares got with the golden file of name (see
// [GoldenPath]) and reports a difference with t.Errorf and a (-want +got)
// diff. When [Updating], it writes got to the file instead and passes.
// Session tokens in got are replaced by placeholders first (see
// [Redactor]), so that no random token reaches a golden file.
// The name may hold slashes for subdirectories of testdata but no ".."
// parts. Line endings of the file are read as "\n", so that a checkout
// with CRLF line endings still matches.
func AssertGolden(t assert.TestingT, name, got string) bool {
	helper(t)
	return report(t, false, checkGolden(t, name, got))
}

// RequireGolden is [AssertGolden] that stops the test on failure.
func RequireGolden(t require.TestingT, name, got string) {
	helper(t)
	report(t, true, checkGolden(t, name, got))
}

func checkGolden(t assert.TestingT, name, got string) *failure {
	helper(t)
	fail := func(format string, args ...any) *failure {
		f := &failure{}
		f.lines = append(f.lines, "authtest: golden "+fmt.Sprintf(format, args...))
		return f
	}
	if name == "" || strings.ContainsAny(name, "\\\x00:") || !filepath.IsLocal(filepath.FromSlash(name)) {
		return fail("name %q: want a relative name without \"..\", like \"login\" or \"logout/cross-site\"", name)
	}
	path := GoldenPath(filepath.FromSlash(name))
	var red Redactor
	got = red.Redact(got)
	if Updating() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fail("%s: %v", path, err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			return fail("%s: %v", path, err)
		}
		if l, ok := t.(interface{ Logf(string, ...any) }); ok {
			l.Logf("authtest: wrote %s", path)
		}
		return nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fail("%s does not exist; run the test with -update (or %s=1) to write it", path, UpdateEnv)
	}
	if err != nil {
		return fail("%s: %v", path, err)
	}
	want := strings.ReplaceAll(string(data), "\r\n", "\n")
	if want == got {
		return nil
	}
	f := fail("%s differs; if the change is right, run the test with -update (or %s=1)", path, UpdateEnv)
	f.lines = append(f.lines, "  (-want +got):")
	// A diff of lines, so that the reader sees which lines changed even
	// when the text is short.
	d := cmp.Diff(strings.Split(want, "\n"), strings.Split(got, "\n"))
	for _, l := range strings.Split(strings.TrimRight(d, "\n"), "\n") {
		f.lines = append(f.lines, "  "+l)
	}
	return f
}
