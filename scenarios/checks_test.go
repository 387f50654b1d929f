package scenarios

import (
	"testing"

	"github.com/authkit-dev/authkit/authrequest"
)

// TestReturnPathsHostileAndSafe checks the return paths the sign-in cases
// send: all but one are refused by authrequest.SafeReturnPath, the oracle
// of which must be followed, and the safe one is accepted.
func TestReturnPathsHostileAndSafe(t *testing.T) {
	safe := 0
	for _, rp := range returnPaths() {
		if _, ok := authrequest.SafeReturnPath(rp.path); ok {
			safe++
			if rp.name != "safe" {
				t.Errorf("SafeReturnPath accepts %q (%s), meant to be hostile", rp.path, rp.name)
			}
		}
	}
	if safe != 1 {
		t.Errorf("%d safe return paths, want 1", safe)
	}
}

// TestLeavesSite checks which Location values a sign-in may answer after
// a hostile return path.
func TestLeavesSite(t *testing.T) {
	for loc, want := range map[string]bool{
		"/account":                      false,
		"/":                             false,
		"https://example.com/account":   false,
		"//evil.example":                true,
		"/\\evil.example":               true,
		"https://evil.example/":         true,
		"javascript:alert(1)":           true,
		"/%2F%2Fevil.example":           true,
		"https://example.com//evil.com": true,
	} {
		if got := leavesSite("https://example.com", loc); got != want {
			t.Errorf("leavesSite(%q) = %v, want %v", loc, got, want)
		}
	}
}
