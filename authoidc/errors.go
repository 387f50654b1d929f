package authoidc

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"

	"github.com/authkit-dev/authkit/authrequest"
)

// The errors of a sign-in. Each failure wraps one of them (or
// [auth.ErrStore] for a store failure); [StatusCode] maps them to an HTTP
// status.
var (
	// ErrConfig reports a Config that [New] refuses.
	ErrConfig = errors.New("authoidc: invalid configuration")
	// ErrNoFlow: the callback came without the flow cookie (another
	// browser, a flow already completed, or cookies blocked).
	ErrNoFlow = errors.New("authoidc: no sign-in in progress")
	// ErrBadFlow: the flow cookie is forged, damaged or expired.
	ErrBadFlow = errors.New("authoidc: invalid sign-in flow")
	// ErrStateMismatch: the callback's state is not the flow's (a forged
	// callback, or one of another flow).
	ErrStateMismatch = errors.New("authoidc: state mismatch")
	// ErrDenied: the provider sent an error back instead of a code, such
	// as access_denied when the user cancels; see [ProviderError].
	ErrDenied = errors.New("authoidc: the provider did not authorize the sign-in")
	// ErrExchange: the token endpoint refused the code (used, expired,
	// PKCE mismatch, another client's).
	ErrExchange = errors.New("authoidc: the provider refused the authorization code")
	// ErrProviderUnavailable: the provider could not be reached, answered
	// 5xx, timed out or sent a malformed answer. Try again later.
	ErrProviderUnavailable = errors.New("authoidc: the provider is unavailable")
	// ErrIDToken: the ID token failed verification (signature, issuer,
	// audience, expiry, iat).
	ErrIDToken = errors.New("authoidc: invalid ID token")
	// ErrIssuerMismatch: the authorization response's iss parameter names
	// another issuer, or is missing although the provider advertises it
	// (RFC 9207 §2.4): a mix-up attack, or a misconfigured provider.
	ErrIssuerMismatch = errors.New("authoidc: issuer mismatch in the authorization response")
	// ErrUserInfo: the userinfo endpoint refused the access token, or
	// answered about another subject (OpenID Connect Core 1.0 §5.3.2).
	ErrUserInfo = errors.New("authoidc: unusable userinfo answer")
	// ErrNonceMismatch: the ID token's nonce is not the flow's (a replayed
	// or injected token).
	ErrNonceMismatch = errors.New("authoidc: nonce mismatch")
	// ErrEmailNotVerified: Config.RequireVerifiedEmail is set and the ID
	// token's email is not verified.
	ErrEmailNotVerified = errors.New("authoidc: email not verified")
	// ErrNotSignedIn: linking needs a signed-in user, and there is none
	// (or it changed during the flow).
	ErrNotSignedIn = errors.New("authoidc: not signed in")
	// ErrLinkConflict: the identity is already the key of another user.
	ErrLinkConflict = errors.New("authoidc: identity linked to another user")
)

// A ProviderError is an error the provider sent to the callback instead
// of a code. It wraps [ErrDenied].
type ProviderError struct {
	// Code is the OAuth error code, such as "access_denied".
	Code string
	// Description is the provider's error_description, if any.
	Description string
}

// Error returns the code and description.
func (e *ProviderError) Error() string {
	if e.Description == "" {
		return fmt.Sprintf("authoidc: the provider answered %s", e.Code)
	}
	return fmt.Sprintf("authoidc: the provider answered %s: %s", e.Code, e.Description)
}

// Unwrap returns [ErrDenied].
func (e *ProviderError) Unwrap() error { return ErrDenied }

// StatusCode returns the HTTP status that answers a sign-in error:
//
//	400 ErrNoFlow, ErrBadFlow, ErrStateMismatch, ErrIssuerMismatch, ErrExchange
//	401 ErrIDToken, ErrNonceMismatch, ErrNotSignedIn
//	403 ErrDenied, ErrEmailNotVerified
//	409 ErrLinkConflict
//	502 ErrProviderUnavailable (504 when it timed out), ErrUserInfo
//
// and for any other error what [authrequest.StatusCode] says (503 for
// auth.ErrStore, 403 for authrequest.ErrCrossOrigin, 500 for an error it
// does not know).
func StatusCode(err error) int {
	switch {
	case errors.Is(err, ErrNoFlow), errors.Is(err, ErrBadFlow), errors.Is(err, ErrStateMismatch), errors.Is(err, ErrIssuerMismatch), errors.Is(err, ErrExchange):
		return http.StatusBadRequest
	case errors.Is(err, ErrIDToken), errors.Is(err, ErrNonceMismatch), errors.Is(err, ErrNotSignedIn):
		return http.StatusUnauthorized
	case errors.Is(err, ErrDenied), errors.Is(err, ErrEmailNotVerified):
		return http.StatusForbidden
	case errors.Is(err, ErrLinkConflict):
		return http.StatusConflict
	case errors.Is(err, ErrProviderUnavailable) && isTimeout(err):
		return http.StatusGatewayTimeout
	case errors.Is(err, ErrProviderUnavailable), errors.Is(err, ErrUserInfo):
		return http.StatusBadGateway
	}
	return authrequest.StatusCode(err)
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &t) && t.Timeout()
}

// Message returns the sentence a person is shown for a sign-in error. It
// never includes the error's details, which may name hosts or claims.
func Message(err error) string {
	switch {
	case errors.Is(err, ErrDenied):
		return "Sign-in was cancelled at the provider."
	case errors.Is(err, ErrEmailNotVerified):
		return "Your email address is not verified at the provider; verify it there and try again."
	case errors.Is(err, ErrLinkConflict):
		return "That account is already linked to another user."
	case errors.Is(err, ErrNotSignedIn):
		return "Sign in first to link an account."
	case errors.Is(err, ErrProviderUnavailable), errors.Is(err, ErrUserInfo):
		return "The provider is not answering; try again in a moment."
	case StatusCode(err) == http.StatusServiceUnavailable: // the store failed
		return "Sign-in is unavailable right now; try again in a moment."
	case StatusCode(err) < 500:
		return "The sign-in could not be completed; please start again."
	}
	return "Something went wrong; please try again."
}

var errorPage = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign-in failed</title></head>
<body><h1>Sign-in failed</h1><p id="authoidc-error">{{.}}</p><p><a href="/">Back</a></p></body></html>
`))

// DefaultErrorHandler answers a failed sign-in with a small HTML page of
// [StatusCode] and [Message]; the error's details go to the Auth's log
// only.
func DefaultErrorHandler(w http.ResponseWriter, _ *http.Request, err error) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(StatusCode(err))
	_ = errorPage.Execute(w, Message(err))
}
