package fakeoidc

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/authkit-dev/authkit/auth"
)

// ErrUnknownUser is returned for a subject no [User] was added with.
var ErrUnknownUser = errors.New("fakeoidc: unknown user")

// ErrBadFault is returned by [Provider.FailNext] for a fault that can't hit
// the endpoint it is aimed at (an ID token fault aimed at anything but
// [Token], a count below 1).
var ErrBadFault = errors.New("fakeoidc: fault does not fit the endpoint")

// ErrUnsupportedAlgorithm is returned for a signing algorithm that is not
// one of [SigningAlgorithms].
var ErrUnsupportedAlgorithm = errors.New("fakeoidc: unsupported signing algorithm")

// ErrBadIssuer is returned for an issuer that is not an absolute http or
// https URL without query or fragment.
var ErrBadIssuer = errors.New("fakeoidc: issuer must be an absolute http(s) URL")

// A User is a test user of the provider: its subject (the "sub" claim) and
// its claims, such as "email", "email_verified" and "name". A grant
// releases the claims of the scopes it was given (OpenID Connect Core 1.0
// section 5.4: "email" releases email and email_verified, "profile" name,
// given_name, family_name...) and every claim no scope names; the
// [ClaimsPlacement] says whether they are in the ID token or only in
// userinfo answers.
type User struct {
	Subject string
	Claims  map[string]any
}

// A Client is a relying party registered with the provider. Redirect URIs
// are compared exactly, as the specification requires.
type Client struct {
	ID     string
	Secret string
	// RedirectURIs are the callback URLs the authorization endpoint may
	// redirect to.
	RedirectURIs []string
	// PostLogoutRedirectURIs are where the end session endpoint may send
	// the browser after logout.
	PostLogoutRedirectURIs []string
	// SigningAlgorithm is the algorithm of the client's ID tokens, its
	// registration's id_token_signed_response_alg (OpenID Connect Dynamic
	// Client Registration 1.0 section 2): one of [SigningAlgorithms], or ""
	// for the provider's ([WithSigningAlgorithm]).
	SigningAlgorithm string
	// ClaimsPlacement says where the client's grants carry the user's
	// claims; [ClaimsDefault] is the provider's setting
	// ([WithClaimsPlacement]).
	ClaimsPlacement ClaimsPlacement
}

// An Option configures [New].
type Option func(*Provider)

// WithIssuer sets the issuer URL: the "iss" of every token and the base of
// every endpoint. See [Provider.SetIssuer] to set it once a listener's
// address is known.
func WithIssuer(issuer string) Option { return func(p *Provider) { p.pendingIssuer = issuer } }

// WithClock sets the clock every expiry reads; [auth.SystemClock]
// otherwise. A fakeauth.Fake's Clock makes one time machine for the app and
// the provider.
func WithClock(c auth.Clock) Option { return func(p *Provider) { p.clock = c } }

// WithUser adds a test user; see [Provider.AddUser].
func WithUser(u User) Option { return func(p *Provider) { p.pendingUsers = append(p.pendingUsers, u) } }

// WithClient registers a client; see [Provider.AddClient].
func WithClient(c Client) Option {
	return func(p *Provider) { p.pendingClients = append(p.pendingClients, c) }
}

// WithSigningAlgorithm sets the algorithm of the provider's ID tokens,
// for every client that does not name its own ([Client.SigningAlgorithm]):
// "RS256" when not set, as OpenID Connect Dynamic Client Registration 1.0
// section 2 makes it the default. [New] returns an error wrapping
// [ErrUnsupportedAlgorithm] for one that is not in [SigningAlgorithms].
func WithSigningAlgorithm(alg string) Option { return func(p *Provider) { p.alg = alg } }

// WithClaimsPlacement sets where the user's claims go for every client
// that does not choose ([Client.ClaimsPlacement]): [ClaimsInUserInfo]
// when not set, as certified providers do.
func WithClaimsPlacement(c ClaimsPlacement) Option { return func(p *Provider) { p.placement = c } }

// WithCodeLifetime sets how long an authorization code can be exchanged:
// a minute by default.
func WithCodeLifetime(d time.Duration) Option { return func(p *Provider) { p.codeTTL = d } }

// WithTokenLifetime sets how long ID tokens and access tokens last: an
// hour by default. Refresh tokens last until revoked or their provider
// session ends.
func WithTokenLifetime(d time.Duration) Option { return func(p *Provider) { p.tokenTTL = d } }

// A Provider is a fake OpenID provider. It is safe for concurrent use;
// each Provider has its own keys, users, clients, grants, faults and log.
type Provider struct {
	clock     auth.Clock
	codeTTL   time.Duration
	tokenTTL  time.Duration
	alg       string          // the default ID token algorithm
	placement ClaimsPlacement // the default claims placement, never ClaimsDefault
	keys      keyring

	pendingIssuer  string
	pendingUsers   []User
	pendingClients []Client

	mu        sync.Mutex
	issuer    string
	basePath  string
	users     map[string]User
	userOrder []string
	clients   map[string]Client
	login     string    // the provider session's user, "" for none
	authTime  time.Time // when the login's user last authenticated
	codes     map[string]*grant
	access    map[string]*grant
	refresh   map[string]*grant
	ended     map[string]bool // provider sessions ended at end_session
	faults    map[Endpoint][]*pendingFault
	calls     []Call
}

// grant is what a code, access token or refresh token stands for.
type grant struct {
	clientID    string
	subject     string
	scope       string
	nonce       string
	redirectURI string
	challenge   string
	sid         string
	authTime    time.Time
	expires     time.Time // of the code or token
	used        bool      // codes only
	issued      []string  // tokens issued from this code (revoked on replay)
}

// randomString returns n random bytes in unpadded base64url.
func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

// New returns a provider with the users and clients the options add, and
// the issuer of [WithIssuer] if given. It generates the signing key of
// each algorithm its clients use now (so that no token request waits for
// an RSA key); another algorithm's, when first needed.
func New(opts ...Option) (*Provider, error) {
	p := &Provider{
		clock:     auth.SystemClock{},
		codeTTL:   time.Minute,
		tokenTTL:  time.Hour,
		alg:       string(jose.RS256),
		placement: ClaimsInUserInfo,
		users:     map[string]User{},
		clients:   map[string]Client{},
		codes:     map[string]*grant{},
		access:    map[string]*grant{},
		refresh:   map[string]*grant{},
		ended:     map[string]bool{},
		faults:    map[Endpoint][]*pendingFault{},
	}
	for _, o := range opts {
		if o != nil {
			o(p)
		}
	}
	if p.clock == nil {
		p.clock = auth.SystemClock{}
	}
	if p.codeTTL <= 0 || p.tokenTTL <= 0 {
		return nil, errors.New("fakeoidc: code and token lifetimes must be positive")
	}
	if !supportedAlgorithm(p.alg) {
		return nil, fmt.Errorf("%w: %q (supported: %s)", ErrUnsupportedAlgorithm, p.alg, strings.Join(SigningAlgorithms(), ", "))
	}
	switch p.placement {
	case ClaimsDefault:
		p.placement = ClaimsInUserInfo
	case ClaimsInUserInfo, ClaimsInIDToken:
	default:
		return nil, fmt.Errorf("fakeoidc: unknown claims placement %v", p.placement)
	}
	if p.pendingIssuer != "" {
		if err := p.SetIssuer(p.pendingIssuer); err != nil {
			return nil, err
		}
	}
	for _, u := range p.pendingUsers {
		if err := p.AddUser(u); err != nil {
			return nil, err
		}
	}
	for _, c := range p.pendingClients {
		if err := p.AddClient(c); err != nil {
			return nil, err
		}
	}
	if _, err := p.keys.published(p.algorithmsInUse()); err != nil {
		return nil, err
	}
	return p, nil
}

// TB is the part of [testing.TB] that [NewServer] uses; *testing.T and
// *testing.B satisfy it. Taking it rather than testing.TB keeps package
// testing out of a binary that links fakeoidc (the playground).
type TB interface {
	Helper()
	Fatal(args ...any)
	Cleanup(func())
}

// NewServer starts a provider on an [httptest.Server] whose URL is its
// issuer, closed when the test ends. It fails tb on an error.
func NewServer(tb TB, opts ...Option) *Provider {
	tb.Helper()
	p, err := New(opts...)
	if err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(p)
	tb.Cleanup(srv.Close)
	if err := p.SetIssuer(srv.URL); err != nil {
		tb.Fatal(err)
	}
	return p
}

// SetIssuer sets the issuer URL. The provider answers requests whose path
// starts with the issuer's path, so that it can be mounted under a prefix.
func (p *Provider) SetIssuer(issuer string) error {
	u, err := url.Parse(issuer)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%w: %q", ErrBadIssuer, issuer)
	}
	issuer = strings.TrimSuffix(issuer, "/")
	p.mu.Lock()
	defer p.mu.Unlock()
	p.issuer = issuer
	p.basePath = strings.TrimSuffix(u.Path, "/")
	return nil
}

// Issuer returns the issuer URL, "" until one is set.
func (p *Provider) Issuer() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.issuer
}

// AddUser adds a test user, replacing one with the same subject.
func (p *Provider) AddUser(u User) error {
	if u.Subject == "" {
		return errors.New("fakeoidc: a user needs a subject")
	}
	claims := make(map[string]any, len(u.Claims))
	for k, v := range u.Claims {
		claims[k] = v
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.users[u.Subject]; !ok {
		p.userOrder = append(p.userOrder, u.Subject)
	}
	p.users[u.Subject] = User{Subject: u.Subject, Claims: claims}
	return nil
}

// Users returns the test users in the order they were added.
func (p *Provider) Users() []User {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]User, 0, len(p.userOrder))
	for _, s := range p.userOrder {
		out = append(out, p.users[s])
	}
	return out
}

// AddClient registers a client, replacing one with the same ID. It
// returns an error wrapping [ErrUnsupportedAlgorithm] for a
// SigningAlgorithm not in [SigningAlgorithms].
func (p *Provider) AddClient(c Client) error {
	if c.ID == "" || len(c.RedirectURIs) == 0 {
		return errors.New("fakeoidc: a client needs an ID and at least one redirect URI")
	}
	if c.SigningAlgorithm != "" && !supportedAlgorithm(c.SigningAlgorithm) {
		return fmt.Errorf("%w: client %q asks for %q", ErrUnsupportedAlgorithm, c.ID, c.SigningAlgorithm)
	}
	if !c.ClaimsPlacement.valid() {
		return fmt.Errorf("fakeoidc: client %q: unknown claims placement %v", c.ID, c.ClaimsPlacement)
	}
	c.RedirectURIs = slices.Clone(c.RedirectURIs)
	c.PostLogoutRedirectURIs = slices.Clone(c.PostLogoutRedirectURIs)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clients[c.ID] = c
	return nil
}

// SetLogin signs the user with this subject in at the provider, now on
// the provider's clock: the provider session. The authorization endpoint
// then approves every request as that user without a page, the way a test
// signs in; the session's authentication time is the ID tokens' auth_time
// until prompt=login or max_age makes the user authenticate again. An
// empty subject ends the provider session and brings the consent page
// back, where a person picks a user or cancels. A login_hint naming a
// user approves one request as that user either way.
func (p *Provider) SetLogin(subject string) error {
	now := p.clock.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.users[subject]; subject != "" && !ok {
		return fmt.Errorf("%w: %q", ErrUnknownUser, subject)
	}
	p.login, p.authTime = subject, now
	return nil
}

// algorithm returns the algorithm of the client's ID tokens.
func (p *Provider) algorithm(c Client) jose.SignatureAlgorithm {
	if c.SigningAlgorithm != "" {
		return jose.SignatureAlgorithm(c.SigningAlgorithm)
	}
	return jose.SignatureAlgorithm(p.alg)
}

// placementFor returns where the client's grants carry the user's claims.
func (p *Provider) placementFor(c Client) ClaimsPlacement {
	if c.ClaimsPlacement != ClaimsDefault {
		return c.ClaimsPlacement
	}
	return p.placement
}

// algorithmsInUse returns the provider's algorithm and those of its
// clients, each once.
func (p *Provider) algorithmsInUse() []jose.SignatureAlgorithm {
	p.mu.Lock()
	defer p.mu.Unlock()
	algs := []jose.SignatureAlgorithm{jose.SignatureAlgorithm(p.alg)}
	for _, c := range p.clients {
		if a := p.algorithm(c); !slices.Contains(algs, a) {
			algs = append(algs, a)
		}
	}
	return algs
}

// RotateKey makes a new key sign from now on, for every algorithm in use
// (the provider's and its clients'). The JWKS keeps publishing each
// algorithm's previous key, so tokens it signed still verify, and drops
// older ones.
func (p *Provider) RotateKey() error {
	return p.keys.rotate(p.algorithmsInUse())
}

// KeyIDs returns the IDs of the keys the JWKS publishes: for each
// algorithm in use, in the order of [SigningAlgorithms], its previous key
// (once rotated) and then its signing key. With one algorithm in use, as
// by default, that is the previous key and the signing one last. A key of
// an algorithm that is in use is generated here if it was not yet.
func (p *Provider) KeyIDs() []string {
	keys, err := p.keys.published(p.algorithmsInUse())
	if err != nil {
		return nil // key generation failed: crypto/rand is broken
	}
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = k.id
	}
	return ids
}

// Reset forgets every code, token and provider session, the faults and the
// call log. Users, clients, keys and the login stay.
func (p *Provider) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	clear(p.codes)
	clear(p.access)
	clear(p.refresh)
	clear(p.ended)
	clear(p.faults)
	p.calls = nil
}

// ServeHTTP serves the provider's endpoints under the issuer's path.
func (p *Provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	issuer, base := p.issuer, p.basePath
	p.mu.Unlock()
	rec := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	e, found := endpointAt(strings.TrimPrefix(r.URL.Path, base))
	if issuer == "" || !strings.HasPrefix(r.URL.Path, base) || !found {
		http.NotFound(rec, r)
		p.record(r, "", rec.status, "", r.URL.Query(), "")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	_ = r.ParseForm() // a malformed body leaves the form empty: the endpoint answers invalid_request
	clientID := r.Form.Get("client_id")
	if id, _, ok := r.BasicAuth(); ok {
		if dec, err := url.QueryUnescape(id); err == nil {
			clientID = dec
		}
	}
	f := p.takeFault(e.name)
	fname := ""
	if f != nil {
		fname = f.String()
	}
	defer func() { p.record(r, e.name, rec.status, fname, r.Form, clientID) }()
	if f != nil && f.serve(rec, r, e.name, p) {
		return
	}
	e.serve(p, rec, r, f)
}

// statusWriter remembers the status for the call log.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

// WriteHeader remembers the first status.
func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write marks the status as sent (200 unless WriteHeader said otherwise).
func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}
