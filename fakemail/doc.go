// Package fakemail is an outbox for tests: an [authmail.Sender] that
// keeps every message it is given, so that a test reads the link or code
// a user would have received and follows it.
//
//	outbox := fakemail.New(fakemail.WithClock(f.Clock))
//	// ... the app, given outbox as its Sender, sends a password reset ...
//	link := outbox.Last(t, "ada@example.com").Link()
//
// # Faithful to SMTP
//
// The outbox refuses what the real path (package authmail/smtpmail and
// an SMTP server) refuses, with the same [authmail.Message.Validate]: a
// To that is not one address, a line break in To or Subject, no Text.
// It keeps the bodies as a reader finds them after SMTP carried them:
// every line break (CRLF, a bare CR or a bare LF) becomes "\n". A test in
// this package sends the same messages through smtpmail to a real SMTP
// server and through the outbox, and checks that both yield the same
// text, [Message.Link] and [Message.Code].
//
// # Reading
//
// [Message.Link] is the first http or https URL of the text body, found
// as a reader's mail program finds it (in the text, not from a side
// channel); [Message.Code] the first run of 6 to 8 digits standing alone;
// [Message.Token] the "token" parameter of the link. When a message has
// an HTML alternative whose first link is not the text's first link,
// [Outbox.Last] fails the test: users who read HTML would follow another
// link than those who read text.
//
// # Faults
//
// [Outbox.FailNext] makes the next Send fail, [Outbox.Down] every Send
// until [Outbox.Up], so that a test checks that the app tells its user
// the message was not sent. A failed Send keeps nothing.
package fakemail
