package fakeoidc

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

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
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request, _ *pendingFault) {
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
