package fakeoidc

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// A Call is one request the provider served, as the call log keeps it:
// without codes, tokens, secrets, PKCE verifiers, state or nonce.
type Call struct {
	// Time is the provider clock's time when the request ended.
	Time time.Time
	// Endpoint is the endpoint requested, "" for a path the provider does
	// not serve.
	Endpoint Endpoint
	Method   string
	// ClientID is the client the request named or authenticated as.
	ClientID string
	// Params lists the request's parameters, sorted, as "name=value" for
	// harmless ones (grant_type, scope, redirect_uri...) and "name" alone
	// for the others. An Authorization header shows as "Authorization".
	Params []string
	// Status is the response status.
	Status int
	// Fault names the fault that hit the request, "" for none.
	Fault string
}

// String returns the call on one line, such as
// "POST token client=app [code code_verifier grant_type=authorization_code redirect_uri=...] 200".
func (c Call) String() string {
	ep := string(c.Endpoint)
	if ep == "" {
		ep = "(unknown path)"
	}
	s := fmt.Sprintf("%s %s client=%s [%s] %d", c.Method, ep, c.ClientID, strings.Join(c.Params, " "), c.Status)
	if c.Fault != "" {
		s += " fault=" + c.Fault
	}
	return s
}

// shown reports whether the call log keeps the value of a parameter:
// none of these is a credential or a value an attacker could replay.
func shown(name string) bool {
	switch name {
	case "grant_type", "client_id", "redirect_uri", "scope", "response_type", "code_challenge_method",
		"prompt", "max_age", "login_hint", "post_logout_redirect_uri", "token_type_hint", "login", "deny", consentField:
		return true
	}
	return false
}

func (p *Provider) record(r *http.Request, ep Endpoint, status int, fault string, form url.Values, clientID string) {
	var params []string
	for k, vs := range form {
		if shown(k) && len(vs) > 0 {
			params = append(params, k+"="+vs[0])
		} else {
			params = append(params, k)
		}
	}
	if r.Header.Get("Authorization") != "" {
		params = append(params, "Authorization")
	}
	slices.Sort(params)
	c := Call{Time: p.clock.Now(), Endpoint: ep, Method: r.Method, ClientID: clientID, Params: params, Status: status, Fault: fault}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, c)
	if len(p.calls) > maxCalls {
		p.calls = slices.Delete(p.calls, 0, len(p.calls)-maxCalls)
	}
}

// maxCalls bounds the call log, which a long-running playground keeps.
const maxCalls = 1000

// Calls returns the call log, oldest first (the last 1000 requests).
func (p *Provider) Calls() []Call {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.calls)
}

// ClearCalls empties the call log.
func (p *Provider) ClearCalls() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = nil
}
