package oidcscenarios

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/authkit-dev/authkit/authtest"
	"github.com/authkit-dev/authkit/fakeoidc"
)

// A Case is one callback scenario: what the browser and the provider hold
// (given), what happens between the provider's redirect and the callback
// (when), and the outcome (then): signed in as the provider user, or a
// failure that creates no session and leaves the browser's session as it
// was. A Case is a value; [Standard] returns the table.
type Case struct {
	name        string
	login       string
	session     sessionKind
	priorSignIn bool
	rotate      bool
	link        bool
	faults      []aimedFault
	when        func(*run) error
	whenText    string
	want        want
}

type sessionKind int

const (
	noSession sessionKind = iota
	signedIn              // bob, a password user, is signed in
	planted               // mallory's session was planted in the browser
)

type aimedFault struct {
	ep    fakeoidc.Endpoint
	fault fakeoidc.Fault
}

type want struct {
	signedIn bool
	status   int
	why      string
}

// Name returns the case's name, such as "state-mismatch".
func (c Case) Name() string { return c.name }

// WantsSignIn reports whether the case must end signed in.
func (c Case) WantsSignIn() bool { return c.want.signedIn }

// Describe returns the case in one line: given, when, then.
func (c Case) Describe() string {
	var given []string
	switch c.session {
	case signedIn:
		given = append(given, "bob signed in")
	case planted:
		given = append(given, "a planted session of mallory")
	}
	if c.priorSignIn {
		given = append(given, c.login+" signed in before")
	}
	if c.rotate {
		given = append(given, "the provider rotated its key")
	}
	for _, f := range c.faults {
		given = append(given, fmt.Sprintf("fault %s at %s", f.fault, f.ep))
	}
	if len(given) == 0 {
		given = append(given, "a new browser")
	}
	verb := "signs in"
	if c.link {
		verb = "links"
	}
	when := c.login + " " + verb + " at the provider"
	if c.whenText != "" {
		when += ", then " + c.whenText
	}
	then := "signed in as " + c.login
	if !c.want.signedIn {
		then = fmt.Sprintf("refused with %d (%s), no session created, the old one kept", c.want.status, c.want.why)
	}
	return "given " + strings.Join(given, ", ") + "; when " + when + "; then " + then
}

func success(name string) Case {
	return Case{name: name, login: Alice, want: want{signedIn: true}}
}

// failure is a case that must fail with status, with bob signed in so
// that the runner checks his session survives.
func failure(name string, status int, why string) Case {
	return Case{name: name, login: Alice, session: signedIn, want: want{status: status, why: why}}
}

func (c Case) withFault(ep fakeoidc.Endpoint, f fakeoidc.Fault) Case {
	c.faults = append(c.faults, aimedFault{ep, f})
	return c
}

func (c Case) whenDo(text string, f func(*run) error) Case {
	c.when, c.whenText = f, text
	return c
}

// Standard returns the callback table. Its statuses are authoidc's
// defaults (authoidc.StatusCode); the app must require a verified email.
func Standard() []Case {
	return []Case{
		success("new-user"),
		func() Case { c := success("returning-user"); c.priorSignIn = true; return c }(),
		func() Case { c := success("planted-session-replaced"); c.session = planted; return c }(),
		func() Case { c := success("link-existing-account"); c.session, c.link = signedIn, true; return c }(),
		func() Case {
			c := failure("link-identity-of-another-user", http.StatusConflict, "ErrLinkConflict")
			c.priorSignIn, c.link = true, true
			return c
		}(),
		func() Case { c := success("rotated-signing-key"); c.priorSignIn, c.rotate = true, true; return c }(),
		success("iat-within-skew").withFault(fakeoidc.Token, fakeoidc.IssuedInFuture(30*time.Second)),

		failure("state-mismatch", http.StatusBadRequest, "ErrStateMismatch").whenDo("the callback's state is changed", func(r *run) error {
			return r.setQuery("state", "forged-state")
		}),
		failure("iss-mismatch", http.StatusBadRequest, "ErrIssuerMismatch").whenDo("the callback's iss names another issuer (RFC 9207 mix-up)", func(r *run) error {
			q := r.flowURL.Query()
			q.Set("iss", "https://attacker.example")
			r.flowURL.RawQuery = q.Encode()
			return nil
		}),
		failure("iss-missing", http.StatusBadRequest, "ErrIssuerMismatch").whenDo("the callback's iss is removed although the provider advertises it (RFC 9207 §2.4)", func(r *run) error {
			return r.dropQuery("iss")
		}),
		failure("missing-flow-cookie", http.StatusBadRequest, "ErrNoFlow").whenDo("the browser loses the flow cookie", func(r *run) error {
			r.dropFlowCookies()
			return nil
		}),
		failure("forged-flow-cookie", http.StatusBadRequest, "ErrBadFlow").whenDo("the flow cookie's value is changed", func(r *run) error {
			return r.forgeFlowCookie()
		}),
		failure("expired-flow", http.StatusBadRequest, "ErrBadFlow").whenDo("11 minutes pass and the flow cookie is sent anyway", func(r *run) error {
			kept := r.flow
			r.env.Fake.Clock.Advance(11 * time.Minute)
			r.restoreFlowCookies(kept)
			return nil
		}),
		failure("replayed-code", http.StatusBadRequest, "ErrExchange").whenDo("the callback completes, then an attacker replays it with the captured flow cookie", func(r *run) error {
			return r.replay()
		}),
		failure("expired-code", http.StatusBadRequest, "ErrExchange").whenDo("2 minutes pass (codes last 1)", func(r *run) error {
			r.env.Fake.Clock.Advance(2 * time.Minute)
			return nil
		}),
		failure("pkce-mismatch", http.StatusBadRequest, "ErrExchange").whenDo("a second flow starts and its callback carries the first flow's code", func(r *run) error {
			return r.injectCode()
		}),
		failure("nonce-mismatch", http.StatusUnauthorized, "ErrNonceMismatch").withFault(fakeoidc.Token, fakeoidc.NonceMismatch()),
		failure("expired-id-token", http.StatusUnauthorized, "ErrIDToken").withFault(fakeoidc.Token, fakeoidc.ExpiredIDToken()),
		failure("iat-in-future", http.StatusUnauthorized, "ErrIDToken").withFault(fakeoidc.Token, fakeoidc.IssuedInFuture(10*time.Minute)),
		failure("wrong-audience", http.StatusUnauthorized, "ErrIDToken").withFault(fakeoidc.Token, fakeoidc.WrongAudience()),
		failure("wrong-issuer", http.StatusUnauthorized, "ErrIDToken").withFault(fakeoidc.Token, fakeoidc.WrongIssuer()),
		failure("unknown-signing-key", http.StatusUnauthorized, "ErrIDToken").withFault(fakeoidc.Token, fakeoidc.UnknownSigningKey()),
		func() Case {
			c := failure("unverified-email", http.StatusForbidden, "ErrEmailNotVerified")
			c.login = Eve
			return c
		}(),
		failure("provider-5xx", http.StatusBadGateway, "ErrProviderUnavailable").withFault(fakeoidc.Token, fakeoidc.ServerError(http.StatusServiceUnavailable)),
		failure("provider-timeout", http.StatusGatewayTimeout, "ErrProviderUnavailable, timed out").withFault(fakeoidc.Token, fakeoidc.Delay(time.Hour)),
		failure("userinfo-5xx", http.StatusBadGateway, "ErrProviderUnavailable").withFault(fakeoidc.UserInfo, fakeoidc.ServerError(http.StatusInternalServerError)),
		failure("malformed-token-response", http.StatusBadGateway, "ErrProviderUnavailable").withFault(fakeoidc.Token, fakeoidc.MalformedBody()),
		failure("token-endpoint-invalid-grant", http.StatusBadRequest, "ErrExchange").withFault(fakeoidc.Token, fakeoidc.OAuthError("invalid_grant")),
		failure("access-denied", http.StatusForbidden, "ErrDenied").withFault(fakeoidc.Authorize, fakeoidc.OAuthError("access_denied")),
	}
}

// setQuery changes a parameter of the callback URL.
func (r *run) setQuery(k, v string) error {
	q := r.flowURL.Query()
	if !q.Has(k) {
		return fmt.Errorf("the callback has no %s", k)
	}
	q.Set(k, v)
	r.flowURL.RawQuery = q.Encode()
	return nil
}

// dropQuery removes a parameter of the callback URL.
func (r *run) dropQuery(k string) error {
	q := r.flowURL.Query()
	if !q.Has(k) {
		return fmt.Errorf("the callback has no %s", k)
	}
	q.Del(k)
	r.flowURL.RawQuery = q.Encode()
	return nil
}

func (r *run) dropFlowCookies() {
	var gone []*http.Cookie
	for _, c := range r.flow {
		gone = append(gone, &http.Cookie{Name: c.Name, Path: c.Path, Secure: c.Secure, MaxAge: -1})
	}
	r.jar.SetCookies(r.base, gone)
}

func (r *run) restoreFlowCookies(cs []*http.Cookie) {
	var back []*http.Cookie
	for _, c := range cs {
		back = append(back, &http.Cookie{Name: c.Name, Value: c.Value, Path: c.Path, Secure: c.Secure, HttpOnly: true})
	}
	r.jar.SetCookies(r.base, back)
}

func (r *run) forgeFlowCookie() error {
	var forged []*http.Cookie
	for _, c := range r.flow {
		v := []byte(c.Value)
		if len(v) == 0 {
			return errors.New("empty flow cookie")
		}
		i := len(v) / 2
		if v[i] == 'A' {
			v[i] = 'B'
		} else {
			v[i] = 'A'
		}
		forged = append(forged, &http.Cookie{Name: c.Name, Value: string(v), Path: c.Path, Secure: c.Secure, HttpOnly: true})
	}
	r.jar.SetCookies(r.base, forged)
	return nil
}

// replay completes the callback in the browser, then makes the case's
// callback an attacker's: a fresh browser holding the captured flow
// cookie, replaying the same callback URL.
func (r *run) replay() error {
	captured := r.flow
	if rec := r.callback(); rec.Code/100 != 3 {
		return fmt.Errorf("the first callback failed: %d %s", rec.Code, snippet(rec.Body.String()))
	}
	r.jar = authtest.NewJar(authtest.WithClock(r.env.Fake.Clock), authtest.WithCookieName(r.cookie))
	r.prior = nil
	r.restoreFlowCookies(captured)
	return nil
}

// injectCode keeps the first flow's code, starts a second flow (its
// cookie replaces the first's) and sends the second flow's state with the
// first flow's code: the code injection PKCE stops.
func (r *run) injectCode() error {
	first := r.flowURL.Query().Get("code")
	if err := r.startFlow(false); err != nil {
		return err
	}
	q := r.flowURL.Query()
	q.Set("code", first)
	r.flowURL.RawQuery = q.Encode()
	return nil
}
