package smtpmail_test

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/authmail"
	"github.com/authkit-dev/authkit/authmail/smtpmail"
	"github.com/authkit-dev/authkit/internal/smtptest"
)

// prompt bounds how long a failing Send may take in these tests: far
// less than DefaultTimeout, so a Send that waits for the timeout fails.
const prompt = 5 * time.Second

// wantNotSent checks that Send (described by what) returned an error that
// is target and whose text names word (when word is not empty), and that
// srv was delivered nothing.
func wantNotSent(t *testing.T, srv *smtptest.Server, what string, err, target error, word string) {
	t.Helper()
	if !errors.Is(err, target) || err != nil && !strings.Contains(err.Error(), word) {
		t.Errorf("Send %s = %v, want %v naming %q", what, err, target, word)
	}
	if d := srv.Delivered(); len(d) != 0 {
		t.Errorf("Send %s delivered %+v, want nothing", what, d)
	}
}

func newSender(t *testing.T, srv *smtptest.Server, edit func(*smtpmail.Config)) *smtpmail.Sender {
	t.Helper()
	cfg := smtpmail.Config{
		Host:      srv.Host,
		Port:      srv.Port,
		From:      "App <no-reply@app.example>",
		Username:  "app",
		Password:  "s3cret",
		TLSConfig: &tls.Config{RootCAs: srv.RootCAs},
	}
	if edit != nil {
		edit(&cfg)
	}
	s, err := smtpmail.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// verification is a message whose link must survive quoted-printable:
// "=" and "&" in the query, a line longer than 76 characters, trailing
// white space, non-ASCII text and a line of a single dot.
var verification = authmail.Message{
	To:      "Ada Lovelace <ada@example.com>",
	Subject: "Vérifiez votre adresse",
	Text: "Hello Ada,\n\nVerify your address: https://app.example/verify?token=QUJD-ZGVm_Z2hp&x=1\n" +
		"Or type the code 48151623 in the app.   \n.\nA long line: " + strings.Repeat("0123456789", 10) + "\nÀ bientôt\n",
	HTML: `<p>Hello Ada,</p><p><a href="https://app.example/verify?token=QUJD-ZGVm_Z2hp&amp;x=1">Verify</a></p>`,
}

func TestSendDeliversOverSTARTTLSWithAuth(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Config{Username: "app", Password: "s3cret"})
	s := newSender(t, srv, nil)
	if err := s.Send(context.Background(), verification); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := srv.Delivered()
	if len(got) != 1 {
		t.Fatalf("delivered %d messages, want 1", len(got))
	}
	d := got[0]
	if d.From != "no-reply@app.example" || len(d.To) != 1 || d.To[0] != "ada@example.com" {
		t.Errorf("envelope from %q to %q, want no-reply@app.example to [ada@example.com]", d.From, d.To)
	}
	if !d.TLS || d.User != "app" {
		t.Errorf("delivered with TLS %v as %q, want TLS as app", d.TLS, d.User)
	}
	p, err := d.Parse()
	if err != nil {
		t.Fatalf("parse delivered message: %v\n%s", err, d.Data)
	}
	if p.Subject != verification.Subject {
		t.Errorf("Subject = %q, want %q", p.Subject, verification.Subject)
	}
	from, err := p.Header.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Address != "no-reply@app.example" || from[0].Name != "App" {
		t.Errorf("From = %v (%v), want App <no-reply@app.example>", from, err)
	}
	to, err := p.Header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Address != "ada@example.com" || to[0].Name != "Ada Lovelace" {
		t.Errorf("To = %v (%v), want Ada Lovelace <ada@example.com>", to, err)
	}
	if date, err := p.Header.Date(); err != nil || time.Since(date).Abs() > time.Minute {
		t.Errorf("Date = %v (%v), want about now", date, err)
	}
	if id := p.Header.Get("Message-Id"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@app.example>") || len(id) < 20 {
		t.Errorf("Message-ID = %q, want <random@app.example>", id)
	}
	if ua, xm := p.Header.Get("User-Agent"), p.Header.Get("X-Mailer"); ua != "" || xm != "" {
		t.Errorf("User-Agent %q, X-Mailer %q, want neither (they name the library and its version)", ua, xm)
	}
	if v := p.Header.Get("Mime-Version"); v != "1.0" {
		t.Errorf("MIME-Version = %q, want 1.0", v)
	}
	if ct := p.Header.Get("Content-Type"); !strings.HasPrefix(ct, "multipart/alternative") {
		t.Errorf("Content-Type = %q, want multipart/alternative", ct)
	}
	if !strings.HasPrefix(p.TextType, "text/plain") || !strings.Contains(strings.ToLower(p.TextType), "utf-8") {
		t.Errorf("text part Content-Type = %q, want text/plain in UTF-8", p.TextType)
	}
	if want := strings.ReplaceAll(verification.Text, "\n", "\r\n"); p.Text != want {
		t.Errorf("decoded text =\n%q\nwant (the text with CRLF line ends)\n%q", p.Text, want)
	}
	if !strings.HasPrefix(p.HTMLType, "text/html") || p.HTML != verification.HTML {
		t.Errorf("HTML part %q = %q, want text/html %q", p.HTMLType, p.HTML, verification.HTML)
	}
}

func TestSendTextOnlyIsNotMultipart(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Config{})
	s := newSender(t, srv, func(c *smtpmail.Config) { c.Username = "" })
	m := verification
	m.HTML = ""
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	p, err := srv.Delivered()[0].Parse()
	if err != nil {
		t.Fatal(err)
	}
	if ct := p.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type = %q, want text/plain", ct)
	}
	if want := strings.ReplaceAll(m.Text, "\n", "\r\n"); p.Text != want {
		t.Errorf("decoded text = %q, want %q", p.Text, want)
	}
}

func TestSendOverImplicitTLS(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Config{ImplicitTLS: true, Username: "app", Password: "s3cret"})
	s := newSender(t, srv, func(c *smtpmail.Config) { c.ImplicitTLS = true })
	if err := s.Send(context.Background(), verification); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if d := srv.Delivered(); len(d) != 1 || !d[0].TLS || d[0].User != "app" {
		t.Errorf("delivered %+v, want one message over TLS as app", d)
	}
}

func TestSendInsecureNoTLS(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Config{NoTLS: true, AllowInsecureAuth: true, Username: "app", Password: "s3cret"})
	s := newSender(t, srv, func(c *smtpmail.Config) { c.InsecureNoTLS, c.InsecurePlaintextAuth = true, true })
	if err := s.Send(context.Background(), verification); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if d := srv.Delivered(); len(d) != 1 || d[0].TLS || d[0].User != "app" {
		t.Errorf("delivered %+v, want one message in plaintext as app", d)
	}
}

func TestSendRequiresSTARTTLSByDefault(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Config{NoTLS: true})
	s := newSender(t, srv, func(c *smtpmail.Config) { c.Username = "" })
	err := s.Send(context.Background(), verification)
	wantNotSent(t, srv, "to a server without STARTTLS", err, smtpmail.ErrRefused, "STARTTLS")
}

func TestSendRefusesUntrustedCertificate(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Config{})
	s := newSender(t, srv, func(c *smtpmail.Config) { c.Username, c.TLSConfig = "", nil })
	err := s.Send(context.Background(), verification)
	wantNotSent(t, srv, "to a server of an unknown CA", err, smtpmail.ErrUnreachable, "certificate")
}

func TestSendWrongPasswordIsRefused(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Config{Username: "app", Password: "s3cret"})
	s := newSender(t, srv, func(c *smtpmail.Config) { c.Password = "wrong" })
	err := s.Send(context.Background(), verification)
	wantNotSent(t, srv, "with a wrong password", err, smtpmail.ErrRefused, "535")
}

func TestSendRejectedRecipientIsRefused(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Config{Username: "app", Password: "s3cret", RejectDomain: "gone.example"})
	s := newSender(t, srv, nil)
	m := verification
	m.To = "bob@gone.example"
	start := time.Now()
	err := s.Send(context.Background(), m)
	wantNotSent(t, srv, "to a rejected recipient", err, smtpmail.ErrRefused, "550")
	if errors.Is(err, smtpmail.ErrUnreachable) {
		t.Errorf("Send to a rejected recipient = %v, also ErrUnreachable", err)
	}
	if took := time.Since(start); took > prompt {
		t.Errorf("Send took %v, want under %v", took, prompt)
	}
}

func TestSendServerDownIsUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	s, err := smtpmail.New(smtpmail.Config{Host: "127.0.0.1", Port: port, From: "no-reply@app.example"})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = s.Send(context.Background(), verification)
	if !errors.Is(err, smtpmail.ErrUnreachable) || errors.Is(err, smtpmail.ErrRefused) {
		t.Errorf("Send to a closed port = %v, want ErrUnreachable only", err)
	}
	if took := time.Since(start); took > prompt {
		t.Errorf("Send took %v, want under %v", took, prompt)
	}
}

// silentServer accepts connections and never answers, as a server that
// hangs; it returns its port.
func silentServer(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { _ = l.Close(); <-done })
	go func() {
		defer close(done)
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				_ = c.Close()
			}
		}()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	return l.Addr().(*net.TCPAddr).Port
}

func TestSendCancelledContextEndsPromptly(t *testing.T) {
	port := silentServer(t)
	s, err := smtpmail.New(smtpmail.Config{Host: "127.0.0.1", Port: port, From: "no-reply@app.example", Timeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	err = s.Send(ctx, verification)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Send cancelled while waiting for the greeting = %v, want context.Canceled", err)
	}
	if took := time.Since(start); took > prompt {
		t.Errorf("Send took %v after its ctx was cancelled at 100ms, want under %v", took, prompt)
	}

	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	if err := s.Send(ctx, verification); !errors.Is(err, context.Canceled) {
		t.Errorf("Send with a cancelled ctx = %v, want context.Canceled", err)
	}
}

func TestSendTimeout(t *testing.T) {
	port := silentServer(t)
	s, err := smtpmail.New(smtpmail.Config{Host: "127.0.0.1", Port: port, From: "no-reply@app.example", Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = s.Send(context.Background(), verification)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Send to a server that never answers = %v, want context.DeadlineExceeded", err)
	}
	if took := time.Since(start); took > prompt {
		t.Errorf("Send took %v with a 200ms Timeout, want under %v", took, prompt)
	}
}

func TestSendRefusesInvalidMessage(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Config{Username: "app", Password: "s3cret"})
	s := newSender(t, srv, nil)
	m := verification
	m.Subject = "Hi\r\nBcc: eve@example.com"
	err := s.Send(context.Background(), m)
	wantNotSent(t, srv, "with CRLF in Subject", err, authmail.ErrInvalidMessage, "")
}

func TestNewRefusesInsecureOrIncompleteConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  smtpmail.Config
	}{
		{"no host", smtpmail.Config{From: "a@app.example"}},
		{"no from", smtpmail.Config{Host: "smtp.example"}},
		{"from not an address", smtpmail.Config{Host: "smtp.example", From: "app"}},
		{"from with a line break", smtpmail.Config{Host: "smtp.example", From: "a@app.example\r\nBcc: e@x.example"}},
		{"password over plaintext", smtpmail.Config{Host: "smtp.example", From: "a@app.example", InsecureNoTLS: true, Username: "u", Password: "p"}},
		{"TLS both ways", smtpmail.Config{Host: "smtp.example", From: "a@app.example", InsecureNoTLS: true, ImplicitTLS: true}},
		{"bad port", smtpmail.Config{Host: "smtp.example", From: "a@app.example", Port: 70000}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := smtpmail.New(tc.cfg); !errors.Is(err, smtpmail.ErrConfig) {
				t.Errorf("New(%+v) = %v, want ErrConfig", tc.cfg, err)
			}
		})
	}
	if _, err := smtpmail.New(smtpmail.Config{Host: "smtp.example", From: "a@app.example", InsecureNoTLS: true, InsecurePlaintextAuth: true, Username: "u"}); err != nil {
		t.Errorf("New with InsecurePlaintextAuth = %v, want nil", err)
	}
}
