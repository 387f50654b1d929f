package fakeauth_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/authkit-dev/authkit/fakeauth"
)

func TestWithAppUsers(t *testing.T) {
	a := fakeauth.NewT(t, fakeauth.WithAppUsers())
	b := fakeauth.NewT(t, fakeauth.WithAppUsers())
	// A session for a user only the app knows, by its ID.
	s, err := a.Auth.CreateSession(t.Context(), "42")
	if err != nil {
		t.Fatalf("CreateSession for an app's user: %v", err)
	}
	if got, err := a.Auth.ValidateSession(t.Context(), s.Token); err != nil || got.UserID != "42" {
		t.Fatalf("ValidateSession: %v, %v", got, err)
	}
	// Seeding works too, and each fake has a store of its own.
	if _, err := a.SeedSession(t.Context(), "43", fakeauth.Idle); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Auth.ValidateSession(t.Context(), s.Token); err == nil {
		t.Error("a session of one fake is valid in another")
	}
}

// A fake for an app that keeps its own users: sessions name them by ID.
func ExampleWithAppUsers() {
	f, err := fakeauth.New(fakeauth.WithAppUsers())
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := f.Auth.CreateSession(context.Background(), "1001") // the ID of a row of the app's users table
	fmt.Println(s.UserID, err)
	// Output:
	// 1001 <nil>
}
