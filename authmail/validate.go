package authmail

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
)

// ErrInvalidMessage is the error, wrapped, of a [Message] that no SMTP
// server would carry as given: see [Message.Validate].
var ErrInvalidMessage = errors.New("authmail: invalid message")

// Validate reports whether m can be sent as it is, with an error wrapping
// [ErrInvalidMessage] that says why not. It refuses what an SMTP server or
// client library refuses, and what would let text written into the
// message rewrite its headers:
//
//   - To must be one address as [net/mail.ParseAddress] reads it (RFC
//     5322 section 3.4: "ada@example.com" or "Ada <ada@example.com>"), a
//     server refuses the RCPT TO of anything else (RFC 5321 section 4.1.2);
//   - To and Subject must not hold CR or LF: a header ends at a line break
//     (RFC 5322 section 2.2), so one in a value would start a header of
//     the sender's choosing (a Bcc, say) (OWASP Injection Prevention cheat
//     sheet, "Email header injection");
//   - Text must be set (Message's contract: the text part is what every
//     mail reader can show).
//
// Line breaks in Text and HTML are no error: every sender writes them as
// CRLF (RFC 5321 section 2.3.8), whatever they were.
//
// Every [Sender] of authkit calls Validate before it sends, so a fake and
// a real sender refuse the same messages.
func (m Message) Validate() error {
	if strings.ContainsAny(m.To, "\r\n") {
		return fmt.Errorf("%w: line break in To %q", ErrInvalidMessage, m.To)
	}
	if strings.TrimSpace(m.To) == "" {
		return fmt.Errorf("%w: no recipient (To is empty)", ErrInvalidMessage)
	}
	if _, err := mail.ParseAddress(m.To); err != nil {
		return fmt.Errorf("%w: To %q is not one address: %v", ErrInvalidMessage, m.To, err)
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		return fmt.Errorf("%w: line break in Subject %q", ErrInvalidMessage, m.Subject)
	}
	if m.Text == "" {
		return fmt.Errorf("%w: no Text body", ErrInvalidMessage)
	}
	return nil
}
