package bounded

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// together runs f on n goroutines released at the same moment, and returns what each
// returned; it fails the test if they do not all return within waitTimeout.
func together[T any](t *testing.T, n int, f func(i int) T) []T {
	t.Helper()
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
			results[i] = f(i)
		}()
	}
	ready.Wait()
	close(start)
	within(t, waitTimeout, "the goroutines", done.Wait)
	return results
}

// TestInvalidateDeadConnection is the conversion of a per-address gRPC connection cache
// (bootjp/elastickv): 8 goroutines all saw the same dead connection, and each calls
// Invalidate with it, then Get. Exactly one new connection is built, every goroutine
// gets it, none ever gets a closed one, and the dead one is closed exactly once; 300
// rounds, 2,400 connections returned. With Delete instead, the second goroutine would
// close the connection the first just built.
func TestInvalidateDeadConnection(t *testing.T) {
	t.Parallel()
	const goroutines, rounds = 8, 300
	tr := &tracker[*Conn]{}
	m := NewConnManager(func(addr string) (*Conn, error) { return tr.add(must[*Conn](t)(NewConn(addr))), nil })
	t.Cleanup(func() { _ = m.Reset() })
	const addr = "10.0.0.1:7000"
	// Other addresses, published, so that a dropped connection stays in the published
	// index as a tombstone until enough die: Get must not return it from there.
	for i := range 5 {
		other := key("10.0.1", i)
		must[*Conn](t)(m.Get(other))
		must[*Conn](t)(m.Get(other))
	}
	var returned, closedOnReturn, deadOnReturn atomic.Int64
	for round := range rounds {
		dead := must[*Conn](t)(m.Get(addr))
		dead.Kill() // every goroutine of this round saw it in Shutdown state
		builtBefore := tr.count()
		got := together(t, goroutines, func(int) *Conn {
			if seen := dead; seen.Dead() {
				if err := m.Invalidate(addr, seen); err != nil {
					t.Errorf("Invalidate: %v", err)
				}
			}
			c, err := m.Get(addr)
			if err != nil {
				t.Errorf("Get: %v", err)
				return nil
			}
			returned.Add(1)
			if c.Closes() != 0 {
				closedOnReturn.Add(1)
			}
			if c.Dead() {
				deadOnReturn.Add(1)
			}
			return c
		})
		if n := tr.count() - builtBefore; n != 1 {
			t.Fatalf("round %d: %d connections built; want exactly 1", round, n)
		}
		for i, c := range got {
			if c != got[0] || c == dead {
				t.Fatalf("round %d: goroutine %d got another connection than goroutine 0, or the dead one", round, i)
			}
		}
		if n := dead.Closes(); n != 1 {
			t.Fatalf("round %d: the dead connection was closed %d times; want 1", round, n)
		}
	}
	if n := closedOnReturn.Load(); n != 0 || deadOnReturn.Load() != 0 {
		t.Errorf("of %d connections returned, %d were already closed and %d dead", returned.Load(), n, deadOnReturn.Load())
	}
	if n := returned.Load(); n != goroutines*rounds {
		t.Errorf("%d connections returned; want %d", n, goroutines*rounds)
	}
	if l := m.Len(); l != 6 {
		t.Errorf("Len = %d, want 6", l)
	}
	if err := m.Reset(); err != nil {
		t.Fatal(err)
	}
	eachClosedOnce(t, tr.all())
}

// TestInvalidateNotCurrent: Invalidate of an instance that is not the current one for
// those arguments (already replaced, of other arguments, none at all) does nothing and
// returns nil; of the current one, it drops and closes it, and returns Close's error.
func TestInvalidateNotCurrent(t *testing.T) {
	t.Parallel()
	t.Run("keyed", func(t *testing.T) {
		t.Parallel()
		m := NewConnManager(nil)
		t.Cleanup(func() { _ = m.Reset() })
		dead := must[*Conn](t)(m.Get("a"))
		if err := m.Invalidate("a", dead); err != nil || dead.Closes() != 1 || m.Len() != 0 {
			t.Fatalf("Invalidate of the current instance returned %v, closed it %d times, Len %d; want nil, 1, 0", err, dead.Closes(), m.Len())
		}
		fresh := must[*Conn](t)(m.Get("a"))
		fresh.FailClose() // a close would show in the error
		other := must[*Conn](t)(m.Get("b"))
		for _, tc := range []struct {
			name string
			key  string
			inst *Conn
		}{
			{"replaced", "a", dead},
			{"of another key", "b", fresh},
			{"of a key never built", "c", fresh},
			{"nil", "a", nil},
		} {
			if err := m.Invalidate(tc.key, tc.inst); err != nil {
				t.Errorf("Invalidate %s returned %v; want nil", tc.name, err)
			}
		}
		if fresh.Closes() != 0 || other.Closes() != 0 || dead.Closes() != 1 || m.Len() != 2 {
			t.Fatalf("a no-op Invalidate closed or dropped something")
		}
		if must[*Conn](t)(m.Get("a")) != fresh || must[*Conn](t)(m.Get("b")) != other {
			t.Fatalf("a no-op Invalidate replaced an instance")
		}
		if err := m.Invalidate("a", fresh); !errors.Is(err, ErrClose) || fresh.Closes() != 1 {
			t.Errorf("Invalidate of the current instance returned %v and closed it %d times; want Close's error, 1", err, fresh.Closes())
		}
		if err := m.Invalidate("a", fresh); err != nil || fresh.Closes() != 1 {
			t.Errorf("a second Invalidate returned %v, closed %d times", err, fresh.Closes())
		}
	})
	t.Run("single", func(t *testing.T) {
		t.Parallel()
		m := NewStoreManager(nil)
		t.Cleanup(func() { _ = m.Reset() })
		old := must[*Store](t)(m.Get("dsn"))
		if err := m.Invalidate("dsn", old); err != nil || old.Closes() != 1 {
			t.Fatalf("Invalidate of the current instance returned %v, closed it %d times", err, old.Closes())
		}
		cur := must[*Store](t)(m.Get("dsn"))
		cur.FailClose()
		if err := m.Invalidate("dsn", old); err != nil {
			t.Errorf("Invalidate of a replaced instance returned %v", err)
		}
		if err := m.Invalidate("other", cur); err != nil {
			t.Errorf("Invalidate with other arguments returned %v", err)
		}
		if cur.Closes() != 0 || must[*Store](t)(m.Get("dsn")) != cur {
			t.Fatalf("a no-op Invalidate dropped or closed the current instance")
		}
		if err := m.Invalidate("dsn", cur); !errors.Is(err, ErrClose) || cur.Closes() != 1 {
			t.Errorf("Invalidate of the current instance returned %v, closed it %d times", err, cur.Closes())
		}
		s := NewSessionManager(nil)
		first := must[*Session](t)(s.Get())
		_ = s.Invalidate(first)
		second := must[*Session](t)(s.Get())
		if err := s.Invalidate(first); err != nil || second.Closes() != 0 || must[*Session](t)(s.Get()) != second {
			t.Errorf("Invalidate of a replaced Session returned %v or dropped the current one", err)
		}
		_ = s.Reset()
	})
}

// TestInvalidateKeepsBuildInFlight: Invalidate never discards a build in flight for its
// key (unlike Delete): the gated build goes on, its waiters share it, and it is
// published.
func TestInvalidateKeepsBuildInFlight(t *testing.T) {
	t.Parallel()
	var builds, buildsOfA atomic.Int32
	gateOpen := make(chan struct{})
	entered := make(chan struct{}, 10)
	m := NewConnManager(func(addr string) (*Conn, error) {
		c := must[*Conn](t)(NewConn(addr))
		builds.Add(1)
		if addr == "a" && buildsOfA.Add(1) > 1 { // the first build of a is not gated
			entered <- struct{}{}
			select {
			case <-gateOpen:
			case <-time.After(waitTimeout):
				t.Errorf("the gate was never opened")
			}
		}
		return c, nil
	})
	t.Cleanup(func() { _ = m.Reset() })
	x := must[*Conn](t)(m.Get("a"))
	if err := m.Invalidate("a", x); err != nil {
		t.Fatal(err)
	}
	results := make(chan *Conn, 2)
	for range 2 { // a builder and a waiter
		go func() { results <- must[*Conn](t)(m.Get("a")) }()
	}
	recv(t, waitTimeout, "the gated build", entered)
	for _, inst := range []*Conn{x, nil} {
		if err := m.Invalidate("a", inst); err != nil {
			t.Errorf("Invalidate during the build returned %v", err)
		}
	}
	other := must[*Conn](t)(m.Get("b")) // not gated: builds run beside each other
	if err := m.Invalidate("a", other); err != nil {
		t.Errorf("Invalidate during the build returned %v", err)
	}
	close(gateOpen)
	y1 := recv(t, waitTimeout, "a Get of the gated build", results)
	y2 := recv(t, waitTimeout, "a Get of the gated build", results)
	if y1 != y2 || y1 == x {
		t.Fatalf("the builder and the waiter got different instances, or the invalidated one")
	}
	if n := builds.Load(); n != 3 {
		t.Fatalf("%d builds; want 3: one for a, the gated one, one for b", n)
	}
	if y := must[*Conn](t)(m.Get("a")); y != y1 || builds.Load() != 3 || y1.Closes() != 0 {
		t.Fatalf("the build in flight during Invalidate was not published")
	}
	if m.Len() != 2 {
		t.Fatalf("Len = %d, want 2", m.Len())
	}
}
