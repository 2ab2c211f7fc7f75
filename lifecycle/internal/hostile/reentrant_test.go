package hostile_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/singletongen/singletongen/lifecycle"
	"github.com/singletongen/singletongen/lifecycle/internal/hostile"
)

// TestInstancesFromCloseAndObserverDuringShutdown: a Close, and an observer on every
// event, call Instances while Shutdown closes: neither deadlocks, and the manager being
// closed, which holds nothing then, is not listed ("not one that a Shutdown is closing").
func TestInstancesFromCloseAndObserverDuringShutdown(t *testing.T) {
	fresh(t)
	var inClose []lifecycle.Info
	closeHook := func(context.Context) error {
		inClose = lifecycle.Instances()
		return nil
	}
	hostile.CloseHook.Store(&closeHook)
	stop := lifecycle.Observe(func(lifecycle.Event) { _ = lifecycle.Instances() })
	defer stop()

	if _, err := hostile.GetSvc(); err != nil { // Conn, then Svc
		t.Fatal(err)
	}
	if _, err := hostile.GetHooked(); err != nil { // the newest: closed first
		t.Fatal(err)
	}
	if err := shutdown(t, context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, want := names(inClose), []string{"base.Conn", "hostile.Svc"}; !slices.Equal(got, want) {
		t.Errorf("Instances() from Hooked's Close during Shutdown = %v, want %v", got, want)
	}
}

// TestShutdownFromClose: a Close(ctx) (a server singleton that shuts the process down)
// calls Shutdown with its ctx while Shutdown resets that very manager. The nested call
// does not wait for its own caller's Reset: both return, and everything is closed once.
//
// Promise (lifecycle.Shutdown): "A Close(ctx) may call Shutdown with its ctx".
func TestShutdownFromClose(t *testing.T) {
	fresh(t)
	var nested error
	calls := 0
	f := func(ctx context.Context) error {
		if calls++; calls == 1 {
			nested = lifecycle.Shutdown(ctx)
		}
		return nil
	}
	hostile.CloseHook.Store(&f)
	defer hostile.CloseHook.Store(nil)
	if _, err := hostile.GetSvc(); err != nil { // Conn, then Svc
		t.Fatal(err)
	}
	if _, err := hostile.GetHooked(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	var outer error
	if _, ok := within(patience, func() { outer = lifecycle.Shutdown(ctx) }); !ok {
		t.Fatal("Shutdown called from a Close with its ctx did not return")
	}
	if outer != nil || nested != nil {
		t.Errorf("outer Shutdown = %v, nested = %v; want nil, nil", outer, nested)
	}
	if got := lifecycle.Instances(); len(got) != 0 {
		t.Errorf("Instances() after both = %+v, want none", got)
	}
}

// TestShutdownRecoversPanickingClose: a Close that panics is recovered; Shutdown names
// the singleton in its error, reports the close to observers with that error, and goes
// on to close the others; the manager's reset slot is free again, so that the next
// Shutdown returns at once.
func TestShutdownRecoversPanickingClose(t *testing.T) {
	fresh(t)
	rec := observe(t)
	boom := func(context.Context) error { panic("hostile: boom") }
	hostile.CloseHook.Store(&boom)
	if _, err := hostile.GetSvc(); err != nil {
		t.Fatal(err)
	}
	if _, err := hostile.GetHooked(); err != nil {
		t.Fatal(err)
	}
	err := shutdown(t, context.Background())
	if err == nil || !strings.Contains(err.Error(), "hostile.Hooked") || !strings.Contains(err.Error(), "panicked") || !strings.Contains(err.Error(), "hostile: boom") {
		t.Errorf("Shutdown = %v, want an error naming hostile.Hooked and its Close's panic", err)
	}
	if got := lifecycle.Instances(); len(got) != 0 {
		t.Errorf("Instances() after Shutdown = %v: a panicking Close stopped it", got)
	}
	var closeErr error
	for _, e := range rec.take() {
		if e.Kind == lifecycle.Closed && e.Name == "hostile.Hooked" {
			closeErr = e.Err
		}
	}
	if closeErr == nil {
		t.Error("observers did not see Hooked's Close fail")
	}
	hostile.CloseHook.Store(nil)
	if _, err := hostile.GetHooked(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	if err := shutdown(t, ctx); err != nil {
		t.Errorf("Shutdown after a panicking Close = %v, want nil", err)
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Error("the second Shutdown waited until its deadline: the reset slot stayed taken")
	}
}
