package certifiedoidc_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"

	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/internal/certifiedoidc"
)

const (
	clientID     = "app"
	clientSecret = "app-secret"
	redirectURL  = "https://app.example/callback"
	logoutURL    = "https://app.example/signed-out"
)

// start is years from the real time, so that every check that passes
// shows the provider's clock follows the test's.
var start = time.Date(2031, time.June, 1, 9, 0, 0, 0, time.UTC)

var options = certifiedoidc.Options{
	Users: []certifiedoidc.User{
		{Subject: "alice", Claims: map[string]any{"email": "alice@example.com", "email_verified": true, "name": "Alice"}},
		{Subject: "eve", Claims: map[string]any{"email": "eve@example.com", "email_verified": false, "name": "Eve"}},
	},
	Clients: []certifiedoidc.Client{{
		ID: clientID, Secret: clientSecret,
		RedirectURIs: []string{redirectURL}, PostLogoutRedirectURIs: []string{logoutURL},
	}},
}

// rp is a relying party built on go-oidc and x/oauth2, talking to the
// provider on the test's clock.
type rp struct {
	p     *certifiedoidc.Provider
	clock *fakeauth.Clock
	ctx   context.Context
	op    *oidc.Provider
	conf  oauth2.Config
}

func newRP(t *testing.T) *rp {
	t.Helper()
	p := certifiedoidc.Start(t, options)
	clock := fakeauth.NewClock(start)
	client := &http.Client{Transport: p.Transport(nil, clock.Now), Timeout: 10 * time.Second}
	ctx := oidc.ClientContext(t.Context(), client)
	ctx = context.WithValue(ctx, oauth2.HTTPClient, client)
	op, err := oidc.NewProvider(ctx, p.Issuer())
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	if err := p.SetLogin("alice"); err != nil {
		t.Fatal(err)
	}
	return &rp{p: p, clock: clock, ctx: ctx, op: op, conf: oauth2.Config{
		ClientID: clientID, ClientSecret: clientSecret, RedirectURL: redirectURL,
		Endpoint: op.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "email", "profile"},
	}}
}

// flow is one authorization request and the callback it ended in.
type flow struct {
	state, nonce, verifier string
	callback               *url.URL
}

// authorize sends the browser to the authorization endpoint with PKCE S256
// and returns where the provider sent it back.
func (r *rp) authorize(t *testing.T, opts ...oauth2.AuthCodeOption) flow {
	t.Helper()
	f := flow{state: oauth2.GenerateVerifier(), nonce: oauth2.GenerateVerifier(), verifier: oauth2.GenerateVerifier()}
	opts = append([]oauth2.AuthCodeOption{oidc.Nonce(f.nonce), oauth2.S256ChallengeOption(f.verifier)}, opts...)
	cb, err := r.p.Authorize(r.ctx, r.conf.AuthCodeURL(f.state, opts...), r.clock.Now)
	if err != nil {
		t.Fatalf("Authorize: %v", err)
	}
	if got := cb.Scheme + "://" + cb.Host + cb.Path; got != redirectURL {
		t.Fatalf("the provider redirected to %s, want the redirect URL %s", cb, redirectURL)
	}
	f.callback = cb
	return f
}

// signIn completes the code flow and returns the tokens and the verified
// ID token.
func (r *rp) signIn(t *testing.T, opts ...oauth2.AuthCodeOption) (*oauth2.Token, *oidc.IDToken, string) {
	t.Helper()
	f := r.authorize(t, opts...)
	q := f.callback.Query()
	if q.Get("error") != "" {
		t.Fatalf("callback %s: error %s: %s", f.callback.Path, q.Get("error"), q.Get("error_description"))
	}
	if q.Get("state") != f.state {
		t.Fatalf("callback state %q, want %q", q.Get("state"), f.state)
	}
	return r.exchange(t, f)
}

// exchange redeems the code of f's callback and returns the tokens and
// the verified ID token, which must carry f's nonce.
func (r *rp) exchange(t *testing.T, f flow) (*oauth2.Token, *oidc.IDToken, string) {
	t.Helper()
	tok, err := r.conf.Exchange(r.ctx, f.callback.Query().Get("code"), oauth2.VerifierOption(f.verifier))
	if err != nil {
		t.Fatalf("code exchange: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := r.verifier().Verify(r.ctx, raw)
	if err != nil {
		t.Fatalf("ID token: %v", err)
	}
	if idt.Nonce != f.nonce {
		t.Fatalf("ID token nonce %q, want %q", idt.Nonce, f.nonce)
	}
	return tok, idt, raw
}

func (r *rp) verifier() *oidc.IDTokenVerifier {
	return r.op.Verifier(&oidc.Config{ClientID: clientID, Now: r.clock.Now, SupportedSigningAlgs: []string{oidc.RS256}})
}

// header returns the alg and kid of a signed JWT.
func header(t *testing.T, raw string) (alg, kid string) {
	t.Helper()
	jws, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256, jose.ES256})
	if err != nil {
		t.Fatalf("parsing %q: %v", raw, err)
	}
	h := jws.Signatures[0].Header
	return h.Algorithm, h.KeyID
}

func TestCodeFlowWithPKCE(t *testing.T) {
	t.Parallel()
	r := newRP(t)
	f := r.authorize(t)
	q := f.callback.Query()
	// RFC 9207 §2: the authorization response names the issuer.
	if got := q.Get("iss"); got != r.p.Issuer() {
		t.Errorf("callback iss = %q, want the issuer %q", got, r.p.Issuer())
	}
	tok, idt, raw := r.exchange(t, f)
	if alg, _ := header(t, raw); alg != "RS256" {
		t.Errorf("ID token alg = %s, want RS256", alg)
	}
	if idt.Subject != "alice" || idt.Nonce != f.nonce {
		t.Errorf("ID token sub %q nonce %q, want alice and %q", idt.Subject, idt.Nonce, f.nonce)
	}
	// OpenID Core §5.4: claims requested by scope are returned from
	// userinfo when an access token is issued, and oidc-provider's
	// conformIdTokenClaims keeps them out of the ID token.
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"email", "email_verified", "name"} {
		if _, ok := claims[name]; ok {
			t.Errorf("the ID token carries %s; want it only in userinfo: %v", name, claims)
		}
	}
	info, err := r.op.UserInfo(r.ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		t.Fatalf("userinfo: %v", err)
	}
	var all map[string]any
	if err := info.Claims(&all); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"sub": "alice", "email": "alice@example.com", "email_verified": true, "name": "Alice"}
	if diff := cmp.Diff(want, all); diff != "" {
		t.Errorf("userinfo (-want +got):\n%s", diff)
	}
	if tok.RefreshToken != "" {
		t.Errorf("a refresh token without offline_access; the provider's default issues none")
	}
}

func TestDiscovery(t *testing.T) {
	t.Parallel()
	r := newRP(t)
	var d struct {
		Algs       []string `json:"id_token_signing_alg_values_supported"`
		ISS        bool     `json:"authorization_response_iss_parameter_supported"`
		PKCE       []string `json:"code_challenge_methods_supported"`
		EndSession string   `json:"end_session_endpoint"`
		Revocation string   `json:"revocation_endpoint"`
	}
	if err := r.op.Claims(&d); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(d.Algs, "RS256") || !slices.Contains(d.Algs, "ES256") {
		t.Errorf("id_token_signing_alg_values_supported = %v, want RS256 and ES256", d.Algs)
	}
	if !d.ISS {
		t.Error("authorization_response_iss_parameter_supported is not true (RFC 9207 §3)")
	}
	if !slices.Equal(d.PKCE, []string{"S256"}) {
		t.Errorf("code_challenge_methods_supported = %v, want [S256]", d.PKCE)
	}
	if d.EndSession == "" || d.Revocation == "" {
		t.Errorf("end_session_endpoint %q, revocation_endpoint %q: want both", d.EndSession, d.Revocation)
	}
}

func TestPromptNoneWithoutSessionIsLoginRequired(t *testing.T) {
	t.Parallel()
	r := newRP(t)
	f := r.authorize(t, oauth2.SetAuthURLParam("prompt", "none"))
	q := f.callback.Query()
	if q.Get("error") != "login_required" || q.Get("state") != f.state || q.Get("code") != "" {
		t.Errorf("callback %v, want error=login_required with the state and no code (OpenID Core §3.1.2.6)", q)
	}
}

func TestDenyNext(t *testing.T) {
	t.Parallel()
	r := newRP(t)
	if err := r.p.DenyNext(); err != nil {
		t.Fatal(err)
	}
	f := r.authorize(t)
	q := f.callback.Query()
	if q.Get("error") != "access_denied" || q.Get("state") != f.state || q.Get("iss") != r.p.Issuer() || q.Get("code") != "" {
		t.Errorf("callback %v, want error=access_denied with state and iss and no code", q)
	}
	// One denial: the next sign-in is approved.
	if _, idt, _ := r.signIn(t); idt.Subject != "alice" {
		t.Errorf("after the denial: sub %q, want alice", idt.Subject)
	}
}

func TestSetLogin(t *testing.T) {
	t.Parallel()
	r := newRP(t)
	if err := r.p.SetLogin("eve"); err != nil {
		t.Fatal(err)
	}
	if _, idt, _ := r.signIn(t); idt.Subject != "eve" {
		t.Errorf("sub %q, want eve", idt.Subject)
	}
	if _, idt, _ := r.signIn(t, oauth2.SetAuthURLParam("login_hint", "alice")); idt.Subject != "alice" {
		t.Errorf("with login_hint=alice: sub %q, want alice", idt.Subject)
	}
	if err := r.p.SetLogin("mallory"); err == nil {
		t.Error("SetLogin of an unknown user: no error")
	}
	if err := r.p.SetLogin(""); err != nil {
		t.Fatal(err)
	}
	_, err := r.p.Authorize(r.ctx, r.conf.AuthCodeURL("state"), r.clock.Now)
	if !errors.Is(err, certifiedoidc.ErrStoppedAtPage) {
		t.Errorf("Authorize with no user set: %v, want ErrStoppedAtPage", err)
	}
}

func TestRotateKey(t *testing.T) {
	t.Parallel()
	r := newRP(t)
	tok, _, raw := r.signIn(t, offlineAccess...)
	_, first := header(t, raw)
	before := r.kids(t)
	if err := r.p.RotateKey(); err != nil {
		t.Fatal(err)
	}
	after := r.kids(t)
	if !slices.Contains(after, first) {
		t.Errorf("after a rotation the JWKS %v lacks the previous key %s", after, first)
	}
	_, _, raw2 := r.signIn(t)
	_, second := header(t, raw2)
	if second == first || slices.Contains(before, second) || !slices.Contains(after, second) {
		t.Errorf("after a rotation the ID token's kid is %s; want a new one, published (before %v, after %v)", second, before, after)
	}
	if _, err := r.verifier().Verify(r.ctx, raw); err != nil {
		t.Errorf("an ID token of the previous key no longer verifies: %v", err)
	}
	// The in-memory adapter is shared by the rebuilt provider: tokens
	// issued before the rotation still work.
	if _, err := r.op.UserInfo(r.ctx, oauth2.StaticTokenSource(tok)); err != nil {
		t.Errorf("userinfo with an access token from before the rotation: %v", err)
	}
	if tok.RefreshToken == "" {
		t.Fatal("no refresh token for offline_access with prompt=consent")
	}
	// x/oauth2 judges expiry by the system clock.
	expired := &oauth2.Token{RefreshToken: tok.RefreshToken, Expiry: time.Now().Add(-time.Hour)}
	if fresh, err := r.conf.TokenSource(r.ctx, expired).Token(); err != nil || fresh.AccessToken == "" {
		t.Errorf("a refresh token from before the rotation: %v", err)
	}
	if err := r.p.RotateKey(); err != nil {
		t.Fatal(err)
	}
	if last := r.kids(t); slices.Contains(last, first) || !slices.Contains(last, second) {
		t.Errorf("after two rotations the JWKS is %v; want %s (previous) and not %s (older)", last, second, first)
	}
}

// offlineAccess asks for a refresh token as the provider wants it asked:
// the offline_access scope with prompt=consent (OpenID Core §11).
var offlineAccess = []oauth2.AuthCodeOption{
	oauth2.SetAuthURLParam("scope", "openid email profile offline_access"),
	oauth2.SetAuthURLParam("prompt", "consent"),
}

// kids returns the key IDs the JWKS publishes.
func (r *rp) kids(t *testing.T) []string {
	t.Helper()
	var d struct {
		JWKS string `json:"jwks_uri"`
	}
	if err := r.op.Claims(&d); err != nil {
		t.Fatal(err)
	}
	resp, err := oauth2.NewClient(r.ctx, nil).Get(d.JWKS)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	var kids []string
	for _, k := range set.Keys {
		kids = append(kids, k.KeyID)
	}
	return kids
}

func TestTransportMovesProvidersClock(t *testing.T) {
	t.Parallel()
	r := newRP(t)
	for _, step := range []time.Duration{0, 365 * 24 * time.Hour} {
		r.clock.Advance(step)
		_, idt, _ := r.signIn(t)
		if d := idt.IssuedAt.Sub(r.clock.Now()); d < -2*time.Second || d > 2*time.Second {
			t.Errorf("ID token iat %v, want the test's clock %v", idt.IssuedAt, r.clock.Now())
		}
		if want := r.clock.Now().Add(time.Hour); idt.Expiry.Sub(want).Abs() > 2*time.Second {
			t.Errorf("ID token exp %v, want an hour after the test's clock: %v", idt.Expiry, want)
		}
	}
}

func TestReplayedCodeIsInvalidGrant(t *testing.T) {
	t.Parallel()
	r := newRP(t)
	f := r.authorize(t)
	code := f.callback.Query().Get("code")
	if _, err := r.conf.Exchange(r.ctx, code, oauth2.VerifierOption(f.verifier)); err != nil {
		t.Fatalf("first exchange: %v", err)
	}
	_, err := r.conf.Exchange(r.ctx, code, oauth2.VerifierOption(f.verifier))
	wantInvalidGrant(t, "replayed code", err)
}

// wantInvalidGrant checks that err is the token endpoint's answer to a
// code it must refuse: invalid_grant (RFC 6749 §5.2, for a code already
// used or expired: §4.1.2).
func wantInvalidGrant(t *testing.T, what string, err error) {
	t.Helper()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
		t.Errorf("%s: %v, want invalid_grant (RFC 6749 §5.2)", what, err)
	}
}

func TestExpiredCodeIsInvalidGrant(t *testing.T) {
	t.Parallel()
	r := newRP(t)
	f := r.authorize(t)
	r.clock.Advance(61 * time.Second) // codes live 60 seconds by default
	_, err := r.conf.Exchange(r.ctx, f.callback.Query().Get("code"), oauth2.VerifierOption(f.verifier))
	wantInvalidGrant(t, "a code 61s old", err)
}

func TestEndSessionWithIDTokenHint(t *testing.T) {
	t.Parallel()
	r := newRP(t)
	_, _, raw := r.signIn(t)
	var d struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := r.op.Claims(&d); err != nil {
		t.Fatal(err)
	}
	q := url.Values{"id_token_hint": {raw}, "post_logout_redirect_uri": {logoutURL}, "state": {"bye"}}
	got, err := r.endSession(d.EndSession + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if want := logoutURL + "?state=bye"; got != want {
		t.Errorf("end session redirected to %s, want %s", got, want)
	}
	// A hint that does not verify is refused, with no redirect.
	q.Set("id_token_hint", raw[:len(raw)-4]+"AAAA")
	if got, err := r.endSession(d.EndSession + "?" + q.Encode()); err == nil {
		t.Errorf("end session with a forged id_token_hint redirected to %s", got)
	}
}

var (
	formAction = regexp.MustCompile(`<form[^>]*action="([^"]+)"`)
	xsrfInput  = regexp.MustCompile(`name="xsrf" value="([^"]+)"`)
)

// endSession plays the browser at the end session endpoint: it GETs
// endURL, answers the provider's confirmation form with "Yes, sign me
// out", and returns where the provider redirects.
func (r *rp) endSession(endURL string) (string, error) {
	browser := &http.Client{
		Jar:           authtest.NewJar(authtest.WithClock(r.clock)),
		Transport:     r.p.Transport(nil, r.clock.Now),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := browser.Get(endURL)
	if err != nil {
		return "", err
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	action, xsrf := formAction.FindSubmatch(page), xsrfInput.FindSubmatch(page)
	if resp.StatusCode != http.StatusOK || action == nil || xsrf == nil {
		return "", errors.New("end session: no confirmation form: " + resp.Status + ": " + string(page))
	}
	target, err := resp.Request.URL.Parse(string(action[1]))
	if err != nil {
		return "", err
	}
	resp, err = browser.PostForm(target.String(), url.Values{"xsrf": {string(xsrf[1])}, "logout": {"yes"}})
	if err != nil {
		return "", err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 3 {
		return "", errors.New("end session confirmation: " + resp.Status + ": " + strings.TrimSpace(string(body)))
	}
	return resp.Header.Get("Location"), nil
}
