package behavior

import (
	"strings"
	"sync/atomic"
	"testing"
)

// TestWithReturnsWhatGetWouldPanicWith: a manager whose Get returns no error panics where
// it would return one, but With returns an error already, so it returns that error
// instead, without calling fn, for the builder and for the callers that waited on it.
func TestWithReturnsWhatGetWouldPanicWith(t *testing.T) {
	t.Parallel()
	var nilOnce atomic.Bool
	m := NewCounterManager(func() *Counter {
		if nilOnce.CompareAndSwap(false, true) {
			return nil
		}
		return NewCounter()
	})
	called := false
	err := m.With(func(*Counter) error { called = true; return nil })
	if err == nil || called || !strings.Contains(err.Error(), "returned a nil *Counter") {
		t.Fatalf("With of a constructor that returned nil = %v (fn called: %v), want the nil-instance error", err, called)
	}
	var got *Counter
	if err := m.With(func(c *Counter) error { got = c; return nil }); err != nil || got == nil {
		t.Fatalf("With after the failure = %v with %p, want a new build", err, got)
	}
	if got != m.Get() {
		t.Error("With and Get returned different instances")
	}
}

// TestWithOfAWaiterOfAPanickedBuild: the builder's With panics with the constructor's
// own panic, as its Get would; a With that waited on that build returns an error.
func TestWithOfAWaiterOfAPanickedBuild(t *testing.T) {
	t.Parallel()
	g := newGate()
	var calls atomic.Int32
	m := NewCounterManager(func() *Counter {
		if calls.Add(1) == 1 {
			g.pass()
			panic("constructor exploded")
		}
		return NewCounter()
	})
	builder := make(chan string, 1)
	go func() {
		builder <- panicMessage(func() { _ = m.With(func(*Counter) error { return nil }) })
	}()
	g.waitEntered(t)
	waiter := make(chan error, 1)
	go func() {
		var err error
		if msg := panicMessage(func() { err = m.With(func(*Counter) error { return nil }) }); msg != "" {
			t.Errorf("a waiting With panicked with %q, want an error", msg)
		}
		waiter <- err
	}()
	settle()
	g.release()
	if msg := <-builder; msg != "constructor exploded" {
		t.Fatalf("the building With panicked with %q, want the constructor's own panic", msg)
	}
	// The waiter may have arrived after the panic and built anew; if it waited, it
	// was told.
	if err := <-waiter; err != nil && !strings.Contains(err.Error(), "panicked") {
		t.Fatalf("the waiting With returned %v, want an error that says the constructor panicked", err)
	}
}
