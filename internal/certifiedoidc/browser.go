package certifiedoidc

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/authkit-dev/authkit/authtest"
)

// NowHeader is the request header that sets the provider's clock: the
// instant, in unix milliseconds, that the provider takes for now.
const NowHeader = "X-Authkit-Now"

// maxHops bounds the redirects Authorize follows at the provider (a sign-in
// takes five: login, resume, consent, resume, client).
const maxHops = 20

// browserTimeout bounds one request of Authorize, when ctx has no sooner
// deadline.
const browserTimeout = 30 * time.Second

// Transport wraps base (http.DefaultTransport when nil) so that every
// request tells the provider the time now() returns (the X-Authkit-Now
// header). Requests to other hosts go out unchanged. A nil now is
// [time.Now].
func (p *Provider) Transport(base http.RoundTripper, now func() time.Time) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	if now == nil {
		now = time.Now
	}
	return &nowTransport{base: base, now: now, origin: p.origin}
}

type nowTransport struct {
	base   http.RoundTripper
	now    func() time.Time
	origin string
}

// RoundTrip implements [http.RoundTripper]. As the interface asks, it
// leaves r as it is and sends a clone.
func (t *nowTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL != nil && originOf(r.URL) == t.origin {
		r = r.Clone(r.Context())
		r.Header.Set(NowHeader, strconv.FormatInt(t.now().UnixMilli(), 10))
	}
	return t.base.RoundTrip(r)
}

// Authorize plays the user's browser at the provider: it GETs authURL with a
// fresh cookie jar and follows the provider's redirects (interaction pages,
// resume) until a redirect leaves the provider's origin, and returns that
// URL (the client's redirect_uri with code/state/iss, or error). now as in
// Transport.
//
// The jar expires cookies by now, the clock the provider is told, not by
// the system clock. A page instead of a redirect (the waiting login page
// when no user is set, or the provider's error page) is an error wrapping
// [ErrStoppedAtPage] that quotes the page's text.
func (p *Provider) Authorize(ctx context.Context, authURL string, now func() time.Time) (*url.URL, error) {
	if now == nil {
		now = time.Now
	}
	u, err := url.Parse(authURL)
	if err != nil {
		return nil, fmt.Errorf("certifiedoidc: authorize: %w", err)
	}
	if originOf(u) != p.origin {
		return nil, fmt.Errorf("certifiedoidc: authorize: %s is not at the provider %s", authURL, p.origin)
	}
	browser := &http.Client{
		Jar:           authtest.NewJar(authtest.WithClock(clockFunc(now))),
		Transport:     p.Transport(nil, now),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       browserTimeout,
	}
	for range maxHops {
		next, err := hop(ctx, browser, u)
		if err != nil {
			return nil, err
		}
		if originOf(next) != p.origin {
			return next, nil
		}
		u = next
	}
	return nil, fmt.Errorf("certifiedoidc: authorize: more than %d redirects at the provider", maxHops)
}

// hop GETs u and returns where its redirect points.
func hop(ctx context.Context, browser *http.Client, u *url.URL) (*url.URL, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("certifiedoidc: authorize: %w", err)
	}
	resp, err := browser.Do(req)
	if err != nil {
		return nil, fmt.Errorf("certifiedoidc: authorize: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	loc := resp.Header.Get("Location")
	if resp.StatusCode/100 != 3 || loc == "" {
		return nil, fmt.Errorf("%w: GET %s: %s: %s", ErrStoppedAtPage, u.Path, resp.Status, pageText(body))
	}
	next, err := u.Parse(loc)
	if err != nil {
		return nil, fmt.Errorf("certifiedoidc: authorize: GET %s: Location %q: %w", u.Path, loc, err)
	}
	return next, nil
}

func originOf(u *url.URL) string { return u.Scheme + "://" + u.Host }

// clockFunc is a func as an auth.Clock.
type clockFunc func() time.Time

func (f clockFunc) Now() time.Time { return f() }

var (
	styleRE = regexp.MustCompile(`(?is)<(style|script)\b.*?</(style|script)>`)
	tagRE   = regexp.MustCompile(`<[^>]*>`)
)

// pageText returns the words of an HTML page (or any body), shortened to
// fit in an error message.
func pageText(body []byte) string {
	s := styleRE.ReplaceAllString(string(body), " ")
	s = tagRE.ReplaceAllString(s, " ")
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 400 {
		s = string(r[:400]) + "..."
	}
	return s
}
