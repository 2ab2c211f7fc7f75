package bounded

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// The tests of this file count goroutines: they do not run in parallel, and every
// manager they make is empty when they end.

// idle is Lease's and Brittle's idle=.
const idle = 40 * time.Millisecond

// reader gets key from get in a loop until stopped, and records the longest gap
// between two Gets and whether it ever got another instance than want.
type reader struct {
	stop, done chan struct{}
	maxGap     atomic.Int64 // nanoseconds
	changed    atomic.Bool
}

func startReader[T comparable](get func() T, want T) *reader {
	r := &reader{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(r.done)
		last := time.Now()
		for {
			select {
			case <-r.stop:
				return
			default:
			}
			if get() != want {
				r.changed.Store(true)
			}
			now := time.Now()
			if gap := now.Sub(last); gap > time.Duration(r.maxGap.Load()) {
				r.maxGap.Store(int64(gap))
			}
			last = now
			runtime.Gosched()
		}
	}()
	return r
}

func (r *reader) end(t *testing.T) {
	t.Helper()
	close(r.stop)
	recv(t, waitTimeout, "the reader", r.done)
}

// assertNotArmed fails the test if m's sweep is armed, or is armed again within a few
// periods of idle.
func assertNotArmed[A comparable, T comparable](t *testing.T, m *singletonMap[A, T]) {
	t.Helper()
	armed, sweeps := sweepArmed(m)
	if armed {
		t.Fatalf("the idle sweep is armed, for a manager that holds nothing")
	}
	time.Sleep(3 * idle)
	if armed, again := sweepArmed(m); armed || again != sweeps {
		t.Fatalf("the idle sweep was armed %d more times (armed now: %v) for a manager that holds nothing", again-sweeps, armed)
	}
}

// TestIdleDropsUnused: an instance that no Get returned for idle is dropped and closed,
// never before idle has passed; one that a goroutine keeps reading is kept; once all
// are dropped, no goroutine is left and the sweep is not armed again.
func TestIdleDropsUnused(t *testing.T) {
	baseline := runtime.NumGoroutine()
	tr := &tracker[*Lease]{}
	m := NewLeaseManager(func(key string) (*Lease, error) { return tr.add(must[*Lease](t)(NewLease(key))), nil })
	t.Cleanup(func() { _ = m.Reset() })

	t0 := time.Now()
	a := must[*Lease](t)(m.Get("a"))
	b := must[*Lease](t)(m.Get("b"))
	if armed, _ := sweepArmed(&m.keys); !armed {
		t.Fatalf("the idle sweep is not armed for a manager that holds instances")
	}
	r := startReader(func() *Lease { return must[*Lease](t)(m.Get("b")) }, b)

	for {
		closed := a.Closes() != 0
		elapsed := time.Since(t0) // after the look: the drop happened before
		if closed {
			if elapsed < idle {
				t.Fatalf("dropped after %v, before idle=%v passed", elapsed, idle)
			}
			t.Logf("the unused instance was closed within %v", elapsed)
			break
		}
		if elapsed > waitTimeout {
			t.Fatalf("an instance unused for %v is not closed", elapsed)
		}
		time.Sleep(time.Millisecond)
	}
	if n := a.Closes(); n != 1 {
		t.Fatalf("closed %d times", n)
	}
	if x := must[*Lease](t)(m.Get("a")); x == a {
		t.Fatalf("Get returned the instance dropped for idleness")
	}
	// b, read all along, outlives several periods of idle.
	time.Sleep(6 * idle)
	r.end(t)
	gap := time.Duration(r.maxGap.Load())
	switch {
	case !r.changed.Load() && b.Closes() == 0:
	case gap < idle*3/4:
		t.Fatalf("an instance read at least every %v was dropped (closes: %d)", gap, b.Closes())
	default:
		t.Logf("the reader was starved for %v: its instance may have been dropped", gap)
	}
	t.Logf("the reader's longest gap between two Gets: %v", gap)

	waitFor(t, waitTimeout, "every instance to be dropped", func() bool { return m.Len() == 0 })
	waitFor(t, waitTimeout, "the last drop's close", func() bool {
		_, once, _ := closeCounts(tr.all())
		return once == tr.count()
	})
	eachClosedOnce(t, tr.all())
	waitFor(t, waitTimeout, "the sweep to stop", func() bool { armed, _ := sweepArmed(&m.keys); return !armed })
	settleGoroutines(t, baseline)
	assertNotArmed(t, &m.keys)
	settleGoroutines(t, baseline)
}

// TestIdleAfterResetAndDelete: Reset stops the sweep at once; after a Delete of the
// last instance the sweep stops at its next tick; neither leaves a goroutine.
func TestIdleAfterResetAndDelete(t *testing.T) {
	baseline := runtime.NumGoroutine()
	m := NewLeaseManager(nil)
	var got []*Lease
	for _, k := range []string{"a", "b", "c"} {
		got = append(got, must[*Lease](t)(m.Get(k)))
	}
	if armed, _ := sweepArmed(&m.keys); !armed {
		t.Fatalf("the idle sweep is not armed for a manager that holds instances")
	}
	if err := m.Reset(); err != nil {
		t.Fatal(err)
	}
	eachClosedOnce(t, got)
	settleGoroutines(t, baseline)
	assertNotArmed(t, &m.keys)

	x := must[*Lease](t)(m.Get("x"))
	if armed, _ := sweepArmed(&m.keys); !armed {
		t.Fatalf("the idle sweep is not armed again after Reset for a new instance")
	}
	if err := m.Delete("x"); err != nil || x.Closes() != 1 {
		t.Fatalf("Delete returned %v, closed %d times", err, x.Closes())
	}
	waitFor(t, waitTimeout, "the sweep to stop", func() bool { armed, _ := sweepArmed(&m.keys); return !armed })
	settleGoroutines(t, baseline)
	assertNotArmed(t, &m.keys)
}

// TestIdleClosePanics: a Close that panics in the idle sweep does not crash the test
// binary (the sweep runs on a timer goroutine, where a panic would), the instance is
// dropped all the same, and the manager goes on sweeping the instances built after.
func TestIdleClosePanics(t *testing.T) {
	baseline := runtime.NumGoroutine()
	m := NewBrittleManager(nil)
	t.Cleanup(func() {
		defer func() { _ = recover() }() // Reset of a Brittle panics: Close does
		_ = m.Reset()
	})
	for round := range 2 {
		x := must[*Brittle](t)(m.Get(key("x", round)))
		y := must[*Brittle](t)(m.Get(key("y", round)))
		waitFor(t, waitTimeout, "the panicking instances to be dropped", func() bool {
			return m.Len() == 0 && x.Closes() == 1 && y.Closes() == 1
		})
		if z := must[*Brittle](t)(m.Get(key("x", round))); z == x {
			t.Fatalf("Get returned the instance dropped for idleness")
		}
		waitFor(t, waitTimeout, "the last instance to be dropped", func() bool { return m.Len() == 0 })
		waitFor(t, waitTimeout, "the sweep to stop", func() bool { armed, _ := sweepArmed(&m.keys); return !armed })
	}
	settleGoroutines(t, baseline)
	assertNotArmed(t, &m.keys)
}

// TestIdleWithMax: max= and idle= together, with a context constructor: instances are
// both evicted and idle-dropped, each closed once, and nothing is left running.
func TestIdleWithMax(t *testing.T) {
	baseline := runtime.NumGoroutine()
	tr := &tracker[*Tenant]{}
	m := NewTenantManager(func(ctx context.Context, name string) (*Tenant, error) {
		return tr.add(must[*Tenant](t)(NewTenant(ctx, name))), nil
	})
	t.Cleanup(func() { _ = m.Reset() })
	ctx := context.Background()
	for i := range 20 {
		must[*Tenant](t)(m.Get(ctx, key("t", i)))
		if l := m.Len(); l > 8 {
			t.Fatalf("Len = %d > max=8", l)
		}
	}
	waitFor(t, waitTimeout, "every instance to be dropped", func() bool { return m.Len() == 0 })
	waitFor(t, waitTimeout, "the sweep to stop", func() bool { armed, _ := sweepArmed(&m.keys); return !armed })
	if n := tr.count(); n != 20 {
		t.Fatalf("%d instances built for 20 keys", n)
	}
	waitFor(t, waitTimeout, "the last drop's close", func() bool {
		_, once, _ := closeCounts(tr.all())
		return once == tr.count()
	})
	eachClosedOnce(t, tr.all())
	settleGoroutines(t, baseline)
	assertNotArmed(t, &m.keys)
}
