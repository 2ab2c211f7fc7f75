package promises

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/singletongen/singletongen/internal/promises/other"
)

// Every test here closes a cycle of builds whose constructors received a context: README
// ("Accessors with a context") and DESIGN ("Semantics that hold in every mode") promise
// an error, from whichever goroutines the cycle is entered, where sync.Once would hang.
// Each race is run iterations times with fresh managers; a barrier makes both ends of the
// cycle build before either asks for the other, and every wait is bounded.

func TestCycleKeyAsksForItself(t *testing.T) {
	t.Parallel()
	var m *NodeManager
	m = NewNodeManager(func(ctx context.Context, key int) (*Node, error) {
		if _, err := m.Get(ctx, key); err != nil {
			return nil, fmt.Errorf("node %d needs itself: %w", key, err)
		}
		return &Node{Instance: newInstance(), Key: key}, nil
	})
	r := within(t, bound, func() result[Node] {
		v, err := m.Get(bg, 1)
		return result[Node]{v, err}
	})
	if r.v != nil || !isCycle(r.err) {
		t.Fatalf("Get(1) = (%v, %v), want the error of a constructor that waits for itself", r.v, r.err)
	}
}

func TestCycleOfKeysFromTwoGoroutines(t *testing.T) {
	t.Parallel()
	for i := range iterations {
		bar := newBarrier(2)
		var m *NodeManager
		m = NewNodeManager(func(ctx context.Context, key int) (*Node, error) {
			bar.arrive()
			if _, err := m.Get(ctx, 3-key); err != nil {
				return nil, fmt.Errorf("node %d needs node %d: %w", key, 3-key, err)
			}
			return &Node{Instance: newInstance(), Key: key}, nil
		})
		errs := pair(t,
			func() error { _, err := m.Get(bg, 1); return err },
			func() error { _, err := m.Get(bg, 2); return err })
		if errs[0] == nil || errs[1] == nil || !anyCycle(errs[:]...) {
			t.Fatalf("iteration %d: Get(1), Get(2) = %v, %v; want two errors, one at least about the cycle", i, errs[0], errs[1])
		}
		if n := m.Len(); n != 0 {
			t.Fatalf("iteration %d: Len() = %d after a cycle, want 0: nothing is kept", i, n)
		}
	}
}

// TestCycleOfKeysWithoutErrorResultFromTwoGoroutines is the same race with
// func(ctx, key) *Leaf: the constructors can only return nil, so the cycle error is the
// one they got from Get, and the callers get the error of a nil instance.
func TestCycleOfKeysWithoutErrorResultFromTwoGoroutines(t *testing.T) {
	t.Parallel()
	for i := range iterations {
		bar := newBarrier(2)
		var got seen
		var m *LeafManager
		m = NewLeafManager(func(ctx context.Context, key int) *Leaf {
			bar.arrive()
			if _, err := m.Get(ctx, 3-key); err != nil {
				got.add(err)
				return nil
			}
			return &Leaf{Instance: newInstance(), Key: key}
		})
		errs := pair(t,
			func() error { _, err := m.Get(bg, 1); return err },
			func() error { _, err := m.Get(bg, 2); return err })
		if errs[0] == nil || errs[1] == nil || !got.cycle() {
			t.Fatalf("iteration %d: Get(1), Get(2) = %v, %v, constructors got %v; want two errors and a cycle error in a constructor", i, errs[0], errs[1], got.errs)
		}
	}
}

func TestCycleOfThreeKeysFromThreeGoroutines(t *testing.T) {
	t.Parallel()
	for i := range iterations {
		bar := newBarrier(3)
		var m *NodeManager
		m = NewNodeManager(func(ctx context.Context, key int) (*Node, error) {
			bar.arrive()
			next := key%3 + 1
			if _, err := m.Get(ctx, next); err != nil {
				return nil, fmt.Errorf("node %d needs node %d: %w", key, next, err)
			}
			return &Node{Instance: newInstance(), Key: key}, nil
		})
		errs := within(t, bound, func() []error {
			errs := make([]error, 3)
			var wg sync.WaitGroup
			for k := range 3 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[k] = m.Get(bg, k+1)
				}()
			}
			wg.Wait()
			return errs
		})
		if errs[0] == nil || errs[1] == nil || errs[2] == nil || !anyCycle(errs...) {
			t.Fatalf("iteration %d: Get(1..3) = %v; want three errors, one at least about the cycle", i, errs)
		}
	}
}

// TestCycleOfKeysWithBystanders adds callers without a constructor's context to both
// keys of the cycle: whichever goroutine runs the builds, every Get returns.
func TestCycleOfKeysWithBystanders(t *testing.T) {
	t.Parallel()
	for i := range iterations / 4 {
		bar := newBarrier(2)
		var m *NodeManager
		m = NewNodeManager(func(ctx context.Context, key int) (*Node, error) {
			bar.arrive()
			if _, err := m.Get(ctx, 3-key); err != nil {
				return nil, fmt.Errorf("node %d needs node %d: %w", key, 3-key, err)
			}
			return &Node{Instance: newInstance(), Key: key}, nil
		})
		errs := within(t, bound, func() []error {
			errs := make([]error, 8)
			var wg sync.WaitGroup
			for g := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[g] = m.Get(bg, g%2+1)
				}()
			}
			wg.Wait()
			return errs
		})
		for g, err := range errs {
			if err == nil {
				t.Fatalf("iteration %d: caller %d got no error from a cycle", i, g)
			}
		}
		if !anyCycle(errs...) {
			t.Fatalf("iteration %d: %v: none is about the cycle", i, errs)
		}
	}
}

func TestCycleOfManagersFromTwoGoroutines(t *testing.T) {
	t.Parallel()
	for i := range iterations {
		bar := newBarrier(2)
		var a *AlphaManager
		var b *BetaManager
		a = NewAlphaManager(func(ctx context.Context) (*Alpha, error) {
			bar.arrive()
			if _, err := b.Get(ctx); err != nil {
				return nil, fmt.Errorf("alpha needs beta: %w", err)
			}
			return &Alpha{Instance: newInstance()}, nil
		})
		b = NewBetaManager(func(ctx context.Context) (*Beta, error) {
			bar.arrive()
			if _, err := a.Get(ctx); err != nil {
				return nil, fmt.Errorf("beta needs alpha: %w", err)
			}
			return &Beta{Instance: newInstance()}, nil
		})
		errs := pair(t,
			func() error { _, err := a.Get(bg); return err },
			func() error { _, err := b.Get(bg); return err })
		if errs[0] == nil || errs[1] == nil || !anyCycle(errs[:]...) {
			t.Fatalf("iteration %d: Alpha, Beta = %v, %v; want two errors, one at least about the cycle", i, errs[0], errs[1])
		}
	}
}

// TestCycleThroughANestedBuild: Alpha's constructor builds Gamma on its own goroutine,
// Gamma's constructor waits for Beta, while Beta's, on another goroutine, waits for Alpha.
func TestCycleThroughANestedBuild(t *testing.T) {
	t.Parallel()
	for i := range iterations {
		bar := newBarrier(2)
		var a *AlphaManager
		var b *BetaManager
		var c *GammaManager
		a = NewAlphaManager(func(ctx context.Context) (*Alpha, error) {
			if _, err := c.Get(ctx); err != nil {
				return nil, fmt.Errorf("alpha needs gamma: %w", err)
			}
			return &Alpha{Instance: newInstance()}, nil
		})
		c = NewGammaManager(func(ctx context.Context) (*Gamma, error) {
			bar.arrive()
			if _, err := b.Get(ctx); err != nil {
				return nil, fmt.Errorf("gamma needs beta: %w", err)
			}
			return &Gamma{Instance: newInstance()}, nil
		})
		b = NewBetaManager(func(ctx context.Context) (*Beta, error) {
			bar.arrive()
			if _, err := a.Get(ctx); err != nil {
				return nil, fmt.Errorf("beta needs alpha: %w", err)
			}
			return &Beta{Instance: newInstance()}, nil
		})
		errs := pair(t,
			func() error { _, err := a.Get(bg); return err },
			func() error { _, err := b.Get(bg); return err })
		if errs[0] == nil || errs[1] == nil || !anyCycle(errs[:]...) {
			t.Fatalf("iteration %d: Alpha, Beta = %v, %v; want two errors, one at least about the cycle", i, errs[0], errs[1])
		}
	}
}

// fanOut is what errgroup does: it runs every f on a goroutine of its own and returns
// their errors, joined, once all have returned.
func fanOut(fs ...func() error) error {
	errs := make([]error, len(fs))
	var wg sync.WaitGroup
	for i, f := range fs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = f()
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// TestCycleThroughAFanOut: a constructor waits for several builds at once, on goroutines
// it started with its own context, and one of them closes a cycle.
func TestCycleThroughAFanOut(t *testing.T) {
	t.Parallel()
	t.Run("with a build on another goroutine", func(t *testing.T) {
		t.Parallel()
		// Alpha's constructor waits for Gamma and Beta at once; Beta's, on another
		// goroutine, waits for Alpha.
		for i := range iterations {
			bar := newBarrier(2)
			var a *AlphaManager
			var b *BetaManager
			var c *GammaManager
			a = NewAlphaManager(func(ctx context.Context) (*Alpha, error) {
				err := fanOut(
					func() error { _, err := c.Get(ctx); return err },
					func() error {
						bar.arrive()
						_, err := b.Get(ctx)
						return err
					})
				if err != nil {
					return nil, fmt.Errorf("alpha needs gamma and beta: %w", err)
				}
				return &Alpha{Instance: newInstance()}, nil
			})
			c = NewGammaManager(nil)
			b = NewBetaManager(func(ctx context.Context) (*Beta, error) {
				bar.arrive()
				if _, err := a.Get(ctx); err != nil {
					return nil, fmt.Errorf("beta needs alpha: %w", err)
				}
				return &Beta{Instance: newInstance()}, nil
			})
			errs := pair(t,
				func() error { _, err := a.Get(bg); return err },
				func() error { _, err := b.Get(bg); return err })
			if errs[0] == nil || errs[1] == nil || !anyCycle(errs[:]...) {
				t.Fatalf("iteration %d: Alpha, Beta = %v, %v; want two errors, one at least about the cycle", i, errs[0], errs[1])
			}
		}
	})
	t.Run("between the builds it waits for", func(t *testing.T) {
		t.Parallel()
		// Alpha's constructor builds Beta and Gamma at once, nested on two goroutines of
		// its own; Beta's waits for Gamma and Gamma's for Beta.
		for i := range iterations {
			bar := newBarrier(2)
			var a *AlphaManager
			var b *BetaManager
			var c *GammaManager
			a = NewAlphaManager(func(ctx context.Context) (*Alpha, error) {
				err := fanOut(
					func() error { _, err := b.Get(ctx); return err },
					func() error { _, err := c.Get(ctx); return err })
				if err != nil {
					return nil, fmt.Errorf("alpha needs beta and gamma: %w", err)
				}
				return &Alpha{Instance: newInstance()}, nil
			})
			b = NewBetaManager(func(ctx context.Context) (*Beta, error) {
				bar.arrive()
				if _, err := c.Get(ctx); err != nil {
					return nil, fmt.Errorf("beta needs gamma: %w", err)
				}
				return &Beta{Instance: newInstance()}, nil
			})
			c = NewGammaManager(func(ctx context.Context) (*Gamma, error) {
				bar.arrive()
				if _, err := b.Get(ctx); err != nil {
					return nil, fmt.Errorf("gamma needs beta: %w", err)
				}
				return &Gamma{Instance: newInstance()}, nil
			})
			r := within(t, bound, func() result[Alpha] {
				v, err := a.Get(bg)
				return result[Alpha]{v, err}
			})
			if r.v != nil || !isCycle(r.err) {
				t.Fatalf("iteration %d: Alpha = (%v, %v); want an error about the cycle", i, r.v, r.err)
			}
		}
	})
	t.Run("back to its own build", func(t *testing.T) {
		t.Parallel()
		// Alpha's constructor builds Beta on a goroutine of its own and waits for Gamma on
		// another; Beta's constructor asks for Alpha.
		for i := range iterations {
			var a *AlphaManager
			var b *BetaManager
			c := NewGammaManager(nil)
			a = NewAlphaManager(func(ctx context.Context) (*Alpha, error) {
				err := fanOut(
					func() error { _, err := b.Get(ctx); return err },
					func() error { _, err := c.Get(ctx); return err })
				if err != nil {
					return nil, fmt.Errorf("alpha needs beta and gamma: %w", err)
				}
				return &Alpha{Instance: newInstance()}, nil
			})
			b = NewBetaManager(func(ctx context.Context) (*Beta, error) {
				if _, err := a.Get(ctx); err != nil {
					return nil, fmt.Errorf("beta needs alpha: %w", err)
				}
				return &Beta{Instance: newInstance()}, nil
			})
			r := within(t, bound, func() result[Alpha] {
				v, err := a.Get(bg)
				return result[Alpha]{v, err}
			})
			if r.v != nil || !isCycle(r.err) {
				t.Fatalf("iteration %d: Alpha = (%v, %v); want an error about the cycle", i, r.v, r.err)
			}
		}
	})
}

// TestCycleAcrossPackages closes cycles between the generated files of two packages,
// each with its own copy of the shared code.
func TestCycleAcrossPackages(t *testing.T) {
	t.Parallel()
	t.Run("single", func(t *testing.T) {
		t.Parallel()
		// promises.Hub's constructor waits for other.Peer, whose constructor, on another
		// goroutine, waits for the Hub.
		for i := range iterations {
			bar := newBarrier(2)
			var hubs *HubManager
			var peers *other.PeerManager
			hubs = NewHubManager(func(ctx context.Context) (*Hub, error) {
				bar.arrive()
				p, err := peers.Get(ctx)
				if err != nil {
					return nil, fmt.Errorf("hub needs peer: %w", err)
				}
				return &Hub{Instance: newInstance(), Peer: p}, nil
			})
			peers = other.NewPeerManager(func(ctx context.Context) (*other.Peer, error) {
				bar.arrive()
				if _, err := hubs.Get(ctx); err != nil {
					return nil, fmt.Errorf("peer needs hub: %w", err)
				}
				return &other.Peer{Instance: other.NewInstance()}, nil
			})
			errs := pair(t,
				func() error { _, err := hubs.Get(bg); return err },
				func() error { _, err := peers.Get(bg); return err })
			if errs[0] == nil || errs[1] == nil || !anyCycle(errs[:]...) {
				t.Fatalf("iteration %d: Hub, Peer = %v, %v; want two errors, one at least about the cycle", i, errs[0], errs[1])
			}
		}
	})
	t.Run("keyed", func(t *testing.T) {
		t.Parallel()
		// promises.Node k waits for other.Shelf k, which waits for Node k.
		for i := range iterations {
			bar := newBarrier(2)
			var nodes *NodeManager
			var shelves *other.ShelfManager
			nodes = NewNodeManager(func(ctx context.Context, key int) (*Node, error) {
				bar.arrive()
				if _, err := shelves.Get(ctx, key); err != nil {
					return nil, fmt.Errorf("node %d needs shelf %d: %w", key, key, err)
				}
				return &Node{Instance: newInstance(), Key: key}, nil
			})
			shelves = other.NewShelfManager(func(ctx context.Context, key int) (*other.Shelf, error) {
				bar.arrive()
				if _, err := nodes.Get(ctx, key); err != nil {
					return nil, fmt.Errorf("shelf %d needs node %d: %w", key, key, err)
				}
				return &other.Shelf{Instance: other.NewInstance(), Key: key}, nil
			})
			errs := pair(t,
				func() error { _, err := nodes.Get(bg, 7); return err },
				func() error { _, err := shelves.Get(bg, 7); return err })
			if errs[0] == nil || errs[1] == nil || !anyCycle(errs[:]...) {
				t.Fatalf("iteration %d: Node, Shelf = %v, %v; want two errors, one at least about the cycle", i, errs[0], errs[1])
			}
		}
	})
	t.Run("nested", func(t *testing.T) {
		t.Parallel()
		// Alpha's constructor builds other.Peer on its goroutine, whose constructor
		// waits for Beta, while Beta's, on another goroutine, waits for Alpha.
		for i := range iterations {
			bar := newBarrier(2)
			var a *AlphaManager
			var b *BetaManager
			var peers *other.PeerManager
			a = NewAlphaManager(func(ctx context.Context) (*Alpha, error) {
				if _, err := peers.Get(ctx); err != nil {
					return nil, fmt.Errorf("alpha needs peer: %w", err)
				}
				return &Alpha{Instance: newInstance()}, nil
			})
			peers = other.NewPeerManager(func(ctx context.Context) (*other.Peer, error) {
				bar.arrive()
				if _, err := b.Get(ctx); err != nil {
					return nil, fmt.Errorf("peer needs beta: %w", err)
				}
				return &other.Peer{Instance: other.NewInstance()}, nil
			})
			b = NewBetaManager(func(ctx context.Context) (*Beta, error) {
				bar.arrive()
				if _, err := a.Get(ctx); err != nil {
					return nil, fmt.Errorf("beta needs alpha: %w", err)
				}
				return &Beta{Instance: newInstance()}, nil
			})
			errs := pair(t,
				func() error { _, err := a.Get(bg); return err },
				func() error { _, err := b.Get(bg); return err })
			if errs[0] == nil || errs[1] == nil || !anyCycle(errs[:]...) {
				t.Fatalf("iteration %d: Alpha, Beta = %v, %v; want two errors, one at least about the cycle", i, errs[0], errs[1])
			}
		}
	})
}
