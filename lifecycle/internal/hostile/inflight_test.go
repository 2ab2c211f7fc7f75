package hostile_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/singletongen/singletongen/lifecycle"
	"github.com/singletongen/singletongen/lifecycle/internal/hostile"
)

// buildInFlightAcrossShutdown starts a Get of Hooked whose constructor blocks, runs
// Shutdown while it is blocked, then lets it go, and returns how many times the
// constructor ran for that Get and how many Hooked instances were closed meanwhile.
//
// Promise (README, Lifecycle): Shutdown "resets every registered manager ... (which
// also discards builds in flight)"; (README, Semantics, Reset): "After Reset returns, no
// Get sees an instance whose build began before it: a build in flight is discarded at
// once, its waiters build again, and what it builds is closed when its constructor
// returns". A discarded build shows as a second constructor call and one close.
func buildInFlightAcrossShutdown(t *testing.T) (ctorCalls int32, closed int64) {
	t.Helper()
	entered, release := make(chan struct{}), make(chan struct{})
	var calls atomic.Int32
	hook := func() {
		if calls.Add(1) == 1 {
			close(entered)
			<-release
		}
	}
	hostile.BuildHook.Store(&hook)
	closesBefore := hostile.HookedCloses()

	got := make(chan error, 1)
	go func() {
		_, err := hostile.GetHooked()
		got <- err
	}()
	<-entered
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	if err := shutdown(t, ctx); err != nil {
		t.Errorf("Shutdown with a build in flight: %v", err)
	}
	close(release)
	if err := <-got; err != nil {
		t.Fatalf("GetHooked: %v", err)
	}
	hostile.BuildHook.Store(nil)
	return calls.Load(), hostile.HookedCloses() - closesBefore
}

// TestShutdownDiscardsBuildInFlightOfListedManager: a manager that built once and was
// Reset is still listed; Shutdown discards its build in flight, whose instance is closed,
// and the Get that ran it builds again.
func TestShutdownDiscardsBuildInFlightOfListedManager(t *testing.T) {
	fresh(t)
	if _, err := hostile.GetHooked(); err != nil {
		t.Fatal(err)
	}
	if err := hostile.GetHookedManager().Reset(); err != nil {
		t.Fatal(err)
	}
	calls, closed := buildInFlightAcrossShutdown(t)
	if calls != 2 || closed != 1 {
		t.Errorf("constructor calls = %d, closes = %d; want 2 and 1: Shutdown did not discard the build in flight", calls, closed)
	}
}

// TestShutdownDiscardsFirstBuildInFlight: the same, for a manager whose first build is
// in flight, or whose build began after a sweep (Instances, an earlier Shutdown) saw it
// empty: a manager is listed from the start of a build (Registration.Started), so
// Shutdown discards it too.
func TestShutdownDiscardsFirstBuildInFlight(t *testing.T) {
	for _, tc := range []struct {
		name    string
		prepare func(t *testing.T)
	}{
		{"first build", func(*testing.T) {}},
		{"after a sweep", func(t *testing.T) {
			if _, err := hostile.GetHooked(); err != nil {
				t.Fatal(err)
			}
			if err := hostile.GetHookedManager().Reset(); err != nil {
				t.Fatal(err)
			}
			_ = lifecycle.Instances() // sweeps the manager, which holds nothing, out
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fresh(t)
			tc.prepare(t)
			calls, closed := buildInFlightAcrossShutdown(t)
			if calls != 2 || closed != 1 {
				t.Errorf("constructor calls = %d, closes = %d; want 2 and 1: the instance whose build began before Shutdown survived it (Instances after: %+v)", calls, closed, lifecycle.Instances())
			}
		})
	}
}
