package promises

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/singletongen/singletongen/internal/promises/other"
)

// The cycle check must not see cycles where there are none: constructors that wait for
// one slow build, chains and diamonds of builds entered from many goroutines, and callers
// that are not constructors at all.

// pause lets the constructors that were released reach their wait for the slow build
// before the test lets it finish: briefly in most iterations, long enough to be sure in
// some.
func pause(i int) {
	if i%100 == 0 {
		settle()
		return
	}
	time.Sleep(200 * time.Microsecond)
}

// slowBuild is a constructor's gate for the slow build that others wait for: building is
// closed once the constructor runs, and it returns once open is closed.
type slowBuild struct {
	calls    atomic.Int32
	building chan struct{}
	open     chan struct{}
}

func newSlowBuild() *slowBuild {
	return &slowBuild{building: make(chan struct{}), open: make(chan struct{})}
}

// enter is called by the slow constructor.
func (s *slowBuild) enter() {
	if s.calls.Add(1) == 1 {
		close(s.building)
	}
	<-s.open
}

// started waits until the slow constructor runs.
func (s *slowBuild) started(t testing.TB) {
	t.Helper()
	select {
	case <-s.building:
	case <-time.After(bound):
		t.Fatal("the slow constructor never started")
	}
}

// startedInCtor is started for a constructor, which cannot fail the test: it gives up
// after bound.
func (s *slowBuild) startedInCtor() {
	select {
	case <-s.building:
	case <-time.After(bound):
	}
}

func TestNoFalseCycleWhenTwoConstructorsWaitForOneSlowBuild(t *testing.T) {
	t.Parallel()
	t.Run("built by a third goroutine", func(t *testing.T) {
		t.Parallel()
		for i := range iterations {
			slow := newSlowBuild()
			c := NewGammaManager(func(ctx context.Context) (*Gamma, error) {
				slow.enter()
				return &Gamma{Instance: newInstance()}, nil
			})
			bar := newBarrier(3)
			a := NewAlphaManager(func(ctx context.Context) (*Alpha, error) {
				bar.arrive()
				if _, err := c.Get(ctx); err != nil {
					return nil, fmt.Errorf("alpha needs gamma: %w", err)
				}
				return &Alpha{Instance: newInstance()}, nil
			})
			b := NewBetaManager(func(ctx context.Context) (*Beta, error) {
				bar.arrive()
				if _, err := c.Get(ctx); err != nil {
					return nil, fmt.Errorf("beta needs gamma: %w", err)
				}
				return &Beta{Instance: newInstance()}, nil
			})
			gc := async(func() (*Gamma, error) { return c.Get(bg) })
			slow.started(t)
			ac := async(func() (*Alpha, error) { return a.Get(bg) })
			bc := async(func() (*Beta, error) { return b.Get(bg) })
			bar.arrive()
			pause(i)
			close(slow.open)
			ra, rb, rc := await(t, bound, ac, "Alpha"), await(t, bound, bc, "Beta"), await(t, bound, gc, "Gamma")
			if ra.err != nil || rb.err != nil || rc.err != nil {
				t.Fatalf("iteration %d: Alpha, Beta, Gamma = %v, %v, %v; want three instances", i, ra.err, rb.err, rc.err)
			}
			if n := slow.calls.Load(); n != 1 {
				t.Fatalf("iteration %d: Gamma built %d times, want 1", i, n)
			}
		}
	})
	t.Run("built nested in one of them", func(t *testing.T) {
		t.Parallel()
		// Alpha's constructor builds Gamma on its own goroutine, and Beta's waits for it.
		for i := range iterations {
			slow := newSlowBuild()
			c := NewGammaManager(func(ctx context.Context) (*Gamma, error) {
				slow.enter()
				return &Gamma{Instance: newInstance()}, nil
			})
			a := NewAlphaManager(func(ctx context.Context) (*Alpha, error) {
				if _, err := c.Get(ctx); err != nil {
					return nil, fmt.Errorf("alpha needs gamma: %w", err)
				}
				return &Alpha{Instance: newInstance()}, nil
			})
			b := NewBetaManager(func(ctx context.Context) (*Beta, error) {
				slow.startedInCtor()
				if _, err := c.Get(ctx); err != nil {
					return nil, fmt.Errorf("beta needs gamma: %w", err)
				}
				return &Beta{Instance: newInstance()}, nil
			})
			ac := async(func() (*Alpha, error) { return a.Get(bg) })
			bc := async(func() (*Beta, error) { return b.Get(bg) })
			slow.started(t)
			pause(i)
			close(slow.open)
			ra, rb := await(t, bound, ac, "Alpha"), await(t, bound, bc, "Beta")
			if ra.err != nil || rb.err != nil {
				t.Fatalf("iteration %d: Alpha, Beta = %v, %v; want two instances", i, ra.err, rb.err)
			}
			if n := slow.calls.Load(); n != 1 {
				t.Fatalf("iteration %d: Gamma built %d times, want 1", i, n)
			}
		}
	})
	t.Run("keyed", func(t *testing.T) {
		t.Parallel()
		// Keys 1 and 2 wait for key 3, which a third goroutine builds slowly.
		for i := range iterations {
			slow := newSlowBuild()
			bar := newBarrier(3)
			var m *NodeManager
			m = NewNodeManager(func(ctx context.Context, key int) (*Node, error) {
				if key == 3 {
					slow.enter()
				} else {
					bar.arrive()
					if _, err := m.Get(ctx, 3); err != nil {
						return nil, fmt.Errorf("node %d needs node 3: %w", key, err)
					}
				}
				return &Node{Instance: newInstance(), Key: key}, nil
			})
			c3 := async(func() (*Node, error) { return m.Get(bg, 3) })
			slow.started(t)
			c1 := async(func() (*Node, error) { return m.Get(bg, 1) })
			c2 := async(func() (*Node, error) { return m.Get(bg, 2) })
			bar.arrive()
			pause(i)
			close(slow.open)
			r1, r2, r3 := await(t, bound, c1, "key 1"), await(t, bound, c2, "key 2"), await(t, bound, c3, "key 3")
			if r1.err != nil || r2.err != nil || r3.err != nil {
				t.Fatalf("iteration %d: keys 1, 2, 3 = %v, %v, %v; want three instances", i, r1.err, r2.err, r3.err)
			}
			if n := m.Len(); n != 3 {
				t.Fatalf("iteration %d: Len() = %d, want 3", i, n)
			}
		}
	})
	t.Run("of another package", func(t *testing.T) {
		t.Parallel()
		// Alpha's and Hub's constructors wait for other.Peer, which a third goroutine
		// builds slowly.
		for i := range iterations {
			slow := newSlowBuild()
			peers := other.NewPeerManager(func(ctx context.Context) (*other.Peer, error) {
				slow.enter()
				return &other.Peer{Instance: other.NewInstance()}, nil
			})
			bar := newBarrier(3)
			a := NewAlphaManager(func(ctx context.Context) (*Alpha, error) {
				bar.arrive()
				if _, err := peers.Get(ctx); err != nil {
					return nil, fmt.Errorf("alpha needs peer: %w", err)
				}
				return &Alpha{Instance: newInstance()}, nil
			})
			hubs := NewHubManager(func(ctx context.Context) (*Hub, error) {
				bar.arrive()
				p, err := peers.Get(ctx)
				if err != nil {
					return nil, fmt.Errorf("hub needs peer: %w", err)
				}
				return &Hub{Instance: newInstance(), Peer: p}, nil
			})
			pc := async(func() (*other.Peer, error) { return peers.Get(bg) })
			slow.started(t)
			ac := async(func() (*Alpha, error) { return a.Get(bg) })
			hc := async(func() (*Hub, error) { return hubs.Get(bg) })
			bar.arrive()
			pause(i)
			close(slow.open)
			ra, rh, rp := await(t, bound, ac, "Alpha"), await(t, bound, hc, "Hub"), await(t, bound, pc, "Peer")
			if ra.err != nil || rh.err != nil || rp.err != nil {
				t.Fatalf("iteration %d: Alpha, Hub, Peer = %v, %v, %v; want three instances", i, ra.err, rh.err, rp.err)
			}
			if rh.v.Peer != rp.v {
				t.Fatalf("iteration %d: the Hub holds another Peer than the one built", i)
			}
		}
	})
}

// callers runs n goroutines released at once, each calling get(g), and returns their
// errors, within bound.
func callers(t testing.TB, n int, get func(g int) error) []error {
	t.Helper()
	return within(t, bound, func() []error {
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for g := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[g] = get(g)
			}()
		}
		close(start)
		wg.Wait()
		return errs
	})
}

func TestNoFalseCycleInChainsFromManyGoroutines(t *testing.T) {
	t.Parallel()
	const goroutines = 16
	t.Run("Alpha needs Beta needs Gamma", func(t *testing.T) {
		t.Parallel()
		for i := range iterations {
			var calls [3]atomic.Int32
			var a *AlphaManager
			var b *BetaManager
			var c *GammaManager
			a = NewAlphaManager(func(ctx context.Context) (*Alpha, error) {
				calls[0].Add(1)
				if _, err := b.Get(ctx); err != nil {
					return nil, fmt.Errorf("alpha needs beta: %w", err)
				}
				return &Alpha{Instance: newInstance()}, nil
			})
			b = NewBetaManager(func(ctx context.Context) (*Beta, error) {
				calls[1].Add(1)
				if _, err := c.Get(ctx); err != nil {
					return nil, fmt.Errorf("beta needs gamma: %w", err)
				}
				return &Beta{Instance: newInstance()}, nil
			})
			c = NewGammaManager(func(ctx context.Context) (*Gamma, error) {
				calls[2].Add(1)
				return &Gamma{Instance: newInstance()}, nil
			})
			errs := callers(t, goroutines, func(g int) error {
				var err error
				switch (g + i) % 3 {
				case 0:
					_, err = a.Get(bg)
				case 1:
					_, err = b.Get(bg)
				default:
					_, err = c.Get(bg)
				}
				return err
			})
			for g, err := range errs {
				if err != nil {
					t.Fatalf("iteration %d: caller %d: %v", i, g, err)
				}
			}
			for k := range calls {
				if n := calls[k].Load(); n != 1 {
					t.Fatalf("iteration %d: constructor %d called %d times, want 1", i, k, n)
				}
			}
		}
	})
	t.Run("key k needs key k-1", func(t *testing.T) {
		t.Parallel()
		const keys = 6
		for i := range iterations {
			var calls [keys]atomic.Int32
			var m *LeafManager
			m = NewLeafManager(func(ctx context.Context, key int) *Leaf {
				calls[key].Add(1)
				if key > 0 {
					if _, err := m.Get(ctx, key-1); err != nil {
						return nil
					}
				}
				return &Leaf{Instance: newInstance(), Key: key}
			})
			errs := callers(t, goroutines, func(g int) error {
				_, err := m.Get(bg, (g+i)%keys)
				return err
			})
			for g, err := range errs {
				if err != nil {
					t.Fatalf("iteration %d: caller %d: %v", i, g, err)
				}
			}
			for k := range calls {
				if n := calls[k].Load(); n != 1 {
					t.Fatalf("iteration %d: key %d built %d times, want 1", i, k, n)
				}
			}
		}
	})
	t.Run("a fan-out over a diamond", func(t *testing.T) {
		t.Parallel()
		// Alpha's constructor waits for Gamma twice and for Beta at once; Beta needs
		// Gamma too.
		for i := range iterations {
			var a *AlphaManager
			var b *BetaManager
			var c *GammaManager
			a = NewAlphaManager(func(ctx context.Context) (*Alpha, error) {
				err := fanOut(
					func() error { _, err := c.Get(ctx); return err },
					func() error { _, err := b.Get(ctx); return err },
					func() error { _, err := c.Get(ctx); return err })
				if err != nil {
					return nil, fmt.Errorf("alpha needs gamma and beta: %w", err)
				}
				return &Alpha{Instance: newInstance()}, nil
			})
			b = NewBetaManager(func(ctx context.Context) (*Beta, error) {
				if _, err := c.Get(ctx); err != nil {
					return nil, fmt.Errorf("beta needs gamma: %w", err)
				}
				return &Beta{Instance: newInstance()}, nil
			})
			c = NewGammaManager(func(ctx context.Context) (*Gamma, error) {
				time.Sleep(50 * time.Microsecond)
				return &Gamma{Instance: newInstance()}, nil
			})
			errs := callers(t, goroutines, func(g int) error {
				var err error
				switch (g + i) % 3 {
				case 0:
					_, err = a.Get(bg)
				case 1:
					_, err = b.Get(bg)
				default:
					_, err = c.Get(bg)
				}
				return err
			})
			for g, err := range errs {
				if err != nil {
					t.Fatalf("iteration %d: caller %d: %v", i, g, err)
				}
			}
		}
	})
}

// TestCycleErrorOnlyForConstructors: a caller that is not a constructor can wait for
// nobody that waits for it, so it never gets a cycle error, however slow the build.
func TestCycleErrorOnlyForConstructors(t *testing.T) {
	t.Parallel()
	t.Run("waiting for a slow build", func(t *testing.T) {
		t.Parallel()
		slow := newSlowBuild()
		c := NewGammaManager(func(ctx context.Context) (*Gamma, error) {
			slow.enter()
			return &Gamma{Instance: newInstance()}, nil
		})
		builder := async(func() (*Gamma, error) { return c.Get(bg) })
		slow.started(t)
		var ws []<-chan result[Gamma]
		for range waiters {
			ws = append(ws, async(func() (*Gamma, error) { return c.Get(context.Background()) }))
		}
		settle()
		close(slow.open)
		r := await(t, bound, builder, "the builder")
		for i, w := range ws {
			if got := await(t, bound, w, "a waiter"); got.err != nil || got.v != r.v {
				t.Fatalf("waiter %d got (%v, %v), want the builder's instance", i, got.v, got.err)
			}
		}
	})
	t.Run("waiting for a constructor that waits", func(t *testing.T) {
		t.Parallel()
		// Top-level callers wait for Alpha, whose constructor waits for a slow Gamma
		// that a top-level caller builds; others wait for Gamma itself.
		slow := newSlowBuild()
		c := NewGammaManager(func(ctx context.Context) (*Gamma, error) {
			slow.enter()
			return &Gamma{Instance: newInstance()}, nil
		})
		a := NewAlphaManager(func(ctx context.Context) (*Alpha, error) {
			if _, err := c.Get(ctx); err != nil {
				return nil, fmt.Errorf("alpha needs gamma: %w", err)
			}
			return &Alpha{Instance: newInstance()}, nil
		})
		gc := async(func() (*Gamma, error) { return c.Get(bg) })
		slow.started(t)
		var as []<-chan result[Alpha]
		var gs []<-chan result[Gamma]
		for range waiters {
			as = append(as, async(func() (*Alpha, error) { return a.Get(bg) }))
			gs = append(gs, async(func() (*Gamma, error) { return c.Get(bg) }))
		}
		settle()
		close(slow.open)
		if r := await(t, bound, gc, "the builder of Gamma"); r.err != nil {
			t.Fatalf("Gamma: %v", r.err)
		}
		for i := range as {
			if r := await(t, bound, as[i], "a caller of Alpha"); r.err != nil {
				t.Fatalf("caller %d of Alpha: %v", i, r.err)
			}
			if r := await(t, bound, gs[i], "a caller of Gamma"); r.err != nil {
				t.Fatalf("caller %d of Gamma: %v", i, r.err)
			}
		}
	})
	t.Run("with a context kept from a finished build", func(t *testing.T) {
		t.Parallel()
		// A constructor's context used after its build ended (which the docs forbid
		// instances to do) waits like anybody else's.
		var kept context.Context
		a := NewAlphaManager(func(ctx context.Context) (*Alpha, error) {
			kept = ctx
			return &Alpha{Instance: newInstance()}, nil
		})
		if _, err := a.Get(bg); err != nil {
			t.Fatal(err)
		}
		slow := newSlowBuild()
		c := NewGammaManager(func(ctx context.Context) (*Gamma, error) {
			slow.enter()
			return &Gamma{Instance: newInstance()}, nil
		})
		builder := async(func() (*Gamma, error) { return c.Get(bg) })
		slow.started(t)
		w := async(func() (*Gamma, error) { return c.Get(kept) })
		settle()
		close(slow.open)
		r := await(t, bound, builder, "the builder")
		if got := await(t, bound, w, "the caller with a kept context"); got.err != nil || got.v != r.v {
			t.Fatalf("the caller with a kept context got (%v, %v), want the builder's instance", got.v, got.err)
		}
	})
}
