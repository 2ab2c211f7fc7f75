package promises

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The test hooks change the process-wide managers: these tests cannot run in parallel.
// Each blocks the default constructor (through LampHook, LeafHook or AlphaHook) in a
// build of the process-wide manager, then installs a hook in a subtest: the hook discards
// the build, so its waiters return at once with the fake (Set) or the instance of a new
// build (Reset), while the old constructor is still blocked.

// checkHook runs hook in a subtest while c's build is blocked. With a fake, the waiters
// get it; without, they get a new build's instance, which the hook's cleanup closes.
func (c discardCase[T]) checkHook(t *testing.T, hook func(t *testing.T), fake *T) {
	t.Helper()
	defer c.g.release()
	builder, ws := c.start(t)
	old := c.old(t)
	var fresh *T
	t.Run("hook", func(t *testing.T) {
		since := time.Now()
		hook(t)
		got := c.collect(t, ws, since)
		wantCalls := int32(2)
		if fake != nil {
			wantCalls = 1
			if got != fake {
				t.Fatal("the waiters did not get the installed fake")
			}
		} else {
			fresh = got
		}
		if got == old {
			t.Fatal("the waiters got the discarded build's instance")
		}
		if n := c.calls.Load(); n != wantCalls {
			t.Fatalf("%d constructor calls, want %d", n, wantCalls)
		}
		if n := c.closes(old); n != 0 {
			t.Fatalf("the blocked constructor's instance was closed %d times before it returned", n)
		}
	})
	if fresh != nil {
		if n := c.closes(fresh); n != 1 {
			t.Fatalf("the hook's cleanup closed what the test built %d times, want 1", n)
		}
	}
	c.g.release()
	r := await(t, bound, builder, "the builder of the discarded build")
	if r.err != nil || r.v == nil || r.v == old {
		t.Fatalf("the builder of the discarded build got (%v, %v), want an instance of another build", r.v, r.err)
	}
	if n := c.closes(old); n != 1 {
		t.Fatalf("the discarded build's instance was closed %d times when its constructor returned, want 1", n)
	}
	if fake != nil {
		if n := c.closes(fake); n != 0 {
			t.Fatalf("the fake was closed %d times", n)
		}
	}
}

// lampHook makes NewLamp block on its first call until the end of the test.
func lampHook(t *testing.T) discardCase[Lamp] {
	var calls atomic.Int32
	var mk made[Lamp]
	g := newGate()
	ctor := blocking(g, &calls, &mk, func() *Lamp { return &Lamp{Instance: newInstance(), Room: "hall"} })
	LampHook = func(ctx context.Context, room string) *Lamp { return ctor() }
	var pending sync.WaitGroup
	t.Cleanup(func() {
		g.release()
		quiesce(t, &pending)
		LampHook = nil
		_ = GetLampManager().Reset()
	})
	return discardCase[Lamp]{
		get:    func(ctx context.Context) (*Lamp, error) { return GetLamp(ctx, "hall") },
		closes: (*Lamp).Closes,
		g:      g, calls: &calls, made: &mk,
		pending: &pending,
	}
}

// leafHook makes NewLeaf block on its first call until the end of the test.
func leafHook(t *testing.T) discardCase[Leaf] {
	var calls atomic.Int32
	var mk made[Leaf]
	g := newGate()
	ctor := blocking(g, &calls, &mk, func() *Leaf { return &Leaf{Instance: newInstance(), Key: 3} })
	LeafHook = func(ctx context.Context, key int) *Leaf { return ctor() }
	var pending sync.WaitGroup
	t.Cleanup(func() {
		g.release()
		quiesce(t, &pending)
		LeafHook = nil
		_ = GetLeafManager().Reset()
	})
	return discardCase[Leaf]{
		get:    func(ctx context.Context) (*Leaf, error) { return GetLeaf(ctx, 3) },
		closes: (*Leaf).Closes,
		g:      g, calls: &calls, made: &mk,
		pending: &pending,
	}
}

// alphaHook makes NewAlpha block on its first call until the end of the test.
func alphaHook(t *testing.T) discardCase[Alpha] {
	var calls atomic.Int32
	var mk made[Alpha]
	g := newGate()
	ctor := blocking(g, &calls, &mk, func() *Alpha { return &Alpha{Instance: newInstance()} })
	AlphaHook = func(ctx context.Context) (*Alpha, error) { return ctor(), nil }
	var pending sync.WaitGroup
	t.Cleanup(func() {
		g.release()
		quiesce(t, &pending)
		AlphaHook = nil
		_ = GetAlphaManager().Reset()
	})
	return discardCase[Alpha]{
		get:    GetAlpha,
		closes: (*Alpha).Closes,
		g:      g, calls: &calls, made: &mk,
		pending: &pending,
	}
}

// quiesce waits, within bound, until the callers of a hook test have returned, so that
// the test's cleanup restores the hook variable and the process-wide manager behind them.
func quiesce(t *testing.T, pending *sync.WaitGroup) {
	done := make(chan struct{})
	go func() {
		pending.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(bound):
		t.Error("the callers of the process-wide manager are still blocked at the end of the test")
	}
}

func TestHooksReleaseWaitersOfADiscardedBuild(t *testing.T) {
	t.Run("SetLampForTest", func(t *testing.T) {
		fake := &Lamp{Instance: newInstance(), Room: "fake"}
		lampHook(t).checkHook(t, func(t *testing.T) { SetLampForTest(t, fake) }, fake)
	})
	t.Run("ResetLampForTest", func(t *testing.T) {
		lampHook(t).checkHook(t, func(t *testing.T) { ResetLampForTest(t) }, nil)
	})
	t.Run("SetLeafForTest", func(t *testing.T) {
		fake := &Leaf{Instance: newInstance(), Key: -1}
		leafHook(t).checkHook(t, func(t *testing.T) { SetLeafForTest(t, fake) }, fake)
	})
	t.Run("ResetLeafForTest", func(t *testing.T) {
		leafHook(t).checkHook(t, func(t *testing.T) { ResetLeafForTest(t) }, nil)
	})
	t.Run("SetAlphaForTest", func(t *testing.T) {
		fake := &Alpha{Instance: newInstance()}
		alphaHook(t).checkHook(t, func(t *testing.T) { SetAlphaForTest(t, fake) }, fake)
	})
	t.Run("ResetAlphaForTest", func(t *testing.T) {
		alphaHook(t).checkHook(t, func(t *testing.T) { ResetAlphaForTest(t) }, nil)
	})
}
