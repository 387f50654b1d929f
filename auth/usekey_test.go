package auth_test

import (
	"context"
	"errors"
	"math"
	"runtime"
	"testing"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
)

// signInFixture is an Auth with a password key ("username", "ada") and a
// key without a password ("github", "583231"), an OAuth identity.
func signInFixture(t testing.TB) *auth.Auth {
	t.Helper()
	ctx := context.Background()
	a, err := auth.New(memstore.New(), auth.Config{Argon2: hashArgon2})
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

// hashArgon2 is a hashing cost whose memory (4 MiB) dwarfs every other
// allocation of a sign-in, so that the bytes a call allocates count the
// password hashes it computed.
var hashArgon2 = auth.Argon2Params{Memory: 4 << 10, Time: 1, Threads: 1}

// hashesOf returns how many password hashes one UseKey call computed, and
// its error. Argon2id allocates its whole memory for each hash, so the
// bytes allocated during the call, in units of that memory, are the
// count; nothing in Auth keeps a counter for tests.
func hashesOf(t testing.TB, a *auth.Auth, provider, id, password string) (int64, error) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := a.UseKey(context.Background(), provider, id, password)
	runtime.ReadMemStats(&after)
	unit := float64(hashArgon2.Memory) * 1024
	return int64(math.Round(float64(after.TotalAlloc-before.TotalAlloc) / unit)), err
}

// TestSignInCostsOneHash is the sign-in timing guarantee, proven by
// counting rather than timing: every way a sign-in can fail, and the one
// way it succeeds, computes exactly one password hash with the Auth's
// parameters, and a key without a password never signs in, not even with
// an empty password.
func TestSignInCostsOneHash(t *testing.T) {
	a := signInFixture(t)
	hashesOf(t, a, "username", "nobody", "") // the dummy hash, made once per Auth
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
