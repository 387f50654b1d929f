package syncbuf_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/authkit-dev/authkit/internal/syncbuf"
)

// Concurrent writes all land, whole, and String may run meanwhile (the
// race detector checks the locking).
func TestConcurrentWritesAllLand(t *testing.T) {
	var b syncbuf.Buffer
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				if n, err := b.Write([]byte("line\n")); n != 5 || err != nil {
					t.Errorf("Write = %d, %v", n, err)
				}
				_ = b.String()
			}
		})
	}
	wg.Wait()
	if got, want := b.String(), strings.Repeat("line\n", 800); got != want {
		t.Errorf("String() has %d bytes, want %d", len(got), len(want))
	}
}
