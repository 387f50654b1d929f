package fakeoidc

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Endpoint names one of the provider's endpoints, for faults and the call
// log.
type Endpoint string

// The provider's endpoints.
const (
	Discovery  Endpoint = "discovery"
	JWKS       Endpoint = "jwks"
	Authorize  Endpoint = "authorize"
	Token      Endpoint = "token"
	UserInfo   Endpoint = "userinfo"
	EndSession Endpoint = "end_session"
	Revoke     Endpoint = "revoke"
)

// Endpoints returns every endpoint, in the order of the package doc.
func Endpoints() []Endpoint {
	return []Endpoint{Discovery, JWKS, Authorize, Token, UserInfo, EndSession, Revoke}
}

// paths lists each endpoint's path under the issuer.
func paths() []struct {
	path string
	ep   Endpoint
} {
	return []struct {
		path string
		ep   Endpoint
	}{
		{"/.well-known/openid-configuration", Discovery},
		{"/jwks", JWKS},
		{"/authorize", Authorize},
		{"/token", Token},
		{"/userinfo", UserInfo},
		{"/end_session", EndSession},
		{"/revoke", Revoke},
	}
}

func endpointOf(path string) Endpoint {
	for _, p := range paths() {
		if p.path == path {
			return p.ep
		}
	}
	return ""
}

// URL returns the endpoint's URL under the issuer.
func (p *Provider) URL(ep Endpoint) string {
	iss := p.Issuer()
	for _, e := range paths() {
		if e.ep == ep {
			return iss + e.path
		}
	}
	return ""
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// oauthError answers as RFC 6749 section 5.2 says.
func oauthError(w http.ResponseWriter, status int, code, description string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="fakeoidc"`)
	}
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}

// discovery serves the provider metadata of OpenID Connect Discovery 1.0
// section 3. Every algorithm of [SigningAlgorithms] is listed, RS256
// first (section 3 requires it); authorization_response_iss_parameter_supported
// is RFC 9207 section 3.
func (p *Provider) discovery(w http.ResponseWriter, _ *http.Request) {
	iss := p.Issuer()
	claims := append([]string{"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "sid"}, standardClaims()...)
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                iss,
		"authorization_endpoint":                iss + "/authorize",
		"token_endpoint":                        iss + "/token",
		"userinfo_endpoint":                     iss + "/userinfo",
		"jwks_uri":                              iss + "/jwks",
		"end_session_endpoint":                  iss + "/end_session",
		"revocation_endpoint":                   iss + "/revoke",
		"response_types_supported":              []string{"code"},
		"grant_types_supported":                 []string{"authorization_code", "refresh_token"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": SigningAlgorithms(),
		"scopes_supported":                      []string{"openid", "profile", "email", "address", "phone", "offline_access"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"code_challenge_methods_supported":      []string{"S256"},
		"claims_supported":                      claims,
		"prompt_values_supported":               []string{"none", "login"},

		"authorization_response_iss_parameter_supported": true,
	})
}

// jwks publishes a key per algorithm in use, and each one's previous key
// after a rotation, with "alg" and "use" (RFC 7517 section 4).
func (p *Provider) jwks(w http.ResponseWriter, _ *http.Request) {
	keys, err := p.keys.published(p.algorithmsInUse())
	if err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", err.Error())
		return
	}
	set := jose.JSONWebKeySet{}
	for _, k := range keys {
		set.Keys = append(set.Keys, k.jwk())
	}
	writeJSON(w, http.StatusOK, set)
}

// authzRequest is a validated authorization request.
type authzRequest struct {
	client      Client
	redirectURI string
	state       string
	nonce       string
	scope       string
	challenge   string
	promptNone  bool // prompt=none: no page (OpenID Connect Core 1.0 section 3.1.2.1)
	promptLogin bool // prompt=login: authenticate again
	maxAge      int  // max_age in seconds, -1 when not sent
}

// parseAuthz checks an authorization request. Problems with the client or
// redirect URI are shown on a page (redirecting would make the provider
// an open redirector); the others go back to the client.
func (p *Provider) parseAuthz(w http.ResponseWriter, r *http.Request) (authzRequest, bool) {
	q := r.Form
	p.mu.Lock()
	c, ok := p.clients[q.Get("client_id")]
	p.mu.Unlock()
	if !ok {
		http.Error(w, "fakeoidc: unknown client_id", http.StatusBadRequest)
		return authzRequest{}, false
	}
	ar := authzRequest{client: c, redirectURI: q.Get("redirect_uri"), state: q.Get("state"), nonce: q.Get("nonce"), scope: q.Get("scope"), challenge: q.Get("code_challenge"), maxAge: -1}
	if !slices.Contains(c.RedirectURIs, ar.redirectURI) {
		http.Error(w, "fakeoidc: redirect_uri is not registered for this client", http.StatusBadRequest)
		return authzRequest{}, false
	}
	fail := func(code, desc string) (authzRequest, bool) {
		p.redirectError(w, r, ar.redirectURI, ar.state, code, desc)
		return authzRequest{}, false
	}
	prompt := strings.Fields(q.Get("prompt"))
	ar.promptNone, ar.promptLogin = slices.Contains(prompt, "none"), slices.Contains(prompt, "login")
	if s := q.Get("max_age"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return fail("invalid_request", "max_age must be a number of seconds")
		}
		ar.maxAge = n
	}
	switch {
	case q.Get("response_type") != "code":
		return fail("unsupported_response_type", "only the code flow is supported")
	case !slices.Contains(strings.Fields(ar.scope), "openid"):
		return fail("invalid_scope", "scope must include openid")
	case ar.challenge == "":
		return fail("invalid_request", "PKCE is required: send code_challenge")
	case q.Get("code_challenge_method") != "S256":
		return fail("invalid_request", "code_challenge_method must be S256")
	case ar.promptNone && len(prompt) > 1:
		// Core section 3.1.2.1: none with any other value is an error.
		return fail("invalid_request", "prompt=none cannot be combined with other values")
	}
	return ar, true
}

// redirectBack ends an authorization request: it sends the browser to the
// client's redirect URI with the response parameters, the state, and the
// issuer as "iss" (RFC 9207 section 2, for success and error responses
// alike, so that a client talking to several providers can tell which one
// answered).
func (p *Provider) redirectBack(w http.ResponseWriter, r *http.Request, redirectURI, state string, v url.Values) {
	if state != "" {
		v.Set("state", state)
	}
	v.Set("iss", p.Issuer())
	http.Redirect(w, r, withQuery(redirectURI, v), http.StatusFound)
}

// redirectError sends the browser back to the client with an OAuth error
// (RFC 6749 section 4.1.2.1).
func (p *Provider) redirectError(w http.ResponseWriter, r *http.Request, redirectURI, state, code, desc string) {
	v := url.Values{"error": {code}}
	if desc != "" {
		v.Set("error_description", desc)
	}
	p.redirectBack(w, r, redirectURI, state, v)
}

func withQuery(base string, v url.Values) string {
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + v.Encode()
}

// consentField is the hidden field only the consent page's form sends: it
// tells the page's answer apart from an authorization request sent by
// POST (OpenID Connect Core 1.0 section 3.1.2.1), which carries the same
// parameters.
const consentField = "fakeoidc_consent"

var consentPage = template.Must(template.New("consent").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>fakeoidc: sign in</title>
<style>body{font-family:sans-serif;max-width:32em;margin:3em auto}button{margin:.3em;padding:.4em 1em}</style></head>
<body><h1>Fake OpenID provider</h1>
<p><b>{{.Client}}</b> asks to sign you in ({{.Scope}}). Sign in as:</p>
<form method="post" action="{{.Action}}" id="consent">
<input type="hidden" name="{{.Field}}" value="1">
{{range $k, $v := .Params}}<input type="hidden" name="{{$k}}" value="{{$v}}">
{{end}}{{range .Users}}<button type="submit" name="login" value="{{.Subject}}" data-subject="{{.Subject}}">{{.Label}}</button>
{{end}}<button type="submit" name="deny" value="1" id="deny">Cancel</button>
</form></body></html>
`))

type consentUser struct{ Subject, Label string }

// authorize is the authorization endpoint. It serves GET and POST alike
// (OpenID Connect Core 1.0 section 3.1.2.1); a POST carrying the consent
// page's field is the page's answer instead.
//
// A request is approved as the provider session's user ([Provider.SetLogin])
// or as the user a login_hint names, else the consent page asks. prompt
// and max_age follow Core section 3.1.2.1: prompt=none never shows a page
// and answers error=login_required (section 3.1.2.6) when nobody is signed
// in or max_age would need a new authentication; prompt=login, and a
// max_age older than the session's authentication, make the user
// authenticate again, which moves the session's auth_time to now (and with
// nobody signed in, the page asks).
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	ar, ok := p.parseAuthz(w, r)
	if !ok {
		return
	}
	now := p.clock.Now()
	if r.Method == http.MethodPost && r.PostForm.Get(consentField) != "" {
		if r.PostForm.Get("deny") != "" {
			p.redirectError(w, r, ar.redirectURI, ar.state, "access_denied", "the user cancelled")
			return
		}
		// The person picked a user on the page: they authenticated now.
		p.approve(w, r, ar, r.PostForm.Get("login"), now)
		return
	}
	subject, authTime := p.session(r.Form.Get("login_hint"), now)
	reauth := ar.promptLogin || (ar.maxAge >= 0 && (ar.maxAge == 0 || int64(now.Sub(authTime)/time.Second) > int64(ar.maxAge)))
	switch {
	case ar.promptNone && subject == "":
		p.redirectError(w, r, ar.redirectURI, ar.state, "login_required", "nobody is signed in at the provider")
	case ar.promptNone && reauth:
		p.redirectError(w, r, ar.redirectURI, ar.state, "login_required", "max_age requires a new authentication")
	case subject == "":
		p.showConsent(w, ar, r.Form)
	case reauth:
		p.reauthenticate(subject, now)
		p.approve(w, r, ar, subject, now)
	default:
		p.approve(w, r, ar, subject, authTime)
	}
}

// session returns who an authorization request is approved as, and when
// they authenticated: a user named by login_hint (signing in now, unless
// they are the provider session's user) or the provider session's user.
func (p *Provider) session(hint string, now time.Time) (subject string, authTime time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, known := p.users[hint]; known && hint != p.login {
		return hint, now
	}
	return p.login, p.authTime
}

// reauthenticate records that the user typed their password again: the
// provider session's authentication time becomes now.
func (p *Provider) reauthenticate(subject string, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.login == subject {
		p.authTime = now
	}
}

// approve issues a code for the user and sends it back to the client.
func (p *Provider) approve(w http.ResponseWriter, r *http.Request, ar authzRequest, subject string, authTime time.Time) {
	now := p.clock.Now()
	code := randomString(24)
	p.mu.Lock()
	_, known := p.users[subject]
	if known {
		p.codes[code] = &grant{
			clientID: ar.client.ID, subject: subject, scope: ar.scope, nonce: ar.nonce,
			redirectURI: ar.redirectURI, challenge: ar.challenge, sid: randomString(12),
			authTime: authTime, expires: now.Add(p.codeTTL),
		}
	}
	p.mu.Unlock()
	if !known {
		http.Error(w, "fakeoidc: unknown user", http.StatusBadRequest)
		return
	}
	p.redirectBack(w, r, ar.redirectURI, ar.state, url.Values{"code": {code}})
}

func (p *Provider) showConsent(w http.ResponseWriter, ar authzRequest, form url.Values) {
	params := map[string]string{}
	for _, k := range []string{"client_id", "redirect_uri", "response_type", "scope", "state", "nonce", "code_challenge", "code_challenge_method"} {
		if v := form.Get(k); v != "" {
			params[k] = v
		}
	}
	var users []consentUser
	for _, u := range p.Users() {
		label := u.Subject
		if e, ok := u.Claims["email"].(string); ok && e != "" {
			label = e
		}
		if v, ok := u.Claims["email_verified"].(bool); ok && !v {
			label += " (email not verified)"
		}
		users = append(users, consentUser{Subject: u.Subject, Label: label})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = consentPage.Execute(w, map[string]any{
		"Client": ar.client.ID, "Scope": ar.scope, "Action": p.URL(Authorize), "Field": consentField, "Params": params, "Users": users,
	})
}

// clientAuth authenticates the client of a token or revocation request:
// client_secret_basic or client_secret_post, never both.
func (p *Provider) clientAuth(w http.ResponseWriter, r *http.Request) (Client, bool) {
	id, secret, basic := r.BasicAuth()
	if basic {
		var err1, err2 error
		id, err1 = url.QueryUnescape(id)
		secret, err2 = url.QueryUnescape(secret)
		if err1 != nil || err2 != nil || r.PostForm.Get("client_secret") != "" {
			oauthError(w, http.StatusBadRequest, "invalid_request", "use one client authentication method")
			return Client{}, false
		}
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	p.mu.Lock()
	c, ok := p.clients[id]
	p.mu.Unlock()
	if !ok || subtle.ConstantTimeCompare([]byte(secret), []byte(c.Secret)) != 1 {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return Client{}, false
	}
	return c, true
}

func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func (p *Provider) token(w http.ResponseWriter, r *http.Request, f *pendingFault) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		oauthError(w, http.StatusMethodNotAllowed, "invalid_request", "use POST")
		return
	}
	c, ok := p.clientAuth(w, r)
	if !ok {
		return
	}
	// The key is found (or generated) before p.mu is taken: generating an
	// RSA key is slow.
	key, err := p.idTokenKey(c, f)
	if err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", err.Error())
		return
	}
	now := p.clock.Now()
	form := r.PostForm
	p.mu.Lock()
	defer p.mu.Unlock()
	var g *grant
	withNonce := false
	switch form.Get("grant_type") {
	case "authorization_code":
		code := form.Get("code")
		g = p.codes[code]
		switch {
		case g == nil || g.clientID != c.ID:
			oauthError(w, http.StatusBadRequest, "invalid_grant", "unknown authorization code")
			return
		case g.used:
			// RFC 6749 section 4.1.2: a code used twice revokes what it gave.
			for _, t := range g.issued {
				delete(p.access, t)
				delete(p.refresh, t)
			}
			oauthError(w, http.StatusBadRequest, "invalid_grant", "authorization code already used")
			return
		case !now.Before(g.expires):
			oauthError(w, http.StatusBadRequest, "invalid_grant", "authorization code expired")
			return
		case form.Get("redirect_uri") != g.redirectURI:
			oauthError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri does not match the authorization request")
			return
		case form.Get("code_verifier") == "" || subtle.ConstantTimeCompare([]byte(s256(form.Get("code_verifier"))), []byte(g.challenge)) != 1:
			oauthError(w, http.StatusBadRequest, "invalid_grant", "PKCE verification failed")
			return
		}
		g.used = true
		withNonce = true
	case "refresh_token":
		rt := form.Get("refresh_token")
		g = p.refresh[rt]
		if g == nil || g.clientID != c.ID || p.ended[g.sid] {
			oauthError(w, http.StatusBadRequest, "invalid_grant", "unknown, revoked or ended refresh token")
			return
		}
		delete(p.refresh, rt) // refresh tokens rotate
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "use authorization_code or refresh_token")
		return
	}
	user, ok := p.users[g.subject]
	if !ok {
		oauthError(w, http.StatusBadRequest, "invalid_grant", "the user no longer exists")
		return
	}
	idToken, err := p.signIDToken(key, c, user, g, now, withNonce, f)
	if err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", err.Error())
		return
	}
	tok := *g
	tok.expires = now.Add(p.tokenTTL)
	access, refresh := randomString(24), randomString(24)
	p.access[access] = &tok
	rg := tok
	p.refresh[refresh] = &rg
	g.issued = append(g.issued, access, refresh)
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token":  access,
		"token_type":    "Bearer",
		"expires_in":    int(p.tokenTTL / time.Second),
		"refresh_token": refresh,
		"id_token":      idToken,
		"scope":         g.scope,
	})
}

// idTokenKey returns the key that signs the client's ID tokens: the
// signing key of its algorithm, or for an [UnknownSigningKey] fault a new
// key of that algorithm that the JWKS never publishes.
func (p *Provider) idTokenKey(c Client, f *pendingFault) (*signingKey, error) {
	alg := p.algorithm(c)
	if f != nil && f.kind == faultUnknownKey {
		return newSigningKey(alg)
	}
	return p.keys.signing(alg)
}

// signIDToken signs the ID token of a grant with key, spoiled as the
// fault says. The user's claims are in it only when the client's
// [ClaimsPlacement] is [ClaimsInIDToken], and then only those of the
// granted scopes (OpenID Connect Core 1.0 section 5.4). p.mu is held.
func (p *Provider) signIDToken(key *signingKey, c Client, u User, g *grant, now time.Time, withNonce bool, f *pendingFault) (string, error) {
	claims := map[string]any{}
	if p.placementFor(c) == ClaimsInIDToken {
		claims = grantedClaims(u, g.scope)
	}
	iat := now
	claims["iss"] = p.issuer
	claims["sub"] = u.Subject
	claims["aud"] = c.ID
	claims["auth_time"] = g.authTime.Unix()
	claims["sid"] = g.sid
	if withNonce && g.nonce != "" {
		claims["nonce"] = g.nonce
	}
	if f != nil {
		switch f.kind {
		case faultWrongAudience:
			claims["aud"] = "fakeoidc-another-client"
		case faultWrongIssuer:
			claims["iss"] = p.issuer + "/another-issuer"
		case faultNonceMismatch:
			claims["nonce"] = "fakeoidc-another-nonce"
		case faultExpiredIDToken:
			iat = now.Add(-p.tokenTTL - time.Minute)
		case faultIssuedInFuture:
			iat = now.Add(f.by)
		}
	}
	claims["iat"] = iat.Unix()
	claims["exp"] = iat.Add(p.tokenTTL).Unix()
	return key.sign(claims)
}

// userinfo answers the user's claims for an access token: "sub" and the
// claims of the granted scopes (OpenID Connect Core 1.0 sections 5.3.2
// and 5.4), whatever the claims placement. It serves GET and POST (Core
// section 5.3.1), with the token in the Authorization header (RFC 6750
// section 2.1) or, for a POST, in the form body (RFC 6750 section 2.2),
// never both (RFC 6750 section 2).
func (p *Provider) userinfo(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		oauthError(w, http.StatusMethodNotAllowed, "invalid_request", "use GET or POST")
		return
	}
	token, header := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if r.Method == http.MethodPost && r.PostForm.Has("access_token") {
		if header {
			bearerError(w, http.StatusBadRequest, "invalid_request")
			return
		}
		token = r.PostForm.Get("access_token")
	}
	now := p.clock.Now()
	p.mu.Lock()
	g := p.access[token]
	var u User
	ok := token != "" && g != nil && now.Before(g.expires) && !p.ended[g.sid]
	if ok {
		u, ok = p.users[g.subject]
	}
	p.mu.Unlock()
	if !ok {
		bearerError(w, http.StatusUnauthorized, "invalid_token")
		return
	}
	claims := grantedClaims(u, g.scope)
	claims["sub"] = u.Subject
	writeJSON(w, http.StatusOK, claims)
}

// bearerError answers a refused bearer token request (RFC 6750 section 3).
func bearerError(w http.ResponseWriter, status int, code string) {
	w.Header().Set("WWW-Authenticate", `Bearer error="`+code+`"`)
	writeJSON(w, status, map[string]string{"error": code})
}

// endSession is RP-initiated logout (OpenID Connect RP-Initiated Logout
// 1.0): it ends the provider session the ID token hint belongs to, so
// that its access and refresh tokens stop working, then sends the browser
// to a registered post-logout URI. Everything is checked before anything
// ends: a client_id that is not the hint's audience is refused (section
// 2: the OP MUST verify that they match), and so is a
// post_logout_redirect_uri not registered for the hint's client, or for
// client_id's without a hint (section 3).
func (p *Provider) endSession(w http.ResponseWriter, r *http.Request) {
	var sid, aud string
	if hint := r.Form.Get("id_token_hint"); hint != "" {
		claims, ok := p.verifyOwn(hint)
		if !ok {
			http.Error(w, "fakeoidc: id_token_hint is not an ID token of this provider", http.StatusBadRequest)
			return
		}
		sid, _ = claims["sid"].(string)
		aud, _ = claims["aud"].(string)
	}
	clientID := r.Form.Get("client_id")
	if clientID != "" && aud != "" && clientID != aud {
		http.Error(w, "fakeoidc: client_id is not the audience of id_token_hint", http.StatusBadRequest)
		return
	}
	if aud != "" {
		clientID = aud
	}
	p.mu.Lock()
	c, known := p.clients[clientID]
	p.mu.Unlock()
	target := r.Form.Get("post_logout_redirect_uri")
	if target != "" && (!known || !slices.Contains(c.PostLogoutRedirectURIs, target)) {
		http.Error(w, "fakeoidc: post_logout_redirect_uri is not registered for this client", http.StatusBadRequest)
		return
	}
	if sid != "" {
		p.mu.Lock()
		p.ended[sid] = true
		p.mu.Unlock()
	}
	if target != "" {
		v := url.Values{}
		if st := r.Form.Get("state"); st != "" {
			v.Set("state", st)
		}
		if len(v) > 0 {
			target = withQuery(target, v)
		}
		http.Redirect(w, r, target, http.StatusFound)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("fakeoidc: signed out\n"))
}

// verifyOwn checks that a JWT was signed by one of the keys the provider
// publishes, whatever its algorithm, and returns its claims; expiry is
// not checked (an expired hint is fine).
func (p *Provider) verifyOwn(raw string) (map[string]any, bool) {
	var algs []jose.SignatureAlgorithm
	for _, a := range SigningAlgorithms() {
		algs = append(algs, jose.SignatureAlgorithm(a))
	}
	jws, err := jose.ParseSignedCompact(raw, algs)
	if err != nil || len(jws.Signatures) != 1 {
		return nil, false
	}
	keys, err := p.keys.published(nil)
	if err != nil {
		return nil, false
	}
	for _, k := range keys {
		if string(k.alg) != jws.Signatures[0].Header.Algorithm {
			continue
		}
		if payload, err := jws.Verify(k.priv.Public()); err == nil {
			var claims map[string]any
			if json.Unmarshal(payload, &claims) == nil {
				return claims, true
			}
		}
	}
	return nil, false
}

// revoke is RFC 7009: revoking a refresh token also revokes the access
// tokens of its grant; an unknown token is not an error.
func (p *Provider) revoke(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		oauthError(w, http.StatusMethodNotAllowed, "invalid_request", "use POST")
		return
	}
	c, ok := p.clientAuth(w, r)
	if !ok {
		return
	}
	token := r.PostForm.Get("token")
	p.mu.Lock()
	if g := p.refresh[token]; g != nil && g.clientID == c.ID {
		delete(p.refresh, token)
		for t, ag := range p.access {
			if ag.sid == g.sid {
				delete(p.access, t)
			}
		}
	}
	if g := p.access[token]; g != nil && g.clientID == c.ID {
		delete(p.access, token)
	}
	p.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}
