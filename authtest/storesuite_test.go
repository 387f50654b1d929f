package authtest_test

import (
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
	"github.com/authkit-dev/authkit/authtest"
)

func TestConformance(t *testing.T) {
	t.Run("memstore", func(t *testing.T) {
		authtest.TestStore(t, func(t *testing.T) auth.Store { return memstore.New() })
	})
}

func BenchmarkMemstore(b *testing.B) {
	authtest.BenchmarkStore(b, func(b *testing.B) auth.Store { return memstore.New() })
}
