package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// e2eDir holds the Playwright run: its package.json pins playwright-core,
// installed with `npm ci --prefix examples/formapp/testdata/e2e`.
const e2eDir = "../../testdata/e2e"

// TestPlaywright is the end-to-end test in a real browser: it builds this
// command twice, with -tags authkit_e2e and without, serves both on
// loopback, and runs testdata/e2e/run.mjs: playwright-core driving
// Debian's Chromium through authkit's Playwright helper
// (authe2e/playwright/authkit.mjs). Each scenario is logged with its time;
// the run also times a test that starts signed in through a seeded session
// against one that signs in through the form.
func TestPlaywright(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the browser run builds the app twice and starts Chromium")
	}
	requireE2ETools(t)
	dir := t.TempDir()
	secret := make([]byte, 24)
	rand.Read(secret)
	env := append(os.Environ(), "AUTHKIT_E2E_SECRET="+hex.EncodeToString(secret))

	// The end-to-end build's mail links start with its -base-url, so it
	// gets a port chosen beforehand.
	port := freePort(t)
	e2eURL := startApp(t, build(t, dir, "formapp-e2e", "-tags", "authkit_e2e"), env,
		"-addr", "127.0.0.1:"+port, "-base-url", "http://127.0.0.1:"+port, "-db", filepath.Join(dir, "e2e.db"))
	defaultURL := startApp(t, build(t, dir, "formapp"), env, "-addr", "127.0.0.1:0", "-db", filepath.Join(dir, "default.db"))

	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "run.mjs")
	cmd.Dir = e2eDir
	cmd.Env = append(env, "E2E_URL="+e2eURL, "DEFAULT_URL="+defaultURL, "CHROMIUM="+chromium)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	scenarios := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var r struct {
			Name   string
			OK     bool
			MS     float64
			Error  string
			Timing *struct {
				Rounds                                    int
				SeededSignInMs, FormSignInMs, SignInRatio float64
				SeededTestMs, FormTestMs, TestRatio       float64
			}
		}
		if json.Unmarshal([]byte(line), &r) != nil {
			t.Logf("run.mjs: %s", line)
			continue
		}
		switch {
		case r.Timing != nil:
			t.Logf("timing, medians of %d interleaved rounds: signing in: seeded session %.1f ms, sign-in form %.1f ms (%.1fx); "+
				"the whole test (sign in, then the account page): %.1f ms vs %.1f ms (%.1fx)",
				r.Timing.Rounds, r.Timing.SeededSignInMs, r.Timing.FormSignInMs, r.Timing.SignInRatio,
				r.Timing.SeededTestMs, r.Timing.FormTestMs, r.Timing.TestRatio)
			if r.Timing.SignInRatio < 5 {
				t.Errorf("signing in through a seeded session is only %.1fx faster than through the form, want at least 5x", r.Timing.SignInRatio)
			}
		case r.OK:
			scenarios++
			t.Logf("PASS %-70s %5.0f ms", r.Name, r.MS)
		default:
			t.Errorf("FAIL %s (%.0f ms): %s", r.Name, r.MS, r.Error)
		}
	}
	if err != nil {
		t.Fatalf("run.mjs: %v\n%s", err, stderr.String())
	}
	if scenarios < 6 {
		t.Errorf("%d scenarios passed, want at least 6", scenarios)
	}
}

const chromium = "/usr/bin/chromium"

// requireE2ETools skips the test when Chromium, node or the npm packages
// are missing, or fails it under AUTHKIT_REQUIRE_SERVICES=1 (as in CI).
func requireE2ETools(t *testing.T) {
	t.Helper()
	var missing []string
	if _, err := os.Stat(chromium); err != nil {
		missing = append(missing, "Chromium at "+chromium+" (apt-get install chromium)")
	}
	if _, err := exec.LookPath("node"); err != nil {
		missing = append(missing, "node")
	}
	if _, err := os.Stat(filepath.Join(e2eDir, "node_modules", "playwright-core", "package.json")); err != nil {
		missing = append(missing, "playwright-core (npm ci --prefix examples/formapp/testdata/e2e)")
	}
	if len(missing) == 0 {
		return
	}
	msg := "the browser test needs " + strings.Join(missing, ", ")
	if os.Getenv("AUTHKIT_REQUIRE_SERVICES") == "1" {
		t.Fatal(msg + "; AUTHKIT_REQUIRE_SERVICES=1 makes that a failure")
	}
	t.Skip(msg)
}

// build builds this command into dir/name with the extra go build flags.
func build(t *testing.T, dir, name string, flags ...string) string {
	t.Helper()
	bin := filepath.Join(dir, name)
	args := append([]string{"build", "-o", bin}, flags...)
	out, err := exec.Command("go", append(args, ".")...).CombinedOutput()
	if err != nil {
		t.Fatalf("go build %v: %v\n%s", flags, err, out)
	}
	return bin
}

var listening = regexp.MustCompile(`url=(http://127\.0\.0\.1:\d+)`)

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// startApp runs bin with args (an -addr on loopback), stops it when the
// test ends, and returns the URL it says it listens on.
func startApp(t *testing.T, bin string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
		}
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	select {
	case u := <-found:
		return u
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not say where it listens within 30 s", filepath.Base(bin))
		return ""
	}
}
