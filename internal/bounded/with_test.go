package bounded

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// inst is every instance here, through Instance.
type inst interface {
	Closes() int32
	FailClose()
}

// holdCase is a manager, one key of it, and one way of dropping that key's instance:
// With on the key, Get on the key, and the drop.
type holdCase struct {
	with func(fn func(x inst) error) error
	get  func() inst
	drop func(x inst) error // drops x, held by a With; returns what the drop method returned
	idle bool               // the idle sweep may drop the instance a Get returned at any moment
}

// holdCases returns, for each kind of manager and each way of dropping an instance
// while With holds it, a new manager with one key.
func holdCases(t *testing.T) map[string]holdCase {
	t.Helper()
	out := map[string]holdCase{}
	slot := func(name string, drop func(m *SlotManager, x inst) error) {
		m := NewSlotManager(nil)
		t.Cleanup(func() { _ = m.Reset() })
		out["keyed "+name] = holdCase{
			with: func(fn func(inst) error) error { return m.With("k", func(s *Slot) error { return fn(s) }) },
			get:  func() inst { return must[*Slot](t)(m.Get("k")) },
			drop: func(x inst) error { return drop(m, x) },
		}
	}
	slot("Delete", func(m *SlotManager, _ inst) error { return m.Delete("k") })
	slot("Reset", func(m *SlotManager, _ inst) error { return m.Reset() })
	slot("Invalidate", func(m *SlotManager, x inst) error { return m.Invalidate("k", x.(*Slot)) })
	slot("eviction", func(m *SlotManager, _ inst) error {
		for i := range 4 { // max new keys evict every older one
			if _, err := m.Get(key("evict", i)); err != nil {
				return err
			}
		}
		if l := m.Len(); l != 4 {
			t.Errorf("Len = %d after 4 new keys, want 4: a dropped instance that With holds does not count", l)
		}
		return nil
	})
	{
		m := NewLeaseManager(nil)
		t.Cleanup(func() { _ = m.Reset() })
		out["keyed idle drop"] = holdCase{
			with: func(fn func(inst) error) error { return m.With("k", func(l *Lease) error { return fn(l) }) },
			get:  func() inst { return must[*Lease](t)(m.Get("k")) },
			drop: func(inst) error {
				waitFor(t, waitTimeout, "the idle sweep to drop the held instance", func() bool { return m.Len() == 0 })
				return nil
			},
			idle: true,
		}
	}
	{
		m := NewTenantManager(nil)
		t.Cleanup(func() { _ = m.Reset() })
		ctx := context.Background()
		out["keyed ctx Delete"] = holdCase{
			with: func(fn func(inst) error) error {
				return m.With(ctx, "k", func(x *Tenant) error { return fn(x) })
			},
			get:  func() inst { return must[*Tenant](t)(m.Get(ctx, "k")) },
			drop: func(inst) error { return m.Delete("k") },
		}
	}
	{
		m := NewRemoteManager(nil)
		t.Cleanup(func() { _ = m.Reset() })
		out["keyed iface Invalidate"] = holdCase{
			with: func(fn func(inst) error) error { return m.With("k", func(r RemoteAPI) error { return fn(r) }) },
			get:  func() inst { return must[RemoteAPI](t)(m.Get("k")) },
			drop: func(x inst) error { return m.Invalidate("k", x.(RemoteAPI)) },
		}
	}
	{
		m := NewConnManager(nil)
		t.Cleanup(func() { _ = m.Reset() })
		out["keyed func Delete"] = holdCase{
			with: func(fn func(inst) error) error { return m.With("k", func(c *Conn) error { return fn(c) }) },
			get:  func() inst { return must[*Conn](t)(m.Get("k")) },
			drop: func(inst) error { return m.Delete("k") },
		}
	}
	session := func(name string, drop func(m *SessionManager, x inst) error) {
		m := NewSessionManager(nil)
		t.Cleanup(func() { _ = m.Reset() })
		out["single "+name] = holdCase{
			with: func(fn func(inst) error) error { return m.With(func(s *Session) error { return fn(s) }) },
			get:  func() inst { return must[*Session](t)(m.Get()) },
			drop: func(x inst) error { return drop(m, x) },
		}
	}
	session("Reset", func(m *SessionManager, _ inst) error { return m.Reset() })
	session("Invalidate", func(m *SessionManager, x inst) error { return m.Invalidate(x.(*Session)) })
	store := func(name string, drop func(m *StoreManager, x inst) error) {
		m := NewStoreManager(nil)
		t.Cleanup(func() { _ = m.Reset() })
		out["single args "+name] = holdCase{
			with: func(fn func(inst) error) error { return m.With("dsn", func(s *Store) error { return fn(s) }) },
			get:  func() inst { return must[*Store](t)(m.Get("dsn")) },
			drop: func(x inst) error { return drop(m, x) },
		}
	}
	store("Reset", func(m *StoreManager, _ inst) error { return m.Reset() })
	store("Invalidate", func(m *StoreManager, x inst) error { return m.Invalidate("dsn", x.(*Store)) })
	return out
}

// TestWithHoldsAcrossDrops: an instance that With holds is dropped at once by Delete,
// Reset, Invalidate, an eviction or the idle sweep (a Get during fn builds a new one),
// the drop returns nil for it, it is not closed until fn returns, and then it is closed
// once; With returns fn's error joined with what Close returned.
func TestWithHoldsAcrossDrops(t *testing.T) {
	for _, failClose := range []bool{false, true} {
		for _, fnErr := range []error{nil, errFn} {
			for name, c := range holdCases(t) {
				t.Run(fmt.Sprintf("%s/closeFails=%v/fnErr=%v", name, failClose, fnErr), func(t *testing.T) {
					t.Parallel()
					var held, fresh inst
					err := c.with(func(x inst) error {
						held = x
						if failClose {
							x.FailClose()
						}
						if err := c.drop(x); err != nil {
							t.Errorf("the drop returned %v for an instance With holds; want nil", err)
						}
						if n := x.Closes(); n != 0 {
							t.Errorf("closed %d times while With holds it", n)
						}
						fresh = c.get()
						if fresh == x {
							t.Errorf("Get during fn returned the dropped instance; want a new one")
						}
						if n := fresh.Closes(); n != 0 {
							t.Errorf("the new instance is closed")
						}
						if n := x.Closes(); n != 0 {
							t.Errorf("closed %d times while With holds it", n)
						}
						return fnErr
					})
					if held == nil {
						t.Fatalf("fn was not called; With returned %v", err)
					}
					if n := held.Closes(); n != 1 {
						t.Errorf("closed %d times after With returned; want 1", n)
					}
					switch {
					case fnErr != nil && !errors.Is(err, fnErr):
						t.Errorf("With returned %v; want fn's error in it", err)
					case failClose && !errors.Is(err, ErrClose):
						t.Errorf("With returned %v; want Close's error in it", err)
					case !failClose && err != fnErr:
						t.Errorf("With returned %v; want exactly fn's error %v", err, fnErr)
					}
					if c.idle {
						return // the new instance may be idle by now
					}
					if n := fresh.Closes(); n != 0 {
						t.Errorf("the new instance was closed by With")
					}
					// The new instance is the one held now, and With on it closes nothing.
					if err := c.with(func(x inst) error {
						if x != fresh {
							t.Errorf("With after the drop got another instance than the Get during fn")
						}
						return nil
					}); err != nil {
						t.Errorf("With: %v", err)
					}
					if n := fresh.Closes(); n != 0 {
						t.Errorf("a With without a drop closed the instance")
					}
				})
			}
		}
	}
}

// TestWithWithoutDrop: With returns fn's error unchanged and closes nothing; the hold
// ends with fn, so that a Delete afterwards closes the instance at once.
func TestWithWithoutDrop(t *testing.T) {
	t.Parallel()
	m := NewSlotManager(nil)
	t.Cleanup(func() { _ = m.Reset() })
	var held *Slot
	if err := m.With("k", func(s *Slot) error { held = s; return errFn }); err != errFn {
		t.Fatalf("With returned %v, want fn's error alone", err)
	}
	if got := must[*Slot](t)(m.Get("k")); got != held || held.Closes() != 0 {
		t.Fatalf("With changed the instance, or closed it")
	}
	held.FailClose()
	if err := m.Delete("k"); !errors.Is(err, ErrClose) || held.Closes() != 1 {
		t.Fatalf("Delete after With returned %v and closed %d times; want it closed now, with Close's error", err, held.Closes())
	}
}

// TestResetReturnsNilForHeld: Reset returns the errors of Close of the instances it
// closes, and nothing for the one With holds.
func TestResetReturnsNilForHeld(t *testing.T) {
	t.Parallel()
	m := NewSlotManager(nil)
	free := must[*Slot](t)(m.Get("free"))
	free.FailClose()
	var held *Slot
	err := m.With("held", func(s *Slot) error {
		held = s
		s.FailClose()
		err := m.Reset()
		if !errors.Is(err, ErrClose) || !strings.Contains(err.Error(), fmt.Sprintf("instance %d:", free.ID)) {
			t.Errorf("Reset returned %v; want the close error of instance %d", err, free.ID)
		}
		if err != nil && strings.Contains(err.Error(), fmt.Sprintf("instance %d:", s.ID)) {
			t.Errorf("Reset returned the close error of the held instance: %v", err)
		}
		if s.Closes() != 0 || free.Closes() != 1 {
			t.Errorf("closes: held %d, free %d; want 0 and 1", s.Closes(), free.Closes())
		}
		return nil
	})
	if !errors.Is(err, ErrClose) || !strings.Contains(err.Error(), fmt.Sprintf("instance %d:", held.ID)) || held.Closes() != 1 {
		t.Errorf("With returned %v and closed the held instance %d times; want its close error and 1", err, held.Closes())
	}
}

// TestWithTwoHolders: two Withs hold the same instance across a Delete; only the last
// to end closes it, exactly once, and only its error carries Close's error. Both
// orders of ending.
func TestWithTwoHolders(t *testing.T) {
	t.Parallel()
	for _, lastFirst := range []bool{false, true} {
		t.Run(fmt.Sprintf("startedLastEndsFirst=%v", lastFirst), func(t *testing.T) {
			t.Parallel()
			m := NewSlotManager(nil)
			t.Cleanup(func() { _ = m.Reset() })
			type holder struct {
				in   chan *Slot
				end  chan struct{}
				errc chan error
			}
			start := func() holder {
				h := holder{make(chan *Slot, 1), make(chan struct{}), make(chan error, 1)}
				go func() {
					h.errc <- m.With("k", func(s *Slot) error {
						h.in <- s
						<-h.end
						if n := s.Closes(); n != 0 {
							t.Errorf("closed %d times before fn returned", n)
						}
						return nil
					})
				}()
				return h
			}
			h1 := start()
			x := recv(t, waitTimeout, "the first With", h1.in)
			h2 := start()
			if y := recv(t, waitTimeout, "the second With", h2.in); y != x {
				t.Fatalf("two Withs on one key got different instances")
			}
			x.FailClose()
			if err := m.Delete("k"); err != nil {
				t.Fatalf("Delete returned %v for a held instance", err)
			}
			first, last := h1, h2
			if lastFirst {
				first, last = h2, h1
			}
			close(first.end)
			if err := recv(t, waitTimeout, "the With that ends first", first.errc); err != nil {
				t.Errorf("the With that ended first returned %v; want nil: it does not close", err)
			}
			if n := x.Closes(); n != 0 {
				t.Fatalf("closed %d times while a With still holds it", n)
			}
			close(last.end)
			if err := recv(t, waitTimeout, "the With that ends last", last.errc); !errors.Is(err, ErrClose) {
				t.Errorf("the With that ended last returned %v; want Close's error", err)
			}
			if n := x.Closes(); n != 1 {
				t.Errorf("closed %d times; want 1", n)
			}
		})
	}
}

// TestWithManyHoldersStress: goroutines hold instances with With while others drop
// them by Delete, Invalidate, eviction and Reset: no fn ever sees its instance closed,
// and every instance built is closed exactly once in the end.
func TestWithManyHoldersStress(t *testing.T) {
	t.Parallel()
	tr := &tracker[*Slot]{}
	m := NewSlotManager(func(key string) (*Slot, error) { return tr.add(must[*Slot](t)(NewSlot(key))), nil })
	const holders, rounds = 6, 300
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for g := range holders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				k := key("k", (g+i)%3)
				err := m.With(k, func(s *Slot) error {
					if s.Closes() != 0 {
						t.Errorf("fn got a closed instance")
					}
					runtime.Gosched()
					if s.Closes() != 0 {
						t.Errorf("the instance was closed while fn held it")
					}
					return nil
				})
				if err != nil {
					t.Errorf("With: %v", err)
				}
			}
		}()
	}
	for i := range rounds {
		k := key("k", i%3)
		switch i % 4 {
		case 0:
			_ = m.Delete(k)
		case 1:
			if s, err := m.Get(k); err == nil {
				_ = m.Invalidate(k, s)
			}
		case 2:
			for j := range 4 {
				_, _ = m.Get(key(fmt.Sprint("evict", i), j))
			}
		case 3:
			_ = m.Reset()
		}
		runtime.Gosched()
	}
	close(stop)
	within(t, 30*time.Second, "the holders", wg.Wait)
	if err := m.Reset(); err != nil {
		t.Fatalf("Reset: %v", err)
	}
	eachClosedOnce(t, tr.all())
	t.Logf("%d instances built", tr.count())
}

// TestWithRacesDrop: holders take the same key with With in a tight loop while another
// goroutine drops it in a tight loop, so that drops land between With finding the
// instance and holding it: fn never gets a closed instance, and no instance is closed
// twice.
func TestWithRacesDrop(t *testing.T) {
	t.Parallel()
	tr := &tracker[*Slot]{}
	m := NewSlotManager(func(key string) (*Slot, error) { return tr.add(must[*Slot](t)(NewSlot(key))), nil })
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var bad atomic.Int64
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				_ = m.With("k", func(s *Slot) error {
					if s.Closes() != 0 {
						bad.Add(1)
					}
					return nil
				})
			}
		}()
	}
	deadline := time.Now().Add(300 * time.Millisecond)
	for i := 0; time.Now().Before(deadline) || i < 2000; i++ {
		if i%2 == 0 {
			_ = m.Delete("k")
		} else if s, err := m.Get("k"); err == nil {
			_ = m.Invalidate("k", s)
		}
	}
	close(stop)
	within(t, waitTimeout, "the holders", wg.Wait)
	if n := bad.Load(); n != 0 {
		t.Errorf("fn got a closed instance %d times", n)
	}
	if err := m.Reset(); err != nil {
		t.Fatal(err)
	}
	eachClosedOnce(t, tr.all())
	t.Logf("%d instances built", tr.count())
}

// TestWithPanic: a panic in fn goes on to With's caller; the hold ends, and an instance
// dropped meanwhile is closed, once.
func TestWithPanic(t *testing.T) {
	t.Parallel()
	catch := func(f func()) (r any) {
		defer func() { r = recover() }()
		f()
		return nil
	}
	t.Run("dropped meanwhile", func(t *testing.T) {
		t.Parallel()
		m := NewSlotManager(nil)
		t.Cleanup(func() { _ = m.Reset() })
		var held *Slot
		r := catch(func() {
			_ = m.With("k", func(s *Slot) error {
				held = s
				if err := m.Delete("k"); err != nil {
					t.Errorf("Delete: %v", err)
				}
				panic("boom")
			})
		})
		if r != "boom" {
			t.Fatalf("recovered %v, want fn's panic", r)
		}
		if n := held.Closes(); n != 1 {
			t.Errorf("closed %d times after the panic; want 1", n)
		}
	})
	t.Run("not dropped", func(t *testing.T) {
		t.Parallel()
		m := NewSlotManager(nil)
		t.Cleanup(func() { _ = m.Reset() })
		var held *Slot
		r := catch(func() {
			_ = m.With("k", func(s *Slot) error { held = s; panic("boom") })
		})
		if r != "boom" {
			t.Fatalf("recovered %v, want fn's panic", r)
		}
		if held.Closes() != 0 || must[*Slot](t)(m.Get("k")) != held {
			t.Fatalf("the panic dropped or closed the instance")
		}
		held.FailClose()
		if err := m.Delete("k"); !errors.Is(err, ErrClose) || held.Closes() != 1 {
			t.Errorf("Delete after the panic returned %v, closed %d times; want the hold released: closed now", err, held.Closes())
		}
	})
	t.Run("single Reset", func(t *testing.T) {
		t.Parallel()
		m := NewSessionManager(nil)
		t.Cleanup(func() { _ = m.Reset() })
		var held *Session
		r := catch(func() {
			_ = m.With(func(s *Session) error {
				held = s
				if err := m.Reset(); err != nil {
					t.Errorf("Reset: %v", err)
				}
				panic(errFn)
			})
		})
		if r != errFn {
			t.Fatalf("recovered %v, want fn's panic", r)
		}
		if n := held.Closes(); n != 1 {
			t.Errorf("closed %d times after the panic; want 1", n)
		}
	})
}

// TestWithErrors: With returns the error of getting the instance without calling fn: a
// conflict in single mode, a done context for a key not built.
func TestWithErrors(t *testing.T) {
	t.Parallel()
	store := NewStoreManager(nil)
	t.Cleanup(func() { _ = store.Reset() })
	must[*Store](t)(store.Get("a"))
	called := false
	if err := store.With("b", func(*Store) error { called = true; return nil }); !errors.Is(err, ErrStoreConflict) || called {
		t.Errorf("With of other arguments returned %v (fn called: %v); want ErrStoreConflict", err, called)
	}
	tenants := NewTenantManager(nil)
	t.Cleanup(func() { _ = tenants.Reset() })
	must[*Tenant](t)(tenants.Get(context.Background(), "built"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := tenants.With(ctx, "new", func(*Tenant) error { called = true; return nil }); !errors.Is(err, context.Canceled) || called {
		t.Errorf("With with a done context on a new key returned %v (fn called: %v); want context.Canceled", err, called)
	}
	if err := tenants.With(ctx, "built", func(*Tenant) error { called = true; return nil }); err != nil || !called {
		t.Errorf("With with a done context on a built key returned %v (fn called: %v); want fn to run", err, called)
	}
}
