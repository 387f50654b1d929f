package memstore_test

import (
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
	"github.com/authkit-dev/authkit/authtest/storetest"
	"github.com/authkit-dev/authkit/internal/testservices"
)

// TestConformance needs Store and Sessions to be auth.SessionStore, and
// Store auth.UserStore, to compile; the join is optional in the contract
// (the suite checks it when a store has it), so this keeps a Store that
// lost it from passing.
var _ auth.SessionUserGetter = (*memstore.Store)(nil)

// TestConformance is memstore's conformance run, as every backend has one
// in its own tests. memstore being the reference store, it is also the
// suites' own check: storetest has no store of its own to run them on.
func TestConformance(t *testing.T) {
	t.Run("Store", func(t *testing.T) {
		t.Run("SessionStore", func(t *testing.T) {
			storetest.TestSessionStore(t, func(t *testing.T) auth.SessionStore { return memstore.New() })
		})
		t.Run("UserStore", func(t *testing.T) {
			storetest.TestUserStore(t, func(t *testing.T) auth.UserStore { return memstore.New() })
		})
		t.Run("TokenStore", func(t *testing.T) {
			storetest.TestTokenStore(t, func(t *testing.T) auth.TokenStore { return memstore.New() })
		})
		t.Run("CounterStore", func(t *testing.T) {
			storetest.TestCounterStore(t, func(t *testing.T) auth.CounterStore { return memstore.New() })
		})
	})
	t.Run("Sessions", func(t *testing.T) {
		storetest.TestSessionStore(t, func(t *testing.T) auth.SessionStore { return memstore.NewSessions() })
		t.Run("TokenStore", func(t *testing.T) {
			storetest.TestTokenStore(t, func(t *testing.T) auth.TokenStore { return memstore.NewSessions() })
		})
		t.Run("CounterStore", func(t *testing.T) {
			storetest.TestCounterStore(t, func(t *testing.T) auth.CounterStore { return memstore.NewSessions() })
		})
	})
}

func BenchmarkSessionStore(b *testing.B) {
	b.Run("Store", func(b *testing.B) {
		storetest.BenchmarkSessionStore(b, func(b *testing.B) auth.SessionStore { return memstore.New() })
	})
	b.Run("Sessions", func(b *testing.B) {
		storetest.BenchmarkSessionStore(b, func(b *testing.B) auth.SessionStore { return memstore.NewSessions() })
	})
}

// Two handles on one memstore are one store: the shared-renewal check
// (one renewal write among racing servers) holds trivially, and checks
// the helper itself on both kinds of store.
func TestSharedRenewal(t *testing.T) {
	t.Run("Store", func(t *testing.T) {
		s := memstore.New()
		testservices.CheckSharedRenewal(t, s, s)
	})
	t.Run("Sessions", func(t *testing.T) {
		s := memstore.NewSessions()
		testservices.CheckSharedRenewal(t, s, s)
	})
}
