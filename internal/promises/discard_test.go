package promises

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// discardCase is a manager whose constructor blocks at g on its first call, until the
// end of the test, and returns at once on the others; it records every instance it makes.
type discardCase[T any] struct {
	get     func(ctx context.Context) (*T, error)
	discard func() error // Reset or Delete; nil for the test hooks
	closes  func(*T) int32
	g       *gate
	calls   *atomic.Int32
	made    *made[T]
	// pending, when set, counts the builder and the waiters until they return.
	pending *sync.WaitGroup
}

// start starts the builder, waits until its constructor is blocked, starts the waiters
// and gives them a moment to wait for the build.
func (c discardCase[T]) start(t *testing.T) (builder <-chan result[T], ws []<-chan result[T]) {
	t.Helper()
	get := func() (*T, error) {
		if c.pending != nil {
			defer c.pending.Done()
		}
		return c.get(bg)
	}
	if c.pending != nil {
		c.pending.Add(1 + waiters)
	}
	builder = async(get)
	c.g.waitEntered(t)
	for range waiters {
		ws = append(ws, async(get))
	}
	settle()
	return builder, ws
}

// collect receives what the waiters got, each within released of since, and checks that
// they all got one instance without an error.
func (c discardCase[T]) collect(t *testing.T, ws []<-chan result[T], since time.Time) *T {
	t.Helper()
	var got *T
	for i, w := range ws {
		r := await(t, released-time.Since(since), w, "a waiter of the discarded build")
		switch {
		case r.err != nil || r.v == nil:
			t.Fatalf("waiter %d got (%v, %v), want an instance", i, r.v, r.err)
		case got == nil:
			got = r.v
		case r.v != got:
			t.Fatalf("waiter %d got another instance than waiter 0", i)
		}
	}
	return got
}

// old is the instance of the discarded build, made while its constructor was blocked.
func (c discardCase[T]) old(t *testing.T) *T {
	t.Helper()
	all := c.made.list()
	if len(all) == 0 {
		t.Fatal("the blocked constructor made nothing")
	}
	return all[0]
}

// check discards the build in flight with Reset or Delete while its constructor is
// blocked: the waiters return at once with the instance of a new build; the old
// constructor's instance, once it returns, is closed exactly once and given to nobody.
func (c discardCase[T]) check(t *testing.T) {
	t.Helper()
	defer c.g.release()
	builder, ws := c.start(t)
	since := time.Now()
	if err := c.discard(); err != nil {
		t.Fatalf("discarding the build in flight: %v", err)
	}
	fresh := c.collect(t, ws, since)
	old := c.old(t)
	if fresh == old {
		t.Fatal("the waiters got the discarded build's instance")
	}
	if n := c.calls.Load(); n != 2 {
		t.Fatalf("%d constructor calls, want 2: the blocked one and one new build", n)
	}
	if n := c.closes(old); n != 0 {
		t.Fatalf("the blocked constructor's instance was closed %d times before it returned", n)
	}
	c.g.release()
	r := await(t, bound, builder, "the builder of the discarded build")
	if r.err != nil || r.v != fresh {
		t.Fatalf("the builder of the discarded build got (%v, %v), want the new build's instance", r.v, r.err)
	}
	if n := c.closes(old); n != 1 {
		t.Fatalf("the discarded build's instance was closed %d times when its constructor returned, want 1", n)
	}
	if n := c.closes(fresh); n != 0 {
		t.Fatalf("the new build's instance was closed %d times, want 0", n)
	}
	if err := c.discard(); err != nil {
		t.Fatal(err)
	}
	if nOld, nFresh := c.closes(old), c.closes(fresh); nOld != 1 || nFresh != 1 {
		t.Fatalf("after a second discard: closed %d and %d times, want 1 and 1", nOld, nFresh)
	}
}

// blocking returns a constructor body for discardCase: make records the instance, the
// first call blocks at g.
func blocking[T any](g *gate, calls *atomic.Int32, mk *made[T], make func() *T) func() *T {
	return func() *T {
		n := calls.Add(1)
		v := mk.add(make())
		if n == 1 {
			g.pass()
		}
		return v
	}
}

func TestDiscardReleasesWaiters(t *testing.T) {
	t.Parallel()
	t.Run("single Reset, func(ctx, room) *Lamp", func(t *testing.T) {
		t.Parallel()
		var calls atomic.Int32
		var mk made[Lamp]
		g := newGate()
		ctor := blocking(g, &calls, &mk, func() *Lamp { return &Lamp{Instance: newInstance(), Room: "hall"} })
		m := NewLampManager(func(ctx context.Context, room string) *Lamp { return ctor() })
		discardCase[Lamp]{
			get:     func(ctx context.Context) (*Lamp, error) { return m.Get(ctx, "hall") },
			discard: m.Reset,
			closes:  (*Lamp).Closes,
			g:       g, calls: &calls, made: &mk,
		}.check(t)
	})
	t.Run("single Reset, (*Alpha, error)", func(t *testing.T) {
		t.Parallel()
		var calls atomic.Int32
		var mk made[Alpha]
		g := newGate()
		ctor := blocking(g, &calls, &mk, func() *Alpha { return &Alpha{Instance: newInstance()} })
		m := NewAlphaManager(func(ctx context.Context) (*Alpha, error) { return ctor(), nil })
		discardCase[Alpha]{
			get:     m.Get,
			discard: m.Reset,
			closes:  (*Alpha).Closes,
			g:       g, calls: &calls, made: &mk,
		}.check(t)
	})
	for _, op := range []string{"Delete", "Reset"} {
		t.Run("keyed "+op+", func(ctx, key) *Leaf", func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			var mk made[Leaf]
			g := newGate()
			ctor := blocking(g, &calls, &mk, func() *Leaf { return &Leaf{Instance: newInstance(), Key: 9} })
			m := NewLeafManager(func(ctx context.Context, key int) *Leaf {
				if key != 9 {
					return &Leaf{Instance: newInstance(), Key: key}
				}
				return ctor()
			})
			// Another key, built before, survives Delete.
			if _, err := m.Get(bg, 1); err != nil {
				t.Fatal(err)
			}
			discard := m.Reset
			if op == "Delete" {
				discard = func() error { return m.Delete(9) }
			}
			discardCase[Leaf]{
				get:     func(ctx context.Context) (*Leaf, error) { return m.Get(ctx, 9) },
				discard: discard,
				closes:  (*Leaf).Closes,
				g:       g, calls: &calls, made: &mk,
			}.check(t)
			if want := map[string]int{"Delete": 1, "Reset": 0}[op]; m.Len() != want {
				t.Fatalf("Len() = %d after %s, want %d", m.Len(), op, want)
			}
		})
		t.Run("keyed "+op+", (*Node, error)", func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			var mk made[Node]
			g := newGate()
			ctor := blocking(g, &calls, &mk, func() *Node { return &Node{Instance: newInstance(), Key: 9} })
			m := NewNodeManager(func(ctx context.Context, key int) (*Node, error) { return ctor(), nil })
			discard := m.Reset
			if op == "Delete" {
				discard = func() error { return m.Delete(9) }
			}
			discardCase[Node]{
				get:     func(ctx context.Context) (*Node, error) { return m.Get(ctx, 9) },
				discard: discard,
				closes:  (*Node).Closes,
				g:       g, calls: &calls, made: &mk,
			}.check(t)
		})
	}
}
