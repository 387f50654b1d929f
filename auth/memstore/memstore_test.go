package memstore_test

import (
	"testing"

	"github.com/authkit-dev/authkit/auth/memstore"
	"github.com/authkit-dev/authkit/internal/testservices"
)

func TestResetAndAllSessions(t *testing.T) {
	testservices.CheckResetAndAllSessions(t, memstore.New())
}
