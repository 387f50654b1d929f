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

// The one-time token and counter statements on each backend and mode:
// the upsert, concurrent writers, the sweep steps.
func TestTokens(t *testing.T) {
	for name, check := range map[string]func(t *testing.T, s testservices.TokenStore){
		"CreateTokenReplaces":    testservices.CheckCreateTokenReplaces,
		"Concurrently":           testservices.CheckTokensConcurrently,
		"CounterWindowAndSweeps": func(t *testing.T, s testservices.TokenStore) { testservices.CheckCounterWindowAndSweeps(t, s, true) },
	} {
		t.Run(name, func(t *testing.T) {
			eachTokenStore(t, func(t *testing.T, s tokenStore) { check(t, s) })
		})
	}
}
