package behavior

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var errBoom = errors.New("boom")

// Exactly one constructor call, and one instance for all, however many goroutines
// arrive first: checked for each shape of accessor.
func TestOneConstructorCallForConcurrentFirstCallers(t *testing.T) {
	t.Parallel()
	const goroutines = 1000
	// The constructors sleep, so that the other goroutines arrive during the build.
	t.Run("Conn", func(t *testing.T) {
		t.Parallel()
		var calls atomic.Int32
		m := NewConnManager(counted(&calls, func(addr string, port int) (*Conn, error) {
			time.Sleep(20 * time.Millisecond)
			return NewConn(addr, port)
		}))
		checkShared(t, &calls, together(goroutines, func() result[Conn] {
			c, err := m.Get("db", 5432)
			return result[Conn]{c, err}
		}))
	})
	t.Run("Counter", func(t *testing.T) {
		t.Parallel()
		var calls atomic.Int32
		m := NewCounterManager(func() *Counter {
			calls.Add(1)
			time.Sleep(20 * time.Millisecond)
			return NewCounter()
		})
		checkShared(t, &calls, together(goroutines, func() result[Counter] { return result[Counter]{v: m.Get()} }))
	})
	t.Run("Session", func(t *testing.T) {
		t.Parallel()
		var calls atomic.Int32
		m := NewSessionManager(func() (*Session, error) {
			calls.Add(1)
			time.Sleep(20 * time.Millisecond)
			return NewSession()
		})
		checkShared(t, &calls, together(goroutines, func() result[Session] {
			s, err := m.Get()
			return result[Session]{s, err}
		}))
	})
}

// checkShared checks that the constructor ran once and every caller got its instance.
func checkShared[T any](t *testing.T, calls *atomic.Int32, results []result[T]) {
	t.Helper()
	if n := calls.Load(); n != 1 {
		t.Fatalf("constructor called %d times, want 1", n)
	}
	for i, r := range results {
		if r.err != nil || r.v == nil || r.v != results[0].v {
			t.Fatalf("goroutine %d got (%p, %v), want the one instance %p", i, r.v, r.err, results[0].v)
		}
	}
}

func TestZeroValueManagersUseTheDefaultConstructor(t *testing.T) {
	t.Parallel()
	var conns ConnManager
	c, err := conns.Get("db", 1)
	if err != nil || c == nil || c.Addr != "db" || c.Port != 1 {
		t.Fatalf("Get on a zero ConnManager = (%+v, %v), want a Conn built by NewConn", c, err)
	}
	var plains PlainManager
	if p := plains.Get(); p == nil || p != plains.Get() {
		t.Fatalf("Get on a zero PlainManager = %p then %p, want one new(Plain)", p, plains.Get())
	}
}

func TestOtherArgumentsConflict(t *testing.T) {
	t.Parallel()
	const secret = "sk-live-6a4e9f"
	m := NewConnManager(nil)
	first, err := m.Get("api.paragon.example", 443)
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range []struct {
		addr string
		port int
	}{{secret, 443}, {"api.paragon.example", 8443}} {
		c, err := m.Get(args.addr, args.port)
		if !errors.Is(err, ErrConnConflict) || c != nil {
			t.Fatalf("Get%v = (%p, %v), want ErrConnConflict", args, c, err)
		}
		if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "8443") {
			t.Fatalf("conflict error %q contains an argument", err)
		}
	}
	if again, err := m.Get("api.paragon.example", 443); again != first || err != nil {
		t.Fatalf("Get with the first arguments after a conflict = (%p, %v), want (%p, nil)", again, err, first)
	}
}

func TestOtherArgumentsConflictWithABuildInFlight(t *testing.T) {
	t.Parallel()
	for _, fails := range []bool{false, true} {
		t.Run(fmt.Sprintf("builder fails=%v", fails), func(t *testing.T) {
			t.Parallel()
			g := newGate()
			m := NewConnManager(func(addr string, port int) (*Conn, error) {
				g.pass()
				if fails {
					return nil, errBoom
				}
				return NewConn(addr, port)
			})
			builder := make(chan result[Conn], 1)
			go func() {
				c, err := m.Get("a", 1)
				builder <- result[Conn]{c, err}
			}()
			g.waitEntered(t)
			// The waiter with other arguments must not wait for the build, nor get its result.
			other := within(t, 5*time.Second, func() result[Conn] {
				c, err := m.Get("b", 2)
				return result[Conn]{c, err}
			})
			if !errors.Is(other.err, ErrConnConflict) || errors.Is(other.err, errBoom) || other.v != nil {
				t.Fatalf("Get with other arguments during a build = (%p, %v), want ErrConnConflict alone", other.v, other.err)
			}
			g.release()
			r := <-builder
			if fails != (r.err != nil) || fails != (r.v == nil) {
				t.Fatalf("builder got (%p, %v)", r.v, r.err)
			}
		})
	}
}

func TestFailedBuildIsRetried(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	m := NewConnManager(counted(&calls, func(addr string, port int) (*Conn, error) {
		if calls.Load() == 1 {
			return nil, errBoom
		}
		return NewConn(addr, port)
	}))
	if c, err := m.Get("a", 1); !errors.Is(err, errBoom) || c != nil {
		t.Fatalf("first Get = (%p, %v), want errBoom", c, err)
	}
	c, err := m.Get("a", 1)
	if err != nil || c == nil {
		t.Fatalf("second Get = (%p, %v), want a Conn", c, err)
	}
	// After a failure any arguments may build: the failure kept nothing.
	if n := calls.Load(); n != 2 {
		t.Fatalf("constructor called %d times, want 2", n)
	}
}

func TestWaitersShareTheBuildersError(t *testing.T) {
	t.Parallel()
	g := newGate()
	var calls atomic.Int32
	m := NewConnManager(counted(&calls, func(addr string, port int) (*Conn, error) {
		if calls.Load() == 1 {
			g.pass()
			return nil, errBoom
		}
		return NewConn(addr, port)
	}))
	const waiters = 20
	results := make(chan result[Conn], waiters+1)
	get := func() {
		c, err := m.Get("a", 1)
		results <- result[Conn]{c, err}
	}
	go get()
	g.waitEntered(t)
	for range waiters {
		go get()
	}
	settle()
	g.release()
	failed := 0
	for range waiters + 1 {
		r := <-results
		switch {
		case errors.Is(r.err, errBoom) && r.v == nil:
			failed++
		case r.err == nil && r.v != nil:
			// A goroutine that arrived after the failure built anew.
		default:
			t.Fatalf("Get = (%p, %v)", r.v, r.err)
		}
	}
	if failed < 2 {
		t.Fatalf("%d callers got the build's error, want the builder and its waiters", failed)
	}
	if c, err := m.Get("a", 1); err != nil || c == nil {
		t.Fatalf("Get after the failure = (%p, %v), want a new build", c, err)
	}
}

func TestCachedErrorIsKeptUntilReset(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	m := NewCachedManager(func(name string) (*Cached, error) {
		if calls.Add(1) == 1 {
			return nil, errBoom
		}
		return NewCached(name)
	})
	for i := range 3 {
		if c, err := m.Get("x"); !errors.Is(err, errBoom) || c != nil {
			t.Fatalf("Get #%d = (%p, %v), want the cached errBoom", i, c, err)
		}
	}
	if c, err := m.Get("y"); !errors.Is(err, ErrCachedConflict) || c != nil {
		t.Fatalf("Get with other arguments = (%p, %v), want ErrCachedConflict", c, err)
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("constructor called %d times, want 1", n)
	}
	if err := m.Reset(); err != nil {
		t.Fatalf("Reset = %v", err)
	}
	if c, err := m.Get("y"); err != nil || c == nil || c.Name != "y" {
		t.Fatalf("Get after Reset = (%+v, %v), want a new Cached", c, err)
	}
}

func TestNilInstanceIsAFailure(t *testing.T) {
	t.Parallel()
	t.Run("with error result", func(t *testing.T) {
		t.Parallel()
		var calls atomic.Int32
		m := NewConnManager(counted(&calls, func(addr string, port int) (*Conn, error) {
			if calls.Load() == 1 {
				return nil, nil
			}
			return NewConn(addr, port)
		}))
		c, err := m.Get("a", 1)
		if err == nil || c != nil || !strings.Contains(err.Error(), "nil *Conn") {
			t.Fatalf("Get = (%p, %v), want an error about the nil *Conn", c, err)
		}
		if c, err := m.Get("a", 1); err != nil || c == nil {
			t.Fatalf("Get after the failure = (%p, %v), want a Conn: nothing cached", c, err)
		}
	})
	t.Run("cached errors", func(t *testing.T) {
		t.Parallel()
		var calls atomic.Int32
		m := NewCachedManager(func(name string) (*Cached, error) {
			if calls.Add(1) == 1 {
				return nil, nil
			}
			return NewCached(name)
		})
		if _, err := m.Get("x"); err == nil {
			t.Fatal("Get of a nil instance returned no error")
		}
		if c, err := m.Get("x"); err != nil || c == nil {
			t.Fatalf("Get after the failure = (%p, %v), want a Cached: a nil instance is not cached", c, err)
		}
	})
	t.Run("without error result", func(t *testing.T) {
		t.Parallel()
		var calls atomic.Int32
		m := NewCounterManager(func() *Counter {
			if calls.Add(1) == 1 {
				return nil
			}
			return NewCounter()
		})
		msg := panicMessage(func() { m.Get() })
		if !strings.Contains(msg, "nil *Counter") {
			t.Fatalf("Get panicked with %q, want a message about the nil *Counter", msg)
		}
		if c := m.Get(); c == nil {
			t.Fatal("Get after the failure returned nil")
		}
	})
}

// panicMessage runs f and returns what it panicked with, or "" if it returned.
func panicMessage(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	f()
	return ""
}

func TestPanickingConstructor(t *testing.T) {
	t.Parallel()
	g := newGate()
	var calls atomic.Int32
	m := NewConnManager(counted(&calls, func(addr string, port int) (*Conn, error) {
		if calls.Load() == 1 {
			g.pass()
			panic("constructor exploded")
		}
		return NewConn(addr, port)
	}))
	builder := make(chan string, 1)
	go func() { builder <- panicMessage(func() { m.Get("a", 1) }) }()
	g.waitEntered(t)
	const waiters = 10
	results := make(chan result[Conn], waiters)
	for range waiters {
		go func() {
			c, err := m.Get("a", 1)
			results <- result[Conn]{c, err}
		}()
	}
	settle()
	g.release()
	if msg := <-builder; msg != "constructor exploded" {
		t.Fatalf("the builder's goroutine panicked with %q, want the constructor's own panic", msg)
	}
	told := 0
	for range waiters {
		r := within(t, 10*time.Second, func() result[Conn] { return <-results })
		switch {
		case r.err != nil && strings.Contains(r.err.Error(), "panicked") && r.v == nil:
			told++
		case r.err == nil && r.v != nil:
			// Arrived after the panic and built anew.
		default:
			t.Fatalf("waiter got (%p, %v)", r.v, r.err)
		}
	}
	if told == 0 {
		t.Fatal("no waiter was told of the panic")
	}
	if c, err := m.Get("a", 1); err != nil || c == nil {
		t.Fatalf("Get after the panic = (%p, %v), want a new build: nothing cached", c, err)
	}
}

func TestPanickingConstructorWithoutErrorResult(t *testing.T) {
	t.Parallel()
	g := newGate()
	var calls atomic.Int32
	m := NewCounterManager(func() *Counter {
		if calls.Add(1) == 1 {
			g.pass()
			panic("constructor exploded")
		}
		return NewCounter()
	})
	builder := make(chan string, 1)
	go func() { builder <- panicMessage(func() { m.Get() }) }()
	g.waitEntered(t)
	waiter := make(chan string, 1)
	go func() { waiter <- panicMessage(func() { m.Get() }) }()
	settle()
	g.release()
	if msg := <-builder; msg != "constructor exploded" {
		t.Fatalf("the builder panicked with %q, want the constructor's own panic", msg)
	}
	if msg := <-waiter; msg != "" && !strings.Contains(msg, "panicked") {
		t.Fatalf("the waiter panicked with %q, want a message that says the constructor panicked", msg)
	}
	if m.Get() == nil {
		t.Fatal("Get after the panic returned nil")
	}
}

func TestGoexitInConstructor(t *testing.T) {
	t.Parallel()
	g := newGate()
	var calls atomic.Int32
	m := NewConnManager(counted(&calls, func(addr string, port int) (*Conn, error) {
		if calls.Load() == 1 {
			g.pass()
			runtime.Goexit() // as t.FailNow does
		}
		return NewConn(addr, port)
	}))
	builderReturned := make(chan bool, 1)
	go func() {
		returned := false
		defer func() { builderReturned <- returned }()
		m.Get("a", 1)
		returned = true
	}()
	g.waitEntered(t)
	waiter := make(chan result[Conn], 1)
	go func() {
		c, err := m.Get("a", 1)
		waiter <- result[Conn]{c, err}
	}()
	settle()
	g.release()
	if <-builderReturned {
		t.Fatal("Get returned in the goroutine whose constructor called runtime.Goexit")
	}
	r := within(t, 10*time.Second, func() result[Conn] { return <-waiter })
	if r.v == nil && (r.err == nil || !strings.Contains(r.err.Error(), "Goexit")) {
		t.Fatalf("the waiter got (%p, %v), want an error that names runtime.Goexit", r.v, r.err)
	}
	if c, err := m.Get("a", 1); err != nil || c == nil {
		t.Fatalf("Get after Goexit = (%p, %v), want a new build: nothing cached", c, err)
	}
}

func TestResetClosesExactlyOnce(t *testing.T) {
	t.Parallel()
	errClose := errors.New("close failed")
	m := NewConnManager(func(addr string, port int) (*Conn, error) {
		c, err := NewConn(addr, port)
		c.CloseErr = errClose
		return c, err
	})
	c, _ := m.Get("a", 1)
	if err := m.Reset(); !errors.Is(err, errClose) {
		t.Fatalf("Reset = %v, want what Close returned", err)
	}
	if err := m.Reset(); err != nil {
		t.Fatalf("second Reset = %v, want nil: nothing to drop", err)
	}
	if n := c.Closes(); n != 1 {
		t.Fatalf("Close called %d times, want 1", n)
	}
	if again, _ := m.Get("a", 1); again == c || again == nil {
		t.Fatal("Get after Reset did not build a new Conn")
	}
}

func TestCloseVariants(t *testing.T) {
	t.Parallel()
	sessions := NewSessionManager(nil)
	s, _ := sessions.Get()
	if err := sessions.Reset(); err != nil || s.Closes() != 1 {
		t.Fatalf("Reset = %v with %d Close calls, want nil and 1", err, s.Closes())
	}
	quiet := NewQuietHolder(nil)
	q, _ := quiet.Get(1)
	if err := quiet.Reset(); err != nil || q.Closes() != 0 {
		t.Fatalf("Reset with close=never = %v with %d Close calls, want nil and 0", err, q.Closes())
	}
}

func TestResetDiscardsTheBuildInFlight(t *testing.T) {
	t.Parallel()
	g := newGate()
	var mu sync.Mutex
	var built []*Conn
	m := NewConnManager(func(addr string, port int) (*Conn, error) {
		c, _ := NewConn(addr, port)
		mu.Lock()
		first := len(built) == 0
		built = append(built, c)
		mu.Unlock()
		if first {
			g.pass()
		}
		return c, nil
	})
	builder := make(chan *Conn, 1)
	go func() {
		c, _ := m.Get("a", 1)
		builder <- c
	}()
	g.waitEntered(t)
	waiter := make(chan *Conn, 1)
	go func() {
		c, _ := m.Get("a", 1)
		waiter <- c
	}()
	settle()
	if err := m.Reset(); err != nil {
		t.Fatal(err)
	}
	g.release()
	fromBuilder, fromWaiter := <-builder, <-waiter
	mu.Lock()
	defer mu.Unlock()
	if len(built) != 2 {
		t.Fatalf("%d builds, want 2: the one Reset discarded and the one after", len(built))
	}
	stale := built[0]
	if fromBuilder == stale || fromWaiter == stale {
		t.Fatal("a Get returned the Conn whose build began before Reset")
	}
	if fromBuilder != built[1] || fromWaiter != built[1] {
		t.Fatal("the builder and its waiter did not share the build after Reset")
	}
	if stale.Closes() != 1 || built[1].Closes() != 0 {
		t.Fatalf("Close calls: discarded %d (want 1), current %d (want 0)", stale.Closes(), built[1].Closes())
	}
}

func TestResetRacingGet(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var built []*Conn
	m := NewConnManager(func(addr string, port int) (*Conn, error) {
		c, err := NewConn(addr, port)
		mu.Lock()
		built = append(built, c)
		mu.Unlock()
		return c, err
	})
	var wg sync.WaitGroup
	stop := make(chan struct{})
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
				if c, err := m.Get("a", 1); err != nil || c == nil {
					t.Errorf("Get = (%p, %v) while Reset runs", c, err)
					return
				}
				runtime.Gosched() // leave the resetting goroutine its turns
			}
		}()
	}
	// Each Reset waits for a build since the previous one, so that they interleave.
	const resets = 200
	for i := range resets {
		for deadline := time.Now().Add(10 * time.Second); ; runtime.Gosched() {
			mu.Lock()
			n := len(built)
			mu.Unlock()
			if n > i {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no build after Reset %d", i)
			}
		}
		if err := m.Reset(); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	if err := m.Reset(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(built) < resets {
		t.Fatalf("%d builds for %d resets", len(built), resets)
	}
	for i, c := range built {
		if n := c.Closes(); n != 1 {
			t.Fatalf("Conn %d of %d closed %d times, want exactly once", i, len(built), n)
		}
	}
}

// panicNilEnv marks the test binary run by TestPanicNilUnderOldGODEBUG.
const panicNilEnv = "SINGLETONGEN_BEHAVIOR_PANICNIL"

// Under GODEBUG panicnil=1 (modules before go 1.21), recover returns nil for panic(nil),
// as it does for runtime.Goexit: the panic must still reach the builder, once, and the
// waiters must hear of it.
func TestPanicNilUnderOldGODEBUG(t *testing.T) {
	if os.Getenv(panicNilEnv) == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestPanicNilUnderOldGODEBUG$", "-test.v", "-test.timeout=60s")
		cmd.Env = append(os.Environ(), panicNilEnv+"=1", "GODEBUG=panicnil=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestPanicNilUnderOldGODEBUG") {
			t.Fatalf("the child test run failed (%v):\n%s", err, out)
		}
		return
	}
	var calls atomic.Int32
	m := NewCounterManager(func() *Counter {
		calls.Add(1)
		panic(nil)
	})
	returned := false
	func() {
		defer func() { recover() }()
		m.Get()
		returned = true
	}()
	if returned || calls.Load() != 1 {
		t.Fatalf("Get returned: %v, constructor calls: %d; want the panic to reach the builder after one call", returned, calls.Load())
	}
}
