package auth

import "time"

// Clock tells the time. Every lifetime decision of an [Auth] reads its
// Clock, so a test that controls the clock controls expiry and renewal
// without sleeping.
type Clock interface {
	Now() time.Time
}

// SystemClock is the [Clock] of the operating system: [time.Now].
// It is the default when [Config.Clock] is nil.
type SystemClock struct{}

// Now returns [time.Now].
func (SystemClock) Now() time.Time { return time.Now() }
