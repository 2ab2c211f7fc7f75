package hostile_test

import (
	"context"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/singletongen/singletongen/lifecycle"
	"github.com/singletongen/singletongen/lifecycle/internal/hostile"
	"github.com/singletongen/singletongen/lifecycle/internal/hostile/base"
)

// The registry, the managers and the hooks are process-wide: no test of this package runs
// in parallel, and each starts and ends with nothing registered (fresh).

// patience bounds every wait for something that must happen: generous, for a loaded
// machine, since only a deadlock or a leak exceeds it.
const patience = 10 * time.Second

// within runs fn on a goroutine and reports whether it returned within d.
func within(d time.Duration, fn func()) (done <-chan struct{}, ok bool) {
	ch := make(chan struct{})
	go func() {
		defer close(ch)
		fn()
	}()
	select {
	case <-ch:
		return ch, true
	case <-time.After(d):
		return ch, false
	}
}

// shutdown runs lifecycle.Shutdown with ctx and fails the test if it does not return
// within patience.
func shutdown(t *testing.T, ctx context.Context) error {
	t.Helper()
	var err error
	if _, ok := within(patience, func() { err = lifecycle.Shutdown(ctx) }); !ok {
		t.Fatalf("lifecycle.Shutdown did not return within %v", patience)
	}
	return err
}

// fresh starts the test with no hooks set, nothing registered and no violation recorded,
// and ends it the same way.
func fresh(t *testing.T) {
	t.Helper()
	clear := func() {
		hostile.BuildHook.Store(nil)
		hostile.CloseHook.Store(nil)
		ctx, cancel := context.WithTimeout(context.Background(), patience)
		defer cancel()
		if err := shutdown(t, ctx); err != nil {
			t.Errorf("Shutdown, to start or end the test afresh: %v", err)
		}
		if got := lifecycle.Instances(); len(got) != 0 {
			t.Errorf("Instances() after Shutdown = %+v, want none", got)
		}
		base.TakeCloses()
	}
	clear()
	if v := hostile.TakeViolations(); len(v) != 0 {
		t.Fatalf("violations left by an earlier test: %v", v)
	}
	t.Cleanup(func() {
		clear()
		if v := hostile.TakeViolations(); len(v) != 0 {
			t.Errorf("violations: %v", v)
		}
	})
}

// recorder records the events an observer sees.
type recorder struct {
	mu   sync.Mutex
	list []lifecycle.Event
}

func observe(t *testing.T) *recorder {
	r := new(recorder)
	t.Cleanup(lifecycle.Observe(r.add))
	return r
}

func (r *recorder) add(e lifecycle.Event) {
	r.mu.Lock()
	r.list = append(r.list, e)
	r.mu.Unlock()
}

func (r *recorder) take() []lifecycle.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	l := r.list
	r.list = nil
	return l
}

// tally counts, per singleton, the successful builds, the instances dropped and the closes.
type tally struct {
	builds, drops, closes map[string]int
	reasons               map[string]bool
}

func count(events []lifecycle.Event) tally {
	t := tally{builds: map[string]int{}, drops: map[string]int{}, closes: map[string]int{}, reasons: map[string]bool{}}
	for _, e := range events {
		switch e.Kind {
		case lifecycle.BuildFinished:
			if e.Err == nil {
				t.builds[e.Name]++
			}
		case lifecycle.Dropped:
			t.drops[e.Name] += e.Count
			t.reasons[e.Reason] = true
		case lifecycle.Closed:
			t.closes[e.Name]++
		}
	}
	return t
}

// fakeTB is enough of a testing.TB for the test hooks, so that a test can install and
// restore them many times, or from a goroutine of its own.
type fakeTB struct {
	mu       sync.Mutex
	cleanups []func()
}

func (*fakeTB) Helper()               {}
func (*fakeTB) Setenv(string, string) {}
func (f *fakeTB) Cleanup(fn func())   { f.mu.Lock(); f.cleanups = append(f.cleanups, fn); f.mu.Unlock() }
func (f *fakeTB) cleanup() {
	f.mu.Lock()
	c := f.cleanups
	f.cleanups = nil
	f.mu.Unlock()
	for i := len(c) - 1; i >= 0; i-- {
		c[i]()
	}
}

// settleGoroutines waits until no more than n goroutines run, and returns how many do.
func settleGoroutines(n int) int {
	deadline := time.Now().Add(patience)
	for {
		g := runtime.NumGoroutine()
		if g <= n || time.Now().After(deadline) {
			return g
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// mentions reports whether any of the strings in s contains secret.
func mentions(secret string, s ...string) bool {
	for _, x := range s {
		if strings.Contains(x, secret) {
			return true
		}
	}
	return false
}
