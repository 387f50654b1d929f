package auth_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/auth"
)

func TestUsers(t *testing.T) {
	a, _, _ := newAuth(t, auth.Config{})
	ctx := context.Background()
	u, err := a.CreateUser(ctx, auth.NewUser{Attributes: map[string]any{"name": "Zoë", "age": 36}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := a.GetUser(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Attributes["name"] != "Zoë" || got.Attributes["age"] != float64(36) {
		t.Errorf("attributes = %v", got.Attributes)
	}
	if _, err := a.UpdateUserAttributes(ctx, u.ID, map[string]any{"name": "Zoe"}); err != nil {
		t.Fatal(err)
	}
	got, _ = a.GetUser(ctx, u.ID)
	if len(got.Attributes) != 1 || got.Attributes["name"] != "Zoe" {
		t.Errorf("attributes after update = %v", got.Attributes)
	}
	if _, err := a.CreateUser(ctx, auth.NewUser{ID: u.ID}); !errors.Is(err, auth.ErrDuplicateUser) {
		t.Errorf("duplicate ID: %v", err)
	}
	if _, err := a.CreateUser(ctx, auth.NewUser{Attributes: map[string]any{"f": func() {}}}); err == nil {
		t.Error("attributes that can't be JSON were accepted")
	}
	if err := a.DeleteUser(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"get":    func() error { _, err := a.GetUser(ctx, u.ID); return err }(),
		"update": func() error { _, err := a.UpdateUserAttributes(ctx, u.ID, nil); return err }(),
		"delete": a.DeleteUser(ctx, u.ID),
	} {
		if !errors.Is(err, auth.ErrInvalidUser) {
			t.Errorf("%s deleted user: %v, want ErrInvalidUser", name, err)
		}
	}
}

func TestKeysAndPasswords(t *testing.T) {
	a, _, store := newAuth(t, auth.Config{})
	ctx := context.Background()
	u, err := a.CreateUser(ctx, auth.NewUser{Key: &auth.NewKey{ProviderID: "username", ProviderUserID: "ada", Password: "correct horse"}})
	if err != nil {
		t.Fatal(err)
	}
	k, err := a.UseKey(ctx, "username", "ada", "correct horse")
	if err != nil || k.UserID != u.ID || !k.HasPassword {
		t.Fatalf("UseKey = %+v, %v", k, err)
	}
	rec, _ := store.GetKey(ctx, "username", "ada")
	if !strings.HasPrefix(rec.PasswordHash, "$argon2id$v=19$m=64,t=1,p=1$") || strings.Contains(rec.PasswordHash, "correct horse") {
		t.Errorf("stored hash = %q", rec.PasswordHash)
	}
	for _, tc := range []struct {
		provider, id, password string
		want                   error
	}{
		{"username", "ada", "wrong", auth.ErrInvalidPassword},
		{"username", "ada", "", auth.ErrInvalidPassword},
		{"username", "bob", "correct horse", auth.ErrInvalidKey},
		{"username", "ada", strings.Repeat("x", 5000), auth.ErrInvalidPassword},
	} {
		if _, err := a.UseKey(ctx, tc.provider, tc.id, tc.password); !errors.Is(err, tc.want) {
			t.Errorf("UseKey(%s, %s, %.10q) = %v, want %v", tc.provider, tc.id, tc.password, err, tc.want)
		}
	}
	// A duplicate key fails and creates no user.
	_, err = a.CreateUser(ctx, auth.NewUser{ID: "second", Key: &auth.NewKey{ProviderID: "username", ProviderUserID: "ada"}})
	if !errors.Is(err, auth.ErrDuplicateKey) {
		t.Errorf("duplicate key: %v", err)
	}
	if _, err := a.GetUser(ctx, "second"); !errors.Is(err, auth.ErrInvalidUser) {
		t.Errorf("user of a failed CreateUser exists: %v", err)
	}
	// An OAuth-style key has no password.
	if _, err := a.CreateKey(ctx, u.ID, auth.NewKey{ProviderID: "github", ProviderUserID: "583231"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.UseKey(ctx, "github", "583231", ""); !errors.Is(err, auth.ErrInvalidPassword) {
		t.Errorf("empty password on a passwordless key: %v, want ErrInvalidPassword", err)
	}
	if _, err := a.UseKey(ctx, "github", "583231", "guess"); !errors.Is(err, auth.ErrInvalidPassword) {
		t.Errorf("password on a passwordless key: %v", err)
	}
	if _, err := a.CreateKey(ctx, "nobody", auth.NewKey{ProviderID: "github", ProviderUserID: "1"}); !errors.Is(err, auth.ErrInvalidUser) {
		t.Errorf("CreateKey for unknown user: %v", err)
	}
	if _, err := a.CreateKey(ctx, u.ID, auth.NewKey{ProviderID: "", ProviderUserID: "1"}); !errors.Is(err, auth.ErrInvalidKey) {
		t.Errorf("CreateKey with empty provider: %v", err)
	}
	if err := a.UpdateKeyPassword(ctx, "username", "ada", "new secret"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.UseKey(ctx, "username", "ada", "correct horse"); !errors.Is(err, auth.ErrInvalidPassword) {
		t.Errorf("old password after change: %v", err)
	}
	if _, err := a.UseKey(ctx, "username", "ada", "new secret"); err != nil {
		t.Errorf("new password: %v", err)
	}
	keys, err := a.UserKeys(ctx, u.ID)
	if err != nil || len(keys) != 2 {
		t.Errorf("UserKeys = %v, %v", keys, err)
	}
	if err := a.DeleteKey(ctx, "github", "583231"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.GetKey(ctx, "github", "583231"); !errors.Is(err, auth.ErrInvalidKey) {
		t.Errorf("GetKey after delete: %v", err)
	}
	if err := a.DeleteUser(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.GetKey(ctx, "username", "ada"); !errors.Is(err, auth.ErrInvalidKey) {
		t.Errorf("key survived its user: %v", err)
	}
}

func TestCorruptPasswordHash(t *testing.T) {
	a, _, store := newAuth(t, auth.Config{})
	ctx := context.Background()
	u, _ := a.CreateUser(ctx, auth.NewUser{})
	for i, h := range []string{"garbage", "$argon2id$v=19$m=1,t=1,p=1$$", "$argon2id$v=19$m=99999999,t=1,p=1$c2FsdA$aGFzaA", "$argon2i$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA", "$argon2id$v=18$m=64,t=1,p=1$c2FsdA$aGFzaA"} {
		id := string(rune('a' + i))
		if err := store.CreateKey(ctx, auth.KeyRecord{ProviderID: "p", ProviderUserID: id, UserID: u.ID, PasswordHash: h}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.UseKey(ctx, "p", id, "pw"); err == nil {
			t.Errorf("hash %q accepted a password", h)
		}
	}
}
