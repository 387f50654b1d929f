package serve_test

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/examples/internal/serve"
)

// TestServeAnswersThenStopsWithItsContext: Serve answers on the address it
// logs, and returns nil once its context is cancelled.
func TestServeAnswersThenStopsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	// The log goes through a pipe: its first line, "listening", says where.
	logs, logw := io.Pipe()
	defer logs.Close()
	log := slog.New(slog.NewTextHandler(logw, nil))
	done := make(chan error, 1)
	go func() {
		err := serve.Serve(ctx, "127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "hello")
		}), log)
		logw.Close() // a Serve that fails before logging ends the read below
		done <- err
	}()
	first, err := bufio.NewReader(logs).ReadString('\n')
	if err != nil {
		t.Fatalf("reading Serve's log: %v (Serve: %v)", err, <-done)
	}
	go io.Copy(io.Discard, logs) // later lines, if any
	m := regexp.MustCompile(`msg=listening url=(http://\S+)`).FindStringSubmatch(first)
	if m == nil {
		t.Fatalf("Serve's first log line %q, want listening with the URL", first)
	}
	url := m[1]
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "hello" {
		t.Errorf("GET %s: %q, want hello", url, body)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve after its context was cancelled: %v, want nil", err)
		}
	case <-time.After(serve.ShutdownTimeout + time.Second):
		t.Fatal("Serve did not return after its context was cancelled")
	}
}

// TestServeReportsAnAddressInUse: an address it cannot listen on is an
// error, not a silent exit.
func TestServeReportsAnAddressInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	log := slog.New(slog.DiscardHandler)
	if err := serve.Serve(t.Context(), ln.Addr().String(), http.NotFoundHandler(), log); err == nil {
		t.Error("Serve on an address in use returned nil, want an error")
	}
}
