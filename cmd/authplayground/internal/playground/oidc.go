package playground

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authoidc"
	"github.com/authkit-dev/authkit/authrequest"
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/fakeoidc"
)

// The routes of "sign in with the fake provider".
const (
	// OIDCIssuerPath is where the fake provider is mounted: its issuer is
	// "http://" + the request's host + OIDCIssuerPath.
	OIDCIssuerPath = "/oidc"
	// OIDCStartPath and OIDCCallbackPath are authoidc's handlers.
	OIDCStartPath    = "/auth/oidc/start"
	OIDCCallbackPath = "/auth/oidc/callback"
	// OIDCFaultsPath is the control API of the provider's faults.
	OIDCFaultsPath = "/_play/oidc/faults"
)

// The playground's registration at its fake provider.
const (
	oidcClientID     = "authplayground"
	oidcClientSecret = "authplayground-secret"
)

// oidcFaults are the provider faults the pages offer, by name.
func oidcFaults() []fakeoidc.Fault {
	return []fakeoidc.Fault{
		fakeoidc.OAuthError("access_denied"),
		fakeoidc.OAuthError("invalid_grant"),
		fakeoidc.ServerError(http.StatusServiceUnavailable),
		fakeoidc.Delay(time.Hour),
		fakeoidc.MalformedBody(),
		fakeoidc.UnknownSigningKey(),
		fakeoidc.WrongAudience(),
		fakeoidc.WrongIssuer(),
		fakeoidc.NonceMismatch(),
		fakeoidc.ExpiredIDToken(),
		fakeoidc.IssuedInFuture(10 * time.Minute),
	}
}

func oidcFaultByName(name string) (fakeoidc.Fault, bool) {
	for _, f := range oidcFaults() {
		if f.String() == name {
			return f, true
		}
	}
	return fakeoidc.Fault{}, false
}

// oidcPart is "sign in with the fake provider": a fakeoidc.Provider on the
// playground clock, mounted on the playground's own server, and the
// authoidc.Client of the app part, which reaches the provider in process.
// The issuer follows the host the browser uses (127.0.0.1 or localhost,
// any port), so both are built on the first request.
type oidcPart struct {
	a   *auth.Auth
	p   *fakeoidc.Provider
	key []byte // seals the flow cookie; the same across hosts

	mu     sync.Mutex
	host   string
	client *authoidc.Client
}

func newOIDCPart(f *fakeauth.Fake) (*oidcPart, error) {
	p, err := fakeoidc.New(
		fakeoidc.WithClock(f.Clock),
		fakeoidc.WithUser(fakeoidc.User{Subject: "alice", Claims: map[string]any{"email": "alice@example.com", "email_verified": true, "name": "Alice"}}),
		fakeoidc.WithUser(fakeoidc.User{Subject: "eve", Claims: map[string]any{"email": "eve@example.com", "email_verified": false, "name": "Eve"}}),
	)
	if err != nil {
		return nil, fmt.Errorf("playground: %w", err)
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key) // never fails (crypto/rand)
	return &oidcPart{a: f.Auth, p: p, key: key}, nil
}

// forHost points the provider and the client at the request's host.
func (o *oidcPart) forHost(r *http.Request) (*authoidc.Client, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.client != nil && o.host == r.Host {
		return o.client, nil
	}
	base := "http://" + r.Host
	if err := o.p.SetIssuer(base + OIDCIssuerPath); err != nil {
		return nil, err
	}
	redirect := base + OIDCCallbackPath
	if err := o.p.AddClient(fakeoidc.Client{ID: oidcClientID, Secret: oidcClientSecret, RedirectURIs: []string{redirect}, PostLogoutRedirectURIs: []string{base + "/"}}); err != nil {
		return nil, err
	}
	hc := o.p.Client()
	hc.Timeout = 2 * time.Second // what the delay fault outlasts
	c, err := authoidc.New(o.a, authoidc.Config{
		Issuer: base + OIDCIssuerPath, ClientID: oidcClientID, ClientSecret: oidcClientSecret, RedirectURL: redirect,
		RequireVerifiedEmail: true,
		InsecureCookie:       true, // plain HTTP on loopback, like the session cookie
		CookieKey:            o.key,
		HTTPClient:           hc,
		UserAttributes: func(cl authoidc.Claims) map[string]any {
			return map[string]any{"username": cl.Email, "email": cl.Email, "name": cl.Name}
		},
		OnError: oidcFailed,
	})
	if err != nil {
		return nil, err
	}
	o.host, o.client = r.Host, c
	return c, nil
}

// register adds the provider, the sign-in routes and the provider's fault
// controls to mux.
func (o *oidcPart) register(mux *http.ServeMux) {
	provider := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := o.forHost(r); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		o.p.ServeHTTP(w, r)
	})
	mux.Handle(OIDCIssuerPath+"/", provider)
	// GET for the sign-in link, POST for the form that links the provider
	// to the signed-in account: authoidc starts linking only from a
	// same-origin POST.
	mux.HandleFunc("GET "+OIDCStartPath, o.handle((*authoidc.Client).Start))
	mux.HandleFunc("POST "+OIDCStartPath, o.handle((*authoidc.Client).Start))
	mux.HandleFunc("GET "+OIDCCallbackPath, o.handle((*authoidc.Client).Callback))
	mux.HandleFunc("POST /ui/oidc/faults", o.formFault)
	mux.HandleFunc("POST /ui/oidc/faults/clear", func(w http.ResponseWriter, r *http.Request) {
		o.p.ClearFaults()
		back(w, r, "faults-clear")
	})
	mux.HandleFunc("GET "+OIDCFaultsPath, o.getFaults)
	mux.HandleFunc("POST "+OIDCFaultsPath, requireJSON(o.addFault))
	mux.HandleFunc("DELETE "+OIDCFaultsPath, requireJSON(func(w http.ResponseWriter, r *http.Request) {
		o.p.ClearFaults()
		o.getFaults(w, r)
	}))
	mux.HandleFunc(OIDCFaultsPath, methodNotAllowed("GET, HEAD, POST, DELETE"))
}

func (o *oidcPart) handle(h func(*authoidc.Client, http.ResponseWriter, *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := o.forHost(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		h(c, w, r)
	}
}

// oidcFailed answers a failed sign-in with the fake provider (authoidc's
// Config.OnError): a redirect (303) to the home page, which says what
// failed. The address bar then shows the home page, not the callback's
// code and state, and the playground's own page, not a bare error page.
// The flow cookie is already cleared and the session cookie untouched.
func oidcFailed(w http.ResponseWriter, r *http.Request, err error) {
	back(w, r, oidcFailureKey(err))
}

// oidcFailures are the failures of a sign-in the home page names, each
// by its notice key and the error it wraps: authoidc's sentinels, the
// store's failure and a cross-origin start.
func oidcFailures() []struct {
	key string
	err error
} {
	return []struct {
		key string
		err error
	}{
		{"oidc-no-flow", authoidc.ErrNoFlow},
		{"oidc-bad-flow", authoidc.ErrBadFlow},
		{"oidc-state", authoidc.ErrStateMismatch},
		{"oidc-issuer", authoidc.ErrIssuerMismatch},
		{"oidc-denied", authoidc.ErrDenied},
		{"oidc-exchange", authoidc.ErrExchange},
		{"oidc-unavailable", authoidc.ErrProviderUnavailable},
		{"oidc-id-token", authoidc.ErrIDToken},
		{"oidc-userinfo", authoidc.ErrUserInfo},
		{"oidc-nonce", authoidc.ErrNonceMismatch},
		{"oidc-email", authoidc.ErrEmailNotVerified},
		{"oidc-not-signed-in", authoidc.ErrNotSignedIn},
		{"oidc-link-conflict", authoidc.ErrLinkConflict},
		{"oidc-store", auth.ErrStore},
		{"oidc-cross-origin", authrequest.ErrCrossOrigin},
	}
}

// oidcFailedKey is the notice of a failure oidcFailures does not name.
const oidcFailedKey = "oidc-failed"

// oidcFailureKey returns the notice key of a failed sign-in's error.
func oidcFailureKey(err error) string {
	for _, f := range oidcFailures() {
		if errors.Is(err, f.err) {
			return f.key
		}
	}
	return oidcFailedKey
}

// oidcNotices are the notices of failed sign-ins, by key: what failed, in
// the words of the error it wraps (never the details, which the server
// log has), the status authoidc.StatusCode gives it, and authoidc's
// sentence for the user.
func oidcNotices() map[string]string {
	m := map[string]string{oidcFailedKey: "Sign-in with the fake provider failed: " + authoidc.Message(errors.New("unknown"))}
	for _, f := range oidcFailures() {
		what := strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(f.err.Error(), "authoidc: "), "authrequest: "), "auth: ")
		m[f.key] = fmt.Sprintf("Sign-in with the fake provider failed: %s (status %d). %s", what, authoidc.StatusCode(f.err), authoidc.Message(f.err))
	}
	return m
}

// reset forgets the provider's grants, faults and log.
func (o *oidcPart) reset() { o.p.Reset() }

var errBadOIDCFault = errors.New("choose an endpoint and a fault that fits it (ID token faults hit the token endpoint only)")

func (o *oidcPart) arm(endpoint, fault string, count int) error {
	f, ok := oidcFaultByName(fault)
	if !ok {
		return fmt.Errorf("%w: unknown fault %q", errBadRequest, fault)
	}
	if count < 1 || count > MaxFaultCount {
		return fmt.Errorf("%w: count: must be between 1 and %d", errBadRequest, MaxFaultCount)
	}
	if err := o.p.FailNext(fakeoidc.Endpoint(endpoint), count, f); err != nil {
		return fmt.Errorf("%w: %w", errBadRequest, err)
	}
	return nil
}

func (o *oidcPart) formFault(w http.ResponseWriter, r *http.Request) {
	if err := readForm(w, r); err != nil {
		back(w, r, "bad-fault")
		return
	}
	count, err := strconv.Atoi(r.PostForm.Get("count"))
	if err != nil {
		count = 1
	}
	if err := o.arm(r.PostForm.Get("endpoint"), r.PostForm.Get("fault"), count); err != nil {
		back(w, r, "bad-fault")
		return
	}
	back(w, r, "oidc-faults-set")
}

// OIDCFaultJSON is one pending provider fault in the control API.
type OIDCFaultJSON struct {
	Endpoint string `json:"endpoint"`
	Fault    string `json:"fault"`
	Count    int    `json:"count"`
}

// OIDCFaultsJSON is the body of the provider fault routes.
type OIDCFaultsJSON struct {
	Faults []OIDCFaultJSON `json:"faults"`
}

func (o *oidcPart) faults() OIDCFaultsJSON {
	out := OIDCFaultsJSON{Faults: []OIDCFaultJSON{}}
	for _, pf := range o.p.PendingFaults() {
		out.Faults = append(out.Faults, OIDCFaultJSON{Endpoint: string(pf.Endpoint), Fault: pf.Fault.String(), Count: pf.Left})
	}
	return out
}

func (o *oidcPart) getFaults(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, o.faults())
}

func (o *oidcPart) addFault(w http.ResponseWriter, r *http.Request) {
	var body OIDCFaultJSON
	if err := decodeJSON(w, r, &body); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if body.Count == 0 {
		body.Count = 1
	}
	if err := o.arm(body.Endpoint, body.Fault, body.Count); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	o.getFaults(w, r)
}

// oidcView is what the pages show of the provider.
type oidcView struct {
	StartPath string
	Endpoints []string
	Faults    []string
	Pending   []OIDCFaultJSON
	Users     []fakeoidc.User
}

func (o *oidcPart) view() oidcView {
	v := oidcView{StartPath: OIDCStartPath, Pending: o.faults().Faults, Users: o.p.Users()}
	for _, ep := range fakeoidc.Endpoints() {
		v.Endpoints = append(v.Endpoints, string(ep))
	}
	for _, f := range oidcFaults() {
		v.Faults = append(v.Faults, f.String())
	}
	return v
}

// owns reports whether providerID is the fake provider's, as the keys of
// its users have it.
func (o *oidcPart) owns(providerID string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.client != nil && o.client.ProviderID() == providerID
}
