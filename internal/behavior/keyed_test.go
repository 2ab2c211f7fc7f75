package behavior

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestKeyedOneBuildPerKey(t *testing.T) {
	t.Parallel()
	const keys, goroutines = 40, 4000
	var calls [keys]atomic.Int32
	m := NewTenantManager(func(ctx context.Context, apiKey string) (*Tenant, error) {
		var i int
		fmt.Sscanf(apiKey, "key-%d", &i)
		calls[i].Add(1)
		time.Sleep(10 * time.Millisecond) // so that the others arrive during the build
		return NewTenant(ctx, apiKey)
	})
	var next atomic.Int32
	got := together(goroutines, func() result[Tenant] {
		key := fmt.Sprintf("key-%d", int(next.Add(1))%keys)
		c, err := m.Get(context.Background(), key)
		return result[Tenant]{c, err}
	})
	byKey := map[string]*Tenant{}
	for i, r := range got {
		if r.err != nil || r.v == nil {
			t.Fatalf("goroutine %d got (%p, %v)", i, r.v, r.err)
		}
		if prev, ok := byKey[r.v.APIKey]; ok && prev != r.v {
			t.Fatalf("two instances for %s", r.v.APIKey)
		}
		byKey[r.v.APIKey] = r.v
	}
	if len(byKey) != keys || m.Len() != keys {
		t.Fatalf("%d keys seen, Len() = %d, want %d", len(byKey), m.Len(), keys)
	}
	for i := range calls {
		if n := calls[i].Load(); n != 1 {
			t.Fatalf("key-%d built %d times, want 1", i, n)
		}
	}
}

func TestKeyedBuildsOfOtherKeysDoNotWait(t *testing.T) {
	t.Parallel()
	g := newGate()
	m := NewTenantManager(func(ctx context.Context, apiKey string) (*Tenant, error) {
		if apiKey == "slow" {
			g.pass()
		}
		return NewTenant(ctx, apiKey)
	})
	go m.Get(context.Background(), "slow")
	g.waitEntered(t)
	defer g.release()
	fast := within(t, 5*time.Second, func() result[Tenant] {
		c, err := m.Get(context.Background(), "fast")
		return result[Tenant]{c, err}
	})
	if fast.err != nil || fast.v.APIKey != "fast" {
		t.Fatalf("Get(fast) during the build of another key = (%+v, %v)", fast.v, fast.err)
	}
}

func TestKeyedWithoutErrorResult(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	m := NewShardManager(func(table string, n int) *Shard {
		if calls.Add(1) == 1 {
			return nil
		}
		return NewShard(table, n)
	})
	if msg := panicMessage(func() { m.Get("users", 1) }); !strings.Contains(msg, "nil *Shard") {
		t.Fatalf("Get of a nil instance panicked with %q, want a message about the nil *Shard", msg)
	}
	a, b := m.Get("users", 1), m.Get("users", 2)
	if a == nil || a == b || a != m.Get("users", 1) || a.N != 1 || b.N != 2 {
		t.Fatalf("Get(users, 1) = %+v, Get(users, 2) = %+v: want one instance per key", a, b)
	}
}

func TestDeleteDropsOneKey(t *testing.T) {
	t.Parallel()
	m := NewShardManager(nil)
	a, b := m.Get("t", 1), m.Get("t", 2)
	for range 5 {
		m.Get("t", 1) // publish both, so that Delete drops a published instance
	}
	if err := m.Delete("t", 1); err != nil {
		t.Fatal(err)
	}
	if err := m.Delete("t", 1); err != nil {
		t.Fatal(err)
	}
	if a.Closes() != 1 || b.Closes() != 0 {
		t.Fatalf("Close calls: deleted %d (want 1), other %d (want 0)", a.Closes(), b.Closes())
	}
	if m.Len() != 1 || m.Get("t", 2) != b {
		t.Fatalf("after Delete: Len() = %d, want 1, and the other instance kept", m.Len())
	}
	if again := m.Get("t", 1); again == a {
		t.Fatal("Get after Delete returned the deleted instance")
	}
}

func TestDeleteDiscardsTheBuildInFlight(t *testing.T) {
	t.Parallel()
	g := newGate()
	var mu sync.Mutex
	var built []*Tenant
	m := NewTenantManager(func(ctx context.Context, apiKey string) (*Tenant, error) {
		c, _ := NewTenant(ctx, apiKey)
		mu.Lock()
		first := len(built) == 0
		built = append(built, c)
		mu.Unlock()
		if first {
			g.pass()
		}
		return c, nil
	})
	got := make(chan *Tenant, 1)
	go func() {
		c, _ := m.Get(context.Background(), "k")
		got <- c
	}()
	g.waitEntered(t)
	if err := m.Delete("k"); err != nil {
		t.Fatal(err)
	}
	g.release()
	c := <-got
	mu.Lock()
	defer mu.Unlock()
	if len(built) != 2 || c != built[1] || built[0].Closes() != 1 {
		t.Fatalf("%d builds, got the %p (discarded one closed %d times): want the build after Delete, and the discarded one closed", len(built), c, built[0].Closes())
	}
}

func TestKeyedDeleteAndResetCloseExactlyOnceWhileGetRuns(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var built []*Tenant
	m := NewTenantManager(func(ctx context.Context, apiKey string) (*Tenant, error) {
		c, err := NewTenant(ctx, apiKey)
		mu.Lock()
		built = append(built, c)
		mu.Unlock()
		return c, err
	})
	keys := []string{"a", "b", "c", "d", "e", "f", "g", "h"}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i), 1))
			for {
				select {
				case <-stop:
					return
				default:
				}
				if c, err := m.Get(context.Background(), keys[r.IntN(len(keys))]); err != nil || c == nil {
					t.Errorf("Get = (%p, %v)", c, err)
					return
				}
				runtime.Gosched() // leave the deleting goroutine its turns
			}
		}()
	}
	r := rand.New(rand.NewPCG(99, 1))
	for i := range 400 {
		var err error
		if i%10 == 9 {
			err = m.Reset()
		} else {
			err = m.Delete(keys[r.IntN(len(keys))])
		}
		if err != nil {
			t.Fatal(err)
		}
		runtime.Gosched()
	}
	close(stop)
	wg.Wait()
	if err := m.Reset(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(built) < len(keys) {
		t.Fatalf("only %d builds", len(built))
	}
	for i, c := range built {
		if n := c.Closes(); n != 1 {
			t.Fatalf("instance %d of %d (%s) closed %d times, want exactly once", i, len(built), c.APIKey, n)
		}
	}
	if m.Len() != 0 {
		t.Fatalf("Len() after Reset = %d", m.Len())
	}
}

// Inserting keys must cost O(1) each, amortised: a manager that copied its index for
// every new key would allocate in proportion to the square of the number of keys.
//
// Not parallel: it reads the process's allocation counter.
func TestKeyedInsertsAreAmortisedConstant(t *testing.T) {
	allocated := func(keys int) uint64 {
		m := NewShardManager(nil)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for i := range keys {
			m.Get("t", i)
			m.Get("t", i) // a second read, as real traffic brings, lets the index publish
			m.Get("t", i)
		}
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	small, large := allocated(2000), allocated(16000)
	ratio := float64(large) / float64(small)
	t.Logf("8 times the keys allocated %.1f times the memory", ratio)
	if ratio > 16 {
		t.Fatalf("8 times the keys allocated %.1f times the memory (%d vs %d bytes): insertion is not O(1) amortised", ratio, large, small)
	}
}

func TestWaiterWhoseContextEndsReturnsAtOnce(t *testing.T) {
	t.Parallel()
	for _, keyed := range []bool{false, true} {
		t.Run(fmt.Sprintf("keyed=%v", keyed), func(t *testing.T) {
			t.Parallel()
			g := newGate()
			get := contextManager(keyed, func(ctx context.Context) error {
				g.pass()
				return nil
			})
			builder := make(chan result[Instance], 1)
			go func() {
				c, err := get(context.Background())
				builder <- result[Instance]{c, err}
			}()
			g.waitEntered(t)
			ctx, cancel := context.WithCancel(context.Background())
			waiter := make(chan error, 1)
			go func() {
				_, err := get(ctx)
				waiter <- err
			}()
			settle()
			cancelled := time.Now()
			cancel()
			err := within(t, 5*time.Second, func() error { return <-waiter })
			elapsed := time.Since(cancelled)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("the waiter got %v, want context.Canceled", err)
			}
			if elapsed > 100*time.Millisecond {
				t.Fatalf("the waiter returned %v after its context ended", elapsed)
			}
			t.Logf("the waiter returned %v after its context ended", elapsed)
			select {
			case r := <-builder:
				t.Fatalf("the build ended with the waiter: (%+v, %v)", r.v, r.err)
			default:
			}
			g.release()
			first := <-builder
			if first.err != nil {
				t.Fatalf("the builder got %v", first.err)
			}
			if again, err := get(ctx); err != nil || again != first.v {
				t.Fatalf("Get after the build with a done context = (%p, %v), want the built instance: the fast path ignores the context", again, err)
			}
		})
	}
}

// contextManager returns the Get of a fresh context-aware manager, single or keyed,
// whose constructor fails when build does.
func contextManager(keyed bool, build func(ctx context.Context) error) func(ctx context.Context) (*Instance, error) {
	if keyed {
		m := NewTenantManager(func(ctx context.Context, apiKey string) (*Tenant, error) {
			if err := build(ctx); err != nil {
				return nil, err
			}
			return &Tenant{Instance: newInstance(), APIKey: apiKey}, nil
		})
		return func(ctx context.Context) (*Instance, error) {
			c, err := m.Get(ctx, "key")
			if c == nil {
				return nil, err
			}
			return &c.Instance, err
		}
	}
	m := NewLinkManager(func(ctx context.Context, addr string) (*Link, error) {
		if err := build(ctx); err != nil {
			return nil, err
		}
		return &Link{Instance: newInstance(), Addr: addr}, nil
	})
	return func(ctx context.Context) (*Instance, error) {
		c, err := m.Get(ctx, "addr")
		if c == nil {
			return nil, err
		}
		return &c.Instance, err
	}
}

func TestCancelledBuilderDoesNotPoisonTheOthers(t *testing.T) {
	t.Parallel()
	for _, keyed := range []bool{false, true} {
		t.Run(fmt.Sprintf("keyed=%v", keyed), func(t *testing.T) {
			t.Parallel()
			g := newGate()
			var calls atomic.Int32
			get := contextManager(keyed, func(ctx context.Context) error {
				if calls.Add(1) == 1 {
					g.pass()
					<-ctx.Done() // the first caller gives up while building
					return ctx.Err()
				}
				return nil
			})
			ctx, cancel := context.WithCancel(context.Background())
			builder := make(chan error, 1)
			go func() {
				_, err := get(ctx)
				builder <- err
			}()
			g.waitEntered(t)
			waiter := make(chan result[Instance], 1)
			go func() {
				c, err := get(context.Background())
				waiter <- result[Instance]{c, err}
			}()
			settle()
			g.release()
			cancel()
			if err := <-builder; !errors.Is(err, context.Canceled) {
				t.Fatalf("the cancelled builder got %v, want its own context.Canceled", err)
			}
			w := within(t, 5*time.Second, func() result[Instance] { return <-waiter })
			if w.err != nil || w.v == nil {
				t.Fatalf("the waiter got (%p, %v), want an instance built with its own context", w.v, w.err)
			}
			if next, err := get(context.Background()); err != nil || next != w.v {
				t.Fatalf("the next caller got (%p, %v), want the waiter's instance: the cancellation was not kept", next, err)
			}
			if n := calls.Load(); n != 2 {
				t.Fatalf("constructor called %d times, want 2", n)
			}
		})
	}
}

func TestCallerWithDoneContextDoesNotBuild(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	m := NewLinkManager(func(ctx context.Context, addr string) (*Link, error) {
		calls.Add(1)
		return NewLink(ctx, addr)
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if c, err := m.Get(ctx, "a"); !errors.Is(err, context.Canceled) || c != nil || calls.Load() != 0 {
		t.Fatalf("Get with a done context = (%p, %v) after %d builds, want context.Canceled and no build", c, err, calls.Load())
	}
}

func TestConstructorAskingForItselfGetsAnError(t *testing.T) {
	t.Parallel()
	t.Run("single", func(t *testing.T) {
		t.Parallel()
		var m *LinkManager
		m = NewLinkManager(func(ctx context.Context, addr string) (*Link, error) {
			if _, err := m.Get(ctx, addr); err != nil {
				return nil, err
			}
			return NewLink(ctx, addr)
		})
		err := within(t, 5*time.Second, func() error { _, err := m.Get(context.Background(), "a"); return err })
		if err == nil || !strings.Contains(err.Error(), "its own manager") {
			t.Fatalf("a constructor that asks for itself: Get = %v, want an error that says so", err)
		}
	})
	t.Run("keyed cycle", func(t *testing.T) {
		t.Parallel()
		var m *TenantManager
		m = NewTenantManager(func(ctx context.Context, apiKey string) (*Tenant, error) {
			other := map[string]string{"a": "b", "b": "a"}[apiKey]
			if _, err := m.Get(ctx, other); err != nil {
				return nil, err
			}
			return NewTenant(ctx, apiKey)
		})
		err := within(t, 5*time.Second, func() error { _, err := m.Get(context.Background(), "a"); return err })
		if err == nil || !strings.Contains(err.Error(), "a cycle that would wait forever") {
			t.Fatalf("constructors of a and b asking for each other: Get = %v, want an error that says so", err)
		}
	})
}

func TestKeyedHooks(t *testing.T) {
	before := MustGetTenant(context.Background(), "a")
	fake := &Tenant{APIKey: "fake"}
	t.Run("override", func(t *testing.T) {
		SetTenantForTest(t, fake)
		for _, key := range []string{"a", "b"} {
			if c, err := GetTenant(context.Background(), key); c != fake || err != nil {
				t.Fatalf("GetTenant(%s) = (%p, %v), want the fake for every key", key, c, err)
			}
		}
		if n := GetTenantManager().Len(); n != 0 {
			t.Fatalf("Len() during the override = %d, want 0: the instances from before are set aside", n)
		}
	})
	var during *Tenant
	t.Run("empty", func(t *testing.T) {
		ResetTenantForTest(t)
		during = MustGetTenant(context.Background(), "a")
		if during == before {
			t.Fatal("GetTenant returned the instance from before ResetTenantForTest")
		}
	})
	if c := MustGetTenant(context.Background(), "a"); c != before || before.Closes() != 0 || fake.Closes() != 0 {
		t.Fatalf("after the tests: %p (closed %d times), fake closed %d times; want the saved %p, nothing closed", c, before.Closes(), fake.Closes(), before)
	}
	if during.Closes() != 1 {
		t.Fatalf("the Tenant built during the test was closed %d times, want 1", during.Closes())
	}
}
