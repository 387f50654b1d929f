package fakemail_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/authkit-dev/authkit/authmail"
	"github.com/authkit-dev/authkit/fakeauth"
	"github.com/authkit-dev/authkit/fakemail"
)

// The app sends through the outbox; the test reads the link, token and
// code as the user would.
func Example() {
	f, _ := fakeauth.New()
	outbox := fakemail.New(fakemail.WithClock(f.Clock))

	var sender authmail.Sender = outbox // what the app is given
	_ = sender.Send(context.Background(), authmail.Message{
		To:      "Ada <ada@example.com>",
		Subject: "Verify your email",
		Text:    "Follow https://app.example/verify?token=Zm9v&next=%2F, or type 314159.\r\n",
	})

	m := outbox.To("ada@example.com")[0] // in a test: outbox.Last(t, "ada@example.com")
	fmt.Println(m.Link())
	fmt.Println(m.Token(), m.Code())
	fmt.Println(m.Sent.Equal(f.Clock.Now()))
	// Output:
	// https://app.example/verify?token=Zm9v&next=%2F
	// Zm9v 314159
	// true
}

// A test makes the mail server fail, to check that the app says so.
func ExampleOutbox_Down() {
	outbox := fakemail.New()
	outbox.Down(nil)
	err := outbox.Send(context.Background(), authmail.Message{To: "ada@example.com", Text: "Hi"})
	fmt.Println(errors.Is(err, fakemail.ErrUnavailable), len(outbox.Messages()))
	outbox.Up()
	err = outbox.Send(context.Background(), authmail.Message{To: "ada@example.com", Text: "Hi"})
	fmt.Println(err, len(outbox.Messages()))
	// Output:
	// true 0
	// <nil> 1
}

// The outbox refuses what an SMTP server would: here a subject that
// would add a header.
func ExampleOutbox_Send() {
	outbox := fakemail.New()
	err := outbox.Send(context.Background(), authmail.Message{
		To: "ada@example.com", Subject: "Hi\r\nBcc: eve@example.com", Text: "Hi",
	})
	fmt.Println(errors.Is(err, authmail.ErrInvalidMessage))
	// Output: true
}
