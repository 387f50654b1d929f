package memstore_test

import (
	"context"
	"fmt"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
)

// A memstore is an auth.Store for tests and single-process apps that can
// afford to lose every session on restart.
func Example() {
	ctx := context.Background()
	store := memstore.New()
	a, err := auth.New(store, auth.Config{})
	if err != nil {
		panic(err)
	}
	u, _ := a.CreateUser(ctx, auth.NewUser{})
	s, _ := a.CreateSession(ctx, u.ID)

	all, _ := store.AllSessions(ctx)
	fmt.Println(len(all), all[0].ID == s.ID, all[0].ID == auth.SessionID(s.Token))
	store.Reset(ctx)
	_, err = a.ValidateSession(ctx, s.Token)
	fmt.Println(err)
	// Output:
	// 1 true true
	// auth: invalid session
}
