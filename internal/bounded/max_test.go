package bounded

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// boundedManager is a bounded keyed manager as the tests of this file drive it,
// with a constructor that records what it builds.
type boundedManager struct {
	max   int
	idle  bool // instances may also be dropped by the idle sweep, at any moment
	get   func(key string) closer
	len   func() int
	reset func() error
	built func() []closer
}

// trackedAll converts what tr built to closers.
func trackedAll[T closer](tr *tracker[T]) func() []closer {
	return func() []closer {
		var out []closer
		for _, x := range tr.all() {
			out = append(out, x)
		}
		return out
	}
}

// must returns a function that returns x, and marks the test failed on err: usable
// on any goroutine, with a call of two results.
func must[T any](t testing.TB) func(x T, err error) T {
	return func(x T, err error) T {
		if err != nil {
			t.Errorf("unexpected error: %v", err)
		}
		return x
	}
}

// boundedManagers returns a new manager of each bounded keyed kind: max=64 without
// errors, max=4, max=8 with idle= and a context, max=4 with iface=, an annotated
// constructor function with max=8, and global=off with max=4.
func boundedManagers(t *testing.T) map[string]boundedManager {
	t.Helper()
	out := map[string]boundedManager{}
	{
		tr := &tracker[*Wide]{}
		m := NewWideManager(func(key string) *Wide { return tr.add(NewWide(key)) })
		t.Cleanup(func() { _ = m.Reset() })
		out["Wide max=64"] = boundedManager{max: 64, get: func(k string) closer { return m.Get(k) }, len: m.Len, reset: m.Reset, built: trackedAll(tr)}
	}
	{
		tr := &tracker[*Slot]{}
		m := NewSlotManager(func(key string) (*Slot, error) { return tr.add(must[*Slot](t)(NewSlot(key))), nil })
		t.Cleanup(func() { _ = m.Reset() })
		out["Slot max=4"] = boundedManager{max: 4, get: func(k string) closer { return must[*Slot](t)(m.Get(k)) }, len: m.Len, reset: m.Reset, built: trackedAll(tr)}
	}
	{
		tr := &tracker[*Tenant]{}
		m := NewTenantManager(func(ctx context.Context, name string) (*Tenant, error) {
			return tr.add(must[*Tenant](t)(NewTenant(ctx, name))), nil
		})
		t.Cleanup(func() { _ = m.Reset() })
		ctx := context.Background()
		out["Tenant max=8 idle=40ms ctx"] = boundedManager{max: 8, idle: true, get: func(k string) closer { return must[*Tenant](t)(m.Get(ctx, k)) }, len: m.Len, reset: m.Reset, built: trackedAll(tr)}
	}
	{
		tr := &tracker[*Remote]{}
		m := NewRemoteManager(func(name string) (RemoteAPI, error) { return tr.add(must[*Remote](t)(NewRemote(name))), nil })
		t.Cleanup(func() { _ = m.Reset() })
		out["Remote max=4 iface"] = boundedManager{max: 4, get: func(k string) closer { return must[RemoteAPI](t)(m.Get(k)) }, len: m.Len, reset: m.Reset, built: trackedAll(tr)}
	}
	{
		tr := &tracker[*Conn]{}
		m := NewConnManager(func(addr string) (*Conn, error) { return tr.add(must[*Conn](t)(NewConn(addr))), nil })
		t.Cleanup(func() { _ = m.Reset() })
		out["Conn func max=8"] = boundedManager{max: 8, get: func(k string) closer { return must[*Conn](t)(m.Get(k)) }, len: m.Len, reset: m.Reset, built: trackedAll(tr)}
	}
	{
		tr := &tracker[*Local]{}
		m := NewLocalManager(func(key string) (*Local, error) { return tr.add(must[*Local](t)(NewLocal(key))), nil })
		t.Cleanup(func() { _ = m.Reset() })
		out["Local max=4 global=off"] = boundedManager{max: 4, get: func(k string) closer { return must[*Local](t)(m.Get(k)) }, len: m.Len, reset: m.Reset, built: trackedAll(tr)}
	}
	return out
}

// TestMaxUnderChurn: four goroutines get thousands of distinct keys (and re-read recent
// ones, and share a few) while a watcher samples Len: Len never exceeds max, every
// instance dropped is closed exactly once, and the ones still held are not.
func TestMaxUnderChurn(t *testing.T) {
	t.Parallel()
	const goroutines, keysEach = 4, 3000
	for name, m := range boundedManagers(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var (
				seenMax    atomic.Int64 // by the watcher and the getters
				violations atomic.Int64
				stop       = make(chan struct{})
				watcherEnd = make(chan struct{})
			)
			record := func() {
				l := int64(m.len())
				if l > int64(m.max) {
					violations.Add(1)
				}
				for {
					old := seenMax.Load()
					if l <= old || seenMax.CompareAndSwap(old, l) {
						break
					}
				}
			}
			go func() {
				defer close(watcherEnd)
				for {
					select {
					case <-stop:
						return
					default:
						record()
					}
				}
			}()
			var wg sync.WaitGroup
			for g := range goroutines {
				wg.Add(1)
				go func() {
					defer wg.Done()
					family := fmt.Sprint("g", g)
					for i := range keysEach {
						m.get(key(family, i))
						if i%3 == 0 && i > 0 {
							m.get(key(family, i-1)) // a second read: a second chance, or a rebuild
						}
						if i%10 == 0 {
							m.get(key("shared", i%7)) // the same keys on every goroutine
						}
						record()
					}
				}()
			}
			within(t, 60*time.Second, "the churn", wg.Wait)
			close(stop)
			recv(t, waitTimeout, "the watcher", watcherEnd)

			if v := violations.Load(); v != 0 {
				t.Errorf("Len exceeded max=%d in %d samples; the largest was %d", m.max, v, seenMax.Load())
			}
			if got := seenMax.Load(); got != int64(m.max) {
				t.Errorf("the largest Len seen is %d; want max=%d, reached by a churn of %d keys", got, m.max, goroutines*keysEach)
			}
			built := m.built()
			if len(built) < goroutines*keysEach {
				t.Errorf("%d instances built for %d distinct keys", len(built), goroutines*keysEach)
			}
			open, _, more := closeCounts(built)
			if more != 0 {
				t.Errorf("%d instances closed more than once", more)
			}
			if !m.idle { // the idle sweep may drop one between these two counts
				if l := m.len(); open != l {
					t.Errorf("%d built instances are not closed, but the manager holds %d: every instance it dropped must be closed", open, l)
				}
			}
			if err := m.reset(); err != nil {
				t.Fatalf("Reset: %v", err)
			}
			if l := m.len(); l != 0 {
				t.Errorf("Len after Reset = %d", l)
			}
			t.Logf("%d instances built, largest Len seen %d", len(built), seenMax.Load())
			eachClosedOnce(t, built)
		})
	}
}

// TestEvictedClosedBeforeGetReturns: on one goroutine, once the manager holds max
// instances, each Get that builds has closed exactly one other instance by the time
// it returns, and a Get that finds its key closes none; no instance a Get returns is
// closed, since nothing else drops any.
func TestEvictedClosedBeforeGetReturns(t *testing.T) {
	t.Parallel()
	for name, m := range boundedManagers(t) {
		if m.idle {
			continue // the idle sweep is a concurrent drop
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			step := func(k string) {
				t.Helper()
				builtBefore := m.built()
				_, closedBefore, _ := closeCounts(builtBefore)
				full := m.len() == m.max
				x := m.get(k)
				if n := x.Closes(); n != 0 {
					t.Fatalf("Get(%q) returned an instance closed %d times", k, n)
				}
				builtAfter := m.built()
				_, closedAfter, more := closeCounts(builtAfter)
				builds := len(builtAfter) - len(builtBefore)
				want := 0
				if full {
					want = builds
				}
				if closedAfter-closedBefore != want || more != 0 {
					t.Fatalf("Get(%q) built %d instances and closed %d before it returned (%d closed more than once); want %d closed",
						k, builds, closedAfter-closedBefore, more, want)
				}
				if l, want := m.len(), min(len(builtAfter), m.max); l != want {
					t.Fatalf("after Get(%q): Len = %d, want %d", k, l, want)
				}
			}
			for i := range 300 {
				step(key("k", i))
				// Re-reads: of keys held (no build, no close) or evicted (a build, a close).
				for _, back := range []int{1, 2, m.max + 3} {
					if i >= back {
						step(key("k", i-back))
					}
				}
			}
		})
	}
}

// TestClockSecondChance: keys read between the inserts of one-shot keys survive the
// stream (a second chance), from the first insert on, while the one-shot keys are
// evicted: max=4 with one, two and three hot keys, max=64 with 32 and 63.
func TestClockSecondChance(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ max, hot int }{
		{max: 4, hot: 1},
		{max: 4, hot: 2},
		{max: 4, hot: 3},
		{max: 64, hot: 32},
		{max: 64, hot: 63},
	} {
		t.Run(fmt.Sprintf("max=%d/hot=%d", tc.max, tc.hot), func(t *testing.T) {
			t.Parallel()
			var get func(string) closer
			var length func() int
			built := 0
			if tc.max == 4 {
				m := NewSlotManager(func(key string) (*Slot, error) { built++; return NewSlot(key) })
				t.Cleanup(func() { _ = m.Reset() })
				get, length = func(k string) closer { return must[*Slot](t)(m.Get(k)) }, m.Len
			} else {
				m := NewWideManager(func(key string) *Wide { built++; return NewWide(key) })
				t.Cleanup(func() { _ = m.Reset() })
				get, length = func(k string) closer { return m.Get(k) }, m.Len
			}
			hot := make([]closer, tc.hot)
			for j := range hot {
				hot[j] = get(key("hot", j))
			}
			const stream = 1000
			for i := range stream {
				get(key("cold", i))
				for j := range hot {
					if x := get(key("hot", j)); x != hot[j] {
						t.Fatalf("one-shot key %d evicted hot key %d, which a Get returned after every other key was inserted", i, j)
					}
				}
				if l := length(); l != min(tc.hot+i+1, tc.max) {
					t.Fatalf("Len = %d, want %d", l, min(tc.hot+i+1, tc.max))
				}
			}
			for j, h := range hot {
				if h.Closes() != 0 {
					t.Errorf("hot key %d: its instance is closed", j)
				}
			}
			// The one-shot keys went: an old one is rebuilt.
			before := built
			get(key("cold", 0))
			if built == before {
				t.Errorf("the first one-shot key is still held")
			}
		})
	}
}

// TestClockHotKeyWhenClockFills is the smallest case of a bug found here (new instances
// were published with their used bit set, so that a key read after each insert was no
// different to the clock from one-shot keys, and the hand, finding every bit set,
// evicted FIFO): max=4, "hot" read after each of four one-shot keys must survive them.
func TestClockHotKeyWhenClockFills(t *testing.T) {
	t.Parallel()
	m := NewSlotManager(nil)
	t.Cleanup(func() { _ = m.Reset() })
	hot := must[*Slot](t)(m.Get("hot"))
	for i := range 4 {
		must[*Slot](t)(m.Get(key("once", i)))
		if h := must[*Slot](t)(m.Get("hot")); h != hot {
			t.Fatalf("one-shot key %d evicted \"hot\", returned by a Get after every one-shot key was inserted (closed: %d)", i, hot.Closes())
		}
	}
}
