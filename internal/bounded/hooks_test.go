package bounded

import (
	"context"
	"testing"
	"time"
)

// The tests of this file change the process-wide managers: they do not run in
// parallel, and leave those managers empty.

// TestSetForTestBounded: an override of a bounded manager answers every key, builds and
// evicts nothing, and Len counts nothing from before; the instances set aside are
// neither closed nor dropped (Delete and Invalidate of them do nothing) and are
// returned again after Cleanup.
func TestSetForTestBounded(t *testing.T) {
	t.Cleanup(func() { _ = GetSlotManager().Reset() })
	var orig []*Slot
	for i := range 4 {
		orig = append(orig, MustGetSlot(key("orig", i)))
	}
	fake := &Slot{Instance: newInstance("fake")}
	t.Run("override", func(t *testing.T) {
		SetSlotForTest(t, fake)
		if l := GetSlotManager().Len(); l != 0 {
			t.Errorf("Len during the override = %d; want 0: it counts nothing from before", l)
		}
		for i := range 100 {
			if x := MustGetSlot(key("new", i)); x != fake {
				t.Fatalf("GetSlot(new %d) returned another instance than the fake", i)
			}
		}
		for i := range orig {
			if x := MustGetSlot(key("orig", i)); x != fake {
				t.Fatalf("GetSlot(orig %d) returned another instance than the fake", i)
			}
		}
		if err := GetSlotManager().With("any", func(s *Slot) error {
			if s != fake {
				t.Errorf("With got another instance than the fake")
			}
			return nil
		}); err != nil {
			t.Errorf("With: %v", err)
		}
		if err := GetSlotManager().Delete(key("orig", 0)); err != nil {
			t.Errorf("Delete during the override: %v", err)
		}
		if err := GetSlotManager().Invalidate(key("orig", 1), orig[1]); err != nil {
			t.Errorf("Invalidate during the override: %v", err)
		}
		if err := GetSlotManager().Invalidate("any", fake); err != nil {
			t.Errorf("Invalidate of the fake: %v", err)
		}
		if l := GetSlotManager().Len(); l != 0 {
			t.Errorf("Len during the override = %d after 100 keys; want 0", l)
		}
		for i, s := range orig {
			if s.Closes() != 0 {
				t.Errorf("set-aside instance %d closed during the override", i)
			}
		}
	})
	if fake.Closes() != 0 {
		t.Errorf("the fake was closed")
	}
	for i, s := range orig {
		if x := MustGetSlot(key("orig", i)); x != s || s.Closes() != 0 {
			t.Errorf("instance %d is not restored, or closed", i)
		}
	}
	if l := GetSlotManager().Len(); l != 4 {
		t.Errorf("Len after the override = %d, want 4", l)
	}
}

// TestResetForTestBounded: the instances built during a ResetSlotForTest window are
// evicted among themselves and closed by Cleanup, each once; the ones set aside are
// untouched and come back.
func TestResetForTestBounded(t *testing.T) {
	t.Cleanup(func() { _ = GetSlotManager().Reset() })
	var orig []*Slot
	for i := range 4 {
		orig = append(orig, MustGetSlot(key("orig", i)))
	}
	var during []*Slot
	t.Run("window", func(t *testing.T) {
		ResetSlotForTest(t)
		if l := GetSlotManager().Len(); l != 0 {
			t.Errorf("Len in the window = %d; want 0", l)
		}
		for i := range 10 {
			during = append(during, MustGetSlot(key("w", i)))
		}
		if l := GetSlotManager().Len(); l != 4 {
			t.Errorf("Len in the window = %d; want 4", l)
		}
		if x := MustGetSlot(key("orig", 0)); x == orig[0] {
			t.Errorf("the window returned a set-aside instance")
		} else {
			during = append(during, x)
		}
		for i, s := range orig {
			if s.Closes() != 0 {
				t.Errorf("set-aside instance %d closed by an eviction in the window", i)
			}
		}
	})
	eachClosedOnce(t, during)
	for i, s := range orig {
		if x := MustGetSlot(key("orig", i)); x != s || s.Closes() != 0 {
			t.Errorf("instance %d is not restored, or closed", i)
		}
	}
	if l := GetSlotManager().Len(); l != 4 {
		t.Errorf("Len after the window = %d, want 4", l)
	}
}

// TestHooksLongerThanIdle: with max= and idle=, the instances set aside by
// SetTenantForTest and by ResetTenantForTest for longer than idle are neither dropped
// nor closed, and come back; the ones built in a ResetTenantForTest window are
// idle-dropped in it, or closed by Cleanup.
//
// The originals are idle themselves outside the hooks: the test checks that they are
// set aside less than idle after a Get, and skips when a starved machine made that
// false (a drop then is right).
func TestHooksLongerThanIdle(t *testing.T) {
	ctx := context.Background()
	var orig []*Tenant
	for i := range 8 {
		orig = append(orig, MustGetTenant(ctx, key("orig", i)))
	}
	t.Cleanup(func() {
		_ = GetTenantManager().Reset()
		eachClosedOnce(t, orig)
	})
	touched := time.Now() // before the last Get of each original
	// touch gets the originals again, checks that they are there (they must be, less
	// than idle after the last Get), and returns when it began.
	touch := func(t *testing.T) time.Time {
		t.Helper()
		start := time.Now()
		for i, s := range orig {
			if x := MustGetTenant(ctx, key("orig", i)); x != s || s.Closes() != 0 {
				if elapsed := time.Since(touched); elapsed < idle {
					t.Fatalf("instance %d was dropped or closed %v after a Get, before idle", i, elapsed)
				}
				t.Skipf("the test was starved for more than idle: instance %d may be idle", i)
			}
		}
		touched = start
		return start
	}
	// setAside checks that the hook set the originals aside less than idle after start.
	setAside := func(t *testing.T, start time.Time) {
		t.Helper()
		if elapsed := time.Since(start); elapsed >= idle {
			t.Skipf("the test was starved for %v before the hook: the originals may be idle", elapsed)
		}
	}
	var restoring time.Time // when the hook's Cleanup began
	fine := t.Run("override", func(t *testing.T) {
		start := touch(t)
		fake := &Tenant{Instance: newInstance("fake")}
		SetTenantForTest(t, fake)
		t.Cleanup(func() { restoring = time.Now() }) // runs before the hook's
		setAside(t, start)
		if armed, _ := sweepArmed(&defaultTenantManager.keys); armed {
			t.Errorf("the idle sweep is armed during an override")
		}
		deadline := time.Now().Add(6 * idle)
		for i := 0; time.Now().Before(deadline); i++ {
			if x := MustGetTenant(ctx, key("any", i)); x != fake {
				t.Fatalf("GetTenant returned another instance than the fake")
			}
			time.Sleep(time.Millisecond)
		}
		for i, s := range orig {
			if s.Closes() != 0 {
				t.Errorf("set-aside instance %d closed during an override of %v", i, 6*idle)
			}
		}
		if l := GetTenantManager().Len(); l != 0 {
			t.Errorf("Len during the override = %d; want 0", l)
		}
	})
	if !fine || t.Failed() {
		return
	}
	touched = restoring
	touch(t)

	tr := &tracker[*Tenant]{}
	t.Run("reset window", func(t *testing.T) {
		start := touch(t)
		ResetTenantForTest(t)
		t.Cleanup(func() { restoring = time.Now() })
		setAside(t, start)
		for i := range 12 {
			tr.add(MustGetTenant(ctx, key("w", i)))
		}
		if l := GetTenantManager().Len(); l > 8 {
			t.Errorf("Len in the window = %d; want at most 8", l)
		}
		waitFor(t, waitTimeout, "the window's instances to be idle-dropped", func() bool { return GetTenantManager().Len() == 0 })
		for i, s := range orig {
			if s.Closes() != 0 {
				t.Errorf("set-aside instance %d closed in the window", i)
			}
		}
		tr.add(MustGetTenant(ctx, key("w", 99))) // left for Cleanup
	})
	// Restored instances count as just used: the sweep, which ran in the window, does
	// not drop them at its next tick.
	time.Sleep(idle / 2)
	if l := GetTenantManager().Len(); l != len(orig) {
		if elapsed := time.Since(restoring); elapsed < idle {
			t.Fatalf("%v after the restore, before idle, the manager holds %d instances; want the %d restored", elapsed, l, len(orig))
		}
		t.Skipf("the test was starved for more than idle after the restore")
	}
	touched = restoring
	touch(t)
	waitFor(t, waitTimeout, "the window's instances to be closed", func() bool {
		_, once, _ := closeCounts(tr.all())
		return once == tr.count()
	})
	eachClosedOnce(t, tr.all())
}

// fakeRemote is a RemoteAPI that is not a *Remote.
type fakeRemote struct{ Instance }

func (f *fakeRemote) Name() string { return "fake" }
func (f *fakeRemote) Close() error { return f.close() }

// TestSetForTestIface: SetRemoteForTest takes any RemoteAPI, answers every key, and
// the max=4 instances set aside come back unclosed.
func TestSetForTestIface(t *testing.T) {
	t.Cleanup(func() { _ = GetRemoteManager().Reset() })
	var orig []RemoteAPI
	for i := range 4 {
		orig = append(orig, MustGetRemote(key("orig", i)))
	}
	fake := &fakeRemote{}
	t.Run("override", func(t *testing.T) {
		SetRemoteForTest(t, fake)
		for i := range 10 {
			if x := MustGetRemote(key("new", i)); x != RemoteAPI(fake) {
				t.Fatalf("GetRemote returned another instance than the fake")
			}
		}
	})
	if fake.Closes() != 0 {
		t.Errorf("the fake was closed")
	}
	for i, r := range orig {
		if x := MustGetRemote(key("orig", i)); x != r || r.Closes() != 0 {
			t.Errorf("instance %d is not restored, or closed", i)
		}
	}
}
