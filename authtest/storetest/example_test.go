package storetest_test

import (
	"context"
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
	"github.com/authkit-dev/authkit/authtest/storetest"
)

// A store package runs both suites from its own tests, with a new store
// for every subtest. A store on a server registers its cleanup (drop the
// schema, delete the key prefix) with t.Cleanup, and calls t.Skip when the
// server is unreachable.
func ExampleTestSessionStore() {
	// In the store package's _test.go file:
	testConformance := func(t *testing.T) {
		t.Run("SessionStore", func(t *testing.T) {
			storetest.TestSessionStore(t, func(t *testing.T) auth.SessionStore { return memstore.New() })
		})
		t.Run("UserStore", func(t *testing.T) {
			storetest.TestUserStore(t, func(t *testing.T) auth.UserStore { return memstore.New() })
		})
	}
	_ = testConformance
}

// A store for an app's own users table gets its users from the app: the
// suite creates them with the app's insert and deletes them with the
// app's delete, and checks that the sessions end with the user.
func ExampleAppUsers() {
	testAppUsers := func(t *testing.T) {
		storetest.TestSessionStore(t, func(t *testing.T) auth.SessionStore { return memstore.NewSessions() },
			storetest.AppUsers(
				func(ctx context.Context, s auth.SessionStore, userID string) error {
					return nil // INSERT INTO users (id) VALUES ($1)
				},
				// The app deletes its user and calls InvalidateUserSessions
				// itself: nothing for the suite to check.
				nil,
			))
	}
	_ = testAppUsers
}

// The benchmarks go through auth.Auth, as an app does.
func ExampleBenchmarkSessionStore() {
	benchmarkStore := func(b *testing.B) {
		storetest.BenchmarkSessionStore(b, func(b *testing.B) auth.SessionStore { return memstore.New() })
	}
	_ = benchmarkStore
}
