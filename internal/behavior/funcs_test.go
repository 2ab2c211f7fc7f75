package behavior

// The managers of annotated functions (funcs.go) checked for what the tests of annotated
// types check: one build for concurrent first callers, conflicts, Reset closing exactly
// once, builds in flight discarded, test hooks, panics, keyed Delete and Len, nil
// results, and each way of closing.
//
// Tests that use the process-wide managers (the hooks, GetSessionStore) do not run in
// parallel, and leave the managers as they found them.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fnResult is what a Get of an annotated function's manager returned. Unlike result, it
// holds the instance type itself, which may be an interface.
type fnResult[T any] struct {
	v   T
	err error
}

// checkOneBuild checks that the constructor ran once and that every caller got its
// instance.
func checkOneBuild[T comparable](t *testing.T, calls *atomic.Int32, got []fnResult[T]) {
	t.Helper()
	var zero T
	if n := calls.Load(); n != 1 {
		t.Fatalf("constructor called %d times, want 1", n)
	}
	for i, r := range got {
		if r.err != nil || r.v == zero || r.v != got[0].v {
			t.Fatalf("goroutine %d got (%v, %v), want the one instance %v", i, r.v, r.err, got[0].v)
		}
	}
}

// noErr adapts an accessor without an error result to fnResult.
func noErr[T any](get func() T) func() fnResult[T] {
	return func() fnResult[T] { return fnResult[T]{v: get()} }
}

// slowCall counts a constructor call and sleeps, so that the other goroutines arrive
// during the build.
func slowCall(calls *atomic.Int32) {
	calls.Add(1)
	time.Sleep(20 * time.Millisecond)
}

func TestFuncOneConstructorCallForConcurrentFirstCallers(t *testing.T) {
	t.Parallel()
	const goroutines = 1000
	t.Run("arguments and an error: NewPool", func(t *testing.T) {
		t.Parallel()
		var calls atomic.Int32
		m := NewPoolManager(func(addr string, port int) (*Pool, error) {
			slowCall(&calls)
			return NewPool(addr, port)
		})
		checkOneBuild(t, &calls, together(goroutines, func() fnResult[*Pool] {
			p, err := m.Get("db", 5432)
			return fnResult[*Pool]{p, err}
		}))
	})
	t.Run("no arguments, no error: NewSessionStore", func(t *testing.T) {
		t.Parallel()
		var calls atomic.Int32
		m := NewSessionStoreManager(func() *Store {
			slowCall(&calls)
			return &Store{Handle: newHandle()}
		})
		checkOneBuild(t, &calls, together(goroutines, noErr(m.Get)))
	})
	t.Run("keyed with a context: NewTenantDB", func(t *testing.T) {
		t.Parallel()
		var calls atomic.Int32
		m := NewTenantDBManager(func(ctx context.Context, tenant string) (*DB, error) {
			slowCall(&calls)
			return NewTenantDB(ctx, tenant)
		})
		checkOneBuild(t, &calls, together(goroutines, func() fnResult[*DB] {
			db, err := m.Get(context.Background(), "acme")
			return fnResult[*DB]{db, err}
		}))
	})
	t.Run("interface result: NewCache", func(t *testing.T) {
		t.Parallel()
		var calls atomic.Int32
		m := NewCacheManager(func() (Cacher, error) {
			slowCall(&calls)
			return NewCache()
		})
		checkOneBuild(t, &calls, together(goroutines, func() fnResult[Cacher] {
			c, err := m.Get()
			return fnResult[Cacher]{c, err}
		}))
	})
	t.Run("unexported: newWorker", func(t *testing.T) {
		t.Parallel()
		var calls atomic.Int32
		m := newWorkerManager(func() *worker {
			slowCall(&calls)
			return newWorker()
		})
		checkOneBuild(t, &calls, together(goroutines, noErr(m.Get)))
	})
	t.Run("standard library result: NewHTTPClient", func(t *testing.T) {
		t.Parallel()
		var calls atomic.Int32
		m := NewHTTPClientManager(func() *http.Client {
			slowCall(&calls)
			return NewHTTPClient()
		})
		checkOneBuild(t, &calls, together(goroutines, noErr(m.Get)))
	})
	t.Run("instantiated generic result: NewLabels", func(t *testing.T) {
		t.Parallel()
		var calls atomic.Int32
		m := NewLabelsManager(func() *Set[string] {
			slowCall(&calls)
			return NewLabels()
		})
		checkOneBuild(t, &calls, together(goroutines, noErr(m.Get)))
	})
}

// The package-level accessor writes the fast path out again rather than calling the
// manager's method: checked apart, on the process-wide manager and the annotated function
// itself.
func TestFuncProcessWideAccessorBuildsOnce(t *testing.T) {
	storeHook = func() *Store {
		time.Sleep(20 * time.Millisecond)
		return &Store{Handle: newHandle()}
	}
	defer func() { storeHook = nil }()
	var got []*Store
	t.Run("empty", func(t *testing.T) {
		ResetSessionStoreForTest(t)
		before := storeBuilds.Load()
		got = together(1000, GetSessionStore)
		if n := storeBuilds.Load() - before; n != 1 {
			t.Fatalf("NewSessionStore called %d times by 1000 concurrent GetSessionStore, want 1", n)
		}
		for i, s := range got {
			if s == nil || s != got[0] {
				t.Fatalf("goroutine %d got %p, want the one instance %p", i, s, got[0])
			}
		}
	})
	if n := got[0].Closes(); n != 1 {
		t.Fatalf("the Store the test built was closed %d times by the hook's cleanup, want 1", n)
	}
}

func TestFuncKeyedOneBuildPerKey(t *testing.T) {
	t.Parallel()
	const keys, goroutines = 20, 1000
	var calls [keys]atomic.Int32
	m := NewTenantDBManager(func(ctx context.Context, tenant string) (*DB, error) {
		var i int
		fmt.Sscanf(tenant, "tenant-%d", &i)
		slowCall(&calls[i])
		return NewTenantDB(ctx, tenant)
	})
	var next atomic.Int32
	got := together(goroutines, func() fnResult[*DB] {
		db, err := m.Get(context.Background(), fmt.Sprintf("tenant-%d", int(next.Add(1))%keys))
		return fnResult[*DB]{db, err}
	})
	byTenant := map[string]*DB{}
	for i, r := range got {
		if r.err != nil || r.v == nil {
			t.Fatalf("goroutine %d got (%p, %v)", i, r.v, r.err)
		}
		if prev, ok := byTenant[r.v.Tenant]; ok && prev != r.v {
			t.Fatalf("two instances for %s", r.v.Tenant)
		}
		byTenant[r.v.Tenant] = r.v
	}
	if len(byTenant) != keys || m.Len() != keys {
		t.Fatalf("%d tenants seen, Len() = %d, want %d", len(byTenant), m.Len(), keys)
	}
	for i := range calls {
		if n := calls[i].Load(); n != 1 {
			t.Fatalf("tenant-%d built %d times, want 1", i, n)
		}
	}
}

// A manager's zero value, and NewXManager(nil), build with the annotated function.
func TestFuncZeroValueManagersUseTheAnnotatedFunction(t *testing.T) {
	t.Parallel()
	var pools PoolManager
	if p, err := pools.Get("", 1); p != nil || err == nil || !strings.Contains(err.Error(), "NewPool: no address") {
		t.Fatalf("Get(\"\", 1) on a zero PoolManager = (%p, %v), want NewPool's own error", p, err)
	}
	// NewPool's error was not kept: other arguments build.
	if p, err := pools.Get("db", 1); err != nil || p == nil || p.Addr != "db" || p.Port != 1 {
		t.Fatalf("Get on a zero PoolManager = (%+v, %v), want a Pool built by NewPool", p, err)
	}
	var caches CacheManager
	if c, err := caches.Get(); err != nil || c == nil {
		t.Fatalf("Get on a zero CacheManager = (%v, %v)", c, err)
	} else if v, _ := c.Get("greeting"); v != "hello" {
		t.Fatalf("the Cacher of a zero CacheManager has greeting %q, want NewCache's", v)
	}
	if c := NewHTTPClientManager(nil).Get(); c == nil {
		t.Fatal("NewHTTPClientManager(nil).Get() = nil")
	} else if _, ok := c.Transport.(*IdleTransport); !ok {
		t.Fatalf("the client's transport is %T, want NewHTTPClient's *IdleTransport", c.Transport)
	}
	var journals journalManager
	if j, err := journals.Get("/var/log/app"); err != nil || j == nil || j.path != "/var/log/app" {
		t.Fatalf("Get on a zero journalManager = (%+v, %v), want a journal built by openJournal", j, err)
	}
	var labels LabelsManager
	labels.Get().Add("blue")
	if !labels.Get().Has("blue") {
		t.Fatal("the LabelsManager returned another *Set[string] the second time")
	}
	var dbs TenantDBManager
	if db, err := dbs.Get(context.Background(), "acme"); err != nil || db == nil || db.Tenant != "acme" {
		t.Fatalf("Get on a zero TenantDBManager = (%+v, %v), want a DB built by NewTenantDB", db, err)
	}
}

func TestFuncOtherArgumentsConflict(t *testing.T) {
	t.Parallel()
	t.Run("NewPool", func(t *testing.T) {
		t.Parallel()
		const secret = "sk-live-6a4e9f"
		m := NewPoolManager(nil)
		first, err := m.Get("db.internal", 5432)
		if err != nil {
			t.Fatal(err)
		}
		for _, args := range []struct {
			addr string
			port int
		}{{secret, 5432}, {"db.internal", 6432}} {
			p, err := m.Get(args.addr, args.port)
			if !errors.Is(err, ErrPoolConflict) || p != nil {
				t.Fatalf("Get%v = (%p, %v), want ErrPoolConflict and no Pool", args, p, err)
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "6432") {
				t.Fatalf("conflict error %q contains an argument", err)
			}
		}
		if again, err := m.Get("db.internal", 5432); again != first || err != nil {
			t.Fatalf("Get with the first arguments after conflicts = (%p, %v), want (%p, nil)", again, err, first)
		}
	})
	t.Run("unexported openJournal, named with name=", func(t *testing.T) {
		t.Parallel()
		m := newJournalManager(nil)
		first, err := m.Get("/a")
		if err != nil {
			t.Fatal(err)
		}
		if j, err := m.Get("/b"); !errors.Is(err, errJournalConflict) || j != nil {
			t.Fatalf("Get(/b) = (%p, %v), want errJournalConflict", j, err)
		}
		if j, _ := m.Get("/a"); j != first {
			t.Fatal("Get with the first argument after a conflict returned another journal")
		}
	})
	t.Run("with a build in flight", func(t *testing.T) {
		t.Parallel()
		g := newGate()
		m := NewPoolManager(func(addr string, port int) (*Pool, error) {
			g.pass()
			return NewPool(addr, port)
		})
		builder := make(chan fnResult[*Pool], 1)
		go func() {
			p, err := m.Get("a", 1)
			builder <- fnResult[*Pool]{p, err}
		}()
		g.waitEntered(t)
		other := within(t, 5*time.Second, func() fnResult[*Pool] {
			p, err := m.Get("b", 2)
			return fnResult[*Pool]{p, err}
		})
		if !errors.Is(other.err, ErrPoolConflict) || other.v != nil {
			t.Fatalf("Get with other arguments during a build = (%p, %v), want ErrPoolConflict at once", other.v, other.err)
		}
		g.release()
		if r := <-builder; r.err != nil || r.v == nil || r.v.Addr != "a" {
			t.Fatalf("the builder got (%+v, %v)", r.v, r.err)
		}
	})
}

// Each way of closing: Reset calls it exactly once and returns what it returned, a second
// Reset has nothing to close, and the next Get builds anew.
func TestFuncResetClosesExactlyOnce(t *testing.T) {
	t.Parallel()
	t.Run("Close() error: NewPool", func(t *testing.T) {
		t.Parallel()
		errClose := errors.New("close failed")
		m := NewPoolManager(func(addr string, port int) (*Pool, error) {
			p, err := NewPool(addr, port)
			p.CloseErr = errClose
			return p, err
		})
		p, _ := m.Get("a", 1)
		if err := m.Reset(); !errors.Is(err, errClose) {
			t.Fatalf("Reset = %v, want what Close returned", err)
		}
		checkResetOnce(t, m.Reset, p.Closes)
		if again, _ := m.Get("a", 1); again == p || again == nil {
			t.Fatal("Get after Reset did not build a new Pool")
		}
	})
	t.Run("Close(): NewSessionStore", func(t *testing.T) {
		t.Parallel()
		m := NewSessionStoreManager(nil)
		s := m.Get()
		checkResetOnce(t, m.Reset, s.Closes)
		if m.Get() == s {
			t.Fatal("Get after Reset returned the closed Store")
		}
	})
	t.Run("Close(ctx) error, keyed: NewTenantDB", func(t *testing.T) {
		t.Parallel()
		m := NewTenantDBManager(nil)
		a, _ := m.Get(context.Background(), "a")
		b, _ := m.Get(context.Background(), "b")
		checkResetOnce(t, m.Reset, a.Closes)
		if b.Closes() != 1 || m.Len() != 0 {
			t.Fatalf("after Reset: the other tenant closed %d times, Len() = %d; want 1 and 0", b.Closes(), m.Len())
		}
		for _, db := range []*DB{a, b} {
			if p := db.CloseContextProblem(); p != "" {
				t.Fatalf("Close(ctx) of %s was given a %s, want context.Background()", db.Tenant, p)
			}
		}
	})
	t.Run("interface result: NewCache", func(t *testing.T) {
		t.Parallel()
		m := NewCacheManager(nil)
		c, _ := m.Get()
		checkResetOnce(t, m.Reset, c.(*memCache).Closes)
	})
	t.Run("interface result built by another constructor", func(t *testing.T) {
		t.Parallel()
		fake := &fakeCache{}
		m := NewCacheManager(func() (Cacher, error) { return fake, nil })
		if c, err := m.Get(); c != fake || err != nil {
			t.Fatalf("Get = (%v, %v), want the constructor's Cacher", c, err)
		}
		checkResetOnce(t, m.Reset, fake.closes.Load)
	})
	t.Run("unexported: newWorker", func(t *testing.T) {
		t.Parallel()
		m := newWorkerManager(nil)
		w := m.Get()
		checkResetOnce(t, m.Reset, w.Closes)
	})
	t.Run("unexported, name=: openJournal", func(t *testing.T) {
		t.Parallel()
		m := newJournalManager(nil)
		j, _ := m.Get("/a")
		checkResetOnce(t, m.Reset, j.Closes)
		// The journal is gone with its arguments: others do not conflict.
		if j, err := m.Get("/b"); err != nil || j.path != "/b" {
			t.Fatalf("Get(/b) after Reset = (%+v, %v)", j, err)
		}
	})
	t.Run("close=Disconnect: NewBroker", func(t *testing.T) {
		t.Parallel()
		m := NewBrokerManager(nil)
		b, _ := m.Get()
		checkResetOnce(t, m.Reset, b.Closes)
		if n := b.CloseCalls(); n != 0 {
			t.Fatalf("Close called %d times with close=Disconnect, want 0", n)
		}
	})
	t.Run("close=CloseIdleConnections: NewHTTPClient", func(t *testing.T) {
		t.Parallel()
		m := NewHTTPClientManager(nil)
		c := m.Get()
		checkResetOnce(t, m.Reset, c.Transport.(*IdleTransport).IdleCloses)
	})
	t.Run("no Close: NewLabels", func(t *testing.T) {
		t.Parallel()
		m := NewLabelsManager(nil)
		s := m.Get()
		if err := m.Reset(); err != nil {
			t.Fatalf("Reset = %v, want nil: a *Set[string] has nothing to close", err)
		}
		if m.Get() == s {
			t.Fatal("Get after Reset returned the dropped *Set[string]")
		}
	})
}

// Reset and Delete racing Gets: every instance built is closed exactly once, by whoever
// dropped it.
func TestFuncDropsRacingGetsCloseEachOnce(t *testing.T) {
	t.Parallel()
	t.Run("Reset: NewPool", func(t *testing.T) {
		t.Parallel()
		var mu sync.Mutex
		var built []*Pool
		m := NewPoolManager(func(addr string, port int) (*Pool, error) {
			p, err := NewPool(addr, port)
			mu.Lock()
			built = append(built, p)
			mu.Unlock()
			return p, err
		})
		raceDrops(t, func() error {
			p, err := m.Get("a", 1)
			if err == nil && p == nil {
				err = errors.New("nil *Pool")
			}
			return err
		}, func(int) error { return m.Reset() })
		if err := m.Reset(); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		t.Logf("%d Pools built during 300 Resets", len(built))
		for i, p := range built {
			if n := p.Closes(); n != 1 {
				t.Fatalf("Pool %d of %d closed %d times, want exactly once", i, len(built), n)
			}
		}
	})
	t.Run("Delete and Reset: NewTenantDB", func(t *testing.T) {
		t.Parallel()
		var mu sync.Mutex
		var built []*DB
		m := NewTenantDBManager(func(ctx context.Context, tenant string) (*DB, error) {
			db, err := NewTenantDB(ctx, tenant)
			mu.Lock()
			built = append(built, db)
			mu.Unlock()
			return db, err
		})
		tenants := []string{"a", "b", "c", "d"}
		var next atomic.Int32
		raceDrops(t, func() error {
			_, err := m.Get(context.Background(), tenants[int(next.Add(1))%len(tenants)])
			return err
		}, func(i int) error {
			if i%5 == 4 {
				return m.Reset()
			}
			return m.Delete(tenants[i%len(tenants)])
		})
		if err := m.Reset(); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		t.Logf("%d DBs built during 300 Deletes and Resets", len(built))
		for i, db := range built {
			if n := db.Closes(); n != 1 || db.CloseContextProblem() != "" {
				t.Fatalf("DB %d of %d (%s) closed %d times (%s), want exactly once", i, len(built), db.Tenant, n, db.CloseContextProblem())
			}
		}
		if m.Len() != 0 {
			t.Fatalf("Len() after Reset = %d", m.Len())
		}
	})
}

// raceDrops runs get on 8 goroutines while it calls drop 300 times.
func raceDrops(t *testing.T, get func() error, drop func(i int) error) {
	t.Helper()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if err := get(); err != nil {
					t.Errorf("Get while dropping: %v", err)
					return
				}
				runtime.Gosched()
			}
		}()
	}
	for i := range 300 {
		if err := drop(i); err != nil {
			t.Error(err)
		}
		runtime.Gosched()
	}
	close(stop)
	wg.Wait()
}

// checkResetOnce resets (again, or for the first time) and checks that the instance was
// closed exactly once and that a further Reset closes nothing.
func checkResetOnce(t *testing.T, reset func() error, closes func() int32) {
	t.Helper()
	for i := range 2 {
		if err := reset(); err != nil && i > 0 {
			t.Fatalf("Reset #%d = %v, want nil: nothing to close", i+1, err)
		}
	}
	if n := closes(); n != 1 {
		t.Fatalf("closed %d times by Reset, want exactly once", n)
	}
}

// fakeCache is a Cacher that NewCache does not build.
type fakeCache struct{ closes atomic.Int32 }

func (f *fakeCache) Get(key string) (string, bool) { return "fake", true }
func (f *fakeCache) Close() error                  { f.closes.Add(1); return nil }

// A Reset while the constructor runs discards that build: the callers get the build after
// Reset, and the discarded instance is closed, with the manager's way of closing, when its
// constructor returns.
func TestFuncResetDiscardsTheBuildInFlight(t *testing.T) {
	t.Parallel()
	t.Run("NewPool", func(t *testing.T) {
		t.Parallel()
		g := newGate()
		var mu sync.Mutex
		var built []*Pool
		m := NewPoolManager(func(addr string, port int) (*Pool, error) {
			p, _ := NewPool(addr, port)
			mu.Lock()
			first := len(built) == 0
			built = append(built, p)
			mu.Unlock()
			if first {
				g.pass()
			}
			return p, nil
		})
		builder := make(chan *Pool, 1)
		go func() {
			p, _ := m.Get("a", 1)
			builder <- p
		}()
		g.waitEntered(t)
		waiter := make(chan *Pool, 1)
		go func() {
			p, _ := m.Get("a", 1)
			waiter <- p
		}()
		settle()
		if err := m.Reset(); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		early := built[0].Closes()
		mu.Unlock()
		if early != 0 {
			t.Fatalf("the instance in construction was closed %d times before its constructor returned", early)
		}
		g.release()
		fromBuilder, fromWaiter := <-builder, <-waiter
		mu.Lock()
		defer mu.Unlock()
		if len(built) != 2 {
			t.Fatalf("%d builds, want 2: the one Reset discarded and the one after", len(built))
		}
		if fromBuilder != built[1] || fromWaiter != built[1] {
			t.Fatal("the callers did not share the build after Reset")
		}
		if built[0].Closes() != 1 || built[1].Closes() != 0 {
			t.Fatalf("Close calls: discarded %d (want 1), current %d (want 0)", built[0].Closes(), built[1].Closes())
		}
	})
	t.Run("close=Disconnect: NewBroker", func(t *testing.T) {
		t.Parallel()
		g := newGate()
		discarded := make(chan *Broker, 1)
		var calls atomic.Int32
		m := NewBrokerManager(func() (*Broker, error) {
			b, err := NewBroker()
			if calls.Add(1) == 1 {
				discarded <- b
				g.pass()
			}
			return b, err
		})
		got := make(chan *Broker, 1)
		go func() {
			b, _ := m.Get()
			got <- b
		}()
		g.waitEntered(t)
		if err := m.Reset(); err != nil {
			t.Fatal(err)
		}
		g.release()
		b, old := <-got, <-discarded
		if b == old || b == nil {
			t.Fatal("Get returned the Broker whose build began before Reset")
		}
		if old.Closes() != 1 || old.CloseCalls() != 0 || b.Closes() != 0 {
			t.Fatalf("discarded Broker: Disconnect %d, Close %d (want 1, 0); current Disconnect %d (want 0)", old.Closes(), old.CloseCalls(), b.Closes())
		}
	})
	t.Run("keyed Delete: NewTenantDB", func(t *testing.T) {
		t.Parallel()
		g := newGate()
		var mu sync.Mutex
		var built []*DB
		m := NewTenantDBManager(func(ctx context.Context, tenant string) (*DB, error) {
			db, _ := NewTenantDB(ctx, tenant)
			mu.Lock()
			first := len(built) == 0
			built = append(built, db)
			mu.Unlock()
			if first {
				g.pass()
			}
			return db, nil
		})
		got := make(chan *DB, 1)
		go func() {
			db, _ := m.Get(context.Background(), "acme")
			got <- db
		}()
		g.waitEntered(t)
		if err := m.Delete("acme"); err != nil {
			t.Fatal(err)
		}
		g.release()
		db := <-got
		mu.Lock()
		defer mu.Unlock()
		if len(built) != 2 || db != built[1] || built[0].Closes() != 1 || built[1].Closes() != 0 {
			t.Fatalf("%d builds, got %p: want the build after Delete, and the discarded one closed once (closed %d times)", len(built), db, built[0].Closes())
		}
		if p := built[0].CloseContextProblem(); p != "" {
			t.Fatalf("the discarded DB was closed with a %s", p)
		}
	})
}

func TestFuncKeyedDeleteAndLen(t *testing.T) {
	t.Parallel()
	m := NewTenantDBManager(nil)
	ctx := context.Background()
	dbs := map[string]*DB{}
	for _, tenant := range []string{"a", "b", "c"} {
		db, err := m.Get(ctx, tenant)
		if err != nil || db.Tenant != tenant {
			t.Fatalf("Get(%s) = (%+v, %v)", tenant, db, err)
		}
		dbs[tenant] = db
	}
	for range 5 {
		m.Get(ctx, "b") // reads, as real traffic brings, so that the index is published
	}
	if n := m.Len(); n != 3 {
		t.Fatalf("Len() = %d, want 3", n)
	}
	for range 2 {
		if err := m.Delete("b"); err != nil {
			t.Fatal(err)
		}
	}
	if m.Len() != 2 || dbs["b"].Closes() != 1 || dbs["a"].Closes() != 0 || dbs["c"].Closes() != 0 {
		t.Fatalf("after Delete(b) twice: Len() = %d, Close calls a=%d b=%d c=%d; want 2, 0 1 0",
			m.Len(), dbs["a"].Closes(), dbs["b"].Closes(), dbs["c"].Closes())
	}
	if err := m.Delete("never built"); err != nil || m.Len() != 2 {
		t.Fatalf("Delete of a tenant never built = %v, Len() = %d", err, m.Len())
	}
	if db, _ := m.Get(ctx, "b"); db == dbs["b"] || db.Tenant != "b" {
		t.Fatal("Get after Delete returned the deleted DB")
	}
	if db, _ := m.Get(ctx, "a"); db != dbs["a"] {
		t.Fatal("Delete(b) dropped a")
	}
	if m.Len() != 3 {
		t.Fatalf("Len() = %d after building b again, want 3", m.Len())
	}
}

func TestFuncNilResultIsAFailure(t *testing.T) {
	t.Parallel()
	// Each constructor returns nil the first time and builds afterwards.
	t.Run("*Pool with an error result", func(t *testing.T) {
		t.Parallel()
		var calls atomic.Int32
		m := NewPoolManager(func(addr string, port int) (*Pool, error) {
			if calls.Add(1) == 1 {
				return nil, nil
			}
			return NewPool(addr, port)
		})
		if p, err := m.Get("a", 1); p != nil || err == nil || !strings.Contains(err.Error(), "nil *Pool") {
			t.Fatalf("Get = (%p, %v), want an error about the nil *Pool", p, err)
		}
		if p, err := m.Get("b", 2); err != nil || p == nil {
			t.Fatalf("Get after the failure = (%p, %v), want a Pool: nothing kept, not even the arguments", p, err)
		}
	})
	t.Run("*Store without an error result", func(t *testing.T) {
		t.Parallel()
		var calls atomic.Int32
		m := NewSessionStoreManager(func() *Store {
			if calls.Add(1) == 1 {
				return nil
			}
			return NewSessionStore()
		})
		if msg := panicMessage(func() { m.Get() }); !strings.Contains(msg, "nil *Store") {
			t.Fatalf("Get panicked with %q, want a message about the nil *Store", msg)
		}
		if m.Get() == nil {
			t.Fatal("Get after the failure returned nil")
		}
	})
	t.Run("nil Cacher", func(t *testing.T) {
		t.Parallel()
		var calls atomic.Int32
		m := NewCacheManager(func() (Cacher, error) {
			if calls.Add(1) == 1 {
				return nil, nil
			}
			return NewCache()
		})
		if c, err := m.Get(); c != nil || err == nil || !strings.Contains(err.Error(), "nil Cacher") {
			t.Fatalf("Get = (%v, %v), want a nil Cacher and an error that says so", c, err)
		}
		if err := m.Reset(); err != nil {
			t.Fatalf("Reset after the failure = %v: there is nothing to close", err)
		}
		if c, err := m.Get(); err != nil || c == nil {
			t.Fatalf("Get after the failure = (%v, %v), want a Cacher", c, err)
		}
	})
	t.Run("nil *memCache inside a Cacher", func(t *testing.T) {
		t.Parallel()
		m := NewCacheManager(func() (Cacher, error) {
			var c *memCache
			return c, nil
		})
		if c, err := m.Get(); c != nil || err == nil || !strings.Contains(err.Error(), "nil Cacher") {
			t.Fatalf("Get = (%v, %v), want no Cacher and an error that says so", c, err)
		}
		if err := m.Reset(); err != nil {
			t.Fatalf("Reset after the failure = %v: there is nothing to close", err)
		}
	})
	t.Run("keyed *DB", func(t *testing.T) {
		t.Parallel()
		var calls atomic.Int32
		m := NewTenantDBManager(func(ctx context.Context, tenant string) (*DB, error) {
			if calls.Add(1) == 1 {
				return nil, nil
			}
			return NewTenantDB(ctx, tenant)
		})
		if db, err := m.Get(context.Background(), "a"); db != nil || err == nil || !strings.Contains(err.Error(), "nil *DB") {
			t.Fatalf("Get = (%p, %v), want an error about the nil *DB", db, err)
		}
		if n := m.Len(); n != 0 {
			t.Fatalf("Len() after a nil result = %d, want 0", n)
		}
		if db, err := m.Get(context.Background(), "a"); err != nil || db == nil {
			t.Fatalf("Get after the failure = (%p, %v), want a DB", db, err)
		}
	})
	t.Run("instantiated generic without an error result", func(t *testing.T) {
		t.Parallel()
		var calls atomic.Int32
		m := NewLabelsManager(func() *Set[string] {
			if calls.Add(1) == 1 {
				return nil
			}
			return NewLabels()
		})
		if msg := panicMessage(func() { m.Get() }); !strings.Contains(msg, "nil *Set[string]") {
			t.Fatalf("Get panicked with %q, want a message about the nil *Set[string]", msg)
		}
		if m.Get() == nil {
			t.Fatal("Get after the failure returned nil")
		}
	})
}

// checkPanickingBuild checks a manager whose constructor panics with "constructor
// exploded" at g the first time and builds afterwards: the panic reaches the goroutine
// that ran the constructor, its waiters get an error that says so (or, without an error
// result, a panic that says so), and nothing is kept.
func checkPanickingBuild[T comparable](t *testing.T, g *gate, get func() (T, error)) {
	t.Helper()
	var zero T
	builder := make(chan string, 1)
	go func() { builder <- panicMessage(func() { get() }) }()
	g.waitEntered(t)
	const waiters = 10
	results := make(chan fnResult[T], waiters)
	for range waiters {
		go func() {
			var r fnResult[T]
			if msg := panicMessage(func() { r.v, r.err = get() }); msg != "" {
				r.err = errors.New(msg)
			}
			results <- r
		}()
	}
	settle()
	g.release()
	if msg := <-builder; msg != "constructor exploded" {
		t.Fatalf("the builder's goroutine panicked with %q, want the constructor's own panic", msg)
	}
	told := 0
	for range waiters {
		r := within(t, 10*time.Second, func() fnResult[T] { return <-results })
		switch {
		case r.err != nil && strings.Contains(r.err.Error(), "panicked") && r.v == zero:
			told++
		case r.err == nil && r.v != zero:
			// Arrived after the panic and built anew.
		default:
			t.Fatalf("a waiter got (%v, %v)", r.v, r.err)
		}
	}
	if told == 0 {
		t.Fatal("no waiter was told of the panic")
	}
	if v, err := get(); err != nil || v == zero {
		t.Fatalf("Get after the panic = (%v, %v), want a new build: nothing kept", v, err)
	}
}

func TestFuncPanickingConstructor(t *testing.T) {
	t.Parallel()
	t.Run("NewPool", func(t *testing.T) {
		t.Parallel()
		g := newGate()
		var calls atomic.Int32
		m := NewPoolManager(func(addr string, port int) (*Pool, error) {
			if calls.Add(1) == 1 {
				g.pass()
				panic("constructor exploded")
			}
			return NewPool(addr, port)
		})
		checkPanickingBuild(t, g, func() (*Pool, error) { return m.Get("a", 1) })
	})
	t.Run("keyed with a context: NewTenantDB", func(t *testing.T) {
		t.Parallel()
		g := newGate()
		var calls atomic.Int32
		m := NewTenantDBManager(func(ctx context.Context, tenant string) (*DB, error) {
			if calls.Add(1) == 1 {
				g.pass()
				panic("constructor exploded")
			}
			return NewTenantDB(ctx, tenant)
		})
		checkPanickingBuild(t, g, func() (*DB, error) { return m.Get(context.Background(), "acme") })
		if n := m.Len(); n != 1 {
			t.Fatalf("Len() = %d after the panic and one build, want 1", n)
		}
	})
	t.Run("without an error result: NewSessionStore", func(t *testing.T) {
		t.Parallel()
		g := newGate()
		var calls atomic.Int32
		m := NewSessionStoreManager(func() *Store {
			if calls.Add(1) == 1 {
				g.pass()
				panic("constructor exploded")
			}
			return NewSessionStore()
		})
		checkPanickingBuild(t, g, func() (*Store, error) { return m.Get(), nil })
	})
	t.Run("interface result: NewCache", func(t *testing.T) {
		t.Parallel()
		g := newGate()
		var calls atomic.Int32
		m := NewCacheManager(func() (Cacher, error) {
			if calls.Add(1) == 1 {
				g.pass()
				panic("constructor exploded")
			}
			return NewCache()
		})
		checkPanickingBuild(t, g, m.Get)
	})
}

func TestFuncContext(t *testing.T) {
	t.Parallel()
	t.Run("a caller whose context is done does not build", func(t *testing.T) {
		t.Parallel()
		var calls atomic.Int32
		m := NewTenantDBManager(func(ctx context.Context, tenant string) (*DB, error) {
			calls.Add(1)
			return &DB{Handle: newHandle(), Tenant: tenant}, nil
		})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if db, err := m.Get(ctx, "a"); !errors.Is(err, context.Canceled) || db != nil || calls.Load() != 0 {
			t.Fatalf("Get with a done context = (%p, %v) after %d builds, want context.Canceled and no build", db, err, calls.Load())
		}
	})
	t.Run("a constructor asking for its own key gets an error", func(t *testing.T) {
		t.Parallel()
		var m *TenantDBManager
		m = NewTenantDBManager(func(ctx context.Context, tenant string) (*DB, error) {
			if _, err := m.Get(ctx, tenant); err != nil {
				return nil, err
			}
			return NewTenantDB(ctx, tenant)
		})
		err := within(t, 5*time.Second, func() error { _, err := m.Get(context.Background(), "a"); return err })
		if err == nil || !strings.Contains(err.Error(), "its own manager") {
			t.Fatalf("Get = %v, want an error that says the constructor asked its own manager", err)
		}
	})
}

// The hooks of the process-wide managers. None of these runs in parallel.

func TestFuncSetForTestOverridesAndRestores(t *testing.T) {
	before := MustGetPool("db", 1)
	fake := &Pool{Addr: "fake"}
	t.Run("override", func(t *testing.T) {
		SetPoolForTest(t, fake)
		for _, args := range []struct {
			addr string
			port int
		}{{"db", 1}, {"other", 2}} {
			if p, err := GetPool(args.addr, args.port); p != fake || err != nil {
				t.Fatalf("GetPool%v = (%p, %v), want the fake whatever the arguments", args, p, err)
			}
		}
	})
	if p, err := GetPool("db", 1); p != before || err != nil {
		t.Fatalf("after the test GetPool = (%p, %v), want the Pool from before (%p)", p, err, before)
	}
	if fake.Closes() != 0 || before.Closes() != 0 {
		t.Fatalf("Close calls: fake %d, saved %d; want 0 and 0", fake.Closes(), before.Closes())
	}
}

func TestFuncResetForTestClosesOnlyWhatTheTestBuilt(t *testing.T) {
	before := MustGetPool("db", 1)
	var during *Pool
	t.Run("empty", func(t *testing.T) {
		ResetPoolForTest(t)
		during = MustGetPool("elsewhere", 2) // no conflict: the manager is empty
		if during == before {
			t.Fatal("GetPool returned the Pool from before ResetPoolForTest")
		}
	})
	if during.Closes() != 1 {
		t.Fatalf("the Pool built during the test was closed %d times, want 1", during.Closes())
	}
	if p := MustGetPool("db", 1); p != before || before.Closes() != 0 {
		t.Fatalf("after the test: %p (closed %d times), want the saved %p, never closed", p, before.Closes(), before)
	}
}

func TestFuncResetDuringOverrideDoesNotCloseTheFake(t *testing.T) {
	fake := &Pool{Addr: "fake"}
	var built *Pool
	t.Run("override", func(t *testing.T) {
		SetPoolForTest(t, fake)
		if err := GetPoolManager().Reset(); err != nil {
			t.Fatal(err)
		}
		built = MustGetPool("db", 1)
	})
	if fake.Closes() != 0 {
		t.Fatalf("the fake was closed %d times", fake.Closes())
	}
	if built == fake || built.Closes() != 1 {
		t.Fatalf("the Pool built after Reset during the test (fake: %v) was closed %d times, want 1", built == fake, built.Closes())
	}
}

func TestFuncHooksOfOtherShapes(t *testing.T) {
	t.Run("interface result takes any Cacher", func(t *testing.T) {
		before := MustGetCache()
		fake := &fakeCache{}
		t.Run("override", func(t *testing.T) {
			SetCacheForTest(t, fake)
			if v, _ := MustGetCache().Get("greeting"); v != "fake" {
				t.Fatalf("the Cacher during the override answered %q, want the fake's", v)
			}
		})
		if c := MustGetCache(); c != before || fake.closes.Load() != 0 {
			t.Fatalf("after the test: %v (fake closed %d times), want the Cacher from before and the fake untouched", c, fake.closes.Load())
		}
	})
	t.Run("keyed: the fake answers every tenant", func(t *testing.T) {
		ctx := context.Background()
		before := MustGetTenantDB(ctx, "acme")
		fake := &DB{Tenant: "fake"}
		t.Run("override", func(t *testing.T) {
			SetTenantDBForTest(t, fake)
			for _, tenant := range []string{"acme", "globex"} {
				if db, err := GetTenantDB(ctx, tenant); db != fake || err != nil {
					t.Fatalf("GetTenantDB(%s) = (%p, %v), want the fake", tenant, db, err)
				}
			}
			if n := GetTenantDBManager().Len(); n != 0 {
				t.Fatalf("Len() during the override = %d, want 0: the DBs from before are set aside", n)
			}
		})
		var during *DB
		t.Run("empty", func(t *testing.T) {
			ResetTenantDBForTest(t)
			during = MustGetTenantDB(ctx, "acme")
		})
		if db := MustGetTenantDB(ctx, "acme"); db != before || before.Closes() != 0 || fake.Closes() != 0 {
			t.Fatalf("after the tests: %p (closed %d times), fake closed %d times; want the saved %p, nothing closed", db, before.Closes(), fake.Closes(), before)
		}
		if during == before || during.Closes() != 1 {
			t.Fatalf("the DB built during the test was closed %d times, want 1", during.Closes())
		}
	})
	t.Run("unexported: setWorkerForTest, resetWorkerForTest", func(t *testing.T) {
		before := getWorker()
		fake := &worker{}
		t.Run("override", func(t *testing.T) {
			setWorkerForTest(t, fake)
			if w := getWorker(); w != fake {
				t.Fatalf("getWorker = %p, want the fake %p", w, fake)
			}
		})
		var during *worker
		t.Run("empty", func(t *testing.T) {
			resetWorkerForTest(t)
			during = getWorker()
		})
		if w := getWorker(); w != before || before.Closes() != 0 || fake.Closes() != 0 || during == before || during.Closes() != 1 {
			t.Fatalf("after the tests: getWorker = %p (want %p); Close calls: saved %d, fake %d, built during the test %d; want 0, 0, 1",
				w, before, before.Closes(), fake.Closes(), during.Closes())
		}
	})
	t.Run("close=METHOD: the cleanup closes with the method", func(t *testing.T) {
		var during *Broker
		t.Run("empty", func(t *testing.T) {
			ResetBrokerForTest(t)
			during = MustGetBroker()
		})
		if during.Closes() != 1 || during.CloseCalls() != 0 {
			t.Fatalf("the Broker built during the test: Disconnect %d, Close %d; want 1, 0", during.Closes(), during.CloseCalls())
		}
	})
	t.Run("standard library: an *http.Client with a fake transport", func(t *testing.T) {
		before := GetHTTPClient()
		fake := &http.Client{Transport: fakeTransport("fake answer")}
		t.Run("override", func(t *testing.T) {
			SetHTTPClientForTest(t, fake)
			resp, err := GetHTTPClient().Get("http://paragon.invalid/v1/ping")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if body, _ := io.ReadAll(resp.Body); string(body) != "fake answer" {
				t.Fatalf("the request answered %q, want the fake transport's answer", body)
			}
		})
		if c := GetHTTPClient(); c != before || before.Transport.(*IdleTransport).IdleCloses() != 0 {
			t.Fatalf("after the test GetHTTPClient = %p, want the saved client %p, never closed", c, before)
		}
	})
}

// fakeTransport answers every request with its text.
type fakeTransport string

func (f fakeTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: http.StatusOK,
		Body:       io.NopCloser(strings.NewReader(string(f))),
		Request:    r,
	}, nil
}

func TestFuncSetForTestRefusesNil(t *testing.T) {
	for name, set := range map[string]func(){
		"SetPoolForTest":                       func() { SetPoolForTest(t, nil) },
		"SetCacheForTest":                      func() { SetCacheForTest(t, nil) },
		"SetCacheForTest with a nil *memCache": func() { SetCacheForTest(t, (*memCache)(nil)) },
	} {
		if msg := panicMessage(set); !strings.Contains(msg, strings.Fields(name)[0]) || !strings.Contains(msg, "nil") {
			t.Fatalf("%s(t, nil) panicked with %q, want a refusal that names the hook", name, msg)
		}
	}
}

func TestFuncHooksRefuseParallelTests(t *testing.T) {
	before := MustGetPool("db", 1)
	fake := &Pool{Addr: "fake"}
	hooks := map[string]func(t *testing.T){
		"SetPoolForTest":     func(t *testing.T) { SetPoolForTest(t, fake) },
		"ResetPoolForTest":   func(t *testing.T) { ResetPoolForTest(t) },
		"resetWorkerForTest": func(t *testing.T) { resetWorkerForTest(t) },
	}
	for name, hook := range hooks {
		t.Run(name+" in a parallel test", func(t *testing.T) {
			t.Parallel()
			msg := panicMessage(func() { hook(t) })
			if !strings.Contains(msg, name) || !strings.Contains(msg, "parallel") {
				t.Errorf("%s in a parallel test panicked with %q, want a refusal that names the hook", name, msg)
			}
		})
		t.Run(name+" then t.Parallel", func(t *testing.T) {
			hook(t)
			if msg := panicMessage(t.Parallel); msg == "" {
				t.Errorf("t.Parallel after %s did not panic", name)
			}
		})
	}
	t.Cleanup(func() {
		if p := MustGetPool("db", 1); p != before || fake.Closes() != 0 {
			t.Errorf("after refused hooks GetPool = %p (fake closed %d times), want %p", p, fake.Closes(), before)
		}
	})
}
