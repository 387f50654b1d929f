// Package results is what the benchmark tests hand to cmd/report: the rows
// TestWrites and TestPaired write as JSON files (bench/run.sh passes them
// on), defined once so that the writer and the reader agree on every name.
package results

import (
	"encoding/json"
	"fmt"
	"os"
)

// Counts are the store calls of one scenario of TestWrites.
type Counts struct {
	Reads  int64 `json:"reads"`
	Writes int64 `json:"writes"`
}

// Writes is what TestWrites measured of one library on one backend.
type Writes struct {
	Backend string `json:"backend"`
	Lib     string `json:"lib"`
	// ServerStore is false for a gorilla CookieStore: its counts are
	// cookies decoded and saved (re-encrypted and re-sent), not store
	// calls.
	ServerStore bool `json:"server_store"`
	// ClockMoved reports that the renewal scenarios moved the library's
	// clock past the active period. Libraries that read the system clock
	// are not moved: their counts do not depend on the time.
	ClockMoved bool `json:"clock_moved"`
	// Active: requests on an active session. Renewal: the same, with the
	// clock moved past the active period halfway, so the session turns
	// idle once. Concurrent: requests from several clients at once on a
	// session that is idle when they start.
	Active     Counts `json:"active"`
	Renewal    Counts `json:"renewal"`
	Concurrent Counts `json:"concurrent"`
}

// Paired is what TestPaired measured of one library on one backend: the
// median and 90th percentile of N single-request times, in nanoseconds.
type Paired struct {
	Backend string  `json:"backend"`
	Lib     string  `json:"lib"`
	N       int     `json:"n"`
	Median  float64 `json:"median_ns"`
	P90     float64 `json:"p90_ns"`
}

// Write writes rows to the file at path as indented JSON.
func Write(path string, rows any) error {
	b, err := json.MarshalIndent(rows, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// Read reads the JSON file at path, as [Write] wrote it, into rows (a
// pointer to a slice of rows).
func Read(path string, rows any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, rows); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
