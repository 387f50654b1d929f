package authe2e

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/fakeauth"
)

// DefaultPrefix is where the control routes live unless [Config.Prefix]
// says otherwise.
const DefaultPrefix = "/_authkit/e2e/"

// MinSecretLength is the shortest [Config.Secret] that [New] accepts.
const MinSecretLength = 32

// ErrConfig reports a [Config] that [New] can't serve.
var ErrConfig = errors.New("authe2e: bad config")

// Config is what the control handler acts on: the app's real Auth and the
// test doubles that the app's end-to-end build wires in.
type Config struct {
	// Auth is the app's Auth. Required.
	Auth *auth.Auth
	// Clock is the clock the Auth was built with (its Config.Clock).
	// Required: New refuses an Auth on another clock, since moving this
	// one would then move nothing.
	Clock *Clock
	// Secret is what the test runner presents, as "Authorization: Bearer
	// <Secret>", at least MinSecretLength bytes. Required: the second lock.
	Secret string
	// SeedUser finds or creates the app's user named name (a user name,
	// an email address: whatever the app signs in by) and returns its ID.
	// Required: only the app knows how its users are made.
	SeedUser func(ctx context.Context, name string) (userID string, err error)

	// Store is the app's store wrapped for fault injection
	// (fakeauth.WrapStore), which the Auth was built on; nil: the fault
	// routes answer 501.
	Store *fakeauth.Store
	// Mail is the outbox the app's flows send through; nil: the mail
	// routes answer 501.
	Mail Mailbox
	// Reset, if set, empties the app's data when the test runner asks for a
	// reset (after the clock, the faults and the outbox are reset).
	Reset func(ctx context.Context) error

	// Prefix is the path the routes live under, ending in "/";
	// DefaultPrefix if empty.
	Prefix string
	// AllowNonLoopback lets callers from other addresses than loopback in
	// (a browser in another container, say). Off, every other caller is
	// refused whatever secret it presents.
	AllowNonLoopback bool
}

// New returns the control handler for cfg, to mount at cfg.Prefix beside
// the app's own routes in the app's end-to-end build:
//
//	mux.Handle(authe2e.DefaultPrefix, h)
//
// In a binary built without the authkit_e2e tag it returns a handler that
// answers 404 to every request and does nothing else, whatever cfg holds.
func New(cfg Config) (http.Handler, error) {
	if !compiledIn {
		return http.NotFoundHandler(), nil
	}
	switch {
	case cfg.Auth == nil:
		return nil, fmt.Errorf("%w: Auth is nil", ErrConfig)
	case cfg.Clock == nil:
		return nil, fmt.Errorf("%w: Clock is nil", ErrConfig)
	case cfg.Auth.Config().Clock != auth.Clock(cfg.Clock):
		return nil, fmt.Errorf("%w: the Auth does not read Clock (give it to auth.Config.Clock)", ErrConfig)
	case len(cfg.Secret) < MinSecretLength:
		return nil, fmt.Errorf("%w: Secret must be at least %d bytes, got %d", ErrConfig, MinSecretLength, len(cfg.Secret))
	case cfg.SeedUser == nil:
		return nil, fmt.Errorf("%w: SeedUser is nil", ErrConfig)
	}
	if cfg.Prefix == "" {
		cfg.Prefix = DefaultPrefix
	}
	if !strings.HasPrefix(cfg.Prefix, "/") || !strings.HasSuffix(cfg.Prefix, "/") {
		return nil, fmt.Errorf("%w: Prefix must start and end with /, got %q", ErrConfig, cfg.Prefix)
	}
	h := &handler{cfg: cfg, secret: sha256.Sum256([]byte(cfg.Secret))}
	mux := http.NewServeMux()
	p := cfg.Prefix
	mux.HandleFunc("POST "+p+"session", h.session)
	mux.HandleFunc("GET "+p+"clock", h.clock)
	mux.HandleFunc("POST "+p+"clock", h.clock)
	mail := needs(cfg.Mail != nil, "no outbox: Config.Mail is nil", h.mail)
	mux.HandleFunc("GET "+p+"mail", mail)
	mux.HandleFunc("DELETE "+p+"mail", mail)
	faults := needs(cfg.Store != nil, "no store to fail: Config.Store is nil", h.faults)
	mux.HandleFunc("POST "+p+"faults", faults)
	mux.HandleFunc("DELETE "+p+"faults", faults)
	mux.HandleFunc("POST "+p+"reset", h.reset)
	h.mux = mux
	return h, nil
}

// needs returns serve when have is true, and otherwise a handler that
// answers 501 with why: the route of a Config field left nil.
func needs(have bool, why string, serve http.HandlerFunc) http.HandlerFunc {
	if have {
		return serve
	}
	return func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusNotImplemented, why)
	}
}

// Enabled reports whether this binary was built with the authkit_e2e tag,
// so that [New] serves the control routes.
func Enabled() bool { return compiledIn }

type handler struct {
	cfg    Config
	secret [sha256.Size]byte
	mux    *http.ServeMux
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !h.cfg.AllowNonLoopback && !loopback(r.RemoteAddr) {
		writeError(w, http.StatusForbidden, "the control routes answer loopback callers only")
		return
	}
	token, bearer := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	given := sha256.Sum256([]byte(token)) // compared as hashes: the time does not tell the length
	if !bearer || subtle.ConstantTimeCompare(given[:], h.secret[:]) != 1 {
		writeError(w, http.StatusForbidden, "missing or wrong secret (Authorization: Bearer <secret>)")
		return
	}
	h.mux.ServeHTTP(w, r)
}

// loopback reports whether addr (a request's RemoteAddr) is a loopback
// address.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// SessionRequest is the body of POST session.
type SessionRequest struct {
	// User names the user to sign in, as Config.SeedUser takes it.
	User string `json:"user"`
	// BrowserSession asks for a session without "remember me" (a cookie
	// that ends with the browser).
	BrowserSession bool `json:"browserSession"`
}

// SessionResponse is the answer of POST session.
type SessionResponse struct {
	UserID    string `json:"userID"`
	SessionID string `json:"sessionID"`
	// StorageState loads into a Playwright browser context.
	StorageState StorageState `json:"storageState"`
	// Cookies are for a Cypress cy.setCookie loop.
	Cookies []CypressCookie `json:"cookies"`
}

func (h *handler) session(w http.ResponseWriter, r *http.Request) {
	var req SessionRequest
	if !decode(w, r, &req) {
		return
	}
	if req.User == "" {
		writeError(w, http.StatusBadRequest, `"user" is required`)
		return
	}
	ctx := r.Context()
	userID, err := h.cfg.SeedUser(ctx, req.User)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "seeding the user: "+err.Error())
		return
	}
	s, err := h.cfg.Auth.CreateSessionWith(ctx, userID, auth.SessionOptions{BrowserSession: req.BrowserSession})
	if err != nil {
		writeError(w, http.StatusInternalServerError, "creating the session: "+err.Error())
		return
	}
	c := h.cfg.Auth.SessionCookie(s)
	host := hostOnly(r.Host)
	writeJSON(w, http.StatusOK, SessionResponse{
		UserID: userID, SessionID: s.ID,
		StorageState: StorageState{Cookies: []PlaywrightCookie{playwrightCookie(c, host)}, Origins: []struct{}{}},
		Cookies:      []CypressCookie{cypressCookie(c, host)},
	})
}

// hostOnly is the host of a Host header, without its port.
func hostOnly(hostport string) string {
	if host, _, err := net.SplitHostPort(hostport); err == nil {
		return host
	}
	return strings.Trim(hostport, "[]")
}

// ClockRequest is the body of POST clock: Advance (a Go duration, "25h",
// "-1m") or Set (RFC 3339), not both.
type ClockRequest struct {
	Advance string `json:"advance,omitempty"`
	Set     string `json:"set,omitempty"`
}

// ClockResponse is the answer of GET and POST clock.
type ClockResponse struct {
	Now    time.Time `json:"now"`
	Offset string    `json:"offset"`
}

func (h *handler) clock(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		var req ClockRequest
		if !decode(w, r, &req) {
			return
		}
		switch {
		case req.Advance != "" && req.Set == "":
			d, err := time.ParseDuration(req.Advance)
			if err != nil {
				writeError(w, http.StatusBadRequest, "advance: "+err.Error())
				return
			}
			h.cfg.Clock.Advance(d)
		case req.Set != "" && req.Advance == "":
			t, err := time.Parse(time.RFC3339Nano, req.Set)
			if err != nil {
				writeError(w, http.StatusBadRequest, "set: "+err.Error())
				return
			}
			h.cfg.Clock.Set(t)
		default:
			writeError(w, http.StatusBadRequest, `give one of "advance" and "set"`)
			return
		}
	}
	writeJSON(w, http.StatusOK, ClockResponse{Now: h.cfg.Clock.Now(), Offset: h.cfg.Clock.Offset().String()})
}

// FaultRequest is the body of POST faults: fail the store operation Op
// (a fakeauth.Op: "GetSession", "CreateToken", ...) the next Times calls,
// or every call until the faults are cleared when Times is 0.
type FaultRequest struct {
	Op    string `json:"op"`
	Times int    `json:"times,omitempty"`
}

func (h *handler) faults(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodDelete {
		h.cfg.Store.ClearFaults()
		writeJSON(w, http.StatusOK, map[string]any{"faults": h.cfg.Store.PendingFaults()})
		return
	}
	var req FaultRequest
	if !decode(w, r, &req) {
		return
	}
	op := fakeauth.Op(req.Op)
	if !slices.Contains(fakeauth.Ops(), op) {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("unknown op %q; one of %v", req.Op, fakeauth.Ops()))
		return
	}
	if req.Times < 0 {
		writeError(w, http.StatusBadRequest, `"times" must not be negative`)
		return
	}
	if req.Times == 0 {
		h.cfg.Store.FailWhen(op, func(fakeauth.Call) bool { return true }, fakeauth.ErrInjected)
	} else {
		h.cfg.Store.FailNext(op, req.Times, fakeauth.ErrInjected)
	}
	writeJSON(w, http.StatusOK, map[string]any{"faults": h.cfg.Store.PendingFaults()})
}

func (h *handler) reset(w http.ResponseWriter, r *http.Request) {
	h.cfg.Clock.Reset()
	if h.cfg.Store != nil {
		h.cfg.Store.ClearFaults()
	}
	if h.cfg.Mail != nil {
		h.cfg.Mail.Clear()
	}
	if h.cfg.Reset != nil {
		if err := h.cfg.Reset(r.Context()); err != nil {
			writeError(w, http.StatusInternalServerError, "resetting the app: "+err.Error())
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]bool{"reset": true})
}

// maxBody bounds a control request's body.
const maxBody = 1 << 16

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "body: "+err.Error())
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}
