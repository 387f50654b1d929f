package playground_test

import (
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/cmd/authplayground/internal/playground"
	"github.com/authkit-dev/authkit/fakeauth"
)

func TestMemoryAdmin(t *testing.T) {
	ctx := t.Context()
	mem := playground.NewMemory()
	a, err := auth.New(mem, auth.Config{Argon2: fakeauth.CheapArgon2()})
	if err != nil {
		t.Fatal(err)
	}
	ada, _ := a.CreateUser(ctx, auth.NewUser{ID: "ada", Key: &auth.NewKey{ProviderID: "username", ProviderUserID: "ada", Password: "pw"}})
	bob, _ := a.CreateUser(ctx, auth.NewUser{ID: "bob"})
	gone, _ := a.CreateUser(ctx, auth.NewUser{ID: "gone"})
	for _, u := range []*auth.User{ada, ada, bob, gone} {
		if _, err := a.CreateSession(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.DeleteUser(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	all, err := mem.AllSessions(ctx)
	perUser := map[string]int{}
	for _, s := range all {
		perUser[s.UserID]++
	}
	if err != nil || len(all) != 3 || perUser["ada"] != 2 || perUser["bob"] != 1 {
		t.Errorf("AllSessions = %d sessions %v (%v), want ada's 2 and bob's 1", len(all), perUser, err)
	}
	if err := mem.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if all, err := mem.AllSessions(ctx); len(all) != 0 || err != nil {
		t.Errorf("AllSessions after Reset = %v, %v", all, err)
	}
	if _, err := a.UseKey(ctx, "username", "ada", "pw"); err == nil {
		t.Error("ada's key outlived Reset")
	}
	if _, err := a.CreateUser(ctx, auth.NewUser{ID: "ada"}); err != nil {
		t.Errorf("the emptied store refuses a user again: %v", err)
	}
}
