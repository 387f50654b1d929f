// Package unixnano is the one encoding of times that authkit's stores
// share: an instant is its int64 Unix nanoseconds, and the zero
// [time.Time] (none: a session without an absolute end, say) is [None].
//
// The rule, the same in every store:
//
//   - The zero time means none. It is stored as [None] (memstore, and the
//     SQL stores' BIGINT/INTEGER columns) or as an absent value (Redis's
//     empty field), and reads back as the zero time. It is before every
//     instant: a sweep deletes a session whose idle expiry is none at any
//     time, and a sweep at the zero time deletes nothing.
//   - Every instant from [First] to [Last] round-trips exactly, the Unix
//     epoch included.
//   - Any other time is refused with an error wrapping [ErrRange]. (The
//     one instant int64 nanoseconds hold that is refused, math.MinInt64
//     in 1677, is the one that encodes none.)
package unixnano

import (
	"errors"
	"math"
	"time"
)

// None is the encoding of the zero time.
const None int64 = math.MinInt64

// First and Last are the first and the last instant a store keeps:
// 1677-09-21T00:12:43.145224193Z and 2262-04-11T23:47:16.854775807Z.
var (
	First = time.Unix(0, None+1).UTC()
	Last  = time.Unix(0, math.MaxInt64).UTC()
)

// ErrRange is wrapped by the error for a time outside [First] to [Last].
var ErrRange = errors.New("time outside 1677-09-21T00:12:43.145224193Z to 2262-04-11T23:47:16.854775807Z (int64 Unix nanoseconds)")

// Encode returns t's Unix nanoseconds, [None] for the zero time, or, for
// a time outside [First] to [Last], an error wrapping [ErrRange] (ErrRange
// itself: no allocation).
func Encode(t time.Time) (int64, error) {
	if t.IsZero() {
		return None, nil
	}
	if t.Before(First) || t.After(Last) {
		return 0, ErrRange
	}
	return t.UnixNano(), nil
}

// Decode returns the time n encodes, in UTC: the zero time for [None].
func Decode(n int64) time.Time {
	if n == None {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}
