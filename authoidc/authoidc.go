package authoidc

import (
	"context"
	"crypto/rand"
	"fmt"
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
	// RP-Initiated Logout 1.0 §2). An ID token larger than the Auth's
	// attribute limit (auth.Config.MaxSessionAttributesSize) is not kept.
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
	if cfg.ResolveUser == nil && !a.KeepsUsers() {
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
	// The prefix rules, matched in any case as browsers do (RFC 6265bis
	// §4.1.3), hold for the flow cookie as for the session cookie.
	if err := auth.CheckCookiePrefix(&http.Cookie{Name: cfg.FlowCookieName, Path: "/", Secure: !cfg.InsecureCookie}); err != nil {
		return nil, fmt.Errorf("%w: the flow cookie: %w", ErrConfig, err)
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
