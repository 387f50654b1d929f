package fakemail_test

import (
	"context"
	"crypto/tls"
	"errors"
	"strings"
	"testing"

	"github.com/authkit-dev/authkit/authmail"
	"github.com/authkit-dev/authkit/authmail/smtpmail"
	"github.com/authkit-dev/authkit/fakemail"
	"github.com/authkit-dev/authkit/internal/smtptest"
)

// compared are messages sent both through the outbox and through
// smtpmail to a real SMTP server: every line-break style, quoted-printable
// hazards ("=", "&", long lines, trailing white space, a lone "."),
// non-ASCII, links in angle brackets and at the end of a sentence.
var compared = []authmail.Message{
	{To: "ada@example.com", Subject: "Verify", Text: "Verify: https://app.example/v?token=QUJD_ZGVm-Z2hp&x=1\nCode: 123456\n",
		HTML: `<a href="https://app.example/v?token=QUJD_ZGVm-Z2hp&amp;x=1">Verify</a>`},
	{To: "Ada <ada@example.com>", Subject: "Réinitialisation", Text: "Bonjour,\r\nlien : <https://app.example/r?token=a%2Bb&lang=fr>.\r\nÀ bientôt   \r\n.\r\n"},
	{To: "ada@example.com", Subject: "Code", Text: "bare CR\rbare LF\nCRLF\r\nyour code is 00424242, valid 10 minutes.\r\r\n\n"},
	{To: "ada@example.com", Subject: "Long", Text: strings.Repeat("x", 100) + " https://app.example/" + strings.Repeat("p", 120) + "?token=" + strings.Repeat("t", 90) + "&x=1 " + "\n=3D=\n"},
}

func TestOutboxMatchesSMTP(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Config{Username: "app", Password: "s3cret"})
	real, err := smtpmail.New(smtpmail.Config{Host: srv.Host, Port: srv.Port, From: "no-reply@app.example",
		Username: "app", Password: "s3cret", TLSConfig: &tls.Config{RootCAs: srv.RootCAs}})
	if err != nil {
		t.Fatal(err)
	}
	fake := fakemail.New()
	ctx := context.Background()
	for i, m := range compared {
		if err := real.Send(ctx, m); err != nil {
			t.Fatalf("message %d: smtpmail: %v", i, err)
		}
		if err := fake.Send(ctx, m); err != nil {
			t.Fatalf("message %d: fakemail: %v", i, err)
		}
		delivered := srv.Delivered()
		p, err := delivered[len(delivered)-1].Parse()
		if err != nil {
			t.Fatalf("message %d: parse: %v", i, err)
		}
		// A reader's view of the real message, in the outbox's terms.
		viaSMTP := fakemail.Message{Message: authmail.Message{To: m.To, Subject: p.Subject,
			Text: strings.ReplaceAll(p.Text, "\r\n", "\n"), HTML: strings.ReplaceAll(p.HTML, "\r\n", "\n")}}
		got := fake.Messages()[i]
		for _, c := range []struct{ what, real, fake string }{
			{"Text", viaSMTP.Text, got.Text},
			{"HTML", viaSMTP.HTML, got.HTML},
			{"Subject", viaSMTP.Subject, got.Subject},
			{"Link", viaSMTP.Link(), got.Link()},
			{"Token", viaSMTP.Token(), got.Token()},
			{"Code", viaSMTP.Code(), got.Code()},
		} {
			if c.real != c.fake {
				t.Errorf("message %d: %s via SMTP %q, in the outbox %q", i, c.what, c.real, c.fake)
			}
		}
		if got.Link() == "" && got.Code() == "" {
			t.Errorf("message %d has neither link nor code: it compares nothing", i)
		}
	}
}

// Both refuse the same messages, before anything is sent.
func TestOutboxRefusesWhatSMTPRefuses(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Config{RejectDomain: "gone.example"})
	real, err := smtpmail.New(smtpmail.Config{Host: srv.Host, Port: srv.Port, From: "no-reply@app.example",
		TLSConfig: &tls.Config{RootCAs: srv.RootCAs}})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []authmail.Message{
		{To: "", Text: "x"},
		{To: "not an address", Text: "x"},
		{To: "ada@example.com\nBcc: eve@example.com", Text: "x"},
		{To: "ada@example.com", Subject: "a\r\nBcc: eve@example.com", Text: "x"},
		{To: "ada@example.com"},
	} {
		realErr := real.Send(context.Background(), m)
		fakeErr := fakemail.New().Send(context.Background(), m)
		if !errors.Is(realErr, authmail.ErrInvalidMessage) || !errors.Is(fakeErr, authmail.ErrInvalidMessage) {
			t.Errorf("Send(%+v): smtpmail %v, fakemail %v; want ErrInvalidMessage from both", m, realErr, fakeErr)
		}
	}
	if d := srv.Delivered(); len(d) != 0 {
		t.Errorf("the server received %d messages, want none", len(d))
	}
}
