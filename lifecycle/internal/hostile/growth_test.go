package hostile_test

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/singletongen/singletongen/lifecycle"
	"github.com/singletongen/singletongen/lifecycle/internal/hostile"
)

// collected waits, collecting garbage, until at least want of the finalizers counted by
// n ran, or patience passed, and returns how many ran.
func collected(n *atomic.Int64, want int64) int64 {
	deadline := time.Now().Add(patience)
	for n.Load() < want && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	return n.Load()
}

// tracked returns a constructor of Sessions that keeps alive an object whose finalizer
// counts in n: it is collected with the manager that keeps the constructor. (A
// finalizer on the manager itself would never run: the manager and its
// lifecycle.Registration refer to each other, and a cycle with a finalizer is not
// collected.)
func tracked(n *atomic.Int64) func(token string) (*hostile.Session, error) {
	sentinel := new([64]byte)
	runtime.SetFinalizer(sentinel, func(*[64]byte) { n.Add(1) })
	return func(token string) (*hostile.Session, error) {
		runtime.KeepAlive(sentinel)
		return hostile.NewSession(token)
	}
}

// TestAbandonedEmptyManagersAreCollected: a test suite makes a manager per test with
// New<T>Manager, builds with it, resets it and forgets it, and never calls Instances or
// Shutdown. The registry must not keep those managers (Register: "managers made for a
// while (one per test, one per component) are not kept forever"): its sweeps on joining
// drop the ones that hold nothing, so most are collected.
func TestAbandonedEmptyManagersAreCollected(t *testing.T) {
	fresh(t)
	const n = 2000
	var finalized atomic.Int64
	for i := range n {
		m := hostile.NewSessionManager(tracked(&finalized))
		if _, err := m.Get("tok-SECRET-abandoned"); err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			if err := m.Reset(); err != nil {
				t.Fatal(err)
			}
		} else if err := m.Delete("tok-SECRET-abandoned"); err != nil {
			t.Fatal(err)
		}
	}
	// The last sweep may leave up to about half the joins since it; the rest must go.
	if got := collected(&finalized, n/3); got < n/3 {
		t.Errorf("%d of %d abandoned empty managers collected: the registry keeps them", got, n)
	}
	if got := lifecycle.Instances(); len(got) != 0 {
		t.Errorf("Instances() = %+v, want none: the managers hold nothing", got)
	}
}

// TestAbandonedHoldingManagersClosedThenCollected: managers forgotten while they hold
// instances stay registered, so that Shutdown closes what they hold (each once), after
// which the registry lets them go.
func TestAbandonedHoldingManagersClosedThenCollected(t *testing.T) {
	fresh(t)
	const n = 500
	var finalized atomic.Int64
	closesBefore := hostile.SessionCloses()
	for range n {
		m := hostile.NewSessionManager(tracked(&finalized))
		for _, tok := range []string{"tok-SECRET-a", "tok-SECRET-b", "tok-SECRET-c"} { // max=2: one evicted
			if _, err := m.Get(tok); err != nil {
				t.Fatal(err)
			}
		}
	}
	infos := lifecycle.Instances()
	keys := 0
	for _, in := range infos {
		if in.Name != "hostile.Session" || !in.Keyed {
			t.Errorf("Instances() lists %+v", in)
		}
		keys += in.Keys
	}
	if len(infos) != n || keys != 2*n {
		t.Errorf("Instances() lists %d managers with %d keys, want %d and %d", len(infos), keys, n, 2*n)
	}
	runtime.GC()
	runtime.GC()
	if got := finalized.Load(); got != 0 {
		t.Errorf("%d managers collected while they held instances that Shutdown must close", got)
	}
	if err := shutdown(t, context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := hostile.SessionCloses() - closesBefore; got != 3*n {
		t.Errorf("%d Sessions closed, want %d (evicted, then shut down)", got, 3*n)
	}
	if got := collected(&finalized, n*9/10); got < n*9/10 {
		t.Errorf("%d of %d managers collected after Shutdown: the registry keeps them", got, n)
	}
}
