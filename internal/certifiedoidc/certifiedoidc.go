package certifiedoidc

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/internal/testservices"
)

// The module whose root holds testdata's Node project, and where in it.
const (
	modulePath  = "github.com/authkit-dev/authkit"
	projectDir  = "internal/certifiedoidc/testdata"
	installHint = "npm ci --prefix " + projectDir
)

// startTimeout bounds how long Start waits for the provider's ready line.
const startTimeout = 30 * time.Second

// controlTimeout bounds one call to a control route.
const controlTimeout = 10 * time.Second

// stderrLimit is how much of the provider's output is kept for failure
// messages: the last bytes, where the error that failed a test is.
const stderrLimit = 64 << 10

// User is an account at the provider: its subject and the claims its
// userinfo and ID tokens may carry (email, email_verified, name, ...),
// released by scope as OpenID Core §5.4 maps them.
type User struct {
	Subject string
	Claims  map[string]any
}

// Client is a registration at the provider: a confidential client that
// authenticates with client_secret_basic and may use the authorization_code
// and refresh_token grants.
type Client struct {
	ID, Secret                           string
	RedirectURIs, PostLogoutRedirectURIs []string
}

// Options configure a provider started by [Start].
type Options struct {
	Users   []User
	Clients []Client
}

// Provider is a running node-oidc-provider, driven by one test. Its
// methods are safe to call from any goroutine, but the provider has one
// clock, set by the last request that carried X-Authkit-Now: the requests
// of one test's time line must not interleave with another's.
type Provider struct {
	issuer string
	origin string // scheme://host:port of the issuer
	output *tail
	client *http.Client // for the control routes
}

// ErrStoppedAtPage is returned by [Provider.Authorize] when the provider
// answers with a page instead of a redirect: its login page with no user
// set by [Provider.SetLogin], or its error page for a request it refuses
// to redirect (an unknown client or redirect_uri).
var ErrStoppedAtPage = errors.New("certifiedoidc: the provider answered with a page, not a redirect")

// Start starts the provider on a loopback port and stops it with
// tb.Cleanup. When node or the npm packages are missing it skips tb with
// the command that installs them, or fails tb when
// AUTHKIT_REQUIRE_SERVICES=1.
func Start(tb testing.TB, opts Options) *Provider {
	tb.Helper()
	dir, err := projectPath()
	if err != nil {
		tb.Fatalf("certifiedoidc: %v", err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		unavailable(tb, fmt.Sprintf("node not found (%v): install Node.js 20 or later, then run %s", err, installHint))
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "oidc-provider", "package.json")); err != nil {
		unavailable(tb, fmt.Sprintf("the npm package oidc-provider is not installed (%v): run %s", err, installHint))
	}
	config, err := json.Marshal(configOf(opts))
	if err != nil {
		tb.Fatalf("certifiedoidc: encoding the configuration: %v", err)
	}

	cmd := exec.Command(node, "provider.mjs")
	cmd.Dir = dir
	newProcessGroup(cmd)
	out := &tail{limit: stderrLimit}
	cmd.Stderr = out
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatalf("certifiedoidc: %v", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatalf("certifiedoidc: %v", err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("certifiedoidc: starting %s: %v", node, err)
	}
	tb.Cleanup(func() {
		// Closing stdin asks the script to exit; killing the process group
		// makes sure nothing it started outlives the test.
		stdin.Close()
		killProcessGroup(cmd)
		_ = cmd.Wait()
		if tb.Failed() {
			tb.Logf("certified provider's output:\n%s", out)
		}
	})
	// stdin stays open: the script exits when it closes, so a test binary
	// that dies leaves no provider behind.
	if _, err := stdin.Write(append(config, '\n')); err != nil {
		tb.Fatalf("certifiedoidc: writing the configuration: %v\n%s", err, out)
	}

	ready := make(chan readyLine, 1)
	go readReady(stdout, out, ready)
	var r readyLine
	select {
	case r = <-ready:
	case <-time.After(startTimeout):
		r.err = fmt.Errorf("no ready line within %v", startTimeout)
	}
	if r.err != nil {
		tb.Fatalf("certifiedoidc: the provider did not start: %v\n%s", r.err, out)
	}
	u, err := url.Parse(r.Issuer)
	if err != nil || u.Host == "" {
		tb.Fatalf("certifiedoidc: the provider announced issuer %q: %v", r.Issuer, err)
	}
	return &Provider{
		issuer: r.Issuer,
		origin: u.Scheme + "://" + u.Host,
		output: out,
		client: &http.Client{Timeout: controlTimeout},
	}
}

// readyLine is the one line the script prints on stdout once it listens.
type readyLine struct {
	Issuer string `json:"issuer"`
	Port   int    `json:"port"`
	err    error
}

// readReady sends the ready line on ready, then copies the rest of stdout
// (nothing, unless a library writes there) to rest.
func readReady(stdout io.Reader, rest io.Writer, ready chan<- readyLine) {
	br := bufio.NewReader(stdout)
	line, err := br.ReadBytes('\n')
	var r readyLine
	if err != nil {
		r.err = fmt.Errorf("reading its stdout: %w", err)
	} else if err := json.Unmarshal(line, &r); err != nil || r.Issuer == "" {
		r.err = fmt.Errorf("its first line is not the ready line: %q", line)
	}
	ready <- r
	_, _ = io.Copy(rest, br)
}

func unavailable(tb testing.TB, msg string) {
	tb.Helper()
	if os.Getenv(testservices.RequireEnv) == "1" {
		tb.Fatalf("certifiedoidc: %s; %s=1 requires it", msg, testservices.RequireEnv)
	}
	tb.Skipf("certifiedoidc: %s", msg)
}

// projectPath returns the directory of the Node project: the test binary
// runs in the directory of the calling test's package, so it is found from
// the module's root, the first directory above the working directory whose
// go.mod declares this module.
func projectPath() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if isModuleRoot(dir) {
			return filepath.Join(dir, filepath.FromSlash(projectDir)), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod of module %s above the working directory", modulePath)
		}
		dir = parent
	}
}

func isModuleRoot(dir string) bool {
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return false
	}
	for line := range strings.Lines(string(data)) {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "module" && strings.Trim(f[1], `"`) == modulePath {
			return true
		}
	}
	return false
}

// config is the JSON the script reads on stdin.
type config struct {
	Users   []userConfig   `json:"users"`
	Clients []clientConfig `json:"clients"`
}

type userConfig struct {
	Subject string         `json:"subject"`
	Claims  map[string]any `json:"claims,omitempty"`
}

type clientConfig struct {
	ID                     string   `json:"id"`
	Secret                 string   `json:"secret"`
	RedirectURIs           []string `json:"redirect_uris"`
	PostLogoutRedirectURIs []string `json:"post_logout_redirect_uris"`
}

func configOf(opts Options) config {
	c := config{Users: []userConfig{}, Clients: []clientConfig{}}
	for _, u := range opts.Users {
		c.Users = append(c.Users, userConfig{Subject: u.Subject, Claims: u.Claims})
	}
	for _, cl := range opts.Clients {
		c.Clients = append(c.Clients, clientConfig{
			ID: cl.ID, Secret: cl.Secret,
			RedirectURIs:           nonNil(cl.RedirectURIs),
			PostLogoutRedirectURIs: nonNil(cl.PostLogoutRedirectURIs),
		})
	}
	return c
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Issuer returns the provider's issuer URL, http://127.0.0.1:port.
func (p *Provider) Issuer() string { return p.issuer }

// SetLogin makes the provider log in every interaction as the user with
// this subject and consent to what is asked, without a page: the way a
// test signs in (as fakeoidc's SetLogin). An empty subject brings the
// waiting login page back. A login_hint naming a known user logs in as
// that user either way. An unknown subject is an error.
func (p *Provider) SetLogin(subject string) error {
	return p.control("login", map[string]string{"subject": subject})
}

// DenyNext makes the next interaction end in access_denied (OpenID Core
// §3.1.2.6): the provider redirects to the client with
// error=access_denied. An authorization that needs no interaction (a
// provider session that already consented) does not use up the denial.
func (p *Provider) DenyNext() error {
	return p.control("deny-next", nil)
}

// RotateKey makes new keys sign from now on (RS256 and ES256). The JWKS
// keeps publishing the previous ones, so tokens they signed still verify,
// and drops older ones. Sessions, grants, codes and tokens survive.
func (p *Provider) RotateKey() error {
	return p.control("rotate-key", nil)
}

// control POSTs body as JSON to the control route name.
func (p *Provider) control(name string, body any) error {
	var buf bytes.Buffer
	if body != nil {
		if err := json.NewEncoder(&buf).Encode(body); err != nil {
			return fmt.Errorf("certifiedoidc: %s: %w", name, err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), controlTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.origin+"/__control/"+name, &buf)
	if err != nil {
		return fmt.Errorf("certifiedoidc: %s: %w", name, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := p.client.Do(req)
	if err != nil {
		return fmt.Errorf("certifiedoidc: %s: %w", name, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("certifiedoidc: %s: %s: %s", name, resp.Status, bytes.TrimSpace(msg))
	}
	return nil
}

// tail is an io.Writer that keeps the last limit bytes written, safe for
// the concurrent writes of a process's stdout and stderr.
type tail struct {
	mu    sync.Mutex
	limit int
	buf   []byte
	cut   bool
}

func (t *tail) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, b...)
	if over := len(t.buf) - t.limit; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
		t.cut = true
	}
	return len(b), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cut {
		return "[...]\n" + string(t.buf)
	}
	return string(t.buf)
}
