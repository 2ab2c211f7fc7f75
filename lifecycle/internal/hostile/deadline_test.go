package hostile_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/singletongen/singletongen/lifecycle"
	"github.com/singletongen/singletongen/lifecycle/internal/hostile"
	"github.com/singletongen/singletongen/lifecycle/internal/hostile/base"
)

// TestShutdownWithCtxAlreadyDone: Shutdown with a ctx that already ended closes nothing,
// says what is left open (matching ctx.Err() with errors.Is, naming every singleton, no
// argument values), and leaves everything for a Shutdown with a live ctx, which closes it
// all, dependents first.
func TestShutdownWithCtxAlreadyDone(t *testing.T) {
	fresh(t)
	const secret = "tok-SECRET-already-done"
	if _, err := hostile.GetSvc(); err != nil {
		t.Fatal(err)
	}
	if _, err := hostile.GetSession(secret); err != nil {
		t.Fatal(err)
	}
	closes := hostile.SessionCloses()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := shutdown(t, ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Shutdown(done ctx) = %v, want an error matching context.Canceled", err)
	}
	for _, name := range []string{"base.Conn", "hostile.Svc", "hostile.Session"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("Shutdown(done ctx) = %q, does not name %s, left open", err, name)
		}
	}
	if strings.Contains(err.Error(), secret) {
		t.Errorf("Shutdown's error %q contains an argument value", err)
	}
	if c := base.TakeCloses(); len(c) != 0 || hostile.SessionCloses() != closes || len(hostile.TakeViolations()) != 0 {
		t.Errorf("Shutdown(done ctx) closed something: Conns %v, Sessions %d", c, hostile.SessionCloses()-closes)
	}
	if got, want := names(lifecycle.Instances()), []string{"base.Conn", "hostile.Svc", "hostile.Session"}; !slices.Equal(got, want) {
		t.Errorf("Instances() after Shutdown(done ctx) = %v, want %v", got, want)
	}
	if err := shutdown(t, context.Background()); err != nil {
		t.Fatal(err)
	}
	if c := base.TakeCloses(); len(c) != 1 || hostile.SessionCloses() != closes+1 {
		t.Errorf("Shutdown closed Conns %v and %d Sessions, want 1 and 1", c, hostile.SessionCloses()-closes)
	}
}

// TestShutdownReturnsWhenCtxEndsDuringClose: a Close that honours ctx returns ctx's error
// when it ends; Shutdown then stops there, names the singleton with ctx's error, and does
// not close what was built before it (Conn, under Svc), which a later Shutdown closes.
func TestShutdownReturnsWhenCtxEndsDuringClose(t *testing.T) {
	fresh(t)
	if _, err := hostile.GetSvc(); err != nil {
		t.Fatal(err)
	}
	if _, err := hostile.GetHooked(); err != nil {
		t.Fatal(err)
	}
	entered := make(chan struct{})
	wait := func(ctx context.Context) error {
		close(entered)
		<-ctx.Done()
		return ctx.Err()
	}
	hostile.CloseHook.Store(&wait)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-entered
		cancel()
	}()
	err := shutdown(t, ctx)
	hostile.CloseHook.Store(nil)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "hostile.Hooked") {
		t.Fatalf("Shutdown = %v, want Hooked's Close error, matching context.Canceled", err)
	}
	if c := base.TakeCloses(); len(c) != 0 {
		t.Errorf("Shutdown closed Conns %v after its ctx ended", c)
	}
	if got, want := names(lifecycle.Instances()), []string{"base.Conn", "hostile.Svc"}; !slices.Equal(got, want) {
		t.Errorf("Instances() = %v, want %v", got, want)
	}
}

// TestShutdownReturnsWhenCtxEndsDuringBlockedClose: a Close that does not take a ctx, or
// ignores it, blocks; Shutdown returns when ctx ends all the same, naming it.
//
// Promise (lifecycle.Shutdown): "it gives up when ctx is done, even if a Close that
// ignores ctx is still running", and its error "names the singletons left open when ctx
// ended (matching ctx.Err() with errors.Is)".
func TestShutdownReturnsWhenCtxEndsDuringBlockedClose(t *testing.T) {
	fresh(t)
	if _, err := hostile.GetHooked(); err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	stuck := func(context.Context) error { <-release; return nil }
	hostile.CloseHook.Store(&stuck)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	var err error
	done, ok := within(5*time.Second, func() { err = lifecycle.Shutdown(ctx) })
	close(release)
	<-done
	if !ok {
		t.Fatal("Shutdown with a 50ms deadline did not return within 5s while a Close ignored ctx")
	}
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "hostile.Hooked") {
		t.Errorf("Shutdown = %v, want hostile.Hooked left open, matching context.DeadlineExceeded", err)
	}
}
