// Package playground is the authkit playground: a server that shows what
// authkit does to a session, in pages a person reads and in a JSON API a
// script drives.
//
// Everything runs on one fakeauth.Fake: the real auth.Auth with a clock
// that moves only when the time machine moves it, store faults aimed at
// single operations, and the in-memory store unless another is given.
// Time stands still in the playground; only the time machine advances it.
//
// The server has two parts. The app part ([App]) is what an application
// built on authkit serves: sign-up, sign-in, authrequest.APIHandler and a
// route that reads the session. The playground part adds the pages (the
// session, the devices, the time machine, the cookie inspector, the fault
// switches, the scenario lab) and the control API under /_play/. Both sit
// behind authrequest.Middleware, so a cross-site POST to any of them is
// refused with 403 while the pages' own forms (same-origin) work.
//
// The session cookie is set without the Secure attribute
// (auth.CookieConfig.Insecure), because the playground serves plain HTTP on
// a loopback address. Never use that option in production.
package playground

import (
	"cmp"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authrequest"
	"github.com/authkit-dev/authkit/fakeauth"
)

//go:embed templates/*.html
var templateFS embed.FS

// Config configures a Server. The zero value is a playground in memory
// whose clock starts at the current time.
type Config struct {
	// Store is the store behind the fake; a new [Memory] when nil.
	Store fakeauth.Backend
	// Admin lists and empties Store, for the control API's session
	// listing and reset, which answer 501 Not Implemented without one.
	// With Store nil, the new Memory is its own Admin.
	Admin Admin
	// StoreName says which store it is, for the pages: "memory",
	// "sqlite:playground.db", ... Secrets in it (a password in a URL)
	// must be removed by the caller.
	StoreName string
	// Start is where the playground clock starts, and where a reset puts it
	// back; the current time, to the second, when zero.
	Start time.Time
	// Logger receives the request log and auth's debug events; nil
	// discards them.
	Logger *slog.Logger
	// MaxLifetime is the absolute lifetime of the playground's sessions
	// (auth.Config.MaxLifetime); DefaultMaxLifetime when zero, none when
	// negative.
	MaxLifetime time.Duration
	// BaseURL is where the playground is reached, which the links in its
	// mail start with (package authaccount never builds them on the
	// request's Host); DefaultBaseURL when empty. Plain http is accepted:
	// the playground is a local development tool.
	BaseURL string
}

// DefaultMaxLifetime is the playground's absolute session lifetime unless
// Config says otherwise: long enough for a session to be renewed
// several times, short enough to reach with the time machine.
const DefaultMaxLifetime = 30 * 24 * time.Hour

// A Server is the playground's http.Handler. It is safe for concurrent
// use.
type Server struct {
	fake      *fakeauth.Fake
	peek      *auth.Auth // fake's Auth without the fault switches: reads only
	admin     Admin      // nil when the store has none
	log       *slog.Logger
	storeName string
	cookies   *inspector
	lab       *lab
	oidc      *oidcPart // "sign in with the fake provider" (oidc.go)
	mail      *mailbox  // email accounts and their outbox (mailbox.go)
	pages     *template.Template
	handler   http.Handler
}

// New returns a playground Server on cfg.
func New(cfg Config) (*Server, error) {
	start := cfg.Start
	if start.IsZero() {
		start = time.Now().UTC().Truncate(time.Second)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	authCfg := auth.Config{Cookie: auth.CookieConfig{Insecure: true}, Logger: log, MaxLifetime: max(cmp.Or(cfg.MaxLifetime, DefaultMaxLifetime), 0)}
	opts := []fakeauth.Option{fakeauth.WithStart(start), fakeauth.WithConfig(authCfg)}
	name, store, admin := cfg.StoreName, cfg.Store, cfg.Admin
	if store == nil {
		mem := NewMemory()
		store, admin = mem, mem
		if name == "" {
			name = "memory"
		}
	}
	opts = append(opts, fakeauth.WithStore(store))
	f, err := fakeauth.New(opts...)
	if err != nil {
		return nil, fmt.Errorf("playground: %w", err)
	}
	// A server runs for long: keep the store call log bounded.
	f.Store.SetLogLimit(callLogLimit)
	// The same Auth on the store behind the fault switches, for the
	// playground's own reads (peekAccount).
	authCfg.Clock = f.Clock
	peek, err := auth.New(store, authCfg)
	if err != nil {
		return nil, fmt.Errorf("playground: %w", err)
	}
	pages, err := template.New("pages").Funcs(templateFuncs()).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("playground: parsing templates: %w", err)
	}
	oidc, err := newOIDCPart(f)
	if err != nil {
		return nil, err
	}
	mail, err := newMailbox(f.Auth, f.Clock, cmp.Or(cfg.BaseURL, DefaultBaseURL))
	if err != nil {
		return nil, fmt.Errorf("playground: %w", err)
	}
	s := &Server{
		oidc:      oidc,
		mail:      mail,
		fake:      f,
		peek:      peek,
		admin:     admin,
		log:       log,
		storeName: name,
		cookies:   newInspector(f.Auth, f.Clock),
		lab:       newLab(),
		pages:     pages,
	}
	s.handler = s.routes()
	return s, nil
}

// Fake returns the fake the server runs on: its Auth, Clock and Store are
// the playground's own.
func (s *Server) Fake() *fakeauth.Fake { return s.fake }

// CookieEvents returns what the cookie inspector holds, newest first.
func (s *Server) CookieEvents() []CookieEvent { return s.cookies.Events() }

// ServeHTTP serves the playground.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	registerApp(mux, s.fake.Auth)
	s.oidc.register(mux)
	s.mail.register(mux)

	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("GET /lab", s.labPage)
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /ui/signup", s.formSignIn(createUser, "signed-up"))
	mux.HandleFunc("POST /ui/login", s.formSignIn(checkLogin, "signed-in"))
	mux.HandleFunc("POST /ui/logout", s.formLogout)
	mux.HandleFunc("POST /ui/revoke", s.formRevoke)
	mux.HandleFunc("POST /ui/sign-out-others", s.formSignOutOthers)
	mux.HandleFunc("POST /ui/advance", s.formAdvance)
	mux.HandleFunc("POST /ui/faults", s.formFaults)
	mux.HandleFunc("POST /ui/faults/clear", s.formClearFaults)
	mux.HandleFunc("POST /ui/reset", s.formReset)

	mux.HandleFunc("GET /_play/clock", s.getClock)
	mux.HandleFunc("/_play/clock", methodNotAllowed("GET, HEAD"))
	mux.HandleFunc("POST /_play/clock/advance", requireJSON(s.advanceClock))
	mux.HandleFunc("/_play/clock/advance", methodNotAllowed("POST"))
	mux.HandleFunc("GET /_play/sessions", s.listSessions)
	mux.HandleFunc("/_play/sessions", methodNotAllowed("GET, HEAD"))
	mux.HandleFunc("POST /_play/reset", requireJSON(s.reset))
	mux.HandleFunc("/_play/reset", methodNotAllowed("POST"))
	mux.HandleFunc("GET /_play/faults", s.getFaults)
	mux.HandleFunc("POST /_play/faults", requireJSON(s.addFault))
	mux.HandleFunc("DELETE /_play/faults", requireJSON(s.clearFaults))
	mux.HandleFunc("/_play/faults", methodNotAllowed("GET, HEAD, POST, DELETE"))
	mux.HandleFunc("/_play/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not found")
	})

	h := authrequest.MustMiddleware(s.fake.Auth, authrequest.WithCrossOriginHandler(http.HandlerFunc(crossOrigin)))(mux)
	return s.observe(h)
}

// callLogLimit is how many store calls the playground's fake remembers.
const callLogLimit = 256

// observe logs every request and feeds the cookie inspector.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rw := &recordingWriter{ResponseWriter: w}
		ex := &exchange{}
		next.ServeHTTP(rw, r.WithContext(context.WithValue(r.Context(), exchangeKey{}, ex)))
		if !ex.recorded {
			s.cookies.record(r, rw.status(), rw.setCookies())
		}
		s.mail.observe(r, rw.status(), w.Header(), s.fake.Clock.Now())
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", rw.status()),
			slog.Int64("bytes", rw.bytes),
			slog.Duration("took", time.Since(start)),
		)
	})
}

// exchange is what observe shares with the handlers of one request.
type exchange struct {
	// recorded is set when the handler gave its response to the cookie
	// inspector itself.
	recorded bool
}

type exchangeKey struct{}

// recordNow gives the response to the cookie inspector before it is sent:
// a page that shows the inspector then shows what it does itself to the
// cookie. h holds the response headers as they will be sent.
func (s *Server) recordNow(r *http.Request, code int, h http.Header) {
	ex, ok := r.Context().Value(exchangeKey{}).(*exchange)
	if !ok || ex.recorded {
		return
	}
	ex.recorded = true
	s.cookies.record(r, code, h["Set-Cookie"])
}

// allSessions returns every stored session, from the store's Admin.
func (s *Server) allSessions(ctx context.Context) ([]auth.SessionRecord, error) {
	if s.admin == nil {
		return nil, fmt.Errorf("%w: the store %s can't list its sessions (it has no Admin)", errUnsupported, s.storeName)
	}
	return s.admin.AllSessions(ctx)
}

// resetAll empties the store, puts the clock back to its start, clears the
// faults and forgets the cookie inspector's events.
func (s *Server) resetAll(ctx context.Context) error {
	if s.admin == nil {
		return fmt.Errorf("%w: the store %s can't be emptied (it has no Admin)", errUnsupported, s.storeName)
	}
	if err := s.admin.Reset(ctx); err != nil {
		return err
	}
	s.fake.ResetKeepingStore()
	s.oidc.reset()
	s.cookies.reset()
	s.mail.reset()
	return nil
}

// errUnsupported marks a control the store can't support.
var errUnsupported = errors.New("not supported by this store")
