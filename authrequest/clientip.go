package authrequest

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// WithTrustedProxyClientIP makes [AuthRequest.SignIn] (and
// [AuthRequest.ClientIP]) take the client's address from header, such as
// "X-Forwarded-For" or "X-Real-IP", when, and only when, the request came
// from one of the trusted proxies: addresses ("192.0.2.10", "::1") or
// CIDR prefixes ("10.0.0.0/8"). The header's comma-separated addresses
// are read from the right, skipping trusted proxies; the first other
// address is the client. A request from any other address, a missing
// header, or a value that is not an IP address leaves the connection's
// address, so a client can't choose the address its session records by
// sending the header itself. By default no header is trusted: the client
// IP is the host of the request's RemoteAddr. An empty header name, no
// proxies, or a malformed proxy is a configuration error wrapping
// [ErrInvalidOption].
func WithTrustedProxyClientIP(header string, proxies ...string) Option {
	return func(c *config) {
		c.ipHeader = header
		c.ipProxies = append(c.ipProxies, proxies...)
		c.ipSet = true
	}
}

// clientIPs is the resolved [WithTrustedProxyClientIP].
type clientIPs struct {
	header  string
	proxies []netip.Prefix
}

func newClientIPs(header string, proxies []string) (*clientIPs, error) {
	if strings.TrimSpace(header) == "" {
		return nil, fmt.Errorf("%w: trusted proxy client IP: empty header name", ErrInvalidOption)
	}
	if len(proxies) == 0 {
		return nil, fmt.Errorf("%w: trusted proxy client IP: no trusted proxies named (a header trusted from anyone can be spoofed)", ErrInvalidOption)
	}
	c := &clientIPs{header: http.CanonicalHeaderKey(header)}
	for _, p := range proxies {
		var prefix netip.Prefix
		var err error
		if strings.Contains(p, "/") {
			prefix, err = netip.ParsePrefix(p)
			prefix = prefix.Masked()
		} else {
			var addr netip.Addr
			addr, err = netip.ParseAddr(p)
			prefix = netip.PrefixFrom(addr.Unmap(), addr.Unmap().BitLen())
		}
		if err != nil {
			return nil, fmt.Errorf("%w: trusted proxy %q: want an IP address or a CIDR prefix: %v", ErrInvalidOption, p, err)
		}
		c.proxies = append(c.proxies, prefix)
	}
	return c, nil
}

func (c *clientIPs) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range c.proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// remoteHost returns the host part of r.RemoteAddr, or all of it when it
// has no port.
func remoteHost(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

// clientIP returns the address SignIn records for r: the connection's,
// or the one a trusted proxy put in the configured header.
func (c *clientIPs) clientIP(r *http.Request) string {
	host := remoteHost(r)
	if c == nil {
		return host
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !c.trusted(peer) {
		return host
	}
	// Every line of the header, in order, as one list; read from the
	// right: the nearest hop first.
	var hops []string
	for _, line := range r.Header.Values(c.header) {
		hops = append(hops, strings.Split(line, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return host // garbage where an address should be: trust none of it
		}
		if !c.trusted(a) {
			return a.Unmap().String()
		}
	}
	return host
}

// ClientIP returns the client's IP address as [AuthRequest.SignIn]
// records it: the host of the request's RemoteAddr, or the address a
// trusted proxy gave ([WithTrustedProxyClientIP]). It returns "" for a nil
// AuthRequest.
func (ar *AuthRequest) ClientIP() string {
	if ar == nil {
		return ""
	}
	var c *clientIPs
	if ar.set != nil {
		c = ar.set.clientIP
	}
	return c.clientIP(ar.r)
}
