package readmecode_test

import (
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/internal/readmecode"
)

const readme = "# T\n\n## Shown\n\nText.\n\n```go\nx := 1\n```\n\n## Prose\n\nNo code.\n"

func TestInFile(t *testing.T) {
	for _, tc := range []struct {
		name, section, file, wantErr string
	}{
		{"block in the file", "## Shown", "package p\nfunc f() {\nx := 1\n}\n", ""},
		{"block changed in the file", "## Shown", "package p\nx := 2\n", "not in the file as printed"},
		{"no such section", "## Absent", "x := 1\n", `no section "## Absent"`},
		{"a heading's prefix is not the section", "## Sho", "x := 1\n", "no section"},
		{"no Go block after the section", "## Prose", "x := 1\n", "has no Go block"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := readmecode.InFile(readme, tc.section, tc.file)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("InFile = %v, want nil", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("InFile = %v, want an error with %q", err, tc.wantErr)
			}
		})
	}
}
