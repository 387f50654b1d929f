// Command loadtest measures how many requests per second the playground
// answers on GET /api/auth/user with a valid session, next to a bare
// net/http handler that returns the same JSON, in one run on one machine.
// The ratio is what authkit's session check (cookie, token hash, store read,
// middleware) plus the playground's logging costs over serving JSON at all.
//
//	go run ./cmd/authplayground/internal/loadtest                 # 5s each, 16 connections
//	go run ./cmd/authplayground/internal/loadtest -duration 10s -conns 32
//	go run ./cmd/authplayground/internal/loadtest -serve          # serve both and print wrk command lines
//
// Both servers run in this process on 127.0.0.1, the playground as the
// command runs it (in memory, request log in text format, here written to
// io.Discard). Each is measured in turn with the same client: keep-alive
// connections, each sending one request after another. The run is bounded
// in time (at most a minute per server) and stops by itself. It is not a
// test: machines are shared and noisy, so compare the ratio, not the
// numbers, and run it more than once.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/authkit-dev/authkit/cmd/authplayground/internal/playground"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

// maxDuration bounds a measurement: the load stays short on a shared
// machine.
const maxDuration = time.Minute

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	duration := fs.Duration("duration", 5*time.Second, "how long to measure each server (at most 1m)")
	warmup := fs.Duration("warmup", time.Second, "load before measuring, not counted")
	conns := fs.Int("conns", 16, "concurrent keep-alive connections (1 to 256)")
	rounds := fs.Int("rounds", 5, "alternate the servers this many times (1 to 100)")
	serve := fs.Bool("serve", false, "only serve both on loopback and print wrk command lines, until interrupted")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *duration <= 0 || *duration > maxDuration || *warmup < 0 || *warmup > maxDuration || *conns < 1 || *conns > 256 || *rounds < 1 || *rounds > 100 {
		return errors.New("-duration and -warmup must be within 0 and 1m, -conns within 1 and 256, -rounds within 1 and 100")
	}

	pg, err := playground.New(playground.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return err
	}
	pgURL, stopPG, err := listen(pg)
	if err != nil {
		return err
	}
	defer stopPG()
	cookie, body, err := signUp(ctx, pgURL)
	if err != nil {
		return fmt.Errorf("signing up on the playground: %w", err)
	}
	bareURL, stopBare, err := listen(bare(body))
	if err != nil {
		return err
	}
	defer stopBare()

	if *serve {
		fmt.Fprintf(out, "playground: %s\nbare:       %s\n\n", pgURL, bareURL)
		fmt.Fprintf(out, "wrk -t2 -c%d -d%s -H 'Cookie: %s' %s/api/auth/user\n", *conns, *duration, cookie, pgURL)
		fmt.Fprintf(out, "wrk -t2 -c%d -d%s %s/api/auth/user\n", *conns, *duration, bareURL)
		<-ctx.Done()
		return nil
	}

	fmt.Fprintf(out, "GET /api/auth/user, %d connections, %s warm-up, %s each in %d alternating rounds (GOMAXPROCS %d)\n",
		*conns, *warmup, *duration, *rounds, numProcs())
	targets := []struct{ name, url, cookie string }{
		{"playground", pgURL + "/api/auth/user", cookie},
		{"bare net/http", bareURL + "/api/auth/user", ""},
	}
	// The machine's other load comes and goes: alternating short rounds
	// spreads it over both servers instead of favouring one.
	totals := make([]result, len(targets))
	var roundRatios []float64
	for round := range *rounds {
		var rates [2]float64
		for i, target := range targets {
			w := time.Duration(0)
			if round == 0 {
				w = *warmup
			}
			r, err := measure(ctx, target.url, target.cookie, body, *conns, w, *duration/time.Duration(*rounds))
			if err != nil {
				return fmt.Errorf("%s: %w", target.name, err)
			}
			totals[i].add(r)
			rates[i] = r.rate()
		}
		roundRatios = append(roundRatios, rates[0]/rates[1])
	}
	var rates []float64
	for i, target := range targets {
		r := totals[i]
		fmt.Fprintf(out, "%-14s %9.0f req/s  (%d requests, p50 %s, p99 %s)\n", target.name, r.rate(), r.count, percentile(r.latencies, 0.50), percentile(r.latencies, 0.99))
		rates = append(rates, r.rate())
	}
	fmt.Fprintf(out, "rounds         %s\n", formatRatios(roundRatios))
	fmt.Fprintf(out, "ratio          %9.2f  (playground / bare)\n", rates[0]/rates[1])
	return nil
}

// listen serves h on a loopback port and returns its base URL and the
// function that stops it.
func listen(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "loadtest: serving:", err)
		}
	}()
	return "http://" + ln.Addr().String(), func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "loadtest: shutting down:", err)
		}
	}, nil
}

// signUp creates a user on the playground and returns the session cookie
// ("auth_session=...") and the body GET /api/auth/user answers with it.
func signUp(ctx context.Context, base string) (cookie string, body []byte, err error) {
	req, err := http.NewRequestWithContext(ctx, "POST", base+"/api/signup", strings.NewReader(`{"username":"ada","password":"correct horse"}`))
	if err != nil {
		return "", nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", nil, err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || len(res.Cookies()) != 1 {
		return "", nil, fmt.Errorf("status %d, %d cookies", res.StatusCode, len(res.Cookies()))
	}
	cookie = res.Cookies()[0].Name + "=" + res.Cookies()[0].Value
	req, err = http.NewRequestWithContext(ctx, "GET", base+"/api/auth/user", nil)
	if err != nil {
		return "", nil, err
	}
	req.Header.Set("Cookie", cookie)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		return "", nil, err
	}
	defer res.Body.Close()
	body, err = io.ReadAll(res.Body)
	if err != nil {
		return "", nil, err
	}
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `"username":"ada"`) {
		return "", nil, fmt.Errorf("GET /api/auth/user: status %d, body %s", res.StatusCode, body)
	}
	return cookie, body, nil
}

// bare is the baseline: a handler that answers every request with body,
// as JSON, and nothing else.
func bare(body []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Cache-Control", "no-store")
		if _, err := w.Write(body); err != nil {
			return // the client went away; nothing to answer
		}
	})
}

// result is what a measurement counted.
type result struct {
	count     int64
	elapsed   time.Duration
	latencies []time.Duration
}

func (r result) rate() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.count) / r.elapsed.Seconds()
}

// add adds o's counts to r.
func (r *result) add(o result) {
	r.count += o.count
	r.elapsed += o.elapsed
	r.latencies = append(r.latencies, o.latencies...)
}

// measure sends GET url with cookie over conns keep-alive connections for
// warmup plus d, and counts the answers during d that are 200 with want as
// their body. Any other answer stops the measurement with an error.
func measure(ctx context.Context, url, cookie string, want []byte, conns int, warmup, d time.Duration) (result, error) {
	transport := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 10 * time.Second}

	ctx, cancel := context.WithTimeout(ctx, warmup+d)
	defer cancel()
	var counting atomic.Bool
	var count atomic.Int64
	var firstErr error
	var errOnce sync.Once
	latencies := make([][]time.Duration, conns)
	var wg sync.WaitGroup
	for i := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, len(want)+1)
			for ctx.Err() == nil {
				start := time.Now()
				err := get(ctx, client, url, cookie, want, buf)
				if ctx.Err() != nil {
					return
				}
				if err != nil {
					errOnce.Do(func() { firstErr = err; cancel() })
					return
				}
				if counting.Load() {
					count.Add(1)
					if len(latencies[i]) < 100_000 {
						latencies[i] = append(latencies[i], time.Since(start))
					}
				}
			}
		}()
	}
	timer := time.NewTimer(warmup)
	select {
	case <-timer.C:
	case <-ctx.Done():
	}
	counting.Store(true)
	start := time.Now()
	wg.Wait()
	elapsed := time.Since(start)
	if firstErr != nil {
		return result{}, firstErr
	}
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return result{}, err
	}
	var all []time.Duration
	for _, l := range latencies {
		all = append(all, l...)
	}
	return result{count: count.Load(), elapsed: elapsed, latencies: all}, nil
}

// get sends one request and checks the answer.
func get(ctx context.Context, client *http.Client, url, cookie string, want, buf []byte) error {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return err
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	n, err := io.ReadFull(res.Body, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return err
	}
	if res.StatusCode != http.StatusOK || string(buf[:n]) != string(want) {
		return fmt.Errorf("GET %s: status %d, body %q", url, res.StatusCode, buf[:n])
	}
	if len(res.Header.Values("Set-Cookie")) != 0 {
		return fmt.Errorf("GET %s: the answer sets a cookie: an active session should not", url)
	}
	return nil
}
