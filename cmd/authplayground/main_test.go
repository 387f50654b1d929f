package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/internal/syncbuf"
)

// runMainEnv makes the test binary run main instead of the tests, so that
// a test can run the command as a process.
const runMainEnv = "AUTHPLAYGROUND_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		os.Args = append([]string{"authplayground"}, strings.Fields(os.Getenv(runMainEnv+"_ARGS"))...)
		main()
		return
	}
	os.Exit(m.Run())
}

func TestFlagsRefuseNonLoopback(t *testing.T) {
	for _, tc := range []struct {
		args []string
		ok   bool
	}{
		{nil, true},
		{[]string{"-addr", "127.0.0.1:0"}, true},
		{[]string{"-addr", "127.8.9.10:80"}, true},
		{[]string{"-addr", "localhost:8080"}, true},
		{[]string{"-addr", "LOCALHOST:8080"}, true},
		{[]string{"-addr", "[::1]:8080"}, true},
		{[]string{"-addr", ":8080"}, false},
		{[]string{"-addr", "0.0.0.0:8080"}, false},
		{[]string{"-addr", "[::]:8080"}, false},
		{[]string{"-addr", "192.168.1.10:8080"}, false},
		{[]string{"-addr", "example.com:8080"}, false},
		{[]string{"-addr", "localhost.example.com:8080"}, false},
		{[]string{"-addr", "127.0.0.1"}, false}, // no port
		{[]string{"-addr", "0.0.0.0:8080", "-allow-remote"}, true},
		{[]string{"-allow-remote", "-addr", ":8080"}, true},
		{[]string{"-addr", "127.0.0.1:0", "extra"}, false},
		{[]string{"-no-such-flag"}, false},
	} {
		_, err := parseFlags(tc.args, io.Discard)
		if (err == nil) != tc.ok {
			t.Errorf("parseFlags(%q): error %v, want ok=%v", tc.args, err, tc.ok)
		}
		if err != nil && !errors.Is(err, errUsage) {
			t.Errorf("parseFlags(%q): error %v does not wrap errUsage", tc.args, err)
		}
	}
	_, err := parseFlags([]string{"-addr", "0.0.0.0:8080"}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "-allow-remote") {
		t.Errorf("the refusal does not name -allow-remote: %v", err)
	}
}

// The command itself, as a process: a non-loopback -addr is refused with
// exit status 2 before anything listens.
func TestBinaryRefusesNonLoopback(t *testing.T) {
	for _, args := range []string{"-addr 0.0.0.0:0", "-addr :0", "-addr 10.1.2.3:8080"} {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), runMainEnv+"=1", runMainEnv+"_ARGS="+args)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 2 {
			t.Errorf("authplayground %s: %v, want exit status 2\n%s", args, err, stderr.String())
			continue
		}
		if !strings.Contains(stderr.String(), "not on a loopback address") || !strings.Contains(stderr.String(), "-allow-remote") {
			t.Errorf("authplayground %s: stderr %q does not explain the refusal", args, stderr.String())
		}
	}
}

// realMain serves until its context is done, then shuts down with status 0.
func TestRealMainShutsDownCleanly(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var stderr syncbuf.Buffer
	addrs := make(chan string, 1)
	code := make(chan int, 1)
	go func() {
		code <- realMain(ctx, []string{"-addr", "127.0.0.1:0"}, &stderr, func(a string) { addrs <- a })
	}()
	var addr string
	select {
	case addr = <-addrs:
	case c := <-code:
		t.Fatalf("realMain returned %d before listening:\n%s", c, stderr.String())
	}
	res, err := http.Get("http://" + addr + "/_play/clock")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("GET /_play/clock: %d", res.StatusCode)
	}
	cancel()
	select {
	case c := <-code:
		if c != 0 {
			t.Errorf("exit status %d after shutdown, want 0:\n%s", c, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("realMain did not return after its context was cancelled")
	}
	for _, want := range []string{"listening", "path=/_play/clock status=200", "shutting down"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, stderr.String())
		}
	}
}

func TestLoopbackHostsOnly(t *testing.T) {
	h := loopbackHostsOnly(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	for host, want := range map[string]int{
		"127.0.0.1:8080":         200,
		"127.0.0.1":              200,
		"localhost:8080":         200,
		"[::1]:8080":             200,
		"evil.example":           421,
		"evil.example:8080":      421,
		"127.0.0.1.evil.example": 421,
		"":                       421,
		"[::1":                   421,
	} {
		r := httptest.NewRequest("POST", "/_play/reset", nil)
		r.Host = host
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != want {
			t.Errorf("Host %q: %d, want %d", host, w.Code, want)
		}
	}
}

func TestOpenStoreSpecs(t *testing.T) {
	b, name, err := openStore(t.Context(), "memory")
	if err != nil || b.Store != nil || b.Admin != nil || name != "memory" {
		t.Errorf("memory: %+v %q %v", b, name, err)
	}
	for _, spec := range []string{"mysql://x", "sqlite", "nonsense", "redis:/", "redis://127.0.0.1:1/0?max_retries=-1", "postgres://127.0.0.1:1/x?connect_timeout=1", "sqlite:"} {
		if _, _, err := openStore(t.Context(), spec); err == nil {
			t.Errorf("openStore(%q): no error", spec)
		}
	}
}
