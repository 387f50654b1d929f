package pace

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A canceled context ends the wait at once with its error, however long
// the step took.
func TestAfterCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := After(ctx, time.Now().Add(-time.Hour)); !errors.Is(err, context.Canceled) {
		t.Fatalf("After on a canceled context = %v, want context.Canceled", err)
	}
}

// A step that took no time waits no time and succeeds.
func TestAfterInstantStep(t *testing.T) {
	if err := After(context.Background(), time.Now()); err != nil {
		t.Fatal(err)
	}
}
