package pgusers

import (
	"sync"
	"testing"

	"github.com/authkit-dev/authkit/auth/pgstore/pgstoretest"
	"github.com/authkit-dev/authkit/authoidc"
)

// Concurrent first sign-ins of one identity (a double click, two tabs)
// all resolve to one user: the losers' transactions roll back, with the
// users they made, and read the winner's.
func TestResolveConcurrentFirstSignIns(t *testing.T) {
	pool := pgstoretest.Pool(t)
	if _, err := Migrate(t.Context(), pool); err != nil {
		t.Fatal(err)
	}
	app := &app{db: pool}
	id := authoidc.Identity{ProviderID: "oidc:https://id.example", Claims: authoidc.Claims{Subject: "alice", Email: "alice@example.com"}}
	const n = 4 // the pool's connections: every call holds one
	users := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			users[i], errs[i] = app.resolve(t.Context(), id)
		})
	}
	close(start)
	wg.Wait()
	for i := range n {
		if errs[i] != nil || users[i] != users[0] {
			t.Errorf("call %d: user %q, error %v; want user %q like call 0, no error", i, users[i], errs[i], users[0])
		}
	}
	var rows int
	if err := pool.QueryRow(t.Context(), `SELECT count(*) FROM users`).Scan(&rows); err != nil || rows != 1 {
		t.Errorf("users rows = %d (%v), want 1", rows, err)
	}
}
