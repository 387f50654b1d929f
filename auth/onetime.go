package auth

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// This file holds every one-time token rule: the form of a link token and
// a code, the expiry, the purpose, the single use and the attempt limit of
// a code. Stores record (see [TokenStore]); none of them decides.

// Defaults of the one-time token settings of [Config].
const (
	// DefaultTokenTTL is [Config.TokenTTL] when it is zero: long enough to
	// open a mail, short enough that a link left in a mailbox soon stops
	// working (OWASP Forgot Password Cheat Sheet: tokens "should expire
	// after an appropriate period").
	DefaultTokenTTL = 15 * time.Minute

	// DefaultCodeDigits is [Config.CodeDigits] when it is zero.
	DefaultCodeDigits = 8

	// DefaultMaxCodeAttempts is [Config.MaxCodeAttempts] when it is zero:
	// with 8 digits, 5 guesses find a code with a chance of 1 in 20
	// million.
	DefaultMaxCodeAttempts = 5
)

// Limits on what [NewToken] takes.
const (
	// MinCodeDigits and MaxCodeDigits bound [Config.CodeDigits].
	MinCodeDigits = 6
	MaxCodeDigits = 8

	// MaxTokenPurpose is the longest [NewToken.Purpose], in bytes.
	MaxTokenPurpose = 64

	// MaxTokenAddress is the longest [NewToken.Address], in bytes.
	MaxTokenAddress = 512
)

// NewToken describes a one-time token for [Auth.IssueToken].
type NewToken struct {
	// Purpose says what the token is for: "verify-email",
	// "reset-password", "sign-in". Required: 1 to [MaxTokenPurpose]
	// bytes of printable ASCII, no spaces. A token is redeemed for its own
	// purpose only, and a new token replaces the user's older one of the
	// same purpose.
	Purpose string

	// UserID is the user the token is issued to; required. Any non-empty
	// ID: the store's, or the app's when it keeps its users.
	UserID string

	// Address is where the token is sent (an email address), returned
	// when it is redeemed, so that a verification confirms this address
	// and no other. At most [MaxTokenAddress] bytes; may be empty.
	Address string

	// TTL is how long the token lives; [Config.TokenTTL] when zero.
	TTL time.Duration

	// Code also issues a numeric code of [Config.CodeDigits] digits, to
	// type in instead of following the link ([Auth.ConsumeCode]). A code
	// is short, so it has an attempt limit: [Config.MaxCodeAttempts].
	Code bool
}

// OneTimeToken is a one-time token as redeemed: no secret in it, safe to
// log.
type OneTimeToken struct {
	// ID is the SHA-256 of the link token in hex: the record's ID, which
	// [Auth.RevokeToken] takes.
	ID      string
	Purpose string
	UserID  string
	// Address is where the token was sent, as given to [Auth.IssueToken].
	Address string
	// CreatedAt is when the token was issued; ExpiresAt the last instant
	// it is accepted.
	CreatedAt time.Time
	ExpiresAt time.Time
}

// IssuedToken is a one-time token just issued: the only place its secrets
// exist in clear. Send them and forget them: authkit keeps neither, so a
// lost token can't be sent again, only replaced by a new one. Its
// [IssuedToken.LogValue] leaves both out.
type IssuedToken struct {
	OneTimeToken
	// Token is the secret of the link: 32 characters of [a-z2-7], like a
	// session token.
	Token string
	// Code is the numeric code, [Config.CodeDigits] digits (leading zeros
	// included); "" unless [NewToken.Code] was set.
	Code string
}

// LogValue implements [slog.LogValuer]: an issued token logs as its ID,
// purpose, user ID and expiry, never its token, code or address.
func (t IssuedToken) LogValue() slog.Value { return t.OneTimeToken.LogValue() }

// LogValue implements [slog.LogValuer]: a token logs as its ID, purpose,
// user ID and expiry. The address, personal data, is left out.
func (t OneTimeToken) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("id", t.ID), slog.String("purpose", t.Purpose),
		slog.String("user_id", t.UserID), slog.Time("expires_at", t.ExpiresAt),
	)
}

func oneTimeToken(r TokenRecord) *OneTimeToken {
	return &OneTimeToken{
		ID: r.ID, Purpose: r.Purpose, UserID: r.UserID, Address: r.Address,
		CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt,
	}
}

// tokenAlive reports whether a token is alive at now: while now <=
// ExpiresAt, the end instant inclusive as for sessions. A record that names
// no user (damaged behind the store's back) is no one's token.
func tokenAlive(r TokenRecord, now time.Time) bool {
	return r.UserID != "" && !now.After(r.ExpiresAt)
}

// IssueToken issues a one-time token: a link token of 160 random bits
// (the form of a session token, [ValidToken]) and, with
// [NewToken.Code], a numeric code. The store keeps only the token's
// SHA-256 (the ID) and a hash of the code; the returned [IssuedToken] is
// the only place they exist in clear (OWASP Forgot Password Cheat Sheet:
// random, single-use, stored securely, expiring). The token replaces the
// user's older tokens of the same purpose, which stop working at once.
//
// It returns [ErrNoTokenStore] when the store keeps no tokens, an error
// for a malformed NewToken, and [ErrStore] for a store failure. When the
// token can't be sent, revoke it with [Auth.RevokeToken].
func (a *Auth) IssueToken(ctx context.Context, nt NewToken) (*IssuedToken, error) {
	if a.tokens == nil {
		return nil, fmt.Errorf("auth: issue token: %w", ErrNoTokenStore)
	}
	if err := checkNewToken(nt); err != nil {
		return nil, fmt.Errorf("auth: issue token: %w", err)
	}
	ttl := cmp.Or(nt.TTL, a.tokenTTL)
	now := a.clock.Now().Round(0)
	token := newToken()
	rec := TokenRecord{
		ID: SessionID(token), Purpose: nt.Purpose, UserID: nt.UserID, Address: nt.Address,
		CreatedAt: now, ExpiresAt: now.Add(ttl),
	}
	var code string
	if nt.Code {
		code = newCode(a.codeDigits)
		rec.CodeHash = codeHash(rec.ID, code)
	}
	if err := a.tokens.CreateToken(ctx, rec); err != nil {
		return nil, storeError("issue token", err)
	}
	t := &IssuedToken{OneTimeToken: *oneTimeToken(rec), Token: token, Code: code}
	a.logDebug(ctx, "one-time token issued", slog.String("token_id", rec.ID),
		slog.String("purpose", rec.Purpose), slog.String("user_id", rec.UserID), slog.Bool("code", nt.Code))
	return t, nil
}

func checkNewToken(nt NewToken) error {
	if nt.Purpose == "" || len(nt.Purpose) > MaxTokenPurpose {
		return fmt.Errorf("purpose must be 1 to %d bytes, got %d", MaxTokenPurpose, len(nt.Purpose))
	}
	for i := 0; i < len(nt.Purpose); i++ {
		if c := nt.Purpose[i]; c <= ' ' || c > '~' {
			return fmt.Errorf("purpose must be printable ASCII without spaces, got %q", nt.Purpose)
		}
	}
	if nt.UserID == "" {
		return errors.New("user ID is empty")
	}
	if len(nt.Address) > MaxTokenAddress {
		return fmt.Errorf("address must be at most %d bytes, got %d", MaxTokenAddress, len(nt.Address))
	}
	if nt.TTL < 0 {
		return fmt.Errorf("TTL must not be negative, got %v", nt.TTL)
	}
	return nil
}

// ConsumeToken redeems a link token for purpose: it returns the token's
// record and deletes it, so the token works once. Of any number of
// concurrent calls with one token, in one process or many, exactly one
// succeeds ([TokenStore.DeleteToken]).
//
// It returns an error wrapping [ErrInvalidToken] when the token is
// malformed (without reading the store), unknown, used, replaced,
// expired (the record is then deleted) or issued for another purpose. A
// token presented for the wrong purpose is kept: it still works for its
// own, so that no caller can burn another flow's token by misusing it. A
// store failure is [ErrStore], never ErrInvalidToken.
func (a *Auth) ConsumeToken(ctx context.Context, purpose, token string) (*OneTimeToken, error) {
	if a.tokens == nil {
		return nil, fmt.Errorf("auth: consume token: %w", ErrNoTokenStore)
	}
	if !ValidToken(token) {
		return nil, a.invalidToken(ctx, "", "malformed")
	}
	id := SessionID(token)
	rec, err := a.tokens.GetToken(ctx, id)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, a.invalidToken(ctx, id, "unknown")
	case err != nil:
		return nil, storeError("get token", err)
	}
	if rec.Purpose != purpose {
		return nil, a.invalidToken(ctx, id, "wrong purpose")
	}
	return a.redeem(ctx, rec)
}

// ConsumeCode redeems the numeric code sent to a user for purpose: it
// returns the token's record and deletes it, so the code (and the link
// sent with it) works once.
//
// A code is short, so it has an attempt limit (OWASP Authentication
// Cheat Sheet): each try of a well-formed code first reserves an attempt
// in the store ([TokenStore.AddTokenAttempt]), so that concurrent guesses
// can't compare more than [Config.MaxCodeAttempts] codes between them; the
// token is deleted once they are used up, after which even the right code
// is refused. The comparison takes constant time. A malformed code (not 6
// to 8 ASCII digits) can't match and is refused without reading the
// store or using an attempt.
//
// It returns an error wrapping [ErrInvalidToken] when the code is
// malformed or wrong, or the user has no live token of this purpose with a
// code; [ErrStore] for a store failure.
func (a *Auth) ConsumeCode(ctx context.Context, purpose, userID, code string) (*OneTimeToken, error) {
	if a.tokens == nil {
		return nil, fmt.Errorf("auth: consume code: %w", ErrNoTokenStore)
	}
	if !validCode(code) {
		return nil, a.invalidToken(ctx, "", "malformed code")
	}
	rec, err := a.tokens.UserToken(ctx, userID, purpose)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, a.invalidToken(ctx, "", "no token for code")
	case err != nil:
		return nil, storeError("get user token", err)
	}
	if !tokenAlive(rec, a.clock.Now()) {
		return nil, a.deleteInvalidToken(ctx, rec.ID, "expired")
	}
	if rec.CodeHash == "" {
		return nil, a.invalidToken(ctx, rec.ID, "no code issued")
	}
	n, err := a.tokens.AddTokenAttempt(ctx, rec.ID)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, a.invalidToken(ctx, rec.ID, "used meanwhile")
	case err != nil:
		return nil, storeError("count code attempt", err)
	}
	if n > a.maxCodeAttempts {
		return nil, a.deleteInvalidToken(ctx, rec.ID, "out of attempts")
	}
	if subtle.ConstantTimeCompare([]byte(codeHash(rec.ID, code)), []byte(rec.CodeHash)) == 1 {
		return a.redeem(ctx, rec)
	}
	if n == a.maxCodeAttempts {
		return nil, a.deleteInvalidToken(ctx, rec.ID, "wrong code, out of attempts")
	}
	return nil, a.invalidToken(ctx, rec.ID, "wrong code")
}

// redeem is the end of both ways to consume a token: refuse it when it has
// expired, else delete it, and succeed only if this call deleted it.
func (a *Auth) redeem(ctx context.Context, rec TokenRecord) (*OneTimeToken, error) {
	if !tokenAlive(rec, a.clock.Now()) {
		return nil, a.deleteInvalidToken(ctx, rec.ID, "expired")
	}
	ok, err := a.tokens.DeleteToken(ctx, rec.ID)
	if err != nil {
		return nil, storeError("delete consumed token", err)
	}
	if !ok {
		return nil, a.invalidToken(ctx, rec.ID, "used meanwhile")
	}
	a.logDebug(ctx, "one-time token consumed", slog.String("token_id", rec.ID),
		slog.String("purpose", rec.Purpose), slog.String("user_id", rec.UserID))
	return oneTimeToken(rec), nil
}

// invalidToken logs why a token was refused and returns the one error
// every refusal shares: callers learn nothing of the reason.
func (a *Auth) invalidToken(ctx context.Context, id, why string) error {
	a.logDebug(ctx, "one-time token refused", slog.String("token_id", id), slog.String("reason", why))
	return fmt.Errorf("auth: consume token: %w", ErrInvalidToken)
}

// deleteInvalidToken deletes a token found dead and returns invalidToken's
// error, or ErrStore when the delete fails.
func (a *Auth) deleteInvalidToken(ctx context.Context, id, why string) error {
	if _, err := a.tokens.DeleteToken(ctx, id); err != nil {
		return storeError("delete "+why+" token", err)
	}
	return a.invalidToken(ctx, id, why)
}

// RevokeToken deletes the token with the given ID ([OneTimeToken.ID]), for
// when it could not be sent or the flow was cancelled. Revoking a token
// that does not exist is not an error.
func (a *Auth) RevokeToken(ctx context.Context, id string) error {
	if a.tokens == nil {
		return fmt.Errorf("auth: revoke token: %w", ErrNoTokenStore)
	}
	if _, err := a.tokens.DeleteToken(ctx, id); err != nil {
		return storeError("revoke token", err)
	}
	a.logDebug(ctx, "one-time token revoked", slog.String("token_id", id))
	return nil
}

// newCode returns a code of n digits, each uniform on 0-9: bytes from
// crypto/rand of 250 or more are drawn again, so that taking a byte
// modulo 10 has no bias.
func newCode(n int) string {
	var b [MaxCodeDigits]byte
	code := make([]byte, 0, n)
	for len(code) < n {
		rand.Read(b[:]) // never returns an error; crashes the program if the OS can't give randomness
		for _, c := range b {
			if c < 250 && len(code) < n {
				code = append(code, '0'+c%10)
			}
		}
	}
	return string(code)
}

// validCode reports whether code has the form of a code: MinCodeDigits to
// MaxCodeDigits ASCII digits. Any length in the range, not only the
// configured one, so that codes issued before a change of
// [Config.CodeDigits] still work.
func validCode(code string) bool {
	if len(code) < MinCodeDigits || len(code) > MaxCodeDigits {
		return false
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return false
		}
	}
	return true
}

// codeHash is what a store keeps of a code: the SHA-256, in lowercase hex,
// of the token's ID, a colon and the code. The ID salts it, so one table
// of hashes does not serve every token.
func codeHash(id, code string) string {
	sum := sha256.Sum256([]byte(id + ":" + code))
	return hex.EncodeToString(sum[:])
}
