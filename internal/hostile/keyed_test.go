package hostile

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

// TestHungBuildHangsNobody guards, in keyed mode with a context: "a caller waiting
// for someone else's build returns ctx.Err() as soon as its own context is done",
// "other arguments build at the same time", "Len ... (builds in flight do not
// count)", and "Delete ... a build in flight for them is discarded" without waiting
// for it; the discarded instance is closed once when its constructor returns, and its
// builder never gets it.
func TestHungBuildHangsNobody(t *testing.T) {
	t.Parallel()
	h := newHung()
	hungInst := make(chan *Tenant, 1)
	var calls atomic.Int32
	m := NewTenantManager(func(ctx context.Context, user, pass string) (*Tenant, error) {
		tn := &Tenant{Res: NewRes(), User: user, Pass: pass}
		if user == "u" {
			calls.Add(1)
			if h.first() {
				hungInst <- tn
			}
		}
		return tn, nil
	})
	bg := context.Background()
	builder := async(func() (*Tenant, error) { return m.Get(bg, "u", "p") })
	recv(t, h.entered, "the hung build to start")

	r := recv(t, async(func() (*Tenant, error) { return m.Get(deadline(t), "u", "p") }), "a waiter with a deadline")
	if r.v != nil || !errors.Is(r.err, context.DeadlineExceeded) {
		t.Errorf("a waiter whose deadline passed got %v, %v; want context.DeadlineExceeded", r.v, r.err)
	}
	w := recv(t, async(func() (struct{}, error) {
		return struct{}{}, m.With(deadline(t), "u", "p", func(*Tenant) error { t.Error("With ran fn without an instance"); return nil })
	}), "With with a deadline")
	if !errors.Is(w.err, context.DeadlineExceeded) {
		t.Errorf("With whose deadline passed = %v, want context.DeadlineExceeded", w.err)
	}
	if o := recv(t, async(func() (*Tenant, error) { return m.Get(bg, "v", "q") }), "another key beside a hung build"); o.err != nil || o.v == nil {
		t.Errorf("another key = %v, %v", o.v, o.err)
	}
	if n := m.Len(); n != 1 {
		t.Errorf("Len = %d with one instance and one build in flight, want 1", n)
	}
	if d := recv(t, async(func() (struct{}, error) { return struct{}{}, m.Delete("u", "p") }), "Delete of a key whose build hangs"); d.err != nil {
		t.Errorf("Delete = %v", d.err)
	}
	fresh := recv(t, async(func() (*Tenant, error) { return m.Get(bg, "u", "p") }), "Get after Delete, beside the hung build")
	if fresh.err != nil || fresh.v == nil {
		t.Fatalf("Get after Delete = %v, %v", fresh.v, fresh.err)
	}
	h.release()
	x := recv(t, hungInst, "the hung constructor to return")
	b := recv(t, builder, "the builder of the discarded build")
	if b.v == x {
		t.Errorf("the builder got the instance of the build that Delete discarded")
	}
	if b.v != fresh.v {
		t.Errorf("the builder got %v, want the instance built since (%v)", b.v, fresh.v)
	}
	if x.Closes() != 1 {
		t.Errorf("the discarded instance was closed %d times, want 1", x.Closes())
	}
	if fresh.v.Closes() != 0 {
		t.Errorf("the instance built after Delete was closed")
	}
	if n, c := m.Len(), calls.Load(); n != 2 || c != 2 {
		t.Errorf("Len = %d and %d constructor calls for u; want 2 and 2", n, c)
	}
}

// TestKeysNeverBuilt guards Delete, Invalidate and Len on keys the manager never
// built: they drop nothing, close nothing (not even an instance passed in), count
// nothing, and leave alone the build in flight of another key ("It leaves a build in
// flight alone" for Invalidate; Delete discards only "a build in flight for them").
func TestKeysNeverBuilt(t *testing.T) {
	t.Parallel()
	t.Run("unbounded, beside a build in flight", func(t *testing.T) {
		t.Parallel()
		h := newHung()
		m := NewTenantManager(func(ctx context.Context, user, pass string) (*Tenant, error) {
			h.first()
			return &Tenant{Res: NewRes(), User: user, Pass: pass}, nil
		})
		stranger := &Tenant{Res: NewRes()}
		if n := m.Len(); n != 0 {
			t.Errorf("Len of a new manager = %d", n)
		}
		builder := async(func() (*Tenant, error) { return m.Get(context.Background(), "a", "1") })
		recv(t, h.entered, "the build of a")
		for _, err := range []error{
			m.Delete("b", "2"),
			m.Invalidate("b", "2", nil),
			m.Invalidate("b", "2", stranger),
			m.Invalidate("a", "1", nil),      // a is in flight, not built
			m.Invalidate("a", "1", stranger), // nor is stranger its instance
		} {
			if err != nil {
				t.Errorf("on a key never built: %v", err)
			}
		}
		if n := m.Len(); n != 0 {
			t.Errorf("Len = %d with only a build in flight", n)
		}
		h.release()
		r := recv(t, builder, "the build of a")
		if r.err != nil || r.v == nil {
			t.Fatalf("Get(a) = %v, %v", r.v, r.err)
		}
		if n := h.calls.Load(); n != 1 {
			t.Errorf("%d constructor calls, want 1: the build of a was not left alone", n)
		}
		if again, _ := m.Get(context.Background(), "a", "1"); again != r.v {
			t.Errorf("a was dropped by operations on other keys")
		}
		if stranger.Closes() != 0 || r.v.Closes() != 0 {
			t.Errorf("something was closed: stranger %d, a %d", stranger.Closes(), r.v.Closes())
		}
		if n := m.Len(); n != 1 {
			t.Errorf("Len = %d, want 1", n)
		}
	})
	t.Run("bounded and full", func(t *testing.T) {
		t.Parallel()
		var calls atomic.Int32
		m := NewBucketManager(func(key string) (*Bucket, error) {
			calls.Add(1)
			return &Bucket{Res: NewRes(), Key: key}, nil
		})
		a, _ := m.Get("a")
		b, _ := m.Get("b")
		stranger := &Bucket{Res: NewRes()}
		for _, err := range []error{m.Delete("zzz"), m.Invalidate("zzz", stranger), m.Invalidate("zzz", nil), m.Invalidate("a", stranger)} {
			if err != nil {
				t.Errorf("on a key never built: %v", err)
			}
		}
		a2, _ := m.Get("a")
		b2, _ := m.Get("b")
		if a2 != a || b2 != b || m.Len() != 2 || calls.Load() != 2 {
			t.Errorf("operations on keys never built changed the full manager: Len %d, %d calls", m.Len(), calls.Load())
		}
		if a.Closes()+b.Closes()+stranger.Closes() != 0 {
			t.Errorf("operations on keys never built closed something")
		}
	})
}

// TestConstructorLeavesItsGoroutineInKeyedMode guards "A constructor that panics or
// calls runtime.Goexit (as t.FailNow does) does so in the goroutine that called it;
// the callers waiting for it get an error that says so, nothing is kept and nothing
// hangs", in keyed mode with a context, where no existing test looks: the panic
// value reaches the builder's goroutine unchanged, Goexit really ends it, waiters
// never get a zero instance without an error, Len stays 0, and the next Get builds.
func TestConstructorLeavesItsGoroutineInKeyedMode(t *testing.T) {
	t.Parallel()
	for _, exit := range []struct {
		name, says string
		do         func()
	}{
		{"panic", "panicked", func() { panic("boom") }},
		{"Goexit", "Goexit", runtime.Goexit},
	} {
		t.Run(exit.name, func(t *testing.T) {
			t.Parallel()
			h := newHung()
			m := NewTenantManager(func(ctx context.Context, user, pass string) (*Tenant, error) {
				if h.first() {
					exit.do()
				}
				return &Tenant{Res: NewRes(), User: user, Pass: pass}, nil
			})
			ctx := context.Background()
			type outcome struct {
				returned bool
				panicked any
			}
			builder := make(chan outcome, 1)
			go func() {
				o := outcome{}
				defer func() {
					o.panicked = recover()
					builder <- o
				}()
				_, _ = m.Get(ctx, "u", "p")
				o.returned = true
			}()
			recv(t, h.entered, "the build to start")
			var waiters []<-chan result[*Tenant]
			for range 3 {
				waiters = append(waiters, async(func() (*Tenant, error) { return m.Get(ctx, "u", "p") }))
			}
			time.Sleep(20 * time.Millisecond) // lets the waiters wait; the asserts hold either way
			h.release()
			o := recv(t, builder, "the builder's goroutine to end")
			switch exit.name {
			case "panic":
				if o.returned || o.panicked != "boom" {
					t.Errorf("builder: returned %v, recovered %v; want the panic boom", o.returned, o.panicked)
				}
			case "Goexit":
				if o.returned || o.panicked != nil {
					t.Errorf("builder: returned %v, recovered %v; want its goroutine ended by Goexit", o.returned, o.panicked)
				}
			}
			for i, w := range waiters {
				r := recv(t, w, "a waiter of the build that left")
				switch {
				case r.err == nil && r.v != nil: // came late and built again
				case r.err != nil && r.v == nil && strings.Contains(r.err.Error(), exit.says):
				default:
					t.Errorf("waiter %d got %v, %v; want an error that says %q, or a new instance", i, r.v, r.err, exit.says)
				}
			}
			if c, err := m.Get(ctx, "u", "p"); c == nil || err != nil {
				t.Errorf("Get after the build left = %v, %v; want a new instance", c, err)
			}
			if n := m.Len(); n != 1 {
				t.Errorf("Len = %d, want 1", n)
			}
		})
	}
}

// TestGoexitInWithAfterADrop guards "Each instance is closed exactly once" and "a drop
// meanwhile ... closes it when the last With on it ends" when fn leaves by
// runtime.Goexit, as t.FailNow does inside a With: the instance is still closed, once.
func TestGoexitInWithAfterADrop(t *testing.T) {
	t.Parallel()
	m := NewLinkManager(nil)
	ctx := context.Background()
	l, err := m.Get(ctx, "s")
	if err != nil {
		t.Fatal(err)
	}
	held, dropped, exited := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
		_ = m.With(ctx, "s", func(*Link) error {
			close(held)
			<-dropped
			runtime.Goexit()
			return nil
		})
	}()
	recv(t, held, "With to hold the instance")
	if err := m.Reset(); err != nil || l.Closes() != 0 {
		t.Errorf("Reset of a held instance = %v with %d closes, want nil and 0", err, l.Closes())
	}
	close(dropped)
	recv(t, exited, "the With goroutine to exit")
	if l.Closes() != 1 {
		t.Errorf("instance closed %d times after the holding With called Goexit, want 1", l.Closes())
	}
	if again, _ := m.Get(ctx, "s"); again == l {
		t.Errorf("Get after Reset returned the dropped instance")
	}
}

// TestCloseErrorReachesExactlyOneCaller guards "Each instance is closed exactly once"
// and "returns what its Close returned": under Get, With, Delete, Invalidate and Reset
// from several goroutines on the same keys, every instance is closed once, and the
// error of its Close reaches exactly one caller if any caller ever saw the instance.
func TestCloseErrorReachesExactlyOneCaller(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var built []*Tenant
	m := NewTenantManager(func(ctx context.Context, user, pass string) (*Tenant, error) {
		tn := &Tenant{Res: NewRes(), User: user, Pass: pass}
		tn.CloseErr = &errClose{tn.ID}
		mu.Lock()
		built = append(built, tn)
		mu.Unlock()
		return tn, nil
	})
	ctx := context.Background()
	seen := sync.Map{} // *Tenant -> true: returned to a caller
	errs := make([][]error, 4)
	var wg sync.WaitGroup
	for g := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 400 {
				user := fmt.Sprint(i % 2)
				var err error
				switch (i + g) % 5 {
				case 0:
					var c *Tenant
					if c, err = m.Get(ctx, user, "p"); c != nil {
						seen.Store(c, true)
					}
				case 1:
					err = m.With(ctx, user, "p", func(c *Tenant) error {
						seen.Store(c, true)
						runtime.Gosched()
						return nil
					})
				case 2:
					err = m.Delete(user, "p")
				case 3:
					if c, _ := m.Get(ctx, user, "p"); c != nil {
						seen.Store(c, true)
						runtime.Gosched()
						err = m.Invalidate(user, "p", c)
					}
				case 4:
					if i%20 == 4 {
						err = m.Reset()
					}
				}
				if err != nil {
					errs[g] = append(errs[g], err)
				}
			}
		}()
	}
	wg.Wait()
	final := m.Reset()
	mu.Lock()
	defer mu.Unlock()
	for _, tn := range built {
		if n := tn.Closes(); n != 1 {
			t.Errorf("instance %d closed %d times, want 1", tn.ID, n)
		}
		delivered := 0
		if errors.Is(final, tn.CloseErr) {
			delivered++
		}
		for _, es := range errs {
			for _, err := range es {
				if errors.Is(err, tn.CloseErr) {
					delivered++
				}
			}
		}
		_, wasSeen := seen.Load(tn)
		if delivered > 1 || wasSeen && delivered != 1 {
			t.Errorf("the Close error of instance %d (seen by a caller: %v) reached %d callers, want 1", tn.ID, wasSeen, delivered)
		}
	}
	if len(built) < 2 {
		t.Errorf("only %d instances built: the test dropped nothing", len(built))
	}
}
