// Package smtpmail is an [authmail.Sender] that hands messages to an SMTP
// submission server (RFC 6409), on github.com/wneessen/go-mail.
//
// Security is on by default: the connection is encrypted, by STARTTLS
// (required, not opportunistic) on port 587 or by implicit TLS on port
// 465 (RFC 8314 section 3), and the server's certificate is verified. A
// plaintext connection, and a password sent over one, each take an option
// whose name says it is insecure.
//
// Each Send opens one connection, sends one message and closes it; it
// returns when the server has accepted the message (the reply to DATA),
// or with an error: [ErrRefused] when the server answered no,
// [ErrUnreachable] when no SMTP conversation could be had, the error of
// ctx when it ended first.
package smtpmail

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/authkit-dev/authkit/authmail"
)

// Errors of [Sender.Send], wrapped with what went wrong.
var (
	// ErrRefused is the error of a server that answered with an SMTP
	// error reply (a 4xx or 5xx: unknown recipient, authentication
	// failed, try later) or lacked what the Config requires (STARTTLS,
	// AUTH). Sending the same message again to the same server will most
	// likely fail the same way, unless the reply was a 4xx.
	ErrRefused = errors.New("smtpmail: server refused")
	// ErrUnreachable is the error of a Send that could not have an SMTP
	// conversation: the server could not be dialled, the TLS handshake or
	// certificate check failed, the connection broke or timed out.
	ErrUnreachable = errors.New("smtpmail: server unreachable")
	// ErrConfig is the error of [New] given a Config it cannot use.
	ErrConfig = errors.New("smtpmail: invalid config")
)

// DefaultTimeout is how long one Send may take, from dialling to the
// server's reply to the message, when [Config.Timeout] is zero.
const DefaultTimeout = 30 * time.Second

// Config says where and how to send.
type Config struct {
	// Host is the SMTP server's host name, checked against its TLS
	// certificate. Required.
	Host string
	// Port is the server's port: 587 (submission, RFC 6409) by default,
	// or 465 (submissions) with ImplicitTLS.
	Port int
	// From is the sender, the From header and the envelope sender (MAIL
	// FROM): "no-reply@app.example" or "App <no-reply@app.example>".
	// Required.
	From string

	// Username and Password are the SMTP AUTH credentials (PLAIN, or
	// LOGIN when the server offers no PLAIN), used when Username is set.
	// They are sent only over TLS, unless InsecurePlaintextAuth.
	Username string
	Password string

	// ImplicitTLS speaks TLS from the connection's first byte (port 465,
	// RFC 8314 section 3.3), rather than upgrading with STARTTLS.
	ImplicitTLS bool
	// TLSConfig is the TLS configuration, for a private CA (RootCAs) or a
	// client certificate; nil means the system's roots and Host as the
	// server name. Its ServerName is Host when empty, and its MinVersion
	// at least TLS 1.2 (RFC 8996, RFC 8314 section 4.1).
	TLSConfig *tls.Config

	// InsecureNoTLS sends in plaintext, without STARTTLS: anyone on the
	// path reads the messages, and with them their sign-in links and
	// codes. For a relay on the same host or in tests only.
	InsecureNoTLS bool
	// InsecurePlaintextAuth lets InsecureNoTLS send Username and Password
	// in plaintext. New refuses credentials over plaintext without it.
	InsecurePlaintextAuth bool

	// Timeout bounds one Send, all included; [DefaultTimeout] if zero.
	// A Send also ends when its ctx does.
	Timeout time.Duration
}

// A Sender sends messages through one SMTP server. Make one with [New];
// it is safe for concurrent use.
type Sender struct {
	cfg    Config
	from   *mail.Address
	tlsCfg *tls.Config
}

var _ authmail.Sender = (*Sender)(nil)

// New returns a Sender for cfg, or an error wrapping [ErrConfig] if cfg
// lacks Host or From, has a From that is not one address, or would send
// credentials in plaintext without InsecurePlaintextAuth. New does not
// connect.
func New(cfg Config) (*Sender, error) {
	if cfg.Host == "" {
		return nil, fmt.Errorf("%w: no Host", ErrConfig)
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil || strings.ContainsAny(cfg.From, "\r\n") {
		return nil, fmt.Errorf("%w: From %q is not one address", ErrConfig, cfg.From)
	}
	if cfg.InsecureNoTLS && cfg.ImplicitTLS {
		return nil, fmt.Errorf("%w: both ImplicitTLS and InsecureNoTLS", ErrConfig)
	}
	if cfg.InsecureNoTLS && cfg.Username != "" && !cfg.InsecurePlaintextAuth {
		return nil, fmt.Errorf("%w: credentials without TLS need InsecurePlaintextAuth", ErrConfig)
	}
	if cfg.Port == 0 {
		cfg.Port = 587
		if cfg.ImplicitTLS {
			cfg.Port = 465
		}
	}
	if cfg.Port < 0 || cfg.Port > 65535 {
		return nil, fmt.Errorf("%w: Port %d", ErrConfig, cfg.Port)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	tlsCfg := &tls.Config{}
	if cfg.TLSConfig != nil {
		tlsCfg = cfg.TLSConfig.Clone()
	}
	if tlsCfg.ServerName == "" {
		tlsCfg.ServerName = cfg.Host
	}
	if tlsCfg.MinVersion < tls.VersionTLS12 {
		tlsCfg.MinVersion = tls.VersionTLS12
	}
	return &Sender{cfg: cfg, from: from, tlsCfg: tlsCfg}, nil
}

// Send sends m, as a text/plain message, or multipart/alternative with
// an HTML part when m.HTML is set, each quoted-printable in UTF-8. It
// refuses an invalid m ([authmail.Message.Validate]) before connecting.
// An error wraps [ErrRefused], [ErrUnreachable] or ctx's error, and the
// cause, with the server's reply when there was one.
func (s *Sender) Send(ctx context.Context, m authmail.Message) error {
	if err := m.Validate(); err != nil {
		return fmt.Errorf("smtpmail: %w", err)
	}
	msg, err := s.message(m)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	client, err := gomail.NewClient(s.cfg.Host, s.options(ctx)...)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrConfig, err)
	}
	err = client.DialAndSendWithContext(ctx, msg)
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("smtpmail: send to %q: %w (%v)", m.To, context.Cause(ctx), err)
	}
	return fmt.Errorf("%w: send to %q via %s: %v", classify(err), m.To, net.JoinHostPort(s.cfg.Host, strconv.Itoa(s.cfg.Port)), err)
}

// message builds the go-mail message of m.
func (s *Sender) message(m authmail.Message) (*gomail.Msg, error) {
	// No User-Agent or X-Mailer: they would tell every recipient which
	// library, at which version, the app sends with.
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.From(s.from.String()); err != nil {
		return nil, fmt.Errorf("%w: From: %v", ErrConfig, err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("smtpmail: %w: To: %v", authmail.ErrInvalidMessage, err)
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageIDWithValue(messageID(s.from.Address))
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// messageID returns a Message-ID unique in the world (RFC 5322 section
// 3.6.4): 128 random bits at the sender's domain, which names no host
// of ours the way the machine's host name would.
func messageID(from string) string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24)
	domain := from[strings.LastIndexByte(from, '@')+1:]
	return hex.EncodeToString(b[:]) + "@" + domain
}

// options returns the go-mail options of one Send, whose connection is
// closed when ctx ends: go-mail itself reads ctx only while dialling.
func (s *Sender) options(ctx context.Context) []gomail.Option {
	opts := []gomail.Option{
		gomail.WithPort(s.cfg.Port),
		// ctx, which ends at Timeout, ends the Send; go-mail's own deadline
		// is a backstop, later so that a timeout always reads as ctx's.
		gomail.WithTimeout(s.cfg.Timeout + time.Second),
		gomail.WithTLSConfig(s.tlsCfg),
		gomail.WithDialContextFunc(s.dialer(ctx)),
		gomail.WithoutNoop(),
	}
	switch {
	case s.cfg.ImplicitTLS:
		opts = append(opts, gomail.WithSSL())
	case s.cfg.InsecureNoTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.cfg.Username != "" {
		plain, login := gomail.SMTPAuthPlain, gomail.SMTPAuthLogin
		if s.cfg.InsecureNoTLS {
			plain, login = gomail.SMTPAuthPlainNoEnc, gomail.SMTPAuthLoginNoEnc
		}
		opts = append(opts,
			gomail.WithOpportunisticSMTPAuth(plain, login),
			gomail.WithUsername(s.cfg.Username),
			gomail.WithPassword(s.cfg.Password))
	}
	return opts
}

// dialer dials the server (through TLS with ImplicitTLS: go-mail leaves
// that to a dial function it is given) and closes the connection when
// ctx ends, which ends any command waiting on it.
func (s *Sender) dialer(ctx context.Context) gomail.DialContextFunc {
	return func(dialCtx context.Context, network, addr string) (net.Conn, error) {
		d := &net.Dialer{}
		var conn net.Conn
		var err error
		if s.cfg.ImplicitTLS {
			conn, err = (&tls.Dialer{NetDialer: d, Config: s.tlsCfg}).DialContext(dialCtx, network, addr)
		} else {
			conn, err = d.DialContext(dialCtx, network, addr)
		}
		if err != nil {
			return nil, err
		}
		context.AfterFunc(ctx, func() { _ = conn.Close() })
		return conn, nil
	}
}

// classify returns ErrRefused for an error the server answered with, and
// ErrUnreachable for the rest.
func classify(err error) error {
	var reply *textproto.Error
	if errors.As(err, &reply) {
		return ErrRefused
	}
	var sendErr *gomail.SendError
	if errors.As(err, &sendErr) && sendErr.ErrorCode() >= 400 {
		return ErrRefused
	}
	// go-mail's errors for a server without an extension the Config
	// needs; STARTTLS and AUTH as a whole have no sentinel.
	if errors.Is(err, gomail.ErrPlainAuthNotSupported) || errors.Is(err, gomail.ErrLoginAuthNotSupported) ||
		errors.Is(err, gomail.ErrNoSupportedAuthDiscovered) ||
		strings.Contains(err.Error(), "does not support STARTTLS") ||
		strings.Contains(err.Error(), "does not support SMTP AUTH") {
		return ErrRefused
	}
	return ErrUnreachable
}
