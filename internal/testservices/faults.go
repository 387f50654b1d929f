package testservices

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth"
	"github.com/authkit-dev/authkit/authrequest"
)

// A Proxy is a loopback TCP proxy in front of a server, for fault tests:
// [Proxy.Cut] drops every connection through it and refuses new ones
// (they are accepted and closed at once, so clients fail fast instead of
// waiting for a timeout), and [Proxy.Restore] lets connections through
// again on the same address.
type Proxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	down  bool
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

// StartProxy starts a Proxy to target (host:port) on a free loopback port.
// It stops when the test ends.
func StartProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("proxy: listen: %v", err)
	}
	p := &Proxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	p.wg.Go(p.accept)
	t.Cleanup(p.close)
	return p
}

// Addr returns the proxy's host:port, to connect to instead of the
// target.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Cut closes every connection through the proxy and refuses new ones
// until Restore.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for c := range p.conns {
		c.Close()
	}
}

// Restore lets new connections through again.
func (p *Proxy) Restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = false
}

func (p *Proxy) close() {
	p.ln.Close()
	p.Cut()
	p.wg.Wait()
}

func (p *Proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return // listener closed
		}
		p.mu.Lock()
		down := p.down
		p.mu.Unlock()
		if down {
			c.Close()
			continue
		}
		p.wg.Go(func() { p.serve(c) })
	}
}

func (p *Proxy) serve(client net.Conn) {
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		client.Close()
		return
	}
	if !p.track(client, server) {
		client.Close()
		server.Close()
		return
	}
	defer p.untrack(client, server)
	var wg sync.WaitGroup
	pipe := func(dst, src net.Conn) {
		io.Copy(dst, src)
		// One direction ended: end the other, as a cut cable would.
		dst.Close()
		src.Close()
	}
	wg.Go(func() { pipe(server, client) })
	wg.Go(func() { pipe(client, server) })
	wg.Wait()
}

// track registers a connection pair, unless the proxy was cut meanwhile.
func (p *Proxy) track(cs ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.down {
		return false
	}
	for _, c := range cs {
		p.conns[c] = struct{}{}
	}
	return true
}

func (p *Proxy) untrack(cs ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cs {
		delete(p.conns, c)
	}
}

// CheckFaults checks what a store failure does, on an Auth whose store
// reaches its server through p. While p is cut, ValidateSession returns an
// error wrapping [auth.ErrStore], never [auth.ErrInvalidSession], and an
// [authrequest.AuthRequest] returns the error and leaves the session
// cookie alone. Once p is restored, the same token validates again (within
// a few seconds, while the client reconnects).
func CheckFaults(t *testing.T, a *auth.Auth, p *Proxy) {
	t.Helper()
	ctx := t.Context()
	sess := SignIn(t, a)
	if _, err := a.ValidateSession(ctx, sess.Token); err != nil {
		t.Fatalf("ValidateSession before the cut: %v", err)
	}

	p.Cut()
	for i := range 3 {
		vctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		_, err := a.ValidateSession(vctx, sess.Token)
		cancel()
		if !errors.Is(err, auth.ErrStore) || errors.Is(err, auth.ErrInvalidSession) {
			t.Errorf("ValidateSession #%d while cut: error = %v, want one wrapping auth.ErrStore and not auth.ErrInvalidSession", i, err)
		}
	}

	// Through an AuthRequest: an error, and no Set-Cookie for the session.
	w := httptest.NewRecorder()
	r := httptest.NewRequestWithContext(ctx, http.MethodGet, "https://app.example/", nil)
	r.AddCookie(a.SessionCookie(sess))
	got, err := authrequest.New(a, w, r).Session()
	if got != nil || !errors.Is(err, auth.ErrStore) {
		t.Errorf("AuthRequest.Session while cut = %v, %v; want nil and an error wrapping auth.ErrStore", got, err)
	}
	for _, c := range w.Result().Cookies() {
		if c.Name == a.CookieName() {
			t.Errorf("AuthRequest.Session while cut set the session cookie: %s", c)
		}
	}

	p.Restore()
	deadline := time.Now().Add(15 * time.Second)
	for {
		vctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		s, err := a.ValidateSession(vctx, sess.Token)
		cancel()
		if err == nil {
			if s.ID != sess.ID {
				t.Errorf("ValidateSession after restore returned session %.12s…, want %.12s…", s.ID, sess.ID)
			}
			break
		}
		if errors.Is(err, auth.ErrInvalidSession) {
			t.Fatalf("ValidateSession after restore: %v: the session was lost", err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("ValidateSession still failing 15s after restore: %v", err)
		}
		time.Sleep(50 * time.Millisecond) // waiting for the client to reconnect, not for expiry
	}
}
