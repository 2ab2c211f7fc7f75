package promises

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	// iterations is how often a race between two constructors is run, each time with
	// fresh managers: a check that finds a cycle only in some interleavings fails here.
	iterations = 1000
	// bound is how long a Get may take to report a cycle, or to return at all, before
	// the test fails instead of hanging.
	bound = 5 * time.Second
	// released is how long the waiters of a discarded build may take to return: well
	// under a second, while the discarded constructor stays blocked.
	released = 500 * time.Millisecond
	// waiters is how many callers wait for a build in the tests of cancelled and
	// discarded builds.
	waiters = 10
)

// within runs f on a goroutine of its own and fails the test if it does not return
// within d.
func within[T any](t testing.TB, d time.Duration, f func() T) T {
	t.Helper()
	ch := make(chan T, 1)
	go func() { ch <- f() }()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case v := <-ch:
		return v
	case <-timer.C:
		t.Fatalf("still waiting after %v: the generated code hangs", d)
		panic("unreachable")
	}
}

// result is what a Get returned.
type result[T any] struct {
	v   *T
	err error
}

// async runs get on a goroutine of its own; its result arrives on the channel.
func async[T any](get func() (*T, error)) <-chan result[T] {
	ch := make(chan result[T], 1)
	go func() {
		v, err := get()
		ch <- result[T]{v, err}
	}()
	return ch
}

// await receives from ch within d, or fails the test.
func await[T any](t testing.TB, d time.Duration, ch <-chan result[T], what string) result[T] {
	t.Helper()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case r := <-ch:
		return r
	case <-timer.C:
		t.Fatalf("%s: still blocked after %v", what, d)
		panic("unreachable")
	}
}

// pair runs f and g on two goroutines at once and returns their errors, failing the test
// if they do not both return within bound.
func pair(t testing.TB, f, g func() error) [2]error {
	t.Helper()
	return within(t, bound, func() [2]error {
		var errs [2]error
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); errs[0] = f() }()
		go func() { defer wg.Done(); errs[1] = g() }()
		wg.Wait()
		return errs
	})
}

// barrier holds the constructors that call arrive until n of them have: both ends of a
// cycle are then building before either asks for the other. It gives up after bound, so
// that code that never lets a constructor start cannot hang it.
type barrier struct {
	n    atomic.Int32
	all  chan struct{}
	once sync.Once
}

func newBarrier(n int) *barrier {
	b := &barrier{all: make(chan struct{})}
	b.n.Store(int32(n))
	return b
}

func (b *barrier) arrive() {
	if b.n.Add(-1) == 0 {
		b.once.Do(func() { close(b.all) })
	}
	timer := time.NewTimer(bound)
	defer timer.Stop()
	select {
	case <-b.all:
	case <-timer.C:
	}
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
func (g *gate) waitEntered(t testing.TB) {
	t.Helper()
	select {
	case <-g.entered:
	case <-time.After(bound):
		t.Fatal("the constructor never started")
	}
}

func (g *gate) release() { g.once.Do(func() { close(g.open) }) }

// isCycle reports whether err is, or wraps, the error the generated code returns to a
// constructor that would wait for itself, directly or through a cycle of builds. The
// messages have no sentinel: they say "would wait for itself" or "would wait for each
// other forever".
func isCycle(err error) bool {
	return err != nil && strings.Contains(err.Error(), "would wait for")
}

// anyCycle reports whether one of errs is a cycle error.
func anyCycle(errs ...error) bool {
	for _, err := range errs {
		if isCycle(err) {
			return true
		}
	}
	return false
}

// seen records the errors that constructors without an error result got from the
// managers they asked: those constructors can only return nil.
type seen struct {
	mu   sync.Mutex
	errs []error
}

func (s *seen) add(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.errs = append(s.errs, err)
}

func (s *seen) cycle() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return anyCycle(s.errs...)
}

// made records the instances a constructor made, in order.
type made[T any] struct {
	mu  sync.Mutex
	all []*T
}

func (m *made[T]) add(v *T) *T {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.all = append(m.all, v)
	return v
}

func (m *made[T]) list() []*T {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]*T(nil), m.all...)
}

// settle gives goroutines that were started a moment to reach the point where they
// block. Tests use it only where a late goroutine still gets a correct answer.
func settle() { time.Sleep(50 * time.Millisecond) }

var bg = context.Background()
