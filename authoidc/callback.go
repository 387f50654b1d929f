package authoidc

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authrequest"
)

// Callback completes a sign-in at the redirect URL. In order it clears the
// flow cookie (whatever happens next: a flow is single-use), opens the
// flow cookie, compares the state, checks the answer's iss (RFC 9207),
// takes an error the provider sent back, exchanges the code with the PKCE
// verifier, verifies the ID token through go-oidc (signature, issuer,
// audience, expiry) and checks its nonce and iat, reads userinfo for the
// claims the ID token lacks, requires a verified email if configured,
// finds the user (by the key (ProviderID, subject), creating it, or
// linking the key to the signed-in user; or through
// [Config.ResolveUser]), and signs in with
// [authrequest.AuthRequest.SignIn], which invalidates any session the
// browser held. It must be mounted behind authrequest's Middleware.
//
// On success it redirects (303) to the flow's return path. Every failure
// goes to the error handler with an error wrapping one of this package's
// sentinels (or [auth.ErrStore], or the resolver's own error); no session
// is created and the session cookie is left as it was.
func (c *Client) Callback(w http.ResponseWriter, r *http.Request) {
	s, ret, err := c.callback(w, r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.a.Config().Logger.InfoContext(r.Context(), "authoidc: signed in", slog.String("user_id", s.UserID), slog.String("provider", c.cfg.ProviderID))
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, ret, http.StatusSeeOther)
}

func (c *Client) callback(w http.ResponseWriter, r *http.Request) (*auth.Session, string, error) {
	ctx := r.Context()
	// Single use: the flow cookie goes whatever happens next.
	http.SetCookie(w, c.flowCookie("", -1))
	ck, err := r.Cookie(c.cfg.FlowCookieName)
	if err != nil || ck.Value == "" {
		return nil, "", fmt.Errorf("%w: the flow cookie is missing (sign-in started in another browser, took too long, or was already completed)", ErrNoFlow)
	}
	f, err := c.sealer.open(c.cfg.FlowCookieName, ck.Value)
	if err != nil {
		return nil, "", err
	}
	now := c.a.Now()
	if now.Unix() > f.Expires {
		return nil, "", fmt.Errorf("%w: the sign-in started more than %s ago", ErrBadFlow, c.cfg.FlowLifetime)
	}
	q := r.URL.Query()
	if !c.mut.has(mutNoStateCheck) && subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(f.State)) != 1 {
		return nil, "", fmt.Errorf("%w: the state parameter does not match the flow cookie", ErrStateMismatch)
	}
	if _, err := c.discover(ctx); err != nil {
		return nil, "", err
	}
	if err := c.checkIssuer(q); err != nil {
		return nil, "", err
	}
	if code := q.Get("error"); code != "" {
		return nil, "", &ProviderError{Code: code, Description: q.Get("error_description")}
	}
	code := q.Get("code")
	if code == "" {
		return nil, "", fmt.Errorf("%w: the callback carries no code", ErrExchange)
	}
	tok, err := c.exchange(ctx, code, f.Verifier)
	if err != nil {
		return nil, "", err
	}
	claims, rawIDToken, err := c.verify(ctx, tok, f.Nonce, now)
	if err != nil {
		return nil, "", err
	}
	if err := c.completeClaims(ctx, tok, &claims); err != nil {
		return nil, "", err
	}
	if c.cfg.RequireVerifiedEmail && !c.mut.has(mutNoEmailCheck) && !claims.EmailVerified {
		return nil, "", fmt.Errorf("%w: %q", ErrEmailNotVerified, claims.Email)
	}
	ar := authrequest.FromContext(ctx)
	userID, err := c.user(ctx, ar, claims, f.LinkUserID)
	if err != nil {
		return nil, "", err
	}
	var opts auth.SessionOptions
	if c.cfg.KeepIDToken {
		opts.Attributes = map[string]any{idTokenAttribute: rawIDToken}
	}
	s, err := c.signIn(ar, userID, opts)
	if errors.Is(err, auth.ErrAttributesTooLarge) {
		// An ID token over the Auth's attribute limit is not kept:
		// Logout then asks the provider without a hint. Nothing was
		// written when the session was refused.
		c.a.Config().Logger.WarnContext(ctx, "authoidc: the ID token is too large to keep with the session", slog.Int("bytes", len(rawIDToken)))
		s, err = c.signIn(ar, userID, auth.SessionOptions{})
	}
	if err != nil {
		return nil, "", err
	}
	return s, f.Return, nil
}

// checkIssuer is the mix-up defence of RFC 9207 §2.4: an iss parameter in
// the authorization response (success or error) must be the issuer the
// request was sent to, and a provider whose discovery document sets
// authorization_response_iss_parameter_supported must send one (RFC 9207
// §3).
func (c *Client) checkIssuer(q url.Values) error {
	if c.mut.has(mutNoIssCheck) {
		return nil
	}
	c.mu.Lock()
	issuer, required := c.issuer, c.issRequired
	c.mu.Unlock()
	switch {
	case q.Has("iss") && q.Get("iss") != issuer:
		return fmt.Errorf("%w: the authorization response names issuer %q, the request went to %q", ErrIssuerMismatch, q.Get("iss"), issuer)
	case !q.Has("iss") && required:
		return fmt.Errorf("%w: the provider advertises the iss parameter and the authorization response has none", ErrIssuerMismatch)
	}
	return nil
}

// exchange trades the code for tokens with the PKCE verifier.
func (c *Client) exchange(ctx context.Context, code, verifier string) (*oauth2.Token, error) {
	if tok, ok := c.codes.get(c.mut, code); ok {
		return tok, nil
	}
	o := c.oauthConfig()
	tok, err := o.Exchange(c.clientContext(ctx), code, oauth2.VerifierOption(verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		switch {
		case errors.As(err, &re) && re.Response != nil && re.Response.StatusCode >= 500:
			return nil, fmt.Errorf("%w: token endpoint answered %d", ErrProviderUnavailable, re.Response.StatusCode)
		case errors.As(err, &re):
			return nil, fmt.Errorf("%w: %w", ErrExchange, err)
		}
		return nil, fmt.Errorf("%w: token request: %w", ErrProviderUnavailable, err)
	}
	c.codes.put(c.mut, code, tok)
	return tok, nil
}

// verify checks the ID token of the token response.
func (c *Client) verify(ctx context.Context, tok *oauth2.Token, nonce string, now time.Time) (Claims, string, error) {
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return Claims{}, "", fmt.Errorf("%w: the token response has no id_token", ErrIDToken)
	}
	c.mu.Lock()
	v := c.verifier
	c.mu.Unlock()
	idt, err := v.Verify(ctx, raw)
	if err != nil && strings.Contains(err.Error(), "failed to verify signature") {
		// go-oidc publishes a key set fetch's result before it clears the
		// fetch, so a refresh asked for in between (a key rotated just
		// after a fetch) gets the previous keys, and a token of the new key
		// is refused once. Verifying again fetches again; a token of a key
		// the provider never published is still refused.
		idt, err = v.Verify(ctx, raw)
	}
	if err != nil {
		return Claims{}, "", fmt.Errorf("%w: %w", ErrIDToken, err)
	}
	if !c.mut.has(mutNoNonceCheck) && subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return Claims{}, "", fmt.Errorf("%w: the ID token's nonce is not the flow's", ErrNonceMismatch)
	}
	if idt.IssuedAt.IsZero() {
		return Claims{}, "", fmt.Errorf("%w: the ID token has no iat", ErrIDToken)
	}
	if !c.mut.has(mutNoIatCheck) && idt.IssuedAt.After(now.Add(c.cfg.MaxClockSkew)) {
		return Claims{}, "", fmt.Errorf("%w: the ID token was issued at %s, more than %s in the future", ErrIDToken, idt.IssuedAt.UTC().Format(time.RFC3339), c.cfg.MaxClockSkew)
	}
	cl := Claims{Issuer: idt.Issuer, Subject: idt.Subject}
	if err := idt.Claims(&cl.All); err != nil {
		return Claims{}, "", fmt.Errorf("%w: claims: %w", ErrIDToken, err)
	}
	// With several audiences, the token must have been issued to this
	// client (OpenID Connect Core 3.1.3.7, azp).
	if azp, _ := cl.All["azp"].(string); len(idt.Audience) > 1 && !c.mut.has(mutNoAudienceCheck) && azp != c.cfg.ClientID {
		return Claims{}, "", fmt.Errorf("%w: the ID token has several audiences and azp %q is not this client", ErrIDToken, azp)
	}
	if cl.Subject == "" {
		return Claims{}, "", fmt.Errorf("%w: the ID token has no subject", ErrIDToken)
	}
	cl.fill()
	return cl, raw, nil
}

// fill sets the named fields from All.
func (cl *Claims) fill() {
	cl.Email, _ = cl.All["email"].(string)
	cl.Name, _ = cl.All["name"].(string)
	switch v := cl.All["email_verified"].(type) {
	case bool:
		cl.EmailVerified = v
	case string: // some providers send "true"
		cl.EmailVerified = v == "true"
	}
}

// user finds or creates the user of the identity, or links it to the
// signed-in user linkTo.
func (c *Client) user(ctx context.Context, ar *authrequest.AuthRequest, cl Claims, linkTo string) (string, error) {
	pid := c.cfg.ProviderID
	if linkTo != "" {
		s, err := ar.Session()
		if err != nil {
			return "", err
		}
		if s == nil || s.UserID != linkTo {
			return "", fmt.Errorf("%w: the session that asked to link is gone", ErrNotSignedIn)
		}
	}
	if c.cfg.ResolveUser != nil {
		id, err := c.cfg.ResolveUser(ctx, Identity{ProviderID: pid, Claims: cl, LinkUserID: linkTo})
		switch {
		case err != nil:
			return "", fmt.Errorf("authoidc: ResolveUser: %w", err)
		case id == "":
			return "", errors.New("authoidc: ResolveUser returned an empty user ID")
		case linkTo != "" && id != linkTo:
			return "", fmt.Errorf("%w: ResolveUser returned user %q while linking to %q", ErrLinkConflict, id, linkTo)
		}
		return id, nil
	}
	key, err := c.a.GetKey(ctx, pid, cl.Subject)
	switch {
	case err == nil && linkTo != "" && key.UserID != linkTo:
		return "", fmt.Errorf("%w: %s:%s", ErrLinkConflict, pid, cl.Subject)
	case err == nil:
		return key.UserID, nil
	case !errors.Is(err, auth.ErrInvalidKey):
		return "", err
	}
	nk := auth.NewKey{ProviderID: pid, ProviderUserID: cl.Subject}
	if linkTo != "" {
		if _, err := c.a.CreateKey(ctx, linkTo, nk); err != nil {
			if errors.Is(err, auth.ErrDuplicateKey) {
				return "", fmt.Errorf("%w: %w", ErrLinkConflict, err)
			}
			return "", err
		}
		return linkTo, nil
	}
	attrs := defaultAttributes(cl)
	if c.cfg.UserAttributes != nil {
		attrs = c.cfg.UserAttributes(cl)
	}
	u, err := c.a.CreateUser(ctx, auth.NewUser{Attributes: attrs, Key: &nk})
	if errors.Is(err, auth.ErrDuplicateKey) {
		// Another callback of the same identity won the race: use its user.
		if key, err2 := c.a.GetKey(ctx, pid, cl.Subject); err2 == nil {
			return key.UserID, nil
		}
	}
	if err != nil {
		return "", err
	}
	return u.ID, nil
}

func defaultAttributes(cl Claims) map[string]any {
	m := map[string]any{}
	if cl.Email != "" {
		m["email"] = cl.Email
	}
	if cl.Name != "" {
		m["name"] = cl.Name
	}
	return m
}

// signIn starts the user's session, invalidating whatever session the
// browser held.
func (c *Client) signIn(ar *authrequest.AuthRequest, userID string, opts auth.SessionOptions) (*auth.Session, error) {
	if c.mut.has(mutKeepOldSession) {
		s, err := c.a.CreateSessionWith(ar.Request().Context(), userID, opts)
		if err != nil {
			return nil, err
		}
		return s, ar.SetSession(s)
	}
	return ar.SignInWith(userID, opts)
}

// fail logs a failed sign-in and answers it. A failure that is the
// app's, the store's or the provider's (a 5xx status) is logged at Error
// with its cause, the others (the browser's or the user's) at Warn.
func (c *Client) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := StatusCode(err)
	level := slog.LevelWarn
	if status >= 500 {
		level = slog.LevelError
	}
	c.a.Config().Logger.Log(r.Context(), level, "authoidc: sign-in failed", slog.String("path", r.URL.Path), slog.Int("status", status), slog.Any("error", err))
	if c.cfg.OnError != nil {
		c.cfg.OnError(w, r, err)
		return
	}
	DefaultErrorHandler(w, r, err)
}
