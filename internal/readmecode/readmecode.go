// Package readmecode checks that the Go code the README prints is code
// that compiles and runs: each package whose README section shows Go
// keeps that code in a test file, and a test there checks, with [Check],
// that the README still prints it as it is in the file.
package readmecode

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// Check reports an error on t for each section of the README at
// readmePath (a heading line such as "## A handler") whose first Go block
// is missing from the file at filePath, or that the README does not have.
func Check(t testing.TB, readmePath, filePath string, sections ...string) {
	t.Helper()
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(filePath)
	if err != nil {
		t.Fatal(err)
	}
	for _, section := range sections {
		if err := InFile(string(readme), section, string(file)); err != nil {
			t.Errorf("%s: %v", filePath, err)
		}
	}
}

// InFile returns nil when the first Go block of readme's section (a
// heading line, without its newline) stands in file as printed, or an
// error that says what is missing.
func InFile(readme, section, file string) error {
	_, rest, ok := strings.Cut(readme, "\n"+section+"\n")
	if !ok {
		return fmt.Errorf("README has no section %q", section)
	}
	_, code, ok := strings.Cut(rest, "```go\n")
	code, _, closed := strings.Cut(code, "```\n")
	if !ok || !closed {
		return fmt.Errorf("README section %q has no Go block", section)
	}
	if !strings.Contains(file, code) {
		return fmt.Errorf("the Go block of README section %q is not in the file as printed:\n%s", section, code)
	}
	return nil
}
