package memstore_test

import (
	"context"
	"fmt"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
)

// A memstore keeps users and sessions for tests and single-process apps
// that can afford to lose every session on restart.
func Example() {
	ctx := context.Background()
	a, err := auth.New(memstore.New(), auth.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	u, _ := a.CreateUser(ctx, auth.NewUser{})
	s, _ := a.CreateSession(ctx, u.ID)
	got, err := a.ValidateSession(ctx, s.Token)
	fmt.Println(err, got.ID == s.ID)
	_ = a.DeleteUser(ctx, u.ID)
	_, err = a.ValidateSession(ctx, s.Token)
	fmt.Println(err)
	// Output:
	// <nil> true
	// auth: invalid session
}

// An app that keeps its users in a table of its own stores only sessions,
// and ends a deleted user's sessions itself.
func ExampleNewSessions() {
	ctx := context.Background()
	a, err := auth.New(memstore.NewSessions(), auth.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	s, _ := a.CreateSession(ctx, "user-42") // any ID the app's users table has
	_, err = a.ValidateSession(ctx, s.Token)
	fmt.Println(err)

	// The app deletes user-42 from its table, then:
	_ = a.InvalidateUserSessions(ctx, "user-42")
	_, err = a.ValidateSession(ctx, s.Token)
	fmt.Println(err)

	_, err = a.CreateUser(ctx, auth.NewUser{})
	fmt.Println(err)
	// Output:
	// <nil>
	// auth: invalid session
	// auth: create user: auth: the store keeps no users
}
