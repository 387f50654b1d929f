package main

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"
)

// percentile returns the p-th quantile (0 < p < 1) of ds, nearest rank;
// zero for no samples. It sorts ds.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	i := int(p * float64(len(ds)))
	return ds[min(i, len(ds)-1)]
}

func numProcs() int { return runtime.GOMAXPROCS(0) }

// formatRatios writes the ratio of each round and their median.
func formatRatios(rs []float64) string {
	var parts []string
	for _, r := range rs {
		parts = append(parts, fmt.Sprintf("%.2f", r))
	}
	sorted := slices.Clone(rs)
	slices.Sort(sorted)
	return fmt.Sprintf("%s  (median %.2f)", strings.Join(parts, " "), sorted[len(sorted)/2])
}
