package smtpmail_test

import (
	"context"
	"fmt"
	"time"

	"github.com/authkit-dev/authkit/authmail"
	"github.com/authkit-dev/authkit/authmail/smtpmail"
)

// A Sender for a submission server on port 587 with STARTTLS, the
// default. New does not connect: Send does, once per message.
func Example() {
	sender, err := smtpmail.New(smtpmail.Config{
		Host:     "smtp.example.com",
		From:     "App <no-reply@app.example>",
		Username: "no-reply@app.example",
		Password: "from-a-secret-store",
		Timeout:  10 * time.Second,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	var _ authmail.Sender = sender
	_ = func(ctx context.Context) error {
		return sender.Send(ctx, authmail.Message{
			To:      "ada@example.com",
			Subject: "Verify your email",
			Text:    "Follow https://app.example/verify?token=... to verify your address.",
		})
	}
	fmt.Println("ready")
	// Output: ready
}

// Credentials over plaintext are refused unless asked for by name.
func ExampleNew_insecure() {
	_, err := smtpmail.New(smtpmail.Config{
		Host: "relay.internal", From: "no-reply@app.example",
		InsecureNoTLS: true, Username: "app", Password: "p",
	})
	fmt.Println(err)
	// Output: smtpmail: invalid config: credentials without TLS need InsecurePlaintextAuth
}
