package memstore_test

import (
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
	"github.com/authkit-dev/authkit/authtest/storetest"
)

func TestConformance(t *testing.T) {
	t.Run("Store", func(t *testing.T) {
		t.Run("SessionStore", func(t *testing.T) {
			storetest.TestSessionStore(t, func(t *testing.T) auth.SessionStore { return memstore.New() })
		})
		t.Run("UserStore", func(t *testing.T) {
			storetest.TestUserStore(t, func(t *testing.T) auth.UserStore { return memstore.New() })
		})
	})
	t.Run("Sessions", func(t *testing.T) {
		storetest.TestSessionStore(t, func(t *testing.T) auth.SessionStore { return memstore.NewSessions() })
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
