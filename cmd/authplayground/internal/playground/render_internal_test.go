package playground

import (
	"testing"
	"time"
)

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                                 "0s",
		500 * time.Millisecond:            "500ms",
		time.Second:                       "1s",
		24*time.Hour + time.Second:        "1d 1s",
		15*24*time.Hour + time.Second:     "15d 1s",
		23*time.Hour + 59*time.Minute + 1: "23h 59m",
		-90 * time.Minute:                 "-1h 30m",
	} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{now.Add(time.Hour), "in 1h"},
		{now.Add(-time.Hour), "1h ago"},
		{now, "now"},
	} {
		if got := countdown(tc.t, now); got != tc.want {
			t.Errorf("countdown(%v) = %q, want %q", tc.t, got, tc.want)
		}
	}
}
