package fakemail

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authmail"
)

// ErrUnavailable is the error of [Outbox.FailNext] and [Outbox.Down]
// when they are given nil.
var ErrUnavailable = errors.New("fakemail: mail server unavailable")

// An Outbox is an [authmail.Sender] that records messages instead of
// sending them. Make one with [New]. It is safe for concurrent use.
type Outbox struct {
	clock auth.Clock

	mu       sync.Mutex
	sent     []Message
	failed   []failure // Sends that returned an error, for Last's report
	failNext []error
	down     error
}

// failure is a Send that returned an error.
type failure struct {
	to, subject string
	err         error
}

// An Option configures an [Outbox] made by [New].
type Option func(*Outbox)

// WithClock sets the clock that stamps each message's [Message.Sent]
// time: anything with a Now method, such as a fakeauth.Fake's Clock.
// [auth.SystemClock] otherwise.
func WithClock(c auth.Clock) Option { return func(o *Outbox) { o.clock = c } }

// New returns an empty Outbox.
func New(opts ...Option) *Outbox {
	o := &Outbox{}
	for _, opt := range opts {
		opt(o)
	}
	if o.clock == nil {
		o.clock = auth.SystemClock{}
	}
	return o
}

var _ authmail.Sender = (*Outbox)(nil)

// Send records m, with its line breaks made "\n", and returns nil; or
// returns an error and records nothing: when ctx is done, when m is not
// valid ([authmail.Message.Validate], wrapping
// [authmail.ErrInvalidMessage]), or when a fault of [Outbox.FailNext] or
// [Outbox.Down] is set (wrapping its error).
func (o *Outbox) Send(ctx context.Context, m authmail.Message) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	err := o.refusal(ctx, m)
	if err != nil {
		o.failed = append(o.failed, failure{to: m.To, subject: m.Subject, err: err})
		return err
	}
	m.Text = normalizeLineBreaks(m.Text)
	m.HTML = normalizeLineBreaks(m.HTML)
	o.sent = append(o.sent, Message{Message: m, Sent: o.clock.Now()})
	return nil
}

// refusal returns why Send must fail, or nil.
func (o *Outbox) refusal(ctx context.Context, m authmail.Message) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("fakemail: send to %q: %w", m.To, err)
	}
	if err := m.Validate(); err != nil {
		return fmt.Errorf("fakemail: %w", err)
	}
	if len(o.failNext) > 0 {
		err := o.failNext[0]
		o.failNext = o.failNext[1:]
		return fmt.Errorf("fakemail: send to %q (FailNext): %w", m.To, err)
	}
	if o.down != nil {
		return fmt.Errorf("fakemail: send to %q (Down): %w", m.To, o.down)
	}
	return nil
}

// normalizeLineBreaks turns CRLF, bare CR and bare LF into "\n", as a
// message reads once SMTP has carried it: SMTP lines end in CRLF (RFC
// 5321 section 2.3.8), and a sender writes any line break as one.
func normalizeLineBreaks(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

// FailNext makes the next Send fail with err (wrapped), or with
// [ErrUnavailable] if err is nil. Each call fails one more Send; faults
// of FailNext come before [Outbox.Down]'s.
func (o *Outbox) FailNext(err error) {
	if err == nil {
		err = ErrUnavailable
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.failNext = append(o.failNext, err)
}

// Down makes every Send fail with err (wrapped), or with [ErrUnavailable]
// if err is nil, until [Outbox.Up].
func (o *Outbox) Down(err error) {
	if err == nil {
		err = ErrUnavailable
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.down = err
}

// Up undoes [Outbox.Down] and drops the faults of [Outbox.FailNext] not
// yet used.
func (o *Outbox) Up() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.down = nil
	o.failNext = nil
}

// Messages returns every message recorded, oldest first.
func (o *Outbox) Messages() []Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]Message(nil), o.sent...)
}

// To returns the messages recorded to addr, oldest first. Addresses match
// without their display names and regardless of case, as mailbox
// providers treat them: "Ada <Ada@Example.com>" matches
// "ada@example.com".
func (o *Outbox) To(addr string) []Message {
	want := address(addr)
	var to []Message
	for _, m := range o.Messages() {
		if strings.EqualFold(address(m.To), want) {
			to = append(to, m)
		}
	}
	return to
}

// address returns the addr-spec of s, or s if it is not one address.
func address(s string) string {
	if a, err := mail.ParseAddress(s); err == nil {
		return a.Address
	}
	return strings.TrimSpace(s)
}

// Clear forgets every message, and every failed Send. Faults stay set.
func (o *Outbox) Clear() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent = nil
	o.failed = nil
}

// TB is the part of [testing.TB] that [Outbox.Last] uses; a *testing.T,
// B or F is one. fakemail does not import package testing, so that a
// program built on the outbox (the playground) links no test code.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// Last returns the newest message to addr (matched as by [Outbox.To]).
// If there is none it fails t with Fatalf, listing every message recorded
// and every Send that failed, and returns the zero Message. If the
// message's HTML alternative links first to another URL than its text
// does, Last reports it with Errorf and still returns the message.
func (o *Outbox) Last(t TB, addr string) Message {
	t.Helper()
	to := o.To(addr)
	if len(to) == 0 {
		t.Fatalf("fakemail: no message to %s\n%s", addr, o.report())
		return Message{}
	}
	m := to[len(to)-1]
	if err := m.checkLinks(); err != nil {
		t.Errorf("fakemail: message to %s, %q: %v", addr, m.Subject, err)
	}
	return m
}

// report lists the messages and the failed Sends, for a failing test.
func (o *Outbox) report() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "sent (%d):\n", len(o.sent))
	for _, m := range o.sent {
		fmt.Fprintf(&b, "\t%s to %s: %q\n", m.Sent.Format(time.RFC3339), m.To, m.Subject)
	}
	if len(o.failed) > 0 {
		fmt.Fprintf(&b, "failed (%d):\n", len(o.failed))
		for _, f := range o.failed {
			fmt.Fprintf(&b, "\tto %q: %q: %v\n", f.to, f.subject, f.err)
		}
	}
	return b.String()
}
