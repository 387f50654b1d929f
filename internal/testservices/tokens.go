package testservices

import (
	"errors"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
)

// CheckTokenIDs checks, on a fresh s, the ways a store that replaces a
// user's token in place (an SQL upsert, a Redis hash per user and
// purpose) could break the contract's ID rules, beyond what
// storetest.TestTokenStore checks: a replaced token is gone for every
// method (not only GetToken); an ID is refused when it is the row's own
// (same user and purpose: the upsert would change nothing) or another
// row's, and a refused replacement leaves the old token as it was.
func CheckTokenIDs(t *testing.T, s auth.TokenStore) {
	ctx := t.Context()
	exp := time.Date(2031, 3, 14, 15, 9, 26, 535897933, time.UTC)
	record := func(id, userID string) auth.TokenRecord {
		return auth.TokenRecord{
			ID: auth.SessionID(id), Purpose: "reset-password", UserID: userID, Address: userID + "@example.com",
			CodeHash: auth.SessionID("code" + id), CreatedAt: exp.Add(-15 * time.Minute), ExpiresAt: exp,
		}
	}
	old, nw, other := record("a", "u1"), record("b", "u1"), record("c", "u2")
	old.Attempts = 3
	for _, r := range []auth.TokenRecord{old, nw, other} {
		if err := s.CreateToken(ctx, r); err != nil {
			t.Fatalf("CreateToken(%.8s…): %v", r.ID, err)
		}
	}
	if _, err := s.AddTokenAttempt(ctx, old.ID); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("AddTokenAttempt(replaced) error = %v, want auth.ErrNotFound", err)
	}
	if ok, err := s.DeleteToken(ctx, old.ID); ok || err != nil {
		t.Errorf("DeleteToken(replaced) = %v, %v; want false, nil", ok, err)
	}
	if got, err := s.UserToken(ctx, "u1", "reset-password"); err != nil || got != nw {
		t.Errorf("UserToken(u1) = %+v, %v; want the newer %+v (attempts 0)", got, err, nw)
	}
	if err := s.CreateToken(ctx, nw); err == nil || errors.Is(err, auth.ErrNotFound) {
		t.Errorf("CreateToken(existing ID, same user and purpose) error = %v, want a system error", err)
	}
	clash := record("b", "u2") // b's ID, replacing c
	if err := s.CreateToken(ctx, clash); err == nil || errors.Is(err, auth.ErrNotFound) {
		t.Errorf("CreateToken(another token's ID, replacing c) error = %v, want a system error", err)
	}
	for _, want := range []auth.TokenRecord{nw, other} {
		if got, err := s.UserToken(ctx, want.UserID, want.Purpose); err != nil || got != want {
			t.Errorf("UserToken(%s) after the refused creations = %+v, %v; want %+v unchanged", want.UserID, got, err, want)
		}
	}
}
