package fakemail_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/authkit-dev/authkit/authmail"
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/fakemail"
)

// recorder is a fakemail.TB that keeps what a test would have been told.
type recorder struct {
	errors, fatals []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.fatals = append(r.fatals, fmt.Sprintf(format, args...))
}

func reset(to string) authmail.Message {
	return authmail.Message{
		To:      to,
		Subject: "Reset your password",
		Text:    "Hello,\n\nReset it here: https://app.example/reset?token=abc&x=1\n\nor type 123456.\n",
		HTML:    `<p>Reset it <a href="https://app.example/reset?token=abc&amp;x=1">here</a></p>`,
	}
}

func TestOutboxRecordsWithClockTime(t *testing.T) {
	clock := fakeauth.NewClock(time.Time{})
	o := fakemail.New(fakemail.WithClock(clock))
	ctx := context.Background()
	if err := o.Send(ctx, reset("ada@example.com")); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	if err := o.Send(ctx, reset("Bob <bob@example.com>")); err != nil {
		t.Fatal(err)
	}
	got := o.Messages()
	if len(got) != 2 {
		t.Fatalf("Messages() = %d messages, want 2", len(got))
	}
	if want := fakeauth.DefaultStart(); !got[0].Sent.Equal(want) {
		t.Errorf("first Sent = %v, want %v", got[0].Sent, want)
	}
	if want := fakeauth.DefaultStart().Add(time.Minute); !got[1].Sent.Equal(want) {
		t.Errorf("second Sent = %v, want %v", got[1].Sent, want)
	}
	if diff := cmp.Diff(reset("ada@example.com"), got[0].Message); diff != "" {
		t.Errorf("recorded message (-want +got):\n%s", diff)
	}
}

func TestOutboxToMatchesAddressIgnoringNameAndCase(t *testing.T) {
	o := fakemail.New()
	ctx := context.Background()
	for _, to := range []string{"Ada <Ada@Example.com>", "bob@example.com", "ada@example.com"} {
		if err := o.Send(ctx, reset(to)); err != nil {
			t.Fatal(err)
		}
	}
	got := o.To("ada@example.com")
	if len(got) != 2 || got[0].To != "Ada <Ada@Example.com>" || got[1].To != "ada@example.com" {
		t.Errorf("To(ada@example.com) = %+v, want the first and third messages", got)
	}
	if got := o.To("carol@example.com"); len(got) != 0 {
		t.Errorf("To(carol) = %+v, want none", got)
	}
}

func TestOutboxLastReturnsNewest(t *testing.T) {
	o := fakemail.New()
	ctx := context.Background()
	first, second := reset("ada@example.com"), reset("ada@example.com")
	second.Subject = "Again"
	_ = o.Send(ctx, first)
	_ = o.Send(ctx, second)
	var r recorder
	if got := o.Last(&r, "ada@example.com"); got.Subject != "Again" {
		t.Errorf("Last().Subject = %q, want %q", got.Subject, "Again")
	}
	if len(r.errors)+len(r.fatals) != 0 {
		t.Errorf("Last reported %v %v, want nothing", r.errors, r.fatals)
	}
}

func TestOutboxLastFailsListingWhatWasSent(t *testing.T) {
	o := fakemail.New()
	ctx := context.Background()
	_ = o.Send(ctx, reset("bob@example.com"))
	o.FailNext(nil)
	_ = o.Send(ctx, reset("ada@example.com"))
	var r recorder
	got := o.Last(&r, "ada@example.com")
	if got.To != "" {
		t.Errorf("Last() = %+v, want the zero Message", got)
	}
	if len(r.fatals) != 1 {
		t.Fatalf("Fatalf calls = %q, want one", r.fatals)
	}
	for _, want := range []string{"no message to ada@example.com", "bob@example.com", `"Reset your password"`, "failed (1)", fakemail.ErrUnavailable.Error()} {
		if !strings.Contains(r.fatals[0], want) {
			t.Errorf("Fatalf message %q does not mention %q", r.fatals[0], want)
		}
	}
}

func TestOutboxLastReportsHTMLLinkingElsewhere(t *testing.T) {
	for _, tc := range []struct {
		name, html string
		wantError  bool
	}{
		{"same link, entity-encoded", `<a href="https://app.example/reset?token=abc&amp;x=1">here</a>`, false},
		{"other link", `<a href="https://evil.example/reset?token=abc&amp;x=1">here</a>`, true},
		{"other token", `<a href="https://app.example/reset?token=abd&amp;x=1">here</a>`, true},
		{"no link", `<p>Reset it in the app.</p>`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := fakemail.New()
			m := reset("ada@example.com")
			m.HTML = tc.html
			_ = o.Send(context.Background(), m)
			var r recorder
			got := o.Last(&r, "ada@example.com")
			if got.Subject != m.Subject {
				t.Errorf("Last() did not return the message: %+v", got)
			}
			if gotError := len(r.errors) > 0; gotError != tc.wantError {
				t.Errorf("Errorf calls = %q, want an error: %v", r.errors, tc.wantError)
			}
			if len(r.fatals) != 0 {
				t.Errorf("Fatalf calls = %q, want none", r.fatals)
			}
		})
	}
}

func TestOutboxClear(t *testing.T) {
	o := fakemail.New()
	_ = o.Send(context.Background(), reset("ada@example.com"))
	o.Clear()
	if got := o.Messages(); len(got) != 0 {
		t.Errorf("Messages() after Clear = %+v, want none", got)
	}
}

func TestOutboxFaults(t *testing.T) {
	ctx := context.Background()
	errBounce := errors.New("421 try later")
	o := fakemail.New()
	o.FailNext(errBounce)
	o.FailNext(nil)
	if err := o.Send(ctx, reset("ada@example.com")); !errors.Is(err, errBounce) {
		t.Errorf("first Send after FailNext(errBounce) = %v, want errBounce", err)
	}
	if err := o.Send(ctx, reset("ada@example.com")); !errors.Is(err, fakemail.ErrUnavailable) {
		t.Errorf("second Send after FailNext(nil) = %v, want ErrUnavailable", err)
	}
	if err := o.Send(ctx, reset("ada@example.com")); err != nil {
		t.Errorf("third Send = %v, want nil: FailNext fails one Send each", err)
	}
	o.Down(errBounce)
	for i := range 2 {
		if err := o.Send(ctx, reset("ada@example.com")); !errors.Is(err, errBounce) {
			t.Errorf("Send %d while Down = %v, want errBounce", i, err)
		}
	}
	o.Up()
	if err := o.Send(ctx, reset("ada@example.com")); err != nil {
		t.Errorf("Send after Up = %v, want nil", err)
	}
	if got := len(o.Messages()); got != 2 {
		t.Errorf("recorded %d messages, want 2: a failed Send keeps nothing", got)
	}
}

func TestOutboxHonoursContext(t *testing.T) {
	o := fakemail.New()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := o.Send(ctx, reset("ada@example.com")); !errors.Is(err, context.Canceled) {
		t.Errorf("Send with a cancelled ctx = %v, want context.Canceled", err)
	}
	if got := o.Messages(); len(got) != 0 {
		t.Errorf("recorded %+v, want nothing", got)
	}
}

func TestOutboxRefusesInvalidMessages(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*authmail.Message)
	}{
		{"empty To", func(m *authmail.Message) { m.To = "" }},
		{"To without domain", func(m *authmail.Message) { m.To = "ada" }},
		{"two recipients", func(m *authmail.Message) { m.To = "ada@example.com, bob@example.com" }},
		{"CRLF in To", func(m *authmail.Message) { m.To = "ada@example.com\r\nBcc: eve@example.com" }},
		{"LF in Subject", func(m *authmail.Message) { m.Subject = "Hi\nBcc: eve@example.com" }},
		{"CR in Subject", func(m *authmail.Message) { m.Subject = "Hi\rBcc: eve@example.com" }},
		{"no Text", func(m *authmail.Message) { m.Text = "" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := fakemail.New()
			m := reset("ada@example.com")
			tc.edit(&m)
			if err := o.Send(context.Background(), m); !errors.Is(err, authmail.ErrInvalidMessage) {
				t.Errorf("Send(%+v) = %v, want ErrInvalidMessage", m, err)
			}
			if got := o.Messages(); len(got) != 0 {
				t.Errorf("recorded %+v, want nothing", got)
			}
		})
	}
}

func TestOutboxNormalizesLineBreaks(t *testing.T) {
	o := fakemail.New()
	m := reset("ada@example.com")
	m.Text = "one\r\ntwo\rthree\nfour\r\n"
	m.HTML = "<p>a</p>\r<p>b</p>\r\n"
	_ = o.Send(context.Background(), m)
	got := o.Messages()[0]
	if want := "one\ntwo\nthree\nfour\n"; got.Text != want {
		t.Errorf("Text = %q, want %q", got.Text, want)
	}
	if want := "<p>a</p>\n<p>b</p>\n"; got.HTML != want {
		t.Errorf("HTML = %q, want %q", got.HTML, want)
	}
}

func TestOutboxConcurrentSends(t *testing.T) {
	o := fakemail.New()
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			_ = o.Send(context.Background(), reset(fmt.Sprintf("user%d@example.com", i)))
			_ = o.To("user1@example.com")
		})
	}
	wg.Wait()
	if got := len(o.Messages()); got != 20 {
		t.Errorf("recorded %d messages, want 20", got)
	}
}
