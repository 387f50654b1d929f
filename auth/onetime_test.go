package auth_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/auth/memstore"
	"github.com/authkit-dev/authkit/fakeauth"
)

func issue(t *testing.T, a *auth.Auth, nt auth.NewToken) *auth.IssuedToken {
	t.Helper()
	it, err := a.IssueToken(context.Background(), nt)
	if err != nil {
		t.Fatalf("IssueToken(%+v): %v", nt, err)
	}
	return it
}

func wantInvalidToken(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, auth.ErrInvalidToken) || errors.Is(err, auth.ErrStore) {
		t.Errorf("%s: err = %v, want ErrInvalidToken", what, err)
	}
}

func TestIssueTokenForm(t *testing.T) {
	a, _, store := newAuth(t, auth.Config{})
	ctx := context.Background()
	it := issue(t, a, auth.NewToken{Purpose: "verify-email", UserID: "u1", Address: "ada@example.com", Code: true})
	if !auth.ValidToken(it.Token) || it.ID != auth.SessionID(it.Token) {
		t.Errorf("Token %q, ID %q: want a session-form token whose SHA-256 is the ID", it.Token, it.ID)
	}
	if len(it.Code) != auth.DefaultCodeDigits || strings.Trim(it.Code, "0123456789") != "" {
		t.Errorf("Code = %q, want %d digits", it.Code, auth.DefaultCodeDigits)
	}
	want := auth.OneTimeToken{ID: it.ID, Purpose: "verify-email", UserID: "u1", Address: "ada@example.com",
		CreatedAt: t0, ExpiresAt: t0.Add(auth.DefaultTokenTTL)}
	if !it.CreatedAt.Equal(want.CreatedAt) || !it.ExpiresAt.Equal(want.ExpiresAt) ||
		it.ID != want.ID || it.Purpose != want.Purpose || it.UserID != want.UserID || it.Address != want.Address {
		t.Errorf("issued %+v, want %+v", it.OneTimeToken, want)
	}
	rec, err := store.GetToken(ctx, it.ID)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(it.ID + ":" + it.Code))
	if rec.CodeHash != hex.EncodeToString(sum[:]) || rec.Attempts != 0 || !rec.ExpiresAt.Equal(want.ExpiresAt) {
		t.Errorf("stored %+v, want CodeHash = hex SHA-256 of ID:code, no attempts, ExpiresAt %v", rec, want.ExpiresAt)
	}

	// TTL of the token wins over the Config's; no code unless asked.
	it = issue(t, a, auth.NewToken{Purpose: "sign-in", UserID: "u1", TTL: time.Minute})
	if it.Code != "" || !it.ExpiresAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("Code %q, ExpiresAt %v; want no code and TTL 1m", it.Code, it.ExpiresAt)
	}
	if rec, _ := store.GetToken(ctx, it.ID); rec.CodeHash != "" {
		t.Errorf("CodeHash %q for a token without a code", rec.CodeHash)
	}
}

func TestIssueTokenRefusesBadInput(t *testing.T) {
	a, _, _ := newAuth(t, auth.Config{})
	for _, nt := range []auth.NewToken{
		{UserID: "u"},
		{Purpose: strings.Repeat("p", auth.MaxTokenPurpose+1), UserID: "u"},
		{Purpose: "two words", UserID: "u"},
		{Purpose: "nul\x00", UserID: "u"},
		{Purpose: "é", UserID: "u"},
		{Purpose: "p"},
		{Purpose: "p", UserID: "u", Address: strings.Repeat("a", auth.MaxTokenAddress+1)},
		{Purpose: "p", UserID: "u", TTL: -time.Second},
	} {
		if _, err := a.IssueToken(context.Background(), nt); err == nil || errors.Is(err, auth.ErrStore) {
			t.Errorf("IssueToken(%+v) err = %v, want a refusal", nt, err)
		}
	}
	issue(t, a, auth.NewToken{Purpose: strings.Repeat("p", auth.MaxTokenPurpose), UserID: "u", Address: strings.Repeat("a", auth.MaxTokenAddress)})
}

// Alive while now <= ExpiresAt: at ExpiresAt-1ns and ExpiresAt accepted, at
// ExpiresAt+1ns refused and deleted; for links and codes alike.
func TestTokenExpiryBoundaries(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		offset time.Duration
		ok     bool
	}{{-time.Nanosecond, true}, {0, true}, {time.Nanosecond, false}} {
		for _, byCode := range []bool{false, true} {
			t.Run(fmt.Sprintf("%v/code=%v", tc.offset, byCode), func(t *testing.T) {
				a, clock, store := newAuth(t, auth.Config{})
				it := issue(t, a, auth.NewToken{Purpose: "reset-password", UserID: "u", Code: true})
				clock.Set(it.ExpiresAt.Add(tc.offset))
				var got *auth.OneTimeToken
				var err error
				if byCode {
					got, err = a.ConsumeCode(ctx, "reset-password", "u", it.Code)
				} else {
					got, err = a.ConsumeToken(ctx, "reset-password", it.Token)
				}
				if tc.ok {
					if err != nil || got.ID != it.ID {
						t.Fatalf("consume at ExpiresAt%+v: %v, %v; want the token", tc.offset, got, err)
					}
				} else {
					wantInvalidToken(t, "consume after ExpiresAt", err)
				}
				if _, err := store.GetToken(ctx, it.ID); !errors.Is(err, auth.ErrNotFound) {
					t.Errorf("GetToken after consume: %v, want ErrNotFound (used or expired tokens are deleted)", err)
				}
			})
		}
	}
}

func TestConsumeTokenWrongPurposeKeepsToken(t *testing.T) {
	a, _, _ := newAuth(t, auth.Config{})
	ctx := context.Background()
	it := issue(t, a, auth.NewToken{Purpose: "verify-email", UserID: "u", Code: true})
	_, err := a.ConsumeToken(ctx, "reset-password", it.Token)
	wantInvalidToken(t, "ConsumeToken for another purpose", err)
	_, err = a.ConsumeCode(ctx, "reset-password", "u", it.Code)
	wantInvalidToken(t, "ConsumeCode for another purpose", err)
	if got, err := a.ConsumeToken(ctx, "verify-email", it.Token); err != nil || got.UserID != "u" {
		t.Errorf("ConsumeToken for its own purpose after a wrong one: %v, %v", got, err)
	}
}

func TestTokenReplacedByNewerOfSamePurpose(t *testing.T) {
	a, _, _ := newAuth(t, auth.Config{})
	ctx := context.Background()
	old := issue(t, a, auth.NewToken{Purpose: "sign-in", UserID: "u", Code: true})
	other := issue(t, a, auth.NewToken{Purpose: "verify-email", UserID: "u"})
	otherUser := issue(t, a, auth.NewToken{Purpose: "sign-in", UserID: "v"})
	newer := issue(t, a, auth.NewToken{Purpose: "sign-in", UserID: "u", Code: true})
	_, err := a.ConsumeToken(ctx, "sign-in", old.Token)
	wantInvalidToken(t, "ConsumeToken of a replaced token", err)
	if old.Code != newer.Code {
		_, err = a.ConsumeCode(ctx, "sign-in", "u", old.Code)
		wantInvalidToken(t, "ConsumeCode of a replaced code", err)
	}
	for _, it := range []*auth.IssuedToken{newer, other, otherUser} {
		if _, err := a.ConsumeToken(ctx, it.Purpose, it.Token); err != nil {
			t.Errorf("ConsumeToken(%s of %s): %v; only the same user's same purpose is replaced", it.Purpose, it.UserID, err)
		}
	}
}

func TestTokenReuseRefused(t *testing.T) {
	a, _, _ := newAuth(t, auth.Config{})
	ctx := context.Background()
	it := issue(t, a, auth.NewToken{Purpose: "sign-in", UserID: "u", Code: true})
	if _, err := a.ConsumeToken(ctx, "sign-in", it.Token); err != nil {
		t.Fatal(err)
	}
	_, err := a.ConsumeToken(ctx, "sign-in", it.Token)
	wantInvalidToken(t, "second ConsumeToken", err)
	_, err = a.ConsumeCode(ctx, "sign-in", "u", it.Code)
	wantInvalidToken(t, "ConsumeCode of a token used by its link", err)

	it = issue(t, a, auth.NewToken{Purpose: "sign-in", UserID: "u", Code: true})
	if _, err := a.ConsumeCode(ctx, "sign-in", "u", it.Code); err != nil {
		t.Fatal(err)
	}
	_, err = a.ConsumeCode(ctx, "sign-in", "u", it.Code)
	wantInvalidToken(t, "second ConsumeCode", err)
	_, err = a.ConsumeToken(ctx, "sign-in", it.Token)
	wantInvalidToken(t, "ConsumeToken of a token used by its code", err)
}

func TestRevokeToken(t *testing.T) {
	a, _, _ := newAuth(t, auth.Config{})
	ctx := context.Background()
	it := issue(t, a, auth.NewToken{Purpose: "sign-in", UserID: "u"})
	if err := a.RevokeToken(ctx, it.ID); err != nil {
		t.Fatal(err)
	}
	_, err := a.ConsumeToken(ctx, "sign-in", it.Token)
	wantInvalidToken(t, "ConsumeToken of a revoked token", err)
	if err := a.RevokeToken(ctx, it.ID); err != nil {
		t.Errorf("RevokeToken of a token already gone: %v, want nil", err)
	}
}

func wrongCode(code string) string {
	b := []byte(code)
	b[0] = '0' + (b[0]-'0'+1)%10
	return string(b)
}

func fixedClockAt(t time.Time) auth.Clock { return &fixedClock{t} }

func TestCodeCorrectAfterWrongOnes(t *testing.T) {
	a, _, _ := newAuth(t, auth.Config{MaxCodeAttempts: 3})
	ctx := context.Background()
	it := issue(t, a, auth.NewToken{Purpose: "sign-in", UserID: "u", Code: true})
	for i := range 2 {
		_, err := a.ConsumeCode(ctx, "sign-in", "u", wrongCode(it.Code))
		wantInvalidToken(t, fmt.Sprintf("wrong code %d", i+1), err)
	}
	got, err := a.ConsumeCode(ctx, "sign-in", "u", it.Code)
	if err != nil || got.ID != it.ID {
		t.Fatalf("right code on the last attempt: %v, %v", got, err)
	}
}

func TestCodeExhaustedDeletesToken(t *testing.T) {
	a, _, store := newAuth(t, auth.Config{MaxCodeAttempts: 3})
	ctx := context.Background()
	it := issue(t, a, auth.NewToken{Purpose: "sign-in", UserID: "u", Code: true})
	for i := range 3 {
		if _, err := store.GetToken(ctx, it.ID); err != nil {
			t.Fatalf("token gone after %d wrong codes of 3: %v", i, err)
		}
		_, err := a.ConsumeCode(ctx, "sign-in", "u", wrongCode(it.Code))
		wantInvalidToken(t, "wrong code", err)
	}
	if _, err := store.GetToken(ctx, it.ID); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("GetToken after the last attempt: %v, want ErrNotFound", err)
	}
	_, err := a.ConsumeCode(ctx, "sign-in", "u", it.Code)
	wantInvalidToken(t, "right code after the attempts were used up", err)
}

// tokenReadStore counts the token reads and attempts that reach the store.
type tokenReadStore struct {
	*memstore.Store
	reads atomic.Int32
}

func (s *tokenReadStore) GetToken(ctx context.Context, id string) (auth.TokenRecord, error) {
	s.reads.Add(1)
	return s.Store.GetToken(ctx, id)
}

func (s *tokenReadStore) UserToken(ctx context.Context, userID, purpose string) (auth.TokenRecord, error) {
	s.reads.Add(1)
	return s.Store.UserToken(ctx, userID, purpose)
}

func (s *tokenReadStore) AddTokenAttempt(ctx context.Context, id string) (int, error) {
	s.reads.Add(1)
	return s.Store.AddTokenAttempt(ctx, id)
}

func TestMalformedCodeAndTokenSkipStore(t *testing.T) {
	store := &tokenReadStore{Store: memstore.New()}
	a, err := auth.New(store, auth.Config{Clock: fixedClockAt(t0)})
	if err != nil {
		t.Fatal(err)
	}
	it := issue(t, a, auth.NewToken{Purpose: "sign-in", UserID: "u", Code: true})
	ctx := context.Background()
	for _, code := range []string{"", "12345", "123456789", "1234567a", " 1234567", "１２３４５６"} {
		_, err := a.ConsumeCode(ctx, "sign-in", "u", code)
		wantInvalidToken(t, fmt.Sprintf("ConsumeCode(%q)", code), err)
	}
	_, err = a.ConsumeToken(ctx, "sign-in", strings.ToUpper(it.Token))
	wantInvalidToken(t, "ConsumeToken(malformed)", err)
	if n := store.reads.Load(); n != 0 {
		t.Errorf("malformed codes and tokens made %d token reads or attempts; want none", n)
	}
	if _, err := a.ConsumeCode(ctx, "sign-in", "u", it.Code); err != nil {
		t.Errorf("right code after malformed ones: %v", err)
	}
}

func TestCodeWithoutCodeRefused(t *testing.T) {
	a, _, _ := newAuth(t, auth.Config{})
	it := issue(t, a, auth.NewToken{Purpose: "sign-in", UserID: "u"})
	_, err := a.ConsumeCode(context.Background(), "sign-in", "u", "00000000")
	wantInvalidToken(t, "ConsumeCode on a token issued without a code", err)
	if _, err := a.ConsumeToken(context.Background(), "sign-in", it.Token); err != nil {
		t.Errorf("link after a code was tried on a token without one: %v", err)
	}
}

// Codes issued before a change of CodeDigits still work.
func TestCodeDigitsConfig(t *testing.T) {
	store := memstore.New()
	a6, err := auth.New(store, auth.Config{CodeDigits: 6, Clock: fixedClockAt(t0)})
	if err != nil {
		t.Fatal(err)
	}
	a8, err := auth.New(store, auth.Config{Clock: fixedClockAt(t0)})
	if err != nil {
		t.Fatal(err)
	}
	it := issue(t, a6, auth.NewToken{Purpose: "sign-in", UserID: "u", Code: true})
	if len(it.Code) != 6 {
		t.Errorf("Code %q with CodeDigits 6", it.Code)
	}
	if _, err := a8.ConsumeCode(context.Background(), "sign-in", "u", it.Code); err != nil {
		t.Errorf("6-digit code on an Auth configured for 8: %v", err)
	}
}

// Uniform digits: a chi-square test of 80 000 digits (p < 1e-6 to fail by
// chance), and every length.
func TestCodeDigitsUniform(t *testing.T) {
	var counts [10]int
	for range 10000 {
		for _, c := range auth.NewCode(8) {
			counts[c-'0']++
		}
	}
	chi := 0.0
	for _, c := range counts {
		d := float64(c) - 8000
		chi += d * d / 8000
	}
	if chi > 45 { // chi-square, 9 degrees of freedom: P(> 45) ≈ 1e-6
		t.Errorf("digit counts %v: chi-square %.1f, want uniform", counts, chi)
	}
	for n := auth.MinCodeDigits; n <= auth.MaxCodeDigits; n++ {
		if c := auth.NewCode(n); len(c) != n {
			t.Errorf("NewCode(%d) = %q", n, c)
		}
	}
}

// faultStore fails the token or counter method named fail with err.
type faultStore struct {
	*memstore.Store
	fail string
	err  error
}

func (f *faultStore) CreateToken(ctx context.Context, r auth.TokenRecord) error {
	if f.fail == "CreateToken" {
		return f.err
	}
	return f.Store.CreateToken(ctx, r)
}

func (f *faultStore) GetToken(ctx context.Context, id string) (auth.TokenRecord, error) {
	if f.fail == "GetToken" {
		return auth.TokenRecord{}, f.err
	}
	return f.Store.GetToken(ctx, id)
}

func (f *faultStore) UserToken(ctx context.Context, userID, purpose string) (auth.TokenRecord, error) {
	if f.fail == "UserToken" {
		return auth.TokenRecord{}, f.err
	}
	return f.Store.UserToken(ctx, userID, purpose)
}

func (f *faultStore) DeleteToken(ctx context.Context, id string) (bool, error) {
	if f.fail == "DeleteToken" {
		return false, f.err
	}
	return f.Store.DeleteToken(ctx, id)
}

func (f *faultStore) AddTokenAttempt(ctx context.Context, id string) (int, error) {
	if f.fail == "AddTokenAttempt" {
		return 0, f.err
	}
	return f.Store.AddTokenAttempt(ctx, id)
}

func (f *faultStore) DeleteExpiredTokens(ctx context.Context, now time.Time, limit int) (int, error) {
	if f.fail == "DeleteExpiredTokens" {
		return 0, f.err
	}
	return f.Store.DeleteExpiredTokens(ctx, now, limit)
}

func (f *faultStore) IncrementCounter(ctx context.Context, key string, now, end time.Time) (int, time.Time, error) {
	if f.fail == "IncrementCounter" {
		return 0, time.Time{}, f.err
	}
	return f.Store.IncrementCounter(ctx, key, now, end)
}

func (f *faultStore) DeleteCounter(ctx context.Context, key string) error {
	if f.fail == "DeleteCounter" {
		return f.err
	}
	return f.Store.DeleteCounter(ctx, key)
}

func (f *faultStore) DeleteExpiredCounters(ctx context.Context, now time.Time, limit int) (int, error) {
	if f.fail == "DeleteExpiredCounters" {
		return 0, f.err
	}
	return f.Store.DeleteExpiredCounters(ctx, now, limit)
}

// A store failure is ErrStore wrapping the store's error, never
// ErrInvalidToken: the caller answers with a server error, not "this
// link is invalid".
func TestTokenStoreErrorsAreErrStore(t *testing.T) {
	boom := errors.New("connection reset")
	ctx := context.Background()
	type call struct {
		fail string
		do   func(a *auth.Auth, it *auth.IssuedToken, clock interface{ Set(time.Time) }) error
	}
	consumeToken := func(a *auth.Auth, it *auth.IssuedToken, _ interface{ Set(time.Time) }) error {
		_, err := a.ConsumeToken(ctx, "sign-in", it.Token)
		return err
	}
	consumeCode := func(a *auth.Auth, it *auth.IssuedToken, _ interface{ Set(time.Time) }) error {
		_, err := a.ConsumeCode(ctx, "sign-in", "u", it.Code)
		return err
	}
	expired := func(consume func(*auth.Auth, *auth.IssuedToken, interface{ Set(time.Time) }) error) func(*auth.Auth, *auth.IssuedToken, interface{ Set(time.Time) }) error {
		return func(a *auth.Auth, it *auth.IssuedToken, clock interface{ Set(time.Time) }) error {
			clock.Set(it.ExpiresAt.Add(time.Nanosecond))
			return consume(a, it, clock)
		}
	}
	for name, c := range map[string]call{
		"IssueToken/CreateToken": {"CreateToken", func(a *auth.Auth, _ *auth.IssuedToken, _ interface{ Set(time.Time) }) error {
			_, err := a.IssueToken(ctx, auth.NewToken{Purpose: "x", UserID: "u"})
			return err
		}},
		"ConsumeToken/GetToken":            {"GetToken", consumeToken},
		"ConsumeToken/DeleteToken":         {"DeleteToken", consumeToken},
		"ConsumeToken/expired/DeleteToken": {"DeleteToken", expired(consumeToken)},
		"ConsumeCode/UserToken":            {"UserToken", consumeCode},
		"ConsumeCode/AddTokenAttempt":      {"AddTokenAttempt", consumeCode},
		"ConsumeCode/DeleteToken":          {"DeleteToken", consumeCode},
		"ConsumeCode/expired/DeleteToken":  {"DeleteToken", expired(consumeCode)},
		"RevokeToken/DeleteToken": {"DeleteToken", func(a *auth.Auth, it *auth.IssuedToken, _ interface{ Set(time.Time) }) error {
			return a.RevokeToken(ctx, it.ID)
		}},
		"CountAttempt/IncrementCounter": {"IncrementCounter", func(a *auth.Auth, _ *auth.IssuedToken, _ interface{ Set(time.Time) }) error {
			_, _, err := a.CountAttempt(ctx, "k", time.Minute)
			return err
		}},
		"ResetAttempts/DeleteCounter": {"DeleteCounter", func(a *auth.Auth, _ *auth.IssuedToken, _ interface{ Set(time.Time) }) error {
			return a.ResetAttempts(ctx, "k")
		}},
		"DeleteExpired/DeleteExpiredTokens": {"DeleteExpiredTokens", func(a *auth.Auth, _ *auth.IssuedToken, _ interface{ Set(time.Time) }) error {
			_, err := a.DeleteExpiredSessions(ctx)
			return err
		}},
		"DeleteExpired/DeleteExpiredCounter": {"DeleteExpiredCounters", func(a *auth.Auth, _ *auth.IssuedToken, _ interface{ Set(time.Time) }) error {
			_, err := a.DeleteExpiredSessions(ctx)
			return err
		}},
	} {
		t.Run(name, func(t *testing.T) {
			fs := &faultStore{Store: memstore.New()}
			clock := fakeauth.NewClock(t0)
			a, err := auth.New(fs, auth.Config{Clock: clock})
			if err != nil {
				t.Fatal(err)
			}
			it := issue(t, a, auth.NewToken{Purpose: "sign-in", UserID: "u", Code: true})
			fs.fail, fs.err = c.fail, boom
			err = c.do(a, it, clock)
			if !errors.Is(err, auth.ErrStore) || !errors.Is(err, boom) || errors.Is(err, auth.ErrInvalidToken) {
				t.Errorf("err = %v; want ErrStore wrapping the store's error, not ErrInvalidToken", err)
			}
		})
	}
}

func TestNoTokenOrCounterStore(t *testing.T) {
	a, err := auth.New(struct{ auth.SessionStore }{memstore.New()}, auth.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, err1 := a.IssueToken(ctx, auth.NewToken{Purpose: "p", UserID: "u"})
	_, err2 := a.ConsumeToken(ctx, "p", "abcdefghijklmnopqrstuvwxyz234567")
	_, err3 := a.ConsumeCode(ctx, "p", "u", "12345678")
	err4 := a.RevokeToken(ctx, "id")
	for i, err := range []error{err1, err2, err3, err4} {
		if !errors.Is(err, auth.ErrNoTokenStore) {
			t.Errorf("token call %d: err = %v, want ErrNoTokenStore", i+1, err)
		}
	}
	_, _, err5 := a.CountAttempt(ctx, "k", time.Minute)
	err6 := a.ResetAttempts(ctx, "k")
	for i, err := range []error{err5, err6} {
		if !errors.Is(err, auth.ErrNoCounterStore) {
			t.Errorf("counter call %d: err = %v, want ErrNoCounterStore", i+1, err)
		}
	}
	if _, err := a.DeleteExpiredSessions(ctx); err != nil {
		t.Errorf("DeleteExpiredSessions without token or counter store: %v", err)
	}
}

// Neither the link token nor the code is ever stored or logged: scan every
// stored record and every debug log line of a token's life.
func TestOneTimeSecretsNeverStoredOrLogged(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{
		Level: slog.LevelDebug,
		// No timestamps: their digits could hold a code by chance.
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	a, _, store := newAuth(t, auth.Config{Logger: logger, MaxCodeAttempts: 3})
	ctx := context.Background()
	var secrets []string
	var records []string
	for _, user := range []string{"u", "v"} {
		it := issue(t, a, auth.NewToken{Purpose: "sign-in", UserID: user, Address: user + "@example.com", Code: true})
		secrets = append(secrets, it.Token, it.Code)
		logger.Debug("issued", "token", it, "ptr", &it)
		rec, err := store.GetToken(ctx, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		a.ConsumeCode(ctx, "sign-in", user, wrongCode(it.Code))
		rec2, _ := store.UserToken(ctx, user, "sign-in")
		records = append(records, fmt.Sprintf("%#v %#v", rec, rec2))
		if user == "u" {
			a.ConsumeToken(ctx, "verify-email", it.Token)
			if _, err := a.ConsumeToken(ctx, "sign-in", it.Token); err != nil {
				t.Fatal(err)
			}
		} else {
			if _, err := a.ConsumeCode(ctx, "sign-in", user, it.Code); err != nil {
				t.Fatal(err)
			}
		}
	}
	if !strings.Contains(logs.String(), "one-time token consumed") {
		t.Fatalf("no debug log captured:\n%s", logs.String())
	}
	for _, s := range secrets {
		if strings.Contains(logs.String(), s) {
			t.Errorf("log holds secret %q:\n%s", s, logs.String())
		}
		for _, r := range records {
			if strings.Contains(r, s) {
				t.Errorf("stored record holds secret %q: %s", s, r)
			}
		}
	}
	if strings.Contains(logs.String(), "@example.com") {
		t.Errorf("log holds an address (personal data):\n%s", logs.String())
	}
}

func TestDeleteExpiredSessionsSweepsTokensAndCounters(t *testing.T) {
	a, clock, store := newAuth(t, auth.Config{SweepBatch: 2})
	ctx := context.Background()
	var expiring []*auth.IssuedToken
	for i := range 5 {
		expiring = append(expiring, issue(t, a, auth.NewToken{Purpose: "sign-in", UserID: fmt.Sprint("u", i), TTL: time.Minute}))
	}
	kept := issue(t, a, auth.NewToken{Purpose: "sign-in", UserID: "long", TTL: time.Hour})
	for i := range 5 {
		if _, _, err := a.CountAttempt(ctx, fmt.Sprint("k", i), time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(time.Minute + time.Nanosecond)
	if _, _, err := a.CountAttempt(ctx, "fresh", time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := a.DeleteExpiredSessions(ctx); err != nil {
		t.Fatal(err)
	}
	for _, it := range expiring {
		if _, err := store.GetToken(ctx, it.ID); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("expired token of %s: %v, want swept", it.UserID, err)
		}
	}
	if _, err := store.GetToken(ctx, kept.ID); err != nil {
		t.Errorf("live token swept: %v", err)
	}
	if n, err := store.DeleteExpiredCounters(ctx, clock.Now(), 100); n != 0 || err != nil {
		t.Errorf("after the sweep, %d expired counters were left (%v)", n, err)
	}
	if n, _, _ := a.CountAttempt(ctx, "fresh", time.Minute); n != 2 {
		t.Errorf("live counter after the sweep counts %d, want 2", n)
	}
}
