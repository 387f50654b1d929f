package fakeauth_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
	"github.com/authkit-dev/authkit/fakeauth"
)

// Each token and counter operation can be failed on its own: the Auth
// method that uses it reports ErrStore wrapping the injected error, the
// call is logged with it, and the fault is used up.
func TestTokenAndCounterFaults(t *testing.T) {
	ctx := context.Background()
	boom := errors.New("connection reset")
	issue := func(f *fakeauth.Fake) *auth.IssuedToken {
		t.Helper()
		it, err := f.Auth.IssueToken(ctx, auth.NewToken{Purpose: "sign-in", UserID: "u", Code: true})
		if err != nil {
			t.Fatal(err)
		}
		return it
	}
	// Each of these Auth calls uses two of the operations; the table fails
	// each operation on its own.
	consumeToken := func(f *fakeauth.Fake, it *auth.IssuedToken) error {
		_, err := f.Auth.ConsumeToken(ctx, "sign-in", it.Token)
		return err
	}
	consumeCode := func(f *fakeauth.Fake, it *auth.IssuedToken) error {
		_, err := f.Auth.ConsumeCode(ctx, "sign-in", "u", it.Code)
		return err
	}
	sweep := func(f *fakeauth.Fake, _ *auth.IssuedToken) error {
		_, err := f.Auth.DeleteExpiredSessions(ctx)
		return err
	}
	for _, tc := range []struct {
		op  fakeauth.Op
		run func(f *fakeauth.Fake, it *auth.IssuedToken) error
	}{
		{fakeauth.OpCreateToken, func(f *fakeauth.Fake, _ *auth.IssuedToken) error {
			_, err := f.Auth.IssueToken(ctx, auth.NewToken{Purpose: "x", UserID: "u"})
			return err
		}},
		{fakeauth.OpGetToken, consumeToken},
		{fakeauth.OpUserToken, consumeCode},
		{fakeauth.OpDeleteToken, consumeToken},
		{fakeauth.OpAddTokenAttempt, consumeCode},
		{fakeauth.OpDeleteExpiredTokens, sweep},
		{fakeauth.OpIncrementCounter, func(f *fakeauth.Fake, _ *auth.IssuedToken) error {
			_, _, err := f.Auth.CountAttempt(ctx, "k", time.Minute)
			return err
		}},
		{fakeauth.OpDeleteCounter, func(f *fakeauth.Fake, _ *auth.IssuedToken) error {
			return f.Auth.ResetAttempts(ctx, "k")
		}},
		{fakeauth.OpDeleteExpiredCounters, sweep},
	} {
		t.Run(string(tc.op), func(t *testing.T) {
			f := fakeauth.NewT(t)
			it := issue(f)
			f.Store.ClearCalls()
			f.Store.FailNext(tc.op, 1, boom)
			err := tc.run(f, it)
			if !errors.Is(err, auth.ErrStore) || !errors.Is(err, boom) || errors.Is(err, auth.ErrInvalidToken) {
				t.Errorf("err = %v, want ErrStore wrapping the injected error", err)
			}
			if n := f.Store.PendingFaults()[tc.op]; n != 0 {
				t.Errorf("fault on %s not used: %d pending", tc.op, n)
			}
			failed := 0
			for _, c := range f.Store.Calls() {
				if c.Op == tc.op && errors.Is(c.Err, boom) {
					failed++
				}
			}
			if failed != 1 {
				t.Errorf("%d failed %s calls logged, want 1: %v", failed, tc.op, f.Store.Calls())
			}
			// The fault was one call: the next works.
			if err := tc.run(f, issue(f)); err != nil {
				t.Errorf("after the fault: %v", err)
			}
		})
	}
}

// The call log names tokens by ID (never the token or code) and counts
// writes as the other operations do.
func TestTokenCallsLogged(t *testing.T) {
	ctx := context.Background()
	f := fakeauth.NewT(t)
	it, err := f.Auth.IssueToken(ctx, auth.NewToken{Purpose: "sign-in", UserID: "u", Code: true})
	if err != nil {
		t.Fatal(err)
	}
	wrong := []byte(it.Code)
	wrong[0] = '0' + (wrong[0]-'0'+1)%10
	f.Auth.ConsumeCode(ctx, "sign-in", "u", string(wrong))
	if _, err := f.Auth.ConsumeToken(ctx, "sign-in", it.Token); err != nil {
		t.Fatal(err)
	}
	f.Auth.RevokeToken(ctx, it.ID)
	f.Auth.CountAttempt(ctx, "k", time.Minute)
	f.Auth.ResetAttempts(ctx, "k")
	var got []string
	for _, c := range f.Store.Calls() {
		if c.TokenID != "" && c.TokenID != it.ID {
			t.Errorf("%v names token %q, want the ID %q", c, c.TokenID, it.ID)
		}
		if s := fmt.Sprintf("%s %+v", c, c); strings.Contains(s, it.Token) || c.Key == it.Code || c.UserID == it.Code {
			t.Errorf("call %s holds a secret", s)
		}
		w := string(c.Op)
		if c.Wrote {
			w += "+"
		}
		got = append(got, w)
	}
	want := []string{
		"CreateToken+", "UserToken", "AddTokenAttempt+", // the wrong code
		"GetToken", "DeleteToken+", // the link
		"DeleteToken", // revoking a token already used
		"IncrementCounter+", "DeleteCounter+",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("calls %v, want %v", got, want)
	}
}

// A fake for an app's own users keeps tokens and counters too: user IDs
// are the app's.
func TestAppUsersKeepsTokensAndCounters(t *testing.T) {
	ctx := context.Background()
	f := fakeauth.NewT(t, fakeauth.WithAppUsers())
	it, err := f.Auth.IssueToken(ctx, auth.NewToken{Purpose: "verify-email", UserID: "app-42", Address: "a@example.com"})
	if err != nil {
		t.Fatalf("IssueToken on WithAppUsers: %v", err)
	}
	got, err := f.Auth.ConsumeToken(ctx, "verify-email", it.Token)
	if err != nil || got.UserID != "app-42" || got.Address != "a@example.com" {
		t.Errorf("ConsumeToken = %+v, %v", got, err)
	}
	if n, _, err := f.Auth.CountAttempt(ctx, "k", time.Minute); n != 1 || err != nil {
		t.Errorf("CountAttempt = %d, %v", n, err)
	}
	f.Store.FailNext(fakeauth.OpGetToken, 1, nil)
	if _, err := f.Auth.ConsumeToken(ctx, "verify-email", it.Token); !errors.Is(err, fakeauth.ErrInjected) {
		t.Errorf("fault on GetToken with WithAppUsers: %v", err)
	}
}

// A store that keeps no tokens gives an Auth without them, as the store
// itself would: ErrNoTokenStore, not a store failure.
func TestStoreWithoutTokens(t *testing.T) {
	f := fakeauth.NewT(t, fakeauth.WithStore(struct{ auth.SessionStore }{memstore.NewSessions()}))
	_, err := f.Auth.IssueToken(context.Background(), auth.NewToken{Purpose: "p", UserID: "u"})
	if !errors.Is(err, auth.ErrNoTokenStore) || errors.Is(err, auth.ErrStore) {
		t.Errorf("IssueToken: %v, want ErrNoTokenStore", err)
	}
	if _, _, err := f.Auth.CountAttempt(context.Background(), "k", time.Minute); !errors.Is(err, auth.ErrNoCounterStore) {
		t.Errorf("CountAttempt: %v, want ErrNoCounterStore", err)
	}
	if _, err := f.Store.GetToken(context.Background(), "id"); !errors.Is(err, auth.ErrNoTokenStore) {
		t.Errorf("Store.GetToken on a store without tokens: %v, want ErrNoTokenStore", err)
	}
}

func TestResetEmptiesTokensAndCounters(t *testing.T) {
	ctx := context.Background()
	f := fakeauth.NewT(t)
	it, err := f.Auth.IssueToken(ctx, auth.NewToken{Purpose: "sign-in", UserID: "u"})
	if err != nil {
		t.Fatal(err)
	}
	f.Auth.CountAttempt(ctx, "k", time.Minute)
	if err := f.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Auth.ConsumeToken(ctx, "sign-in", it.Token); !errors.Is(err, auth.ErrInvalidToken) {
		t.Errorf("token after Reset: %v, want ErrInvalidToken", err)
	}
	if n, _, _ := f.Auth.CountAttempt(ctx, "k", time.Minute); n != 1 {
		t.Errorf("counter after Reset counts %d, want 1", n)
	}
}
