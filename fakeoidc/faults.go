package fakeoidc

import (
	"fmt"
	"net/http"
	"time"
)

type faultKind int

const (
	faultOAuthError faultKind = iota + 1
	faultServerError
	faultDelay
	faultMalformedBody
	faultUnknownKey
	faultWrongAudience
	faultWrongIssuer
	faultNonceMismatch
	faultExpiredIDToken
	faultIssuedInFuture
)

// A Fault is a misbehaviour of the provider, aimed at one endpoint with
// [Provider.FailNext]. Build one with [OAuthError], [ServerError],
// [Delay], [MalformedBody], or, for the token endpoint only, with
// [UnknownSigningKey], [WrongAudience], [WrongIssuer], [NonceMismatch],
// [ExpiredIDToken] or [IssuedInFuture].
type Fault struct {
	kind   faultKind
	code   string
	status int
	by     time.Duration
}

// OAuthError answers with an OAuth error code: at the authorization
// endpoint by redirecting to the client with error=code (as
// "access_denied" when the user cancels), elsewhere as a JSON error body
// with status 400 (401 for "invalid_client" and "invalid_token").
func OAuthError(code string) Fault { return Fault{kind: faultOAuthError, code: code} }

// ServerError answers with the status (500 if it is not a 5xx) and a
// plain-text body.
func ServerError(status int) Fault {
	if status < 500 || status > 599 {
		status = http.StatusInternalServerError
	}
	return Fault{kind: faultServerError, status: status}
}

// Delay waits d before answering normally. The wait is real time but ends
// as soon as the client gives up (the request's context is done), so
// Delay(time.Hour) costs a test only its client's timeout.
func Delay(d time.Duration) Fault { return Fault{kind: faultDelay, by: d} }

// MalformedBody answers 200 with a body that is not JSON.
func MalformedBody() Fault { return Fault{kind: faultMalformedBody} }

// UnknownSigningKey signs the ID token with a key of the client's
// algorithm that the JWKS does not publish.
func UnknownSigningKey() Fault { return Fault{kind: faultUnknownKey} }

// WrongAudience issues the ID token to another client.
func WrongAudience() Fault { return Fault{kind: faultWrongAudience} }

// WrongIssuer issues the ID token with another "iss".
func WrongIssuer() Fault { return Fault{kind: faultWrongIssuer} }

// NonceMismatch puts a nonce in the ID token that the client never sent.
func NonceMismatch() Fault { return Fault{kind: faultNonceMismatch} }

// ExpiredIDToken issues an ID token that expired a minute ago.
func ExpiredIDToken() Fault { return Fault{kind: faultExpiredIDToken} }

// IssuedInFuture issues an ID token whose "iat" is d from now.
func IssuedInFuture(d time.Duration) Fault { return Fault{kind: faultIssuedInFuture, by: d} }

// String names the fault, such as "oauth-error:access_denied" or
// "server-error:503".
func (f Fault) String() string {
	switch f.kind {
	case faultOAuthError:
		return "oauth-error:" + f.code
	case faultServerError:
		return fmt.Sprintf("server-error:%d", f.status)
	case faultDelay:
		return "delay:" + f.by.String()
	case faultMalformedBody:
		return "malformed-body"
	case faultUnknownKey:
		return "unknown-signing-key"
	case faultWrongAudience:
		return "wrong-audience"
	case faultWrongIssuer:
		return "wrong-issuer"
	case faultNonceMismatch:
		return "nonce-mismatch"
	case faultExpiredIDToken:
		return "expired-id-token"
	case faultIssuedInFuture:
		return "issued-in-future:" + f.by.String()
	}
	return "no-fault"
}

// spoilsIDToken reports whether the fault changes the ID token rather than
// the answer.
func (f Fault) spoilsIDToken() bool { return f.kind >= faultUnknownKey }

type pendingFault struct {
	Fault
	left int
}

// A PendingFault is a fault waiting for requests to its endpoint.
type PendingFault struct {
	Endpoint Endpoint
	Fault    Fault
	// Left is how many more requests it hits.
	Left int
}

// FailNext makes the next n requests to the endpoint misbehave as f says.
// Faults aimed at one endpoint queue up in order and never hit another
// endpoint. It returns an error wrapping [ErrBadFault] for n below 1, an
// unknown endpoint, an ID token fault aimed at anything but [Token], or a
// zero Fault.
func (p *Provider) FailNext(ep Endpoint, n int, f Fault) error {
	known := false
	for _, e := range Endpoints() {
		known = known || e == ep
	}
	switch {
	case !known:
		return fmt.Errorf("%w: unknown endpoint %q", ErrBadFault, ep)
	case n < 1:
		return fmt.Errorf("%w: count %d is below 1", ErrBadFault, n)
	case f.kind == 0:
		return fmt.Errorf("%w: the zero Fault", ErrBadFault)
	case f.spoilsIDToken() && ep != Token:
		return fmt.Errorf("%w: %s spoils an ID token, which only %q issues", ErrBadFault, f, Token)
	}
	if f.kind == faultUnknownKey {
		// Generate the stray keys now, not while a client waits for its
		// token (an RSA key can take longer than the client's timeout
		// under the race detector).
		for _, alg := range p.algorithmsInUse() {
			if _, err := p.keys.unpublished(alg); err != nil {
				return err
			}
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults[ep] = append(p.faults[ep], &pendingFault{Fault: f, left: n})
	return nil
}

// ClearFaults drops every pending fault.
func (p *Provider) ClearFaults() {
	p.mu.Lock()
	defer p.mu.Unlock()
	clear(p.faults)
}

// PendingFaults returns the faults still waiting, endpoint by endpoint in
// the order of [Endpoints].
func (p *Provider) PendingFaults() []PendingFault {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []PendingFault
	for _, ep := range Endpoints() {
		for _, f := range p.faults[ep] {
			out = append(out, PendingFault{Endpoint: ep, Fault: f.Fault, Left: f.left})
		}
	}
	return out
}

// takeFault returns the fault that hits this request, if any.
func (p *Provider) takeFault(ep Endpoint) *pendingFault {
	p.mu.Lock()
	defer p.mu.Unlock()
	q := p.faults[ep]
	if len(q) == 0 {
		return nil
	}
	f := q[0]
	f.left--
	if f.left <= 0 {
		p.faults[ep] = q[1:]
	}
	return f
}

// serve answers the request as the fault says and reports whether it did;
// a delay, and a fault that spoils the ID token, leave the answer to the
// endpoint.
func (f *pendingFault) serve(w http.ResponseWriter, r *http.Request, ep Endpoint, p *Provider) bool {
	switch f.kind {
	case faultOAuthError:
		if ep == Authorize {
			ar, ok := p.parseAuthz(w, r)
			if ok {
				p.redirectError(w, r, ar.redirectURI, ar.state, f.code, "fault injected by fakeoidc")
			}
			return true
		}
		status := http.StatusBadRequest
		if f.code == "invalid_client" || f.code == "invalid_token" {
			status = http.StatusUnauthorized
		}
		oauthError(w, status, f.code, "fault injected by fakeoidc")
		return true
	case faultServerError:
		http.Error(w, "fakeoidc: injected server error", f.status)
		return true
	case faultMalformedBody:
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token": "tr`))
		return true
	case faultDelay:
		t := time.NewTimer(f.by)
		defer t.Stop()
		select {
		case <-t.C:
			return false
		case <-r.Context().Done():
			return true
		}
	}
	return false
}
