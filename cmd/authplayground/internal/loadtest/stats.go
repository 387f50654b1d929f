package main

import (
	"runtime"
	"slices"
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
