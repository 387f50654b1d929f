package playground

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authrequest"
	"github.com/authkit-dev/authkit/fakeauth"
)

// notices are the messages a form's redirect can ask the home page to
// show. The notice cookie names one by its key, so that nothing but the
// server chooses what the page says.
func notices() map[string]string {
	m := map[string]string{
		"signed-up":       "Signed up and signed in: a new session, a new cookie (set).",
		"signed-in":       "Signed in: a new session, a new cookie (set or rotated).",
		"signed-out":      "Signed out: the session is deleted and the cookie cleared.",
		"revoked":         "Device signed out: its session is deleted.",
		"advanced":        "The clock moved. This page load validated the session, if there was one.",
		"faults-set":      "Fault armed: the next calls of that store operation fail. This page read your session around the fault switches, so it used up none of them and renewed nothing; reload it to see the app's own read meet the fault.",
		"oidc-faults-set": "Provider fault armed: the next requests to that endpoint of the fake provider fail.",
		"others-out":      "Other devices signed out: every session but this browser's is deleted.",
		"faults-clear":    "Faults cleared.",
		"reset":           "Reset: users and sessions are gone, the clock is back at its start, the inspector is empty.",
		"bad-login":       "Wrong username or password.",
		"taken":           "That username is taken.",
		"invalid":         "Username and password must not be empty; a username has at most 64 bytes, a password at most 1024.",
		"store":           "The store failed (an armed fault?): nothing changed, the cookie is kept.",
		"not-signed-in":   "Sign in first.",
		"no-device":       "No such device among yours.",
		"bad-advance":     "The clock only moves forward, by a Go duration such as 90m or 25h, up to the year 2261.",
		"bad-fault":       "Choose a store operation and a count between 1 and 1000.",
		"reset-failed":    "The store could not be emptied.",
	}
	maps.Copy(m, oidcNotices())
	return m
}

// isError reports whether the notice of key tells of a failure.
func isError(key string) bool {
	switch key {
	case "bad-login", "taken", "invalid", "store", "not-signed-in", "no-device", "bad-advance", "bad-fault", "reset-failed":
		return true
	}
	_, failed := oidcNotices()[key]
	return failed
}

func templateFuncs() template.FuncMap {
	return template.FuncMap{
		"time":      func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 MST") },
		"countdown": countdown,
		"short":     shortID,
		"duration":  formatDuration,
		"agent":     shortAgent,
	}
}

// shortAgent cuts a User-Agent to what fits in a table cell; the whole
// string is in the cell's title.
func shortAgent(ua string) string {
	const max = 40
	if len(ua) <= max {
		return ua
	}
	for i := max; i > 0; i-- {
		if utf8.RuneStart(ua[i]) {
			return ua[:i] + "…"
		}
	}
	return "…"
}

// countdown says how far t is from now: "in 23h 59m" or "1h ago".
func countdown(t, now time.Time) string {
	d := t.Sub(now)
	switch {
	case d > 0:
		return "in " + formatDuration(d)
	case d < 0:
		return formatDuration(-d) + " ago"
	}
	return "now"
}

// formatDuration writes d in days, hours, minutes and seconds, leaving out
// the units that are zero: "14d 1s", "23h 59m 59s".
func formatDuration(d time.Duration) string {
	if d < 0 {
		return "-" + formatDuration(-d)
	}
	if d < time.Second {
		return d.String()
	}
	d = d.Round(time.Second)
	var parts []string
	for _, u := range []struct {
		size time.Duration
		name string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if n := d / u.size; n > 0 {
			parts = append(parts, strconv.FormatInt(int64(n), 10)+u.name)
			d -= n * u.size
		}
	}
	return strings.Join(parts, " ")
}

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
	v := homeView{
		StoreName:   s.storeName,
		CookieName:  a.CookieName(),
		Active:      a.ActivePeriod(),
		Idle:        a.IdlePeriod(),
		MaxLifetime: a.MaxLifetime(),
		Ops:         []string{},
	}
	v.BrowserActive, v.BrowserIdle = a.Periods(true)
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
	absEnd := s.fake.Auth.AbsoluteExpiry(now, 0)
	activeEnd, idleEnd := s.fake.Auth.Expiries(now, false, absEnd)
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

func (s *Server) render(w http.ResponseWriter, r *http.Request, code int, name string, data any) {
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, name, data); err != nil {
		s.log.ErrorContext(r.Context(), "playground: rendering a page", "page", name, "error", err)
		http.Error(w, "internal error: the page could not be rendered", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	if _, err := w.Write(buf.Bytes()); err != nil {
		s.log.DebugContext(r.Context(), "playground: writing a page", "page", name, "error", err)
	}
}

// noticeCookie carries the notice a form's redirect asks the home page to
// show, once: the page clears it, so a reload shows no stale notice (it
// used to live in the URL, and stayed there).
const noticeCookie = "play_notice"

// back redirects a form post to the home page, which shows notice key
// once.
func back(w http.ResponseWriter, r *http.Request, key string) {
	http.SetCookie(w, &http.Cookie{Name: noticeCookie, Value: key, Path: "/", MaxAge: 60, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// takeNotice returns the key of the notice the request's cookie asks for
// ("" for none or an unknown one) and clears the cookie.
func takeNotice(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(noticeCookie)
	if err != nil {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: noticeCookie, Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	if _, ok := notices()[c.Value]; !ok {
		return ""
	}
	return c.Value
}

// readForm parses a form body of at most MaxBodyBytes.
func readForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("%w: %v", errBadRequest, err)
	}
	return nil
}

func formCredentials(w http.ResponseWriter, r *http.Request) (credentials, error) {
	if err := readForm(w, r); err != nil {
		return credentials{}, err
	}
	c := credentials{Username: r.PostForm.Get("username"), Password: r.PostForm.Get("password")}
	return c, c.check()
}

// formNotice returns the notice key for an error of a sign-up or sign-in.
func formNotice(err error) string {
	switch code, _ := classify(err); code {
	case http.StatusBadRequest:
		return "invalid"
	case http.StatusUnauthorized:
		return "bad-login"
	case http.StatusConflict:
		return "taken"
	}
	return "store"
}

func (s *Server) formSignup(w http.ResponseWriter, r *http.Request) {
	c, err := formCredentials(w, r)
	var u *auth.User
	if err == nil {
		u, err = createUser(r, s.fake.Auth, c)
	}
	if err == nil {
		_, err = authrequest.FromContext(r.Context()).SignInWith(u.ID, formSessionOptions(r))
	}
	if err != nil {
		back(w, r, formNotice(err))
		return
	}
	back(w, r, "signed-up")
}

func (s *Server) formLogin(w http.ResponseWriter, r *http.Request) {
	c, err := formCredentials(w, r)
	var u *auth.User
	if err == nil {
		u, err = checkLogin(r, s.fake.Auth, c)
	}
	if err == nil {
		_, err = authrequest.FromContext(r.Context()).SignInWith(u.ID, formSessionOptions(r))
	}
	if err != nil {
		back(w, r, formNotice(err))
		return
	}
	back(w, r, "signed-in")
}

// formSessionOptions reads the "remember me" checkbox of a parsed sign-up
// or sign-in form: unchecked, the session is a browser session.
func formSessionOptions(r *http.Request) auth.SessionOptions {
	return auth.SessionOptions{BrowserSession: r.PostForm.Get("remember") != "on"}
}

// formSignOutOthers signs out every device of the user but this browser.
func (s *Server) formSignOutOthers(w http.ResponseWriter, r *http.Request) {
	err := authrequest.FromContext(r.Context()).InvalidateOtherSessions()
	switch {
	case errors.Is(err, authrequest.ErrNotSignedIn):
		back(w, r, "not-signed-in")
	case err != nil:
		s.log.InfoContext(r.Context(), "playground: signing out other devices failed", "error", err)
		back(w, r, "store")
	default:
		back(w, r, "others-out")
	}
}

func (s *Server) formLogout(w http.ResponseWriter, r *http.Request) {
	if err := authrequest.FromContext(r.Context()).SignOut(); err != nil {
		s.log.InfoContext(r.Context(), "playground: sign-out failed", "error", err)
		back(w, r, "store")
		return
	}
	back(w, r, "signed-out")
}

// formRevoke signs out one of the user's devices: the session with the
// posted ID, if it is one of the user's. Revoking the browser's own
// session is signing out.
func (s *Server) formRevoke(w http.ResponseWriter, r *http.Request) {
	if err := readForm(w, r); err != nil {
		back(w, r, "no-device")
		return
	}
	id := r.PostForm.Get("id")
	ar := authrequest.FromContext(r.Context())
	session, err := ar.Session()
	if err != nil {
		back(w, r, "store")
		return
	}
	if session == nil {
		back(w, r, "not-signed-in")
		return
	}
	if id == session.ID {
		s.formLogout(w, r)
		return
	}
	devices, err := s.fake.Auth.UserSessions(r.Context(), session.UserID)
	if err != nil {
		back(w, r, "store")
		return
	}
	if !slices.ContainsFunc(devices, func(d *auth.Session) bool { return d.ID == id }) {
		back(w, r, "no-device")
		return
	}
	if err := s.fake.Auth.InvalidateSession(r.Context(), id); err != nil {
		back(w, r, "store")
		return
	}
	back(w, r, "revoked")
}

// formAdvance moves the clock by the posted duration ("by") or past the
// end of a period of the browser's session ("to").
func (s *Server) formAdvance(w http.ResponseWriter, r *http.Request) {
	err := readForm(w, r)
	var d time.Duration
	if err == nil {
		if to := r.PostForm.Get("to"); to != "" {
			d, err = s.pastDelta(r, to)
		} else {
			d, err = parseAdvance(r.PostForm.Get("by"))
		}
	}
	if err == nil {
		_, err = s.advance(d)
	}
	if err != nil {
		back(w, r, "bad-advance")
		return
	}
	back(w, r, "advanced")
}

func (s *Server) formFaults(w http.ResponseWriter, r *http.Request) {
	err := readForm(w, r)
	var n int
	if err == nil {
		n, err = strconv.Atoi(r.PostForm.Get("count"))
	}
	if err == nil {
		err = s.failNext(r.PostForm.Get("op"), n)
	}
	if err != nil {
		back(w, r, "bad-fault")
		return
	}
	back(w, r, "faults-set")
}

func (s *Server) formClearFaults(w http.ResponseWriter, r *http.Request) {
	s.fake.Store.ClearFaults()
	back(w, r, "faults-clear")
}

func (s *Server) formReset(w http.ResponseWriter, r *http.Request) {
	if err := s.resetAll(r.Context()); err != nil {
		s.log.ErrorContext(r.Context(), "playground: reset failed", "error", err)
		back(w, r, "reset-failed")
		return
	}
	back(w, r, "reset")
}
