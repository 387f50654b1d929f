package playground

import (
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authaccount"
	"github.com/authkit-dev/authkit/fakemail"
)

// DefaultBaseURL is where the playground's mail links point unless
// Config.BaseURL says otherwise: the command's default -addr.
const DefaultBaseURL = "http://127.0.0.1:8080"

// mailbox is the playground's email side: authaccount's flows on the
// playground's Auth (so on its clock: the time machine expires their
// tokens too), sending to an in-memory outbox the home page shows, and the
// last request they refused with 429.
type mailbox struct {
	outbox   *fakemail.Outbox
	accounts *authaccount.Accounts

	mu        sync.Mutex
	throttled *throttledView // the last 429, nil when none
}

// newMailbox mounts authaccount's routes on mux. baseURL is plain http on
// a loopback address (AllowInsecureBaseURL): the playground is a local
// development tool, never a production server.
func newMailbox(a *auth.Auth, clock auth.Clock, baseURL string) (*mailbox, error) {
	outbox := fakemail.New(fakemail.WithClock(clock))
	home := "/"
	ac, err := authaccount.New(a, authaccount.Config{
		Sender: outbox, BaseURL: baseURL, AllowInsecureBaseURL: true, Codes: true,
		Pages: authaccount.Pages{
			AfterSignUp: home, AfterRequestVerification: home, AfterVerification: home,
			AfterRequestReset: home, AfterReset: home, AfterRequestSignInLink: home, AfterSignIn: home,
		},
	})
	if err != nil {
		return nil, err
	}
	return &mailbox{outbox: outbox, accounts: ac}, nil
}

func (m *mailbox) register(mux *http.ServeMux) { m.accounts.Mount(mux) }

// observe remembers a 429 answer, with its Retry-After, for the page.
func (m *mailbox) observe(r *http.Request, code int, h http.Header, now time.Time) {
	if code != http.StatusTooManyRequests {
		return
	}
	m.mu.Lock()
	m.throttled = &throttledView{Time: now, Method: r.Method, Path: r.URL.Path, RetryAfter: h.Get("Retry-After")}
	m.mu.Unlock()
}

// reset forgets every message and the last refusal.
func (m *mailbox) reset() {
	m.outbox.Clear()
	m.mu.Lock()
	m.throttled = nil
	m.mu.Unlock()
}

// mailView is what the home page's Mailbox panel shows.
type mailView struct {
	Messages  []messageView // newest first
	Paths     authaccount.Paths
	Limits    []limitView
	Throttled *throttledView
}

type messageView struct {
	Sent        time.Time
	To, Subject string
	Text        string
	Link, Code  string
}

type limitView struct {
	Name string
	authaccount.Limit
}

// throttledView is a request authaccount refused with 429.
type throttledView struct {
	Time       time.Time
	Method     string
	Path       string
	RetryAfter string // seconds, as the header says
}

func (m *mailbox) view() mailView {
	p := authaccount.DefaultThrottlePolicy() // the playground sets no Config.Throttle
	v := mailView{
		Paths: m.accounts.Paths(),
		Limits: []limitView{
			{"password sign-ins per account and client IP", p.SignInPerAccountIP},
			{"password sign-ins per client IP", p.SignInPerIP},
			{"password sign-ins per account", p.SignInPerAccount},
			{"codes entered per client IP", p.CodePerIP},
			{"mail requests per address", p.EmailPerAddress},
			{"mail requests per client IP", p.EmailPerIP},
		},
	}
	for _, msg := range slices.Backward(m.outbox.Messages()) {
		v.Messages = append(v.Messages, messageView{
			Sent: msg.Sent, To: msg.To, Subject: msg.Subject, Text: msg.Text,
			Link: msg.Link(), Code: msg.Code(),
		})
	}
	m.mu.Lock()
	if m.throttled != nil {
		t := *m.throttled
		v.Throttled = &t
	}
	m.mu.Unlock()
	return v
}
