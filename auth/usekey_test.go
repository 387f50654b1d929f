package auth_test

import (
	"context"
	"errors"
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
)

// signInFixture is an Auth with a password key ("username", "ada") and a
// key without a password ("github", "583231"), an OAuth identity.
func signInFixture(t testing.TB) *auth.Auth {
	t.Helper()
	ctx := context.Background()
	a, err := auth.New(memstore.New(), auth.Config{Argon2: cheapArgon2})
	if err != nil {
		t.Fatal(err)
	}
	u, err := a.CreateUser(ctx, auth.NewUser{Key: &auth.NewKey{ProviderID: "username", ProviderUserID: "ada", Password: "correct horse"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.CreateKey(ctx, u.ID, auth.NewKey{ProviderID: "github", ProviderUserID: "583231"}); err != nil {
		t.Fatal(err)
	}
	return a
}

// hashesOf returns how many password hashes one UseKey call computed, and
// its error.
func hashesOf(t testing.TB, a *auth.Auth, provider, id, password string) (int64, error) {
	t.Helper()
	before := a.PasswordVerifications()
	_, err := a.UseKey(context.Background(), provider, id, password)
	return a.PasswordVerifications() - before, err
}

// Finding 2: an unknown key with an empty password skipped the dummy hash,
// answering in microseconds against tens of milliseconds for a known key.
func TestFinding2UnknownKeyEmptyPasswordCostsOneHash(t *testing.T) {
	a := signInFixture(t)
	n, err := hashesOf(t, a, "username", "nobody", "")
	if !errors.Is(err, auth.ErrInvalidKey) {
		t.Fatalf("UseKey(unknown, \"\") = %v, want ErrInvalidKey", err)
	}
	if n != 1 {
		t.Errorf("UseKey(unknown key, empty password) computed %d hashes, want 1 (as a known key does)", n)
	}
}

// Finding 3: a key without a password answered without hashing whatever
// password was given, which revealed password-less accounts.
func TestFinding3PasswordlessKeyCostsOneHash(t *testing.T) {
	a := signInFixture(t)
	for _, pw := range []string{"guess", ""} {
		n, _ := hashesOf(t, a, "github", "583231", pw)
		if n != 1 {
			t.Errorf("UseKey(password-less key, %q) computed %d hashes, want 1", pw, n)
		}
	}
}

// Finding 4: an empty password signed in to a password-less key, so
// anyone could enter an account created without a password. A key without
// a password is never usable through the password path.
func TestFinding4EmptyPasswordNeverSignsInPasswordlessKey(t *testing.T) {
	a := signInFixture(t)
	for _, pw := range []string{"", "guess"} {
		if _, err := a.UseKey(context.Background(), "github", "583231", pw); !errors.Is(err, auth.ErrInvalidPassword) {
			t.Errorf("UseKey(password-less key, %q) = %v, want ErrInvalidPassword", pw, err)
		}
	}
}

// TestSignInCostsOneHash is the sign-in timing guarantee, proven by
// counting rather than timing: every way a sign-in can fail, and the one
// way it succeeds, computes exactly one password hash with the Auth's
// parameters.
func TestSignInCostsOneHash(t *testing.T) {
	a := signInFixture(t)
	for _, tc := range []struct {
		name, provider, id, password string
		want                         error
	}{
		{"right password", "username", "ada", "correct horse", nil},
		{"wrong password", "username", "ada", "wrong", auth.ErrInvalidPassword},
		{"empty password", "username", "ada", "", auth.ErrInvalidPassword},
		{"unknown key", "username", "bob", "correct horse", auth.ErrInvalidKey},
		{"unknown key, empty password", "username", "bob", "", auth.ErrInvalidKey},
		{"password-less key, a password", "github", "583231", "guess", auth.ErrInvalidPassword},
		{"password-less key, empty password", "github", "583231", "", auth.ErrInvalidPassword},
		{"unknown provider", "nope", "ada", "correct horse", auth.ErrInvalidKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := hashesOf(t, a, tc.provider, tc.id, tc.password)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Errorf("UseKey = %v, want %v", err, tc.want)
			}
			if n != 1 {
				t.Errorf("computed %d password hashes, want 1", n)
			}
		})
	}
}
