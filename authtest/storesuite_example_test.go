package authtest_test

import (
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
	"github.com/authkit-dev/authkit/authtest"
)

// A store package runs the conformance suite from its own tests, with a
// fresh store for every subtest. A store on a server would register its
// cleanup (drop the schema, delete the key prefix) with t.Cleanup, and
// call t.Skip when the server is unreachable.
func ExampleTestStore() {
	// In the store package's _test.go file:
	testConformance := func(t *testing.T) {
		authtest.TestStore(t, func(t *testing.T) auth.Store {
			return memstore.New()
		})
	}
	_ = testConformance
}

// The benchmarks go through auth.Auth.ValidateSession, as an app does.
func ExampleBenchmarkStore() {
	benchmarkStore := func(b *testing.B) {
		authtest.BenchmarkStore(b, func(b *testing.B) auth.Store {
			return memstore.New()
		})
	}
	_ = benchmarkStore
}
