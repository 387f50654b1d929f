package storetest_test

import (
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
	"github.com/authkit-dev/authkit/authtest/storetest"
)

// The suites check themselves on the reference store; every backend runs
// them from its own package too.
func TestOnMemstore(t *testing.T) {
	t.Run("Store", func(t *testing.T) {
		storetest.TestSessionStore(t, func(t *testing.T) auth.SessionStore { return memstore.New() })
	})
	t.Run("Users", func(t *testing.T) {
		storetest.TestUserStore(t, func(t *testing.T) auth.UserStore { return memstore.New() })
	})
	t.Run("Sessions", func(t *testing.T) {
		storetest.TestSessionStore(t, func(t *testing.T) auth.SessionStore { return memstore.NewSessions() })
	})
}
