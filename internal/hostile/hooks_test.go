package hostile

import (
	"context"
	"errors"
	"testing"
)

// The tests of this file change the process-wide managers and the package's
// constructor hooks: they never run in parallel, and leave the managers empty.

// TestNestedHooksSingleRestoreTheOuterOverride guards "tb.Cleanup restores what was
// there" for a hook inside another hook's window (a subtest of a test that installed
// a fake): the inner cleanup gives back the outer fake, not an empty manager.
func TestNestedHooksSingleRestoreTheOuterOverride(t *testing.T) {
	t.Cleanup(func() { _ = GetRemoteManager().Reset() })
	outer := &Remote{Res: NewRes(), name: "outer"}
	t.Run("outer", func(t *testing.T) {
		SetRemoteForTest(t, outer)
		for _, inner := range []struct {
			name string
			hook func(t *testing.T)
		}{
			{"SetRemoteForTest", func(t *testing.T) { SetRemoteForTest(t, &Remote{Res: NewRes(), name: "inner"}) }},
			{"ResetRemoteForTest", func(t *testing.T) { ResetRemoteForTest(t) }},
		} {
			t.Run(inner.name, func(t *testing.T) {
				inner.hook(t)
				if r, _ := GetRemote("x"); r == RemoteAPI(outer) {
					t.Errorf("%s did not replace the outer fake", inner.name)
				}
			})
			if r, err := GetRemote("x"); r != RemoteAPI(outer) || err != nil {
				t.Errorf("after the cleanup of %s, GetRemote = %v, %v; want the outer fake back", inner.name, r, err)
			}
		}
	})
	if outer.Closes() != 0 {
		t.Errorf("the outer fake was closed %d times", outer.Closes())
	}
}

// TestNestedHooksKeyedRestoreTheOuterOverride is the keyed twin of the test above.
// README ("Test hooks"): "`tb.Cleanup` restores what was there": after a subtest's
// SetShardForTest or ResetShardForTest, the outer test's fake answers again, not a
// manager that builds real instances (singletonMap.install returns a fake's index as
// it is, where copying its instances would lose the fake).
func TestNestedHooksKeyedRestoreTheOuterOverride(t *testing.T) {
	t.Cleanup(func() { _ = GetShardManager().Reset() })
	before := GetShard("before")
	outer := &Shard{Res: NewRes(), Token: "outer"}
	t.Run("outer", func(t *testing.T) {
		SetShardForTest(t, outer)
		for _, inner := range []struct {
			name string
			hook func(t *testing.T)
		}{
			{"SetShardForTest", func(t *testing.T) { SetShardForTest(t, &Shard{Res: NewRes(), Token: "inner"}) }},
			{"ResetShardForTest", func(t *testing.T) { ResetShardForTest(t) }},
		} {
			t.Run(inner.name, func(t *testing.T) {
				inner.hook(t)
				if GetShard("x") == outer {
					t.Errorf("%s did not replace the outer fake", inner.name)
				}
			})
			if got := GetShard("x"); got != outer {
				t.Errorf("after the cleanup of %s, GetShard(x) = %q (ID %d); want the outer fake back", inner.name, got.Token, got.ID)
			}
		}
	})
	if outer.Closes() != 0 {
		t.Errorf("the outer fake was closed %d times", outer.Closes())
	}
	if got := GetShard("before"); got != before || before.Closes() != 0 {
		t.Errorf("the instance set aside by the outer hook is not restored, or was closed")
	}
}

// TestHookDiscardsABuildStartedBeforeIt guards: "Reset, Delete and the test hooks
// discard a build in flight without waiting for it (a hung constructor must not hang
// them)", "whose instance is closed when its constructor returns", and the hook's
// cleanup never closing the fake: a Get during the override answers at once with the
// fake while another goroutine's constructor hangs; the hung build's instance is
// closed exactly once, returned to nobody, and not there after the cleanup.
func TestHookDiscardsABuildStartedBeforeIt(t *testing.T) {
	t.Cleanup(func() { LinkHook = nil; _ = GetLinkManager().Reset() })
	h := newHung()
	hungInst := make(chan *Link, 1)
	LinkHook = func(ctx context.Context, secret string) (*Link, error) {
		if h.first() {
			l := &Link{Res: NewRes(), Secret: secret}
			hungInst <- l
			return l, nil
		}
		return &Link{Res: NewRes(), Secret: secret}, nil
	}
	ctx := context.Background()
	builder := async(func() (*Link, error) { return GetLink(ctx, "s") })
	recv(t, h.entered, "the first build to start")
	fake := &Link{Res: NewRes(), Secret: "fake"}
	var x *Link
	t.Run("override", func(t *testing.T) {
		SetLinkForTest(t, fake)
		got := recv(t, async(func() (*Link, error) { return GetLink(ctx, "s") }), "GetLink during the override, beside a hung build")
		if got.v != fake || got.err != nil {
			t.Fatalf("GetLink during the override = %v, %v; want the fake", got.v, got.err)
		}
		if err := GetLinkManager().Invalidate("s", fake); err != nil {
			t.Errorf("Invalidate of the fake = %v", err)
		}
		if l, _ := GetLink(ctx, "other"); l != fake {
			t.Errorf("after Invalidate of the fake, GetLink no longer returns it")
		}
		h.release()
		x = recv(t, hungInst, "the hung constructor to return")
		r := recv(t, builder, "the builder of the discarded build")
		if r.v == x {
			t.Errorf("the builder of a discarded build got its instance: a Get saw an instance whose build began before the hook")
		}
		if x.Closes() != 1 {
			t.Errorf("the discarded instance was closed %d times by the time its builder returned, want 1", x.Closes())
		}
	})
	if fake.Closes() != 0 {
		t.Errorf("the fake was closed %d times", fake.Closes())
	}
	if x == nil {
		return
	}
	if l, err := GetLink(ctx, "s"); err != nil || l == x || l == fake {
		t.Errorf("after the cleanup GetLink = %v, %v; want a fresh instance", l, err)
	}
	if x.Closes() != 1 {
		t.Errorf("the discarded instance was closed %d times, want 1", x.Closes())
	}
}

// TestHookCleanupDuringWith guards "closes only what the manager built during the test"
// together with With ("not closed until fn returns"): an instance built in a
// ResetTenantForTest window and held by a With on another goroutine when the window's
// cleanup runs is taken out at once but closed only when fn returns, exactly once, and
// that With returns Close's error.
func TestHookCleanupDuringWith(t *testing.T) {
	t.Cleanup(func() { TenantHook = nil; _ = GetTenantManager().Reset() })
	TenantHook = func(ctx context.Context, user, pass string) (*Tenant, error) {
		tn := &Tenant{Res: NewRes(), User: user, Pass: pass}
		tn.CloseErr = &errClose{tn.ID}
		return tn, nil
	}
	ctx := context.Background()
	holding := make(chan *Tenant, 1)
	release := make(chan struct{})
	var with <-chan result[struct{}]
	var inst *Tenant
	t.Run("window", func(t *testing.T) {
		ResetTenantForTest(t)
		with = async(func() (struct{}, error) {
			return struct{}{}, GetTenantManager().With(ctx, "u", "p", func(c *Tenant) error {
				holding <- c
				<-release
				if c.Closes() != 0 {
					return errors.New("closed while a With held it")
				}
				return nil
			})
		})
		inst = recv(t, holding, "With to hold the instance")
	})
	if inst == nil {
		close(release)
		return
	}
	if inst.Closes() != 0 {
		t.Errorf("the hook's cleanup closed an instance that a With held")
	}
	if n := GetTenantManager().Len(); n != 0 {
		t.Errorf("Len after the cleanup = %d, want 0", n)
	}
	if c, err := GetTenant(ctx, "u", "p"); err != nil || c == inst {
		t.Errorf("after the cleanup GetTenant = %v, %v; want a fresh instance", c, err)
	}
	close(release)
	r := recv(t, with, "With to return")
	var ce *errClose
	if !errors.As(r.err, &ce) || ce.id != inst.ID {
		t.Errorf("the With that closed the instance returned %v, want its Close error", r.err)
	}
	if inst.Closes() != 1 {
		t.Errorf("the held instance was closed %d times, want 1", inst.Closes())
	}
}

// TestCloseNeverOnHookCleanup guards close=never on the one drop path with no caller to
// see an error: a hook's cleanup must not call Close either.
func TestCloseNeverOnHookCleanup(t *testing.T) {
	t.Cleanup(func() { _ = GetSealedManager().Reset() })
	var built *Sealed
	t.Run("window", func(t *testing.T) {
		ResetSealedForTest(t)
		built = MustGetSealed()
	})
	if built.Closes() != 0 {
		t.Errorf("close=never: the hook's cleanup called Close %d times", built.Closes())
	}
	if s := MustGetSealed(); s == built {
		t.Errorf("the instance built in the window is still there after the cleanup")
	}
}
