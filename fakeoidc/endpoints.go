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

func (p *Provider) discovery(w http.ResponseWriter, _ *http.Request) {
	iss := p.Issuer()
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
		"id_token_signing_alg_values_supported": []string{string(jose.ES256)},
		"scopes_supported":                      []string{"openid", "email", "profile", "offline_access"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"code_challenge_methods_supported":      []string{"S256"},
		"claims_supported":                      []string{"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "sid", "email", "email_verified", "name"},
	})
}

func (p *Provider) jwks(w http.ResponseWriter, _ *http.Request) {
	p.mu.Lock()
	set := jose.JSONWebKeySet{}
	for _, k := range p.keys {
		set.Keys = append(set.Keys, k.jwk())
	}
	p.mu.Unlock()
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
	ar := authzRequest{client: c, redirectURI: q.Get("redirect_uri"), state: q.Get("state"), nonce: q.Get("nonce"), scope: q.Get("scope"), challenge: q.Get("code_challenge")}
	if !slices.Contains(c.RedirectURIs, ar.redirectURI) {
		http.Error(w, "fakeoidc: redirect_uri is not registered for this client", http.StatusBadRequest)
		return authzRequest{}, false
	}
	fail := func(code, desc string) (authzRequest, bool) {
		redirectError(w, r, ar.redirectURI, ar.state, code, desc)
		return authzRequest{}, false
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
	}
	return ar, true
}

// redirectError sends the browser back to the client with an OAuth error.
func redirectError(w http.ResponseWriter, r *http.Request, redirectURI, state, code, desc string) {
	v := url.Values{"error": {code}}
	if desc != "" {
		v.Set("error_description", desc)
	}
	if state != "" {
		v.Set("state", state)
	}
	http.Redirect(w, r, withQuery(redirectURI, v), http.StatusFound)
}

func withQuery(base string, v url.Values) string {
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + v.Encode()
}

var consentPage = template.Must(template.New("consent").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>fakeoidc: sign in</title>
<style>body{font-family:sans-serif;max-width:32em;margin:3em auto}button{margin:.3em;padding:.4em 1em}</style></head>
<body><h1>Fake OpenID provider</h1>
<p><b>{{.Client}}</b> asks to sign you in ({{.Scope}}). Sign in as:</p>
<form method="post" action="{{.Action}}" id="consent">
{{range $k, $v := .Params}}<input type="hidden" name="{{$k}}" value="{{$v}}">
{{end}}{{range .Users}}<button type="submit" name="login" value="{{.Subject}}" data-subject="{{.Subject}}">{{.Label}}</button>
{{end}}<button type="submit" name="deny" value="1" id="deny">Cancel</button>
</form></body></html>
`))

type consentUser struct{ Subject, Label string }

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
	p.mu.Lock()
	login := p.login
	if hint := r.Form.Get("login_hint"); hint != "" {
		if _, ok := p.users[hint]; ok {
			login = hint
		}
	}
	p.mu.Unlock()
	if r.Method == http.MethodPost {
		if r.PostForm.Get("deny") != "" {
			redirectError(w, r, ar.redirectURI, ar.state, "access_denied", "the user cancelled")
			return
		}
		login = r.PostForm.Get("login")
	}
	if login == "" {
		p.showConsent(w, ar, r.Form)
		return
	}
	p.mu.Lock()
	_, known := p.users[login]
	p.mu.Unlock()
	if !known {
		http.Error(w, "fakeoidc: unknown user", http.StatusBadRequest)
		return
	}
	code := randomString(24)
	now := p.clock.Now()
	p.mu.Lock()
	p.codes[code] = &grant{
		clientID: ar.client.ID, subject: login, scope: ar.scope, nonce: ar.nonce,
		redirectURI: ar.redirectURI, challenge: ar.challenge, sid: randomString(12),
		authTime: now, expires: now.Add(p.codeTTL),
	}
	p.mu.Unlock()
	v := url.Values{"code": {code}}
	if ar.state != "" {
		v.Set("state", ar.state)
	}
	http.Redirect(w, r, withQuery(ar.redirectURI, v), http.StatusFound)
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
		"Client": ar.client.ID, "Scope": ar.scope, "Action": p.URL(Authorize), "Params": params, "Users": users,
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
	idToken, err := p.signIDToken(c.ID, user, g, now, withNonce, f)
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

// signIDToken signs the ID token of a grant, spoiled as the fault says.
// p.mu is held.
func (p *Provider) signIDToken(aud string, u User, g *grant, now time.Time, withNonce bool, f *pendingFault) (string, error) {
	claims := map[string]any{}
	for k, v := range u.Claims {
		claims[k] = v
	}
	iat := now
	claims["iss"] = p.issuer
	claims["sub"] = u.Subject
	claims["aud"] = aud
	claims["auth_time"] = g.authTime.Unix()
	claims["sid"] = g.sid
	if withNonce && g.nonce != "" {
		claims["nonce"] = g.nonce
	}
	key := p.keys[len(p.keys)-1]
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
		case faultUnknownKey:
			k, err := newSigningKey()
			if err != nil {
				return "", err
			}
			key = k
		}
	}
	claims["iat"] = iat.Unix()
	claims["exp"] = iat.Add(p.tokenTTL).Unix()
	return sign(key, claims)
}

func sign(k *signingKey, claims map[string]any) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: k.priv, KeyID: k.id}}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", err
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}

func (p *Provider) userinfo(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	now := p.clock.Now()
	p.mu.Lock()
	g := p.access[token]
	var u User
	if ok && g != nil && now.Before(g.expires) && !p.ended[g.sid] {
		u, ok = p.users[g.subject]
	} else {
		ok = false
	}
	p.mu.Unlock()
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token"})
		return
	}
	claims := map[string]any{}
	for k, v := range u.Claims {
		claims[k] = v
	}
	claims["sub"] = u.Subject
	writeJSON(w, http.StatusOK, claims)
}

// endSession is RP-initiated logout: it ends the provider session the
// ID token hint belongs to, so that its access and refresh tokens stop
// working, then sends the browser to a registered post-logout URI.
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
	if clientID == "" {
		clientID = aud
	}
	p.mu.Lock()
	if sid != "" {
		p.ended[sid] = true
	}
	c, known := p.clients[clientID]
	p.mu.Unlock()
	target := r.Form.Get("post_logout_redirect_uri")
	if target != "" {
		if !known || !slices.Contains(c.PostLogoutRedirectURIs, target) {
			http.Error(w, "fakeoidc: post_logout_redirect_uri is not registered for this client", http.StatusBadRequest)
			return
		}
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

// verifyOwn checks that a JWT was signed by one of the provider's keys and
// returns its claims; expiry is not checked (an expired hint is fine).
func (p *Provider) verifyOwn(raw string) (map[string]any, bool) {
	jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		return nil, false
	}
	p.mu.Lock()
	keys := slices.Clone(p.keys)
	p.mu.Unlock()
	for _, k := range keys {
		if payload, err := jws.Verify(&k.priv.PublicKey); err == nil {
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
