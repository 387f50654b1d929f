// Package authmail is how authkit sends email: the one-time links and codes
// of email verification, password reset and sign-in by email. The app gives
// a [Sender]; package authmail/smtpmail is one on SMTP, and package fakemail
// records messages for tests.
package authmail

import "context"

// Message is one email. authkit writes the link or code of a one-time token
// into Text (and HTML when set), as the recipient will read it.
type Message struct {
	// To is the recipient's address.
	To string
	// Subject is the message's subject line.
	Subject string
	// Text is the plain-text body. It is always set.
	Text string
	// HTML is an optional HTML alternative to Text.
	HTML string
}

// A Sender delivers messages. Send returns nil once the message has been
// accepted for delivery (by an SMTP server, a mail API, a queue that keeps
// it), and an error otherwise: then nothing was sent, and the caller tells
// its user so rather than pretend. Send honours ctx cancellation and is safe
// for concurrent use.
type Sender interface {
	Send(ctx context.Context, m Message) error
}
