package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// A short run completes and reports both servers and the ratio. It checks
// that the measurement works, not how fast anything is.
func TestRunSmoke(t *testing.T) {
	var out bytes.Buffer
	if err := run(t.Context(), []string{"-duration", "200ms", "-warmup", "0s", "-conns", "2"}, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	for _, want := range []string{"playground ", "bare net/http ", "ratio "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-duration", "2m"}, {"-conns", "0"}, {"-warmup", "-1s"}, {"-nope"}} {
		var out bytes.Buffer
		if err := run(t.Context(), args, &out); err == nil {
			t.Errorf("run %q: no error", args)
		}
	}
}

func TestPercentile(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	if got := percentile(ds, 0.5); got != 51*time.Millisecond {
		t.Errorf("p50 = %v", got)
	}
	if got := percentile(ds, 0.99); got != 100*time.Millisecond {
		t.Errorf("p99 = %v", got)
	}
	if got := percentile(nil, 0.5); got != 0 {
		t.Errorf("p50 of nothing = %v", got)
	}
}
