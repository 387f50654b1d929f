package authaccount

import (
	"context"
	"fmt"
	"html"
	"log/slog"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authmail"
)

// Kind says which mail a [MessageData] is for.
type Kind string

// The kinds of mail the flows send.
const (
	// KindVerifyEmail carries a link (and code) confirming the address.
	KindVerifyEmail Kind = "verify-email"
	// KindResetPassword carries a link (and code) to choose a new
	// password.
	KindResetPassword Kind = "reset-password"
	// KindSignIn carries a sign-in link (and code).
	KindSignIn Kind = "sign-in"
	// KindSignUpExisting tells the owner of an address that someone tried
	// to sign up with it, which the sign-up answer does not reveal.
	KindSignUpExisting Kind = "sign-up-existing"
	// KindNoAccount tells an address that someone asked for a reset, a
	// verification or a sign-in link (MessageData.For) with it, but it has
	// no account.
	KindNoAccount Kind = "no-account"
)

// MessageData is what [Config.Compose] writes a mail from.
type MessageData struct {
	Kind Kind
	// For is, for KindNoAccount, the kind of mail that was asked for.
	For Kind
	// To is the recipient's address.
	To string
	// Link is the absolute URL with the token (on Config.BaseURL); ""
	// for KindSignUpExisting and KindNoAccount.
	Link string
	// Code is the numeric code, "" unless Config.Codes.
	Code string
	// ExpiresIn is how long the link and the code work.
	ExpiresIn time.Duration
	// SiteURL is Config.BaseURL.
	SiteURL string
}

// DefaultMessage writes the mail of each kind in plain English, as text
// and HTML. The link and the code appear only in the message.
func DefaultMessage(d MessageData) authmail.Message {
	var subject, intro, action string
	switch d.Kind {
	case KindVerifyEmail:
		subject, intro, action = "Confirm your email address", "Confirm that this address is yours.", "Confirm the address"
	case KindResetPassword:
		subject, intro, action = "Reset your password", "Someone, hopefully you, asked to reset the password of the account with this address.", "Choose a new password"
	case KindSignIn:
		subject, intro, action = "Your sign-in link", "Someone, hopefully you, asked to sign in with this address.", "Sign in"
	case KindSignUpExisting:
		subject, intro = "Someone tried to sign up with your address", "Someone tried to create an account with this address, which already has one. If it was you, sign in or reset your password."
	case KindNoAccount:
		subject, intro = "No account for this address", "Someone asked for "+what(d.For)+" for this address, but no account uses it. If it was you, you may have signed up with another address."
	default:
		subject, intro = "A message about your account", ""
	}
	site := d.SiteURL
	var text, body strings.Builder
	text.WriteString(intro + "\n\n")
	body.WriteString("<p>" + html.EscapeString(intro) + "</p>\n")
	link := d.Link
	if link == "" {
		link, action = site, "Go to the site"
	}
	fmt.Fprintf(&text, "%s: %s\n\n", action, link)
	fmt.Fprintf(&body, "<p><a href=\"%s\">%s</a></p>\n", html.EscapeString(link), html.EscapeString(action))
	// Each kind writes the same lines, so that composing a mail for an
	// address without an account costs what one with a token does.
	if d.Kind.carriesToken() {
		if d.Code != "" {
			fmt.Fprintf(&text, "Or enter this code: %s\n\n", d.Code)
			fmt.Fprintf(&body, "<p>Or enter this code: <b>%s</b></p>\n", html.EscapeString(d.Code))
		}
		fmt.Fprintf(&text, "It works once, for %s.\n\n", d.ExpiresIn)
		fmt.Fprintf(&body, "<p>It works once, for %s.</p>\n", d.ExpiresIn)
	} else {
		// Plain strings: the lookup of an unknown address costs a little
		// more (an error is made), which this saves back.
		text.WriteString("Nothing was changed on any account.\n\n")
		body.WriteString("<p>Nothing was changed on any account.</p>\n")
	}
	text.WriteString("If you did not ask for this, ignore this message.\n")
	body.WriteString("<p>If you did not ask for this, ignore this message.</p>\n")
	return authmail.Message{To: d.To, Subject: subject, Text: text.String(), HTML: body.String()}
}

// carriesToken reports whether mail of kind k carries a link and code.
func (k Kind) carriesToken() bool {
	return k == KindVerifyEmail || k == KindResetPassword || k == KindSignIn
}

func what(k Kind) string {
	switch k {
	case KindVerifyEmail:
		return "a verification link"
	case KindResetPassword:
		return "a password reset"
	case KindSignIn:
		return "a sign-in link"
	}
	return "a message"
}

// MaxAddress is the longest address accepted, in bytes (RFC 5321 §4.5.3.1
// limits a path to 256 octets, brackets included).
const MaxAddress = 254

// NormalizeAddress returns the form of an email address the flows store
// and compare: trimmed and in lower case (so "Ada@Example.com" and
// "ada@example.com" are one account, as users expect, though RFC 5321
// lets a server tell local parts apart by case). ok is false for what is
// not a single plain address ("name <a@b>" and lists are refused).
func NormalizeAddress(s string) (address string, ok bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" || len(s) > MaxAddress || !utf8.ValidString(s) {
		return "", false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		return "", false
	}
	return s, true
}

// mailFlow is one of the three flows that mail a token to an address:
// verification, password reset, sign-in link.
type mailFlow struct {
	request  string        // the flow of the request handler, for the log
	purpose  string        // the token's purpose
	kind     Kind          // the mail's kind
	ttl      time.Duration // the token's lifetime
	linkPath string        // the route the mail's link leads to
	page     string        // where a form request is redirected (Pages)
}

// send issues the token of flow f for the user's address and mails it.
func (ac *Accounts) send(ctx context.Context, f mailFlow, userID, address string) error {
	nt := auth.NewToken{Purpose: f.purpose, UserID: userID, Address: address, TTL: f.ttl, Code: ac.cfg.Codes}
	return ac.deliver(ctx, nt, MessageData{Kind: f.kind}, f.linkPath)
}

// deliver issues the token nt and sends the mail d with its link (on
// linkPath) and code. When the Sender fails, it revokes the token, so
// that no token is left that nobody received, and returns an error
// wrapping ErrSend.
func (ac *Accounts) deliver(ctx context.Context, nt auth.NewToken, d MessageData, linkPath string) error {
	it, err := ac.a.IssueToken(ctx, nt)
	if err != nil {
		return err
	}
	// The link is built for every kind, so that a mail without one (to
	// an address without an account) costs what one with a link does.
	link := ac.link(linkPath, it.Token)
	if d.Kind.carriesToken() {
		d.Link, d.Code = link, it.Code
	}
	d.To, d.ExpiresIn, d.SiteURL = nt.Address, nt.TTL, ac.base.String()
	if err := ac.cfg.Sender.Send(ctx, ac.compose(d)); err != nil {
		// The request may be gone; the revocation must still happen.
		if rerr := ac.a.RevokeToken(context.WithoutCancel(ctx), it.ID); rerr != nil {
			ac.log.ErrorContext(ctx, "authaccount: revoking an unsent token failed; it expires unused",
				slog.String("token_id", it.ID), slog.Any("error", rerr))
		}
		return fmt.Errorf("%w: %w", ErrSend, err)
	}
	return nil
}

// deliverNoAccount does for an address without an account what deliver
// does for one with: it issues a throwaway token (PurposeNoAccount, for a
// user ID derived from the address, which no flow redeems; a newer one
// replaces it and it expires like the others) and sends the KindNoAccount
// mail, unless Config.NoUnknownAddressMail. The same work, the same store
// write and the same Sender call make the answer, its time and a Sender
// outage's 503 the same for both.
func (ac *Accounts) deliverNoAccount(ctx context.Context, f mailFlow, address string) error {
	if ac.cfg.NoUnknownAddressMail {
		return nil
	}
	nt := auth.NewToken{Purpose: PurposeNoAccount, UserID: noAccountUserID(address), Address: address, TTL: f.ttl, Code: ac.cfg.Codes}
	return ac.deliver(ctx, nt, MessageData{Kind: KindNoAccount, For: f.kind}, f.linkPath)
}

// noAccountUserID is the user ID of an unknown address's throwaway
// tokens: one per address, so that they replace each other. It holds the
// address, which the token's record holds anyway (TokenRecord.Address).
func noAccountUserID(address string) string { return "no-account:" + address }
