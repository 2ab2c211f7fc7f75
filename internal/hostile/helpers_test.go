package hostile

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// patience bounds every wait of these tests: far above what any step needs on a
// loaded machine, so that only a hang reaches it.
const patience = 20 * time.Second

// recv returns what ch delivers, or fails the test after patience.
func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(patience):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

// result is what an accessor returned on another goroutine.
type result[T any] struct {
	v   T
	err error
}

// async runs f on a new goroutine and delivers its result.
func async[T any](f func() (T, error)) <-chan result[T] {
	ch := make(chan result[T], 1)
	go func() {
		v, err := f()
		ch <- result[T]{v, err}
	}()
	return ch
}

// hung is a constructor's first call held on a gate: entered is closed when the
// call starts, and the call goes on once release is called.
type hung struct {
	entered chan struct{}
	gate    chan struct{}
	calls   atomic.Int32
}

func newHung() *hung { return &hung{entered: make(chan struct{}), gate: make(chan struct{})} }

// first reports whether this is the first call, and, if it is, holds it on the gate.
func (h *hung) first() bool {
	if h.calls.Add(1) != 1 {
		return false
	}
	close(h.entered)
	<-h.gate
	return true
}

func (h *hung) release() { close(h.gate) }

// errClose is the error a Close returns, distinct for each instance.
type errClose struct{ id int64 }

func (e *errClose) Error() string { return "close failed" }

// deadline returns a context that ends soon: a caller that waits on it must give up.
func deadline(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	t.Cleanup(cancel)
	return ctx
}

// done returns a context that has already ended.
func done() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

var errBoom = errors.New("constructor failed")
