//go:build !lab

package playground_test

import (
	"strings"
	"testing"
)

// TestLabPageWithoutTheLab: a build without the "lab" tag has no scenario
// lab (it would link the test kit); its page says how to get one.
func TestLabPageWithoutTheLab(t *testing.T) {
	h, _ := visit(t, "/lab")
	if got := h.Text("#lab-off"); !strings.Contains(got, "go run -tags lab ./cmd/authplayground") {
		t.Errorf("the lab page says %q, want how to build the lab", got)
	}
}
