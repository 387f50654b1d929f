package unixnano_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/authkit-dev/authkit/auth/internal/unixnano"
)

func TestEncodeRoundTrips(t *testing.T) {
	for _, at := range []time.Time{
		unixnano.First,
		unixnano.Last,
		time.Unix(0, 0),
		time.Unix(0, -1),
		time.Unix(0, 1),
		time.Date(2030, 1, 2, 3, 4, 5, 6, time.FixedZone("x", 3600)),
	} {
		n, err := unixnano.Encode(at)
		if err != nil {
			t.Errorf("Encode(%v): %v", at, err)
			continue
		}
		if n == unixnano.None {
			t.Errorf("Encode(%v) = None, want an instant", at)
		}
		if got := unixnano.Decode(n); !got.Equal(at) || got.Location() != time.UTC {
			t.Errorf("Decode(Encode(%v)) = %v, want the same instant in UTC", at, got)
		}
	}
}

func TestZeroIsNone(t *testing.T) {
	n, err := unixnano.Encode(time.Time{})
	if err != nil || n != unixnano.None {
		t.Fatalf("Encode(zero) = %d, %v; want None", n, err)
	}
	if got := unixnano.Decode(unixnano.None); !got.IsZero() {
		t.Errorf("Decode(None) = %v, want the zero time", got)
	}
	if epoch, _ := unixnano.Encode(time.Unix(0, 0)); epoch == unixnano.None {
		t.Error("the Unix epoch encodes as None")
	}
}

func TestEncodeRefusesOutOfRange(t *testing.T) {
	for _, at := range []time.Time{
		time.Unix(0, math.MinInt64),
		unixnano.First.Add(-time.Nanosecond),
		unixnano.Last.Add(time.Nanosecond),
		time.Date(1500, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		if n, err := unixnano.Encode(at); !errors.Is(err, unixnano.ErrRange) {
			t.Errorf("Encode(%v) = %d, %v; want ErrRange", at, n, err)
		}
	}
}
