package playground

import (
	"fmt"
	"net/http"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authaccount"
	"github.com/authkit-dev/authkit/authrequest"
	"github.com/authkit-dev/authkit/fakeauth"
)

// homeView is what the home page shows.
type homeView struct {
	Now        time.Time
	StoreName  string
	CookieName string
	Active     time.Duration
	Idle       time.Duration
	// BrowserActive and BrowserIdle are the periods of a sign-in without
	// "remember me"; MaxLifetime the absolute lifetime (0: none).
	BrowserActive time.Duration
	BrowserIdle   time.Duration
	MaxLifetime   time.Duration
	Notice        string
	NoticeErr     bool

	// StoreError is set when reading the session failed.
	StoreError string
	User       *auth.User
	Username   string
	Session    *auth.Session
	State      string
	// Before is what the store held for the cookie before this request
	// validated it: "active", "idle", "dead", "not stored", "malformed".
	Before string

	// Peeked is set when the page read the account around the fault
	// switches, without validating the session (the page that confirms
	// arming a store fault).
	Peeked bool

	Devices    []deviceView
	DevicesErr string
	// Keys are the user's sign-in methods: its password and provider
	// identities.
	Keys    []keyView
	KeysErr string

	Advances []advanceView
	Cookies  []CookieEvent
	Ops      []string
	Faults   []faultView
	OIDC     oidcView // the fake provider (oidc.go)
	Mail     mailView // the email accounts' outbox (mailbox.go)
}

type deviceView struct {
	ID              string
	State           string
	CreatedAt       time.Time
	RenewedAt       time.Time
	UserAgent       string
	ClientIP        string
	ActiveExpiresAt time.Time
	IdleExpiresAt   time.Time
	ExpiresAt       time.Time
	BrowserSession  bool
	Current         bool
}

type keyView struct {
	Provider   string // "password", "fake provider", or the provider ID
	ProviderID string
	Subject    string
}

// labView is what the lab page shows.
type labView struct {
	// Off is set in a build without the lab (no "lab" build tag).
	Off     bool
	Results []labResult
	Passed  int
	Failed  int
	Skipped int
	// Error is set when the run was cut short.
	Error string
}

type advanceView struct {
	ID    string // the form's element ID
	Label string
	By    time.Duration
	To    string // "past-active", "past-idle" or "past-absolute", else empty
}

type faultView struct {
	Op        string
	Remaining int
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	a := s.fake.Auth
	cfg := a.Config()
	v := homeView{
		StoreName:     s.storeName,
		CookieName:    a.CookieName(),
		Active:        cfg.ActivePeriod,
		Idle:          cfg.IdlePeriod,
		BrowserActive: cfg.BrowserSessionActivePeriod,
		BrowserIdle:   cfg.BrowserSessionIdlePeriod,
		MaxLifetime:   cfg.MaxLifetime,
		Ops:           []string{},
	}
	key := takeNotice(w, r)
	code := http.StatusOK
	v.Before, _ = s.storedState(r)
	// The page that confirms arming a store fault is the playground's
	// answer to its own control, not a request of the app: it reads the
	// account around the fault switches, so that the fault waits, whole,
	// for the app's next calls (the list says "next 2" for a count of 2).
	// Every other load is the app's: it validates the session, and meets
	// any armed fault.
	var acc account
	if key == "faults-set" {
		acc = s.peekAccount(r)
		v.Peeked = true
	} else {
		acc = s.readAccount(r)
	}
	v.Now = a.Now()
	if acc.err != nil {
		code = authrequest.StatusCode(acc.err) // 503: the store failed
		v.StoreError = acc.err.Error()
	}
	if session, user := acc.session, acc.user; session != nil {
		v.Session, v.User, v.State = session, user, session.State(v.Now).String()
		v.Username, _ = user.Attributes["username"].(string)
		if v.Username == "" { // an email account (mailbox.go)
			v.Username, _ = user.Attributes[authaccount.AttrEmail].(string)
		}
		if acc.devicesErr != nil {
			v.DevicesErr = acc.devicesErr.Error()
		}
		for _, d := range acc.devices {
			v.Devices = append(v.Devices, deviceView{
				ID: d.ID, State: d.State(v.Now).String(),
				CreatedAt: d.CreatedAt, RenewedAt: d.RenewedAt, UserAgent: d.UserAgent, ClientIP: d.ClientIP,
				ActiveExpiresAt: d.ActiveExpiresAt, IdleExpiresAt: d.IdleExpiresAt,
				ExpiresAt: d.ExpiresAt, BrowserSession: d.BrowserSession,
				Current: d.ID == session.ID,
			})
		}
		if acc.keysErr != nil {
			v.KeysErr = acc.keysErr.Error()
		}
		for _, k := range acc.keys {
			v.Keys = append(v.Keys, keyView{Provider: s.providerName(k.ProviderID), ProviderID: k.ProviderID, Subject: k.ProviderUserID})
		}
	}
	v.Advances = s.advanceOptions(r)
	s.recordNow(r, code, w.Header())
	v.Cookies = s.cookies.Events()
	for _, op := range fakeauth.Ops() {
		v.Ops = append(v.Ops, string(op))
	}
	pending := s.fake.Store.PendingFaults()
	for _, op := range fakeauth.Ops() {
		if n := pending[op]; n != 0 {
			v.Faults = append(v.Faults, faultView{Op: string(op), Remaining: n})
		}
	}
	v.OIDC = s.oidc.view()
	v.Mail = s.mail.view()
	if key != "" {
		v.Notice, v.NoticeErr = notices()[key], isError(key)
	}
	s.render(w, r, code, "home.html", v)
}

// storedState tells what the store holds for the request's session cookie,
// without validating it (so without renewing or deleting anything), and
// returns the record when there is one. It goes around the fault injector:
// the playground's own look-ups must not use up the faults armed for the
// app.
func (s *Server) storedState(r *http.Request) (string, *auth.SessionRecord) {
	state, rec, err := s.storedSession(r)
	if err != nil {
		return "unknown (the store failed: " + err.Error() + ")", nil
	}
	return state, rec
}

// recordState is the state of a stored session at now, by the core's
// rule (the absolute end included).
func recordState(rec auth.SessionRecord, now time.Time) auth.State {
	s := auth.Session{ActiveExpiresAt: rec.ActiveExpiresAt, IdleExpiresAt: rec.IdleExpiresAt, ExpiresAt: rec.ExpiresAt}
	return s.State(now)
}

// advanceOptions returns the time machine's buttons. The "past" ones move
// the clock one second past the end of the active or idle period, or the
// absolute lifetime, of the browser's session, or of a session that would
// be created now.
func (s *Server) advanceOptions(r *http.Request) []advanceView {
	pastActive, _ := s.pastDelta(r, "past-active")
	pastIdle, _ := s.pastDelta(r, "past-idle")
	v := []advanceView{
		{ID: "advance-1h", Label: "+1 hour", By: time.Hour},
		{ID: "advance-1d", Label: "+1 day", By: 24 * time.Hour},
		{ID: "advance-past-active", Label: "Past the active period", By: pastActive, To: "past-active"},
		{ID: "advance-past-idle", Label: "Past the idle period", By: pastIdle, To: "past-idle"},
	}
	if pastAbs, err := s.pastDelta(r, "past-absolute"); err == nil {
		v = append(v, advanceView{ID: "advance-past-absolute", Label: "Past the absolute lifetime", By: pastAbs, To: "past-absolute"})
	}
	return v
}

// pastDelta returns how far to move the clock for "past-active" or
// "past-idle": to one second after the end of that period of the
// request's stored session, or of a session created now when there is
// none. It is zero when the period has already ended.
func (s *Server) pastDelta(r *http.Request, to string) (time.Duration, error) {
	now := s.fake.Clock.Now()
	activeEnd, idleEnd, absEnd := s.fake.Auth.NewSessionExpiries(now, auth.SessionOptions{})
	if _, rec := s.storedState(r); rec != nil {
		activeEnd, idleEnd, absEnd = rec.ActiveExpiresAt, rec.IdleExpiresAt, rec.ExpiresAt
	}
	var end time.Time
	switch to {
	case "past-active":
		end = activeEnd
	case "past-idle":
		end = idleEnd
	case "past-absolute":
		if absEnd.IsZero() {
			return 0, fmt.Errorf("%w: to: the session has no absolute lifetime", errBadRequest)
		}
		end = absEnd
	default:
		return 0, fmt.Errorf("%w: to: %q is not past-active, past-idle or past-absolute", errBadRequest, to)
	}
	return max(end.Add(time.Second).Sub(now), 0), nil
}
