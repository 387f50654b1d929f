package authtest_test

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// recordingT is a testing.TB that records failures instead of failing.
// Fatalf ends the calling goroutine as the real one does, so checks that
// may call it run through runRecording.
type recordingT struct {
	testing.TB
	mu     sync.Mutex
	errors []string
	fatals []string
	logs   []string
}

func (r *recordingT) Helper() {}

func (r *recordingT) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recordingT) Error(args ...any) { r.Errorf("%s", fmt.Sprint(args...)) }

func (r *recordingT) Fatalf(format string, args ...any) {
	r.mu.Lock()
	r.fatals = append(r.fatals, fmt.Sprintf(format, args...))
	r.mu.Unlock()
	runtime.Goexit()
}

func (r *recordingT) Fatal(args ...any) { r.Fatalf("%s", fmt.Sprint(args...)) }
func (r *recordingT) FailNow()          { r.Fatalf("FailNow") }
func (r *recordingT) Fail()             { r.Errorf("Fail") }

func (r *recordingT) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.errors)+len(r.fatals) > 0
}

func (r *recordingT) Logf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.logs = append(r.logs, fmt.Sprintf(format, args...))
}

// output returns every recorded failure, with the non-breaking spaces
// that go-cmp puts in its diffs at random made plain spaces.
func (r *recordingT) output() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	all := append(append([]string(nil), r.errors...), r.fatals...)
	return strings.ReplaceAll(strings.Join(all, "\n---\n"), "\u00a0", " ")
}

// runRecording runs fn with a recordingT in a goroutine of its own and
// waits for it, whether it returns or calls Fatalf.
func runRecording(t *testing.T, fn func(tb testing.TB)) *recordingT {
	t.Helper()
	rt := &recordingT{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(rt)
	}()
	<-done
	return rt
}
