// Package smtptest runs a real SMTP server (github.com/emersion/go-smtp)
// on a loopback port for tests, with STARTTLS or implicit TLS on a
// certificate made for the test, AUTH PLAIN, and every delivered message
// kept for the test to read. It is imported by tests only.
package smtptest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"io"
	"log"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Config says how a [Server] behaves.
type Config struct {
	// Username and Password, when set, are the only credentials AUTH
	// PLAIN accepts; AUTH is offered only over TLS unless
	// AllowInsecureAuth.
	Username, Password string
	// AllowInsecureAuth offers AUTH on a plaintext connection.
	AllowInsecureAuth bool
	// NoTLS offers no STARTTLS.
	NoTLS bool
	// ImplicitTLS speaks TLS from the first byte instead of STARTTLS.
	ImplicitTLS bool
	// RejectDomain is a recipient domain whose RCPT TO is answered 550.
	RejectDomain string
}

// A Delivery is one message the server accepted.
type Delivery struct {
	From string   // envelope sender (MAIL FROM)
	To   []string // envelope recipients (RCPT TO)
	Data []byte   // the message as received, after DATA
	TLS  bool     // whether the connection was encrypted
	User string   // the authenticated user, if any
}

// A Server is a running SMTP server.
type Server struct {
	// Host and Port are where it listens: "127.0.0.1" and a free port.
	Host string
	Port int
	// RootCAs trusts the server's certificate (for 127.0.0.1 and
	// localhost).
	RootCAs *x509.CertPool

	mu        sync.Mutex
	delivered []Delivery
}

// Start starts a server on 127.0.0.1 and stops it with t.Cleanup.
func Start(t testing.TB, cfg Config) *Server {
	t.Helper()
	cert, pool := certificate(t)
	s := &Server{Host: "127.0.0.1", RootCAs: pool}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		_, isTLS := c.TLSConnectionState()
		return &session{srv: s, cfg: cfg, tls: isTLS}, nil
	}))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = cfg.AllowInsecureAuth
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.ErrorLog = log.New(io.Discard, "", 0)
	tlsCfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if !cfg.NoTLS {
		srv.TLSConfig = tlsCfg
	}
	var l net.Listener
	var err error
	if cfg.ImplicitTLS {
		l, err = tls.Listen("tcp", "127.0.0.1:0", tlsCfg)
	} else {
		l, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatalf("smtptest: listen: %v", err)
	}
	s.Port = l.Addr().(*net.TCPAddr).Port
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(l) }()
	// Closing l too stops a Serve that had not yet started when Close ran.
	t.Cleanup(func() { _ = srv.Close(); _ = l.Close(); <-done })
	return s
}

// Delivered returns the messages accepted so far, oldest first.
func (s *Server) Delivered() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.delivered...)
}

type session struct {
	srv  *Server
	cfg  Config
	tls  bool
	user string
	d    Delivery
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != s.cfg.Username || password != s.cfg.Password || s.cfg.Username == "" {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}
		}
		s.user = username
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.cfg.Username != "" && s.user == "" {
		return smtp.ErrAuthRequired
	}
	s.d = Delivery{From: from, TLS: s.tls, User: s.user}
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.cfg.RejectDomain != "" && strings.HasSuffix(to, "@"+s.cfg.RejectDomain) {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
	}
	s.d.To = append(s.d.To, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.d.Data = b
	s.srv.mu.Lock()
	s.srv.delivered = append(s.srv.delivered, s.d)
	s.srv.mu.Unlock()
	return nil
}

func (s *session) Reset()        { s.d = Delivery{} }
func (s *session) Logout() error { return nil }

// certificate makes a self-signed certificate for 127.0.0.1 and
// localhost, and a pool that trusts it.
func certificate(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("smtptest: key: %v", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "smtptest"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatalf("smtptest: certificate: %v", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("smtptest: certificate: %v", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// A Parsed message is a delivered message as a mail reader sees it: the
// headers, and the bodies decoded from their transfer encoding. Bodies
// keep their CRLF line ends.
type Parsed struct {
	Header mail.Header
	// Subject is the Subject header, its encoded words decoded.
	Subject string
	// Text and HTML are the text/plain and text/html bodies, decoded.
	Text, HTML string
	// TextType and HTMLType are the Content-Type headers of those parts.
	TextType, HTMLType string
}

// Parse reads d.Data as a mail reader would: a single text/plain body or
// a multipart/alternative of text/plain and text/html, each
// quoted-printable, base64 or 7bit.
func (d Delivery) Parse() (Parsed, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(d.Data))
	if err != nil {
		return Parsed{}, err
	}
	p := Parsed{Header: msg.Header}
	if p.Subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		return Parsed{}, err
	}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		return Parsed{}, err
	}
	if !strings.HasPrefix(mediaType, "multipart/") {
		body, err := decode(msg.Body, msg.Header.Get("Content-Transfer-Encoding"))
		if err != nil {
			return Parsed{}, err
		}
		p.Text, p.TextType = body, msg.Header.Get("Content-Type")
		return p, nil
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextRawPart()
		if errors.Is(err, io.EOF) {
			return p, nil
		}
		if err != nil {
			return Parsed{}, err
		}
		body, err := decode(part, part.Header.Get("Content-Transfer-Encoding"))
		if err != nil {
			return Parsed{}, err
		}
		ct := part.Header.Get("Content-Type")
		switch {
		case strings.HasPrefix(ct, "text/plain"):
			p.Text, p.TextType = body, ct
		case strings.HasPrefix(ct, "text/html"):
			p.HTML, p.HTMLType = body, ct
		}
	}
}

// decode reads r, undoing its transfer encoding.
func decode(r io.Reader, encoding string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, r) // it skips CR and LF
	}
	b, err := io.ReadAll(r)
	return string(b), err
}
