package bounded

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"
)

// closer is what every instance here is, through Instance.
type closer interface{ Closes() int32 }

// tracker records every instance a test's constructor built.
type tracker[T closer] struct {
	mu    sync.Mutex
	built []T
}

// add records x and returns it.
func (tr *tracker[T]) add(x T) T {
	tr.mu.Lock()
	tr.built = append(tr.built, x)
	tr.mu.Unlock()
	return x
}

// all returns what was built so far.
func (tr *tracker[T]) all() []T {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]T(nil), tr.built...)
}

// count returns how many instances were built.
func (tr *tracker[T]) count() int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return len(tr.built)
}

// closeCounts returns how many of the built instances were closed never, once, and
// more than once.
func closeCounts[T closer](built []T) (open, once, more int) {
	for _, x := range built {
		switch n := x.Closes(); {
		case n == 0:
			open++
		case n == 1:
			once++
		default:
			more++
		}
	}
	return
}

// eachClosedOnce fails the test unless every instance was closed exactly once.
func eachClosedOnce[T closer](t *testing.T, built []T) {
	t.Helper()
	if open, once, more := closeCounts(built); open != 0 || more != 0 {
		t.Errorf("of %d instances built, %d never closed, %d closed once, %d closed more than once; want all closed once",
			len(built), open, once, more)
	}
}

// waitFor polls cond until it holds, and fails the test when it still does not after
// d: never a hang.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting after %v for %s", d, what)
		}
		time.Sleep(time.Millisecond)
	}
}

// within runs f on another goroutine and fails the test if it does not return within
// d.
func within(t *testing.T, d time.Duration, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s: still running after %v", what, d)
	}
}

// recv receives from ch, and fails the test after d.
func recv[T any](t *testing.T, d time.Duration, what string, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(d):
		t.Fatalf("still waiting after %v for %s", d, what)
		panic("unreachable")
	}
}

// settleGoroutines waits until no more goroutines run than baseline: the timer
// goroutine of a sweep that just ran may take a moment to exit.
func settleGoroutines(t *testing.T, baseline int) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= baseline {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("%d goroutines left, %d before the manager was used:\n%s", n, baseline, buf)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// sweepArmed reports, white-box, whether m's idle sweep is armed and how many times
// it was armed so far. It reads the generated singletonMap's fields: the only test
// that does, so that a change of those names touches this one function.
func sweepArmed[A comparable, T comparable](m *singletonMap[A, T]) (armed bool, sweeps int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.sweep != nil, m.sweeps
}

// key returns the i-th key of a family.
func key(family string, i int) string { return fmt.Sprintf("%s-%d", family, i) }

// errFn is the error fn returns in the With tests.
var errFn = errors.New("fn failed")

// waitTimeout bounds every wait for another goroutine.
const waitTimeout = 10 * time.Second
