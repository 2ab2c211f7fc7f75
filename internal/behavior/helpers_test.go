package behavior

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// together runs get on n goroutines released at the same moment, and returns what each
// got.
func together[T any](n int, get func() T) []T {
	results := make([]T, n)
	start := make(chan struct{})
	var ready, done sync.WaitGroup
	ready.Add(n)
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			results[i] = get()
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
	return results
}

// gate is a constructor's gate: the constructor signals when it has entered and waits
// until the test opens the gate.
type gate struct {
	entered chan struct{}
	open    chan struct{}
	once    sync.Once
}

func newGate() *gate {
	return &gate{entered: make(chan struct{}, 100), open: make(chan struct{})}
}

// pass is called by the constructor.
func (g *gate) pass() {
	g.entered <- struct{}{}
	<-g.open
}

// waitEntered waits until a constructor is at the gate.
func (g *gate) waitEntered(t *testing.T) {
	t.Helper()
	select {
	case <-g.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the constructor never started")
	}
}

func (g *gate) release() { g.once.Do(func() { close(g.open) }) }

// result is what a Get returned.
type result[T any] struct {
	v   *T
	err error
}

// within runs f and fails the test if it does not return within d.
func within[T any](t *testing.T, d time.Duration, f func() T) T {
	t.Helper()
	ch := make(chan T, 1)
	go func() { ch <- f() }()
	select {
	case v := <-ch:
		return v
	case <-time.After(d):
		t.Fatalf("still waiting after %v", d)
		panic("unreachable")
	}
}

// counted wraps a constructor of Conns, counting its calls.
func counted(calls *atomic.Int32, ctor func(addr string, port int) (*Conn, error)) func(addr string, port int) (*Conn, error) {
	return func(addr string, port int) (*Conn, error) {
		calls.Add(1)
		return ctor(addr, port)
	}
}

// settle gives goroutines that were started a moment to reach the point where they
// block. Tests use it only where a late goroutine still gets a correct answer.
func settle() { time.Sleep(50 * time.Millisecond) }
