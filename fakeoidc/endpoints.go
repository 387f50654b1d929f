package fakeoidc

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
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

// endpoint is one row of the provider's endpoint table: the endpoint, its
// path under the issuer, and the method that answers it, given the fault
// taken for the request (nil when none; only the token endpoint reads it).
type endpoint struct {
	name  Endpoint
	path  string
	serve func(p *Provider, w http.ResponseWriter, r *http.Request, f *pendingFault)
}

// endpoints is the provider's endpoint table, in the order of the package
// doc.
func endpoints() []endpoint {
	return []endpoint{
		{Discovery, "/.well-known/openid-configuration", (*Provider).discovery},
		{JWKS, "/jwks", (*Provider).jwks},
		{Authorize, "/authorize", (*Provider).authorize},
		{Token, "/token", (*Provider).token},
		{UserInfo, "/userinfo", (*Provider).userinfo},
		{EndSession, "/end_session", (*Provider).endSession},
		{Revoke, "/revoke", (*Provider).revoke},
	}
}

// Endpoints returns every endpoint, in the order of the package doc.
func Endpoints() []Endpoint {
	var eps []Endpoint
	for _, e := range endpoints() {
		eps = append(eps, e.name)
	}
	return eps
}

// endpointAt returns the row of the endpoint served at path under the
// issuer, and false when none is.
func endpointAt(path string) (endpoint, bool) {
	for _, e := range endpoints() {
		if e.path == path {
			return e, true
		}
	}
	return endpoint{}, false
}

// URL returns the endpoint's URL under the issuer.
func (p *Provider) URL(ep Endpoint) string {
	iss := p.Issuer()
	for _, e := range endpoints() {
		if e.name == ep {
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
func (p *Provider) discovery(w http.ResponseWriter, _ *http.Request, _ *pendingFault) {
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
func (p *Provider) jwks(w http.ResponseWriter, _ *http.Request, _ *pendingFault) {
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

// clientAuth admits a token or revocation request: a POST (RFC 6749
// §3.2, RFC 7009 §2.1) whose client authenticates with
// client_secret_basic or client_secret_post, never both (RFC 6749
// §2.3.1). When it refuses, it has written the error and returns false.
func (p *Provider) clientAuth(w http.ResponseWriter, r *http.Request) (Client, bool) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		oauthError(w, http.StatusMethodNotAllowed, "invalid_request", "use POST")
		return Client{}, false
	}
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
		return p.keys.unpublished(alg)
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
func (p *Provider) userinfo(w http.ResponseWriter, r *http.Request, _ *pendingFault) {
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
func (p *Provider) endSession(w http.ResponseWriter, r *http.Request, _ *pendingFault) {
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
func (p *Provider) revoke(w http.ResponseWriter, r *http.Request, _ *pendingFault) {
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
