package sqlcore_test

import (
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/internal/testservices"
)

// tokenStore is what both stores' Store and Sessions are besides a
// session store.
type tokenStore interface {
	sqlStore
	auth.TokenStore
	auth.CounterStore
}

// eachTokenStore runs test on each backend's two users modes.
func eachTokenStore(t *testing.T, test func(t *testing.T, s tokenStore)) {
	eachBackend(t, func(t *testing.T, b backend) {
		t.Run("Store", func(t *testing.T) { test(t, migrated(t, b.newDB(t).store(t)).(tokenStore)) })
		t.Run("Sessions", func(t *testing.T) {
			db := b.newDB(t)
			db.exec(t, appTable("TEXT"))
			test(t, migrated(t, db.sessions(t, "text")).(tokenStore))
		})
	})
}

// The token upsert's ID rules, on each backend and mode (the storetest
// suites, run by each store's tests, check the rest).
func TestTokenIDs(t *testing.T) {
	eachTokenStore(t, func(t *testing.T, s tokenStore) { testservices.CheckTokenIDs(t, s) })
}
