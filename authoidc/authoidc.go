package authoidc

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authrequest"
)

// Config describes the app's registration at an OpenID provider and how
// sign-in behaves. Issuer, ClientID and RedirectURL are required.
type Config struct {
	// Issuer is the provider's issuer URL, such as
	// "https://accounts.google.com". Discovery reads
	// Issuer + "/.well-known/openid-configuration".
	Issuer string
	// ClientID and ClientSecret are the app's credentials at the provider.
	ClientID     string
	ClientSecret string
	// RedirectURL is the absolute URL of the route serving
	// [Client.Callback], registered at the provider.
	RedirectURL string
	// Scopes to ask for; "openid" is always added. "openid email profile"
	// when empty.
	Scopes []string

	// ProviderID is the provider ID of the keys sign-in finds and creates
	// ("oidc:" + Issuer when empty); the provider user ID is the ID
	// token's subject.
	ProviderID string

	// RequireVerifiedEmail refuses an ID token whose email_verified claim
	// is not true ([ErrEmailNotVerified]).
	RequireVerifiedEmail bool

	// MaxClockSkew is how far in the future an ID token's iat may be: two
	// minutes when zero.
	MaxClockSkew time.Duration

	// FlowLifetime is how long a started sign-in may take to come back to
	// the callback: ten minutes when zero.
	FlowLifetime time.Duration

	// FlowCookieName names the flow cookie: "__Host-authkit-oidc" when
	// empty (the browser then refuses it from a sibling subdomain), or
	// "authkit-oidc" with InsecureCookie.
	FlowCookieName string
	// InsecureCookie sends the flow cookie without the Secure attribute,
	// for a development server on plain HTTP (the playground). Never in
	// production.
	InsecureCookie bool
	// CookieKey seals the flow cookie (AES-256-GCM): 32 bytes, the same on
	// every server that may receive a callback. A random key per Client
	// when nil, which suits a single server.
	CookieKey []byte

	// HTTPClient makes the requests to the provider; a client with a
	// ten-second timeout when nil.
	HTTPClient *http.Client

	// AfterSignIn is where the browser goes after signing in when the
	// start request named no return_to: "/" when empty.
	AfterSignIn string

	// UserAttributes returns the attributes of a user created at first
	// sign-in; the email and name claims (when present) when nil. Not used
	// with ResolveUser.
	UserAttributes func(Claims) map[string]any

	// ResolveUser maps a verified identity to the app's user ID. It is
	// required when the Auth keeps no users (an app with its own users
	// table, on a sessions-only store such as memstore.NewSessions or
	// pgstore.NewSessions), and replaces authkit's keys when set. It is
	// called once every check has passed (state, iss, code, ID token,
	// userinfo, RequireVerifiedEmail), with Identity.LinkUserID set when a
	// signed-in user asked to link the identity (still signed in, checked
	// before the call): the resolver then records the identity for that
	// user and returns its ID, or returns an error wrapping
	// [ErrLinkConflict] when the identity belongs to another user. An
	// error wrapping one of this package's sentinels or [auth.ErrStore] is
	// answered as [StatusCode] says; any other is the app's fault: a 500,
	// logged at Error with its cause. An empty user ID is an error too.
	ResolveUser func(ctx context.Context, id Identity) (userID string, err error)

	// PostLogoutRedirectURL is where the provider sends the browser after
	// [Client.Logout] (it must be registered at the provider as a
	// post_logout_redirect_uri); without it the provider shows its own
	// page. It must be an absolute URL.
	PostLogoutRedirectURL string
	// KeepIDToken keeps the ID token with the session (a session
	// attribute, about a kilobyte read on every validation), so that
	// [Client.Logout] can send it as id_token_hint and the provider ends
	// its session without asking the user to confirm (OpenID Connect
	// RP-Initiated Logout 1.0 §2).
	KeepIDToken bool

	// OnError answers a failed sign-in; [DefaultErrorHandler] when nil. It
	// is called after the flow cookie is cleared and before anything else
	// is written; the session cookie is never touched on a failure.
	OnError func(w http.ResponseWriter, r *http.Request, err error)
}

// Claims is what sign-in read from a verified ID token, completed from
// the userinfo endpoint when the ID token lacks the claims of the scopes
// asked for (OpenID Connect Core 1.0 §5.4).
type Claims struct {
	Issuer        string
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
	// All holds every claim of the ID token, and the userinfo claims the
	// ID token lacks.
	All map[string]any
}

// Identity is a verified provider identity, as [Config.ResolveUser]
// receives it.
type Identity struct {
	// ProviderID and Claims.Subject are the identity's key:
	// [Client.ProviderID] and the ID token's subject.
	ProviderID string
	Claims
	// LinkUserID is the signed-in user's ID when the sign-in was started
	// to link an account, "" otherwise.
	LinkUserID string
}

// A Client is the app's "sign in with" an OpenID provider: [Client.Start]
// sends the browser to the provider, [Client.Callback] completes the
// sign-in. It is safe for concurrent use.
type Client struct {
	a      *auth.Auth
	cfg    Config
	oauth  oauth2.Config
	sealer *sealer
	http   *http.Client

	mu       sync.Mutex
	provider *oidc.Provider
	endpoint oauth2.Endpoint
	meta     providerMetadata
	// issuer is the discovery document's issuer; issRequired is its
	// authorization_response_iss_parameter_supported (RFC 9207 §3).
	issuer      string
	issRequired bool
	// verifier keeps the provider's key set between sign-ins; it fetches
	// the JWKS again when a token names a key it does not know.
	verifier *oidc.IDTokenVerifier

	mut   mutation // test-only breakage (export_test.go); zero in production
	codes codeCache
}

// New returns a Client for the Auth a signs users in to. It checks the
// configuration but does not contact the provider: discovery happens on
// the first sign-in (or [Client.Discover]) and is retried until it
// succeeds, so an app starts while its provider is down.
func New(a *auth.Auth, cfg Config) (*Client, error) {
	if a == nil {
		return nil, fmt.Errorf("%w: nil Auth", ErrConfig)
	}
	iss, err := url.Parse(cfg.Issuer)
	if err != nil || (iss.Scheme != "https" && iss.Scheme != "http") || iss.Host == "" {
		return nil, fmt.Errorf("%w: issuer %q is not an absolute http(s) URL", ErrConfig, cfg.Issuer)
	}
	if cfg.ClientID == "" {
		return nil, fmt.Errorf("%w: empty ClientID", ErrConfig)
	}
	if ru, err := url.Parse(cfg.RedirectURL); err != nil || !ru.IsAbs() {
		return nil, fmt.Errorf("%w: RedirectURL %q is not an absolute URL", ErrConfig, cfg.RedirectURL)
	}
	if cfg.ResolveUser == nil && a.Users() == nil {
		return nil, fmt.Errorf("%w: the Auth keeps no users (a sessions-only store): set Config.ResolveUser to map a provider identity to your user ID", ErrConfig)
	}
	if cfg.PostLogoutRedirectURL != "" {
		if u, err := url.Parse(cfg.PostLogoutRedirectURL); err != nil || !u.IsAbs() {
			return nil, fmt.Errorf("%w: PostLogoutRedirectURL %q is not an absolute URL", ErrConfig, cfg.PostLogoutRedirectURL)
		}
	}
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = []string{"email", "profile"}
	}
	scopes := []string{oidc.ScopeOpenID}
	for _, s := range cfg.Scopes {
		if s != oidc.ScopeOpenID {
			scopes = append(scopes, s)
		}
	}
	if cfg.ProviderID == "" {
		cfg.ProviderID = "oidc:" + strings.TrimSuffix(cfg.Issuer, "/")
	}
	if cfg.MaxClockSkew <= 0 {
		cfg.MaxClockSkew = 2 * time.Minute
	}
	if cfg.FlowLifetime <= 0 {
		cfg.FlowLifetime = 10 * time.Minute
	}
	if cfg.FlowCookieName == "" {
		cfg.FlowCookieName = "__Host-authkit-oidc"
		if cfg.InsecureCookie {
			cfg.FlowCookieName = "authkit-oidc"
		}
	}
	// RFC 6265bis §4.1.3: browsers match the cookie name prefixes
	// case-insensitively, so "__host-" binds as "__Host-" does.
	if hasPrefixFold(cfg.FlowCookieName, "__Host-") || hasPrefixFold(cfg.FlowCookieName, "__Secure-") {
		if cfg.InsecureCookie {
			return nil, fmt.Errorf("%w: a %s cookie must be Secure; name the flow cookie otherwise with InsecureCookie", ErrConfig, cfg.FlowCookieName)
		}
	}
	if p, ok := authrequest.SafeReturnPath(cfg.AfterSignIn); ok {
		cfg.AfterSignIn = p
	} else {
		cfg.AfterSignIn = "/"
	}
	key := cfg.CookieKey
	if key == nil {
		key = make([]byte, 32)
		_, _ = rand.Read(key) // never fails (crypto/rand)
	}
	s, err := newSealer(key)
	if err != nil {
		return nil, err
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	return &Client{
		a: a, cfg: cfg, sealer: s, http: hc,
		oauth: oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, RedirectURL: cfg.RedirectURL, Scopes: scopes},
	}, nil
}

// ProviderID returns the provider ID of the keys the Client finds and
// creates.
func (c *Client) ProviderID() string { return c.cfg.ProviderID }

// FlowCookieName returns the name of the flow cookie.
func (c *Client) FlowCookieName() string { return c.cfg.FlowCookieName }

// Discover reads the provider's discovery document if it has not been read
// yet. A failure wraps [ErrProviderUnavailable].
func (c *Client) Discover(ctx context.Context) error {
	_, err := c.discover(ctx)
	return err
}

func (c *Client) clientContext(ctx context.Context) context.Context {
	return context.WithValue(oidc.ClientContext(ctx, c.http), oauth2.HTTPClient, c.http)
}

func (c *Client) discover(ctx context.Context) (*oidc.Provider, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.provider != nil {
		return c.provider, nil
	}
	// The key set fetches with the context given here for the provider's
	// lifetime: a background one carrying the client, not the request's.
	p, err := oidc.NewProvider(oidc.ClientContext(context.WithoutCancel(ctx), c.http), c.cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("%w: discovery: %w", ErrProviderUnavailable, err)
	}
	var meta providerMetadata
	if err := p.Claims(&meta); err != nil {
		return nil, fmt.Errorf("%w: discovery: %w", ErrProviderUnavailable, err)
	}
	c.provider, c.endpoint, c.meta = p, endpointOf(p, meta), meta
	c.issuer, c.issRequired = meta.Issuer, meta.IssParameterSupported
	c.verifier = p.VerifierContext(c.clientContext(context.WithoutCancel(ctx)), &oidc.Config{
		ClientID:          c.cfg.ClientID,
		SkipClientIDCheck: c.mut.has(mutNoAudienceCheck),
		SkipExpiryCheck:   c.mut.has(mutNoExpiryCheck),
		Now:               c.a.Now,
	})
	return p, nil
}

// providerMetadata is what the Client reads from the provider's
// discovery document beyond go-oidc's endpoints (OpenID Connect Discovery
// 1.0 §3, RFC 9207 §3, RP-Initiated Logout 1.0 §3.1).
type providerMetadata struct {
	Issuer                string   `json:"issuer"`
	TokenAuthMethods      []string `json:"token_endpoint_auth_methods_supported"`
	UserInfoEndpoint      string   `json:"userinfo_endpoint"`
	EndSessionEndpoint    string   `json:"end_session_endpoint"`
	IssParameterSupported bool     `json:"authorization_response_iss_parameter_supported"`
}

// endpointOf is the provider's endpoint with the client authentication
// its discovery document names: client_secret_basic unless only
// client_secret_post is offered (the default per OpenID Connect
// Discovery). x/oauth2 would otherwise guess, and retry a failed token
// request the other way, which sends a code twice.
func endpointOf(p *oidc.Provider, meta providerMetadata) oauth2.Endpoint {
	ep := p.Endpoint()
	ep.AuthStyle = oauth2.AuthStyleInHeader
	if len(meta.TokenAuthMethods) > 0 && !slices.Contains(meta.TokenAuthMethods, "client_secret_basic") && slices.Contains(meta.TokenAuthMethods, "client_secret_post") {
		ep.AuthStyle = oauth2.AuthStyleInParams
	}
	return ep
}

func (c *Client) oauthConfig() oauth2.Config {
	c.mu.Lock()
	defer c.mu.Unlock()
	o := c.oauth
	o.Endpoint = c.endpoint
	return o
}

// Start begins a sign-in: it sets the flow cookie (state, nonce and PKCE
// verifier, sealed, for FlowLifetime) and redirects to the provider's
// authorization endpoint. Mount it on GET (a link or a button) and POST (a
// form); a POST must come from the app's own origin. Its parameters, in
// the query or a POSTed form:
//
//	return_to=/path  where to go after signing in: a path on this site, as
//	                 [authrequest.SafeReturnPath] accepts it (otherwise
//	                 Config.AfterSignIn)
//	link=1           link the provider identity to the signed-in user
//	                 instead of signing in: only on a same-origin POST
//	                 ([authrequest.ErrCrossOrigin] otherwise, so another
//	                 site cannot start linking its identity to the
//	                 victim's account), [ErrNotSignedIn] without a session
//
// A failure goes to the error handler and sets no cookie.
func (c *Client) Start(w http.ResponseWriter, r *http.Request) {
	if err := c.start(w, r); err != nil {
		c.fail(w, r, err)
	}
}

func (c *Client) start(w http.ResponseWriter, r *http.Request) error {
	ar := authrequest.FromContext(r.Context())
	safe := r.Method == http.MethodGet || r.Method == http.MethodHead
	if !safe {
		if err := ar.CheckOrigin(); err != nil {
			return err
		}
	}
	f := flow{
		State:    randomToken(),
		Nonce:    randomToken(),
		Verifier: oauth2.GenerateVerifier(),
		Expires:  c.a.Now().Add(c.cfg.FlowLifetime).Unix(),
		Return:   c.cfg.AfterSignIn,
	}
	// One rule for where a browser may be sent after signing in: the
	// same as the session middleware's next parameter.
	if rt, ok := authrequest.SafeReturnPath(r.FormValue("return_to")); ok {
		f.Return = rt
	}
	if r.FormValue("link") == "1" {
		// A top-level cross-site GET carries the Lax session cookie:
		// linking from one would add the attacker's identity to the
		// victim's account. Only a POST proves its origin.
		if safe {
			return fmt.Errorf("%w: linking an account must start from a POST of this site", authrequest.ErrCrossOrigin)
		}
		s, err := ar.Session()
		if err != nil {
			return err
		}
		if s == nil {
			return fmt.Errorf("%w: sign in before linking an account", ErrNotSignedIn)
		}
		f.LinkUserID = s.UserID
	}
	if _, err := c.discover(r.Context()); err != nil {
		return err
	}
	o := c.oauthConfig()
	value, err := c.sealer.seal(c.cfg.FlowCookieName, f)
	if err != nil {
		return err
	}
	http.SetCookie(w, c.flowCookie(value, int(c.cfg.FlowLifetime/time.Second)))
	w.Header().Set("Cache-Control", "no-store")
	status := http.StatusFound
	if !safe {
		status = http.StatusSeeOther // a POSTed start becomes a GET at the provider
	}
	http.Redirect(w, r, o.AuthCodeURL(f.State, oidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier)), status)
	return nil
}

// flowCookie is the flow cookie: HttpOnly, Secure (unless InsecureCookie),
// SameSite=Lax so that it comes back on the provider's top-level redirect,
// Path "/" and no Domain, as the __Host- prefix requires.
func (c *Client) flowCookie(value string, maxAge int) *http.Cookie {
	ck := &http.Cookie{Name: c.cfg.FlowCookieName, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true, Secure: !c.cfg.InsecureCookie, SameSite: http.SameSiteLaxMode}
	if maxAge < 0 {
		ck.Expires = time.Unix(1, 0)
	}
	return ck
}

// Callback completes a sign-in at the redirect URL. In order it clears the
// flow cookie (whatever happens next: a flow is single-use), opens the
// flow cookie, compares the state, takes an error the provider sent back,
// exchanges the code with the PKCE verifier, verifies the ID token through
// go-oidc (signature, issuer, audience, expiry) and checks its nonce and
// iat, requires a verified email if configured, finds or creates the user
// by the key (ProviderID, subject) or links the key to the signed-in user,
// and signs in with [authrequest.AuthRequest.SignIn], which invalidates any
// session the browser held. It must be mounted behind authrequest's
// Middleware.
//
// On success it redirects (303) to the flow's return path. Every failure
// goes to the error handler with an error wrapping one of this package's
// sentinels (or [auth.ErrStore]); no session is created and the session
// cookie is left as it was.
func (c *Client) Callback(w http.ResponseWriter, r *http.Request) {
	s, ret, err := c.callback(w, r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.a.Logger().InfoContext(r.Context(), "authoidc: signed in", slog.String("user_id", s.UserID), slog.String("provider", c.cfg.ProviderID))
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

// hasPrefixFold reports whether s begins with prefix, ignoring ASCII case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
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
	c.a.Logger().Log(r.Context(), level, "authoidc: sign-in failed", slog.String("path", r.URL.Path), slog.Int("status", status), slog.Any("error", err))
	if c.cfg.OnError != nil {
		c.cfg.OnError(w, r, err)
		return
	}
	DefaultErrorHandler(w, r, err)
}
