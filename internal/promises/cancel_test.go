package promises

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
)

// errBuilder is what a builder's constructor returns once its context is done.
var errBuilder = errors.New("the builder gave up")

// cancelCase is a manager whose constructor, on its first call, stops at g and then
// fails: nil (a func(ctx, P...) *T constructor), (nil, nil) or (nil, errBuilder).
type cancelCase[T any] struct {
	get   func(ctx context.Context) (*T, error)
	g     *gate
	calls *atomic.Int32
	// want is the builder's error: context.Canceled for a nil instance, or errBuilder.
	want error
}

// check cancels the builder's context while its constructor runs, with waiters whose
// contexts are live; the constructor then fails. README: "A build that fails, or returns
// a nil instance, while its caller's context is done fails for that caller alone: the
// others build again." The waiters must neither get "constructor returned a nil" nor the
// builder's error, but an instance of a second build; the builder gets its own failure.
func (c cancelCase[T]) check(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	defer c.g.release()
	builder := async(func() (*T, error) { return c.get(ctx) })
	c.g.waitEntered(t)
	var ws []<-chan result[T]
	for range waiters {
		live, stop := context.WithCancel(bg)
		defer stop()
		ws = append(ws, async(func() (*T, error) { return c.get(live) }))
	}
	settle()
	cancel()
	c.g.release()
	r := await(t, bound, builder, "the builder")
	if r.v != nil || !errors.Is(r.err, c.want) {
		t.Errorf("the builder got (%v, %v), want its own failure: %v", r.v, r.err, c.want)
	}
	var fresh *T
	for i, w := range ws {
		got := await(t, bound, w, "a waiter")
		switch {
		case got.err != nil || got.v == nil:
			t.Errorf("waiter %d, with a live context, got (%v, %v); want an instance built again", i, got.v, got.err)
		case fresh == nil:
			fresh = got.v
		case got.v != fresh:
			t.Errorf("waiter %d got another instance than waiter 0", i)
		}
	}
	if n := c.calls.Load(); n != 2 {
		t.Errorf("%d constructor calls, want 2: the builder's and one for the waiters", n)
	}
	if t.Failed() {
		t.FailNow()
	}
}

func TestCancelledBuilderFailsAlone(t *testing.T) {
	t.Parallel()
	const rounds = 3
	t.Run("single, func(ctx, room) *Lamp returns nil", func(t *testing.T) {
		t.Parallel()
		for range rounds {
			var calls atomic.Int32
			g := newGate()
			m := NewLampManager(func(ctx context.Context, room string) *Lamp {
				if calls.Add(1) == 1 {
					g.pass()
					return nil
				}
				return &Lamp{Instance: newInstance(), Room: room}
			})
			cancelCase[Lamp]{
				get:   func(ctx context.Context) (*Lamp, error) { return m.Get(ctx, "hall") },
				g:     g,
				calls: &calls,
				want:  context.Canceled,
			}.check(t)
		}
	})
	t.Run("single, returns (nil, nil)", func(t *testing.T) {
		t.Parallel()
		for range rounds {
			var calls atomic.Int32
			g := newGate()
			m := NewAlphaManager(func(ctx context.Context) (*Alpha, error) {
				if calls.Add(1) == 1 {
					g.pass()
					return nil, nil
				}
				return &Alpha{Instance: newInstance()}, nil
			})
			cancelCase[Alpha]{get: m.Get, g: g, calls: &calls, want: context.Canceled}.check(t)
		}
	})
	t.Run("single, returns an error", func(t *testing.T) {
		t.Parallel()
		for range rounds {
			var calls atomic.Int32
			g := newGate()
			m := NewAlphaManager(func(ctx context.Context) (*Alpha, error) {
				if calls.Add(1) == 1 {
					g.pass()
					return nil, errBuilder
				}
				return &Alpha{Instance: newInstance()}, nil
			})
			cancelCase[Alpha]{get: m.Get, g: g, calls: &calls, want: errBuilder}.check(t)
		}
	})
	t.Run("keyed, func(ctx, key) *Leaf returns nil", func(t *testing.T) {
		t.Parallel()
		for range rounds {
			var calls atomic.Int32
			g := newGate()
			m := NewLeafManager(func(ctx context.Context, key int) *Leaf {
				if calls.Add(1) == 1 {
					g.pass()
					return nil
				}
				return &Leaf{Instance: newInstance(), Key: key}
			})
			cancelCase[Leaf]{
				get:   func(ctx context.Context) (*Leaf, error) { return m.Get(ctx, 4) },
				g:     g,
				calls: &calls,
				want:  context.Canceled,
			}.check(t)
		}
	})
	t.Run("keyed, returns (nil, nil)", func(t *testing.T) {
		t.Parallel()
		for range rounds {
			var calls atomic.Int32
			g := newGate()
			m := NewNodeManager(func(ctx context.Context, key int) (*Node, error) {
				if calls.Add(1) == 1 {
					g.pass()
					return nil, nil
				}
				return &Node{Instance: newInstance(), Key: key}, nil
			})
			cancelCase[Node]{
				get:   func(ctx context.Context) (*Node, error) { return m.Get(ctx, 4) },
				g:     g,
				calls: &calls,
				want:  context.Canceled,
			}.check(t)
		}
	})
	t.Run("keyed, returns an error", func(t *testing.T) {
		t.Parallel()
		for range rounds {
			var calls atomic.Int32
			g := newGate()
			m := NewNodeManager(func(ctx context.Context, key int) (*Node, error) {
				if calls.Add(1) == 1 {
					g.pass()
					return nil, errBuilder
				}
				return &Node{Instance: newInstance(), Key: key}, nil
			})
			cancelCase[Node]{
				get:   func(ctx context.Context) (*Node, error) { return m.Get(ctx, 4) },
				g:     g,
				calls: &calls,
				want:  errBuilder,
			}.check(t)
		}
	})
	t.Run("keyed, func(ctx, key) *Leaf returns nil once its context is done", func(t *testing.T) {
		t.Parallel()
		// The constructor checks its context itself, as NewLeaf does.
		for range rounds {
			var calls atomic.Int32
			g := newGate()
			m := NewLeafManager(func(ctx context.Context, key int) *Leaf {
				if calls.Add(1) == 1 {
					g.pass()
				}
				if ctx.Err() != nil {
					return nil
				}
				return &Leaf{Instance: newInstance(), Key: key}
			})
			cancelCase[Leaf]{
				get:   func(ctx context.Context) (*Leaf, error) { return m.Get(ctx, 5) },
				g:     g,
				calls: &calls,
				want:  context.Canceled,
			}.check(t)
		}
	})
}
