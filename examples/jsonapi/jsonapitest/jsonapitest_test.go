package jsonapitest

import (
	"testing"

	"github.com/authkit-dev/authkit/scenarios"
)

// The standard table passes on the API as Target describes it.
func TestStandard(t *testing.T) {
	scenarios.Run(t, Target())
}
