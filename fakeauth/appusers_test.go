package fakeauth_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
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

// userCalls calls every user and key method of a, and the session methods
// an app with its own users uses, and returns what each returned, as
// text: the same on two Auths that behave alike.
func userCalls(ctx context.Context, a *auth.Auth) []string {
	var out []string
	add := func(name string, v any, err error) {
		out = append(out, fmt.Sprintf("%s: %v; error %v (ErrNoUserStore %v)", name, v, err, errors.Is(err, auth.ErrNoUserStore)))
	}
	out = append(out, fmt.Sprintf("Users() nil: %v", !a.KeepsUsers()))
	u, err := a.CreateUser(ctx, auth.NewUser{ID: "42", Key: &auth.NewKey{ProviderID: "email", ProviderUserID: "ada@example.com", Password: "pw"}})
	add("CreateUser", u, err)
	u, err = a.GetUser(ctx, "42")
	add("GetUser", u, err)
	u, err = a.UpdateUserAttributes(ctx, "42", map[string]any{"name": "Ada"})
	add("UpdateUserAttributes", u, err)
	k, err := a.CreateKey(ctx, "42", auth.NewKey{ProviderID: "github", ProviderUserID: "1"})
	add("CreateKey", k, err)
	k, err = a.GetKey(ctx, "email", "ada@example.com")
	add("GetKey", k, err)
	k, err = a.UseKey(ctx, "email", "ada@example.com", "pw")
	add("UseKey", k, err)
	add("UpdateKeyPassword", nil, a.UpdateKeyPassword(ctx, "email", "ada@example.com", "new"))
	ks, err := a.UserKeys(ctx, "42")
	add("UserKeys", ks, err)
	add("DeleteKey", nil, a.DeleteKey(ctx, "github", "1"))

	s, err := a.CreateSession(ctx, "42")
	add("CreateSession", s != nil && s.UserID == "42", err)
	if s == nil {
		return out
	}
	got, err := a.ValidateSession(ctx, s.Token)
	add("ValidateSession", got != nil && got.ID == s.ID, err)
	got, gotUser, err := a.ValidateSessionUser(ctx, s.Token)
	add("ValidateSessionUser", fmt.Sprint(got, gotUser), err)
	ss, err := a.UserSessions(ctx, "42")
	add("UserSessions", len(ss), err)
	add("DeleteUser", nil, a.DeleteUser(ctx, "42"))
	got, err = a.ValidateSession(ctx, s.Token)
	add("ValidateSession after DeleteUser", got != nil, err)
	add("InvalidateUserSessions", nil, a.InvalidateUserSessions(ctx, "42"))
	got, err = a.ValidateSession(ctx, s.Token)
	add("ValidateSession after InvalidateUserSessions", got != nil, err)
	return out
}

// TestSessionsOnlyFakeAnswersAsProduction runs the same calls on an Auth
// on a sessions-only store, as production builds it, and on fakes for an
// app with its own users: they must answer alike, the user methods
// failing with auth.ErrNoUserStore.
func TestSessionsOnlyFakeAnswersAsProduction(t *testing.T) {
	ctx := context.Background()
	cfg := auth.Config{Argon2: fakeauth.CheapArgon2()}
	prod, err := auth.New(memstore.NewSessions(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := userCalls(ctx, prod)
	for name, opt := range map[string]fakeauth.Option{
		"WithAppUsers":                    fakeauth.WithAppUsers(),
		"WithStore(memstore.NewSessions)": fakeauth.WithStore(memstore.NewSessions()),
	} {
		t.Run(name, func(t *testing.T) {
			f := fakeauth.NewT(t, opt, fakeauth.WithConfig(cfg))
			if diff := cmp.Diff(want, userCalls(ctx, f.Auth)); diff != "" {
				t.Errorf("the fake answers otherwise than auth.New(memstore.NewSessions(), ...) (-production +fake):\n%s", diff)
			}
		})
	}
}

// A sessions-only store given with WithStore gets faults and the call log,
// and seeding works as an app with its own users would: SeedUser fails as
// CreateUser does in production, and a DeletedUser session is gone as the
// app's user delete takes its sessions with it.
func TestWithStoreSessionsOnly(t *testing.T) {
	ctx := context.Background()
	f := fakeauth.NewT(t, fakeauth.WithStore(memstore.NewSessions()))
	s, err := f.SeedSession(ctx, "1001", fakeauth.Idle)
	if err != nil {
		t.Fatal(err)
	}
	f.Store.FailNext(fakeauth.OpRenewSession, 1, nil)
	if _, err := f.Auth.ValidateSession(ctx, s.Token); !errors.Is(err, fakeauth.ErrInjected) {
		t.Errorf("ValidateSession with a failing renewal: %v, want the injected failure", err)
	}
	if _, err := f.Auth.ValidateSession(ctx, s.Token); err != nil {
		t.Errorf("ValidateSession once the fault is used up: %v", err)
	}
	var ops []fakeauth.Op
	for _, c := range f.Store.Calls() {
		ops = append(ops, c.Op)
	}
	wantOps := []fakeauth.Op{fakeauth.OpGetSession, fakeauth.OpRenewSession, fakeauth.OpGetSession, fakeauth.OpRenewSession}
	if diff := cmp.Diff(wantOps, ops); diff != "" {
		t.Errorf("call log (-want +got):\n%s", diff)
	}
	if _, err := f.SeedUser(ctx, "ada", "pw"); !errors.Is(err, auth.ErrNoUserStore) {
		t.Errorf("SeedUser on a sessions-only store: %v, want ErrNoUserStore", err)
	}
	gone, err := f.SeedSession(ctx, "1002", fakeauth.DeletedUser)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Auth.ValidateSession(ctx, gone.Token); !errors.Is(err, auth.ErrInvalidSession) {
		t.Errorf("a DeletedUser session validated: %v", err)
	}
	if _, err := f.Store.GetUser(ctx, "1001"); !errors.Is(err, auth.ErrNoUserStore) {
		t.Errorf("Store.GetUser on a sessions-only store: %v, want ErrNoUserStore", err)
	}
}

// A fake for an app that keeps its own users: sessions name them by ID,
// and the user methods fail as they do in production.
func ExampleWithAppUsers() {
	f, err := fakeauth.New(fakeauth.WithAppUsers())
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	s, err := f.Auth.CreateSession(ctx, "1001") // the ID of a row of the app's users table
	fmt.Println(s.UserID, err)
	_, err = f.Auth.GetUser(ctx, "1001")
	fmt.Println(err)
	// Output:
	// 1001 <nil>
	// auth: get user: auth: the store keeps no users
}

// A store with users that can't read a session with its user in one round
// trip is read as production reads it: the session, then the user.
func TestWithStoreWithoutJoinedRead(t *testing.T) {
	ctx := context.Background()
	m := memstore.New()
	f := fakeauth.NewT(t, fakeauth.WithStore(struct {
		auth.SessionStore
		auth.UserStore
	}{m, m}))
	_, s := seedUserSession(t, f, fakeauth.Active)
	if _, u, err := f.Auth.ValidateSessionUser(ctx, s.Token); err != nil || u.Attributes["username"] != "ada" {
		t.Fatalf("ValidateSessionUser: %v, %v", u, err)
	}
	var ops []fakeauth.Op
	for _, c := range f.Store.Calls() {
		ops = append(ops, c.Op)
	}
	if diff := cmp.Diff([]fakeauth.Op{fakeauth.OpGetSession, fakeauth.OpGetUser}, ops); diff != "" {
		t.Errorf("call log (-want +got):\n%s", diff)
	}
	if _, u, err := f.Store.Inner().GetSessionAndUser(ctx, s.ID); err != nil || u.ID != s.UserID {
		t.Errorf("Inner().GetSessionAndUser: %v, %v", u, err)
	}
}
