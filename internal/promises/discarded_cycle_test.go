package promises

import (
	"context"
	"fmt"
	"testing"
)

// TestCycleThroughADiscardedNestedBuild: Alpha's constructor builds Gamma nested on its
// goroutine; Reset discards Gamma's build while its constructor runs, and that
// constructor then waits for Beta, whose constructor waits for Alpha. Alpha's goroutine
// is still inside Gamma's constructor, so the three would wait for each other forever: a
// discarded build still records what its constructor waits for, until it returns, so the
// walk from Beta finds the cycle. (Found while writing these tests: the first version of
// the runtime forgot a build's waits once it was discarded, and both Gets hung.)
func TestCycleThroughADiscardedNestedBuild(t *testing.T) {
	t.Run("single, Reset", func(t *testing.T) {
		betaIn, gammaIn := newGate(), newGate()
		defer betaIn.release()
		defer gammaIn.release()
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
			gammaIn.pass()
			if _, err := b.Get(ctx); err != nil {
				return nil, fmt.Errorf("gamma needs beta: %w", err)
			}
			return &Gamma{Instance: newInstance()}, nil
		})
		b = NewBetaManager(func(ctx context.Context) (*Beta, error) {
			betaIn.pass()
			if _, err := a.Get(ctx); err != nil {
				return nil, fmt.Errorf("beta needs alpha: %w", err)
			}
			return &Beta{Instance: newInstance()}, nil
		})
		bc := async(func() (*Beta, error) { return b.Get(bg) })
		betaIn.waitEntered(t)
		ac := async(func() (*Alpha, error) { return a.Get(bg) })
		gammaIn.waitEntered(t)
		if err := c.Reset(); err != nil { // discards Gamma's build, nested in Alpha's
			t.Fatal(err)
		}
		gammaIn.release()
		settle() // Gamma's constructor now waits for Beta
		betaIn.release()
		ra, rb := await(t, bound, ac, "Alpha"), await(t, bound, bc, "Beta")
		if !anyCycle(ra.err, rb.err) {
			t.Fatalf("Alpha, Beta = %v, %v; want an error about the cycle", ra.err, rb.err)
		}
	})
	t.Run("keyed, Delete", func(t *testing.T) {
		// Node 1 builds node 2 nested; Delete(2) discards it; node 2 waits for node 3,
		// which waits for node 1.
		in := map[int]*gate{2: newGate(), 3: newGate()}
		for _, g := range in {
			defer g.release()
		}
		needs := map[int]int{1: 2, 2: 3, 3: 1}
		var m *NodeManager
		m = NewNodeManager(func(ctx context.Context, key int) (*Node, error) {
			if g := in[key]; g != nil {
				g.pass()
			}
			if _, err := m.Get(ctx, needs[key]); err != nil {
				return nil, fmt.Errorf("node %d needs node %d: %w", key, needs[key], err)
			}
			return &Node{Instance: newInstance(), Key: key}, nil
		})
		c3 := async(func() (*Node, error) { return m.Get(bg, 3) })
		in[3].waitEntered(t)
		c1 := async(func() (*Node, error) { return m.Get(bg, 1) })
		in[2].waitEntered(t)
		if err := m.Delete(2); err != nil { // discards node 2's build, nested in node 1's
			t.Fatal(err)
		}
		in[2].release()
		settle() // node 2's constructor now waits for node 3
		in[3].release()
		r1, r3 := await(t, bound, c1, "node 1"), await(t, bound, c3, "node 3")
		if !anyCycle(r1.err, r3.err) {
			t.Fatalf("nodes 1, 3 = %v, %v; want an error about the cycle", r1.err, r3.err)
		}
	})
}
