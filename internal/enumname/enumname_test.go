package enumname_test

import (
	"testing"

	"github.com/authkit-dev/authkit/internal/enumname"
)

type color int

func TestString(t *testing.T) {
	names := []string{"", "red", "green"}
	for v, want := range map[color]string{0: "color(0)", 1: "red", 2: "green", 3: "color(3)", -1: "color(-1)"} {
		if got := enumname.String(v, "color", names...); got != want {
			t.Errorf("String(%d) = %q, want %q", int(v), got, want)
		}
	}
}
