package lifecycle

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

// An instance that a With holds when Shutdown drops it is reported with Held: the manager
// stays listed while it is open, and a Shutdown retried after the first ran out of time
// waits for it before it closes what it was built on.
func TestRetriedShutdownWaitsForHeld(t *testing.T) {
	isolate(t)
	log := new(journal)
	a := newFake(t, "test.A", false, log)
	b := newFake(t, "test.B", false, log)
	release := make(chan struct{})
	a.withHeld = func() <-chan struct{} { return release }
	b.build(nil)
	a.build(nil)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown with a held instance past the deadline = %v, want context.DeadlineExceeded", err)
	}
	if got := Instances(); len(got) != 2 || got[1].Name != "test.A" || got[1].Keys != 1 {
		t.Fatalf("Instances() = %+v, want test.B, then test.A still open", got)
	}
	a.withHeld = nil
	retried := make(chan error, 1)
	go func() { retried <- Shutdown(context.Background()) }()
	select {
	case err := <-retried:
		t.Fatalf("the retried Shutdown returned %v while test.A was held", err)
	case <-time.After(50 * time.Millisecond):
	}
	if got := log.get(); !slices.Equal(got, []string{"test.A"}) {
		t.Fatalf("closed %v while test.A was held, want test.A's close alone", got)
	}
	close(release)
	if err := <-retried; err != nil {
		t.Fatalf("retried Shutdown: %v", err)
	}
	if got, want := log.get(), []string{"test.A", "test.B"}; !slices.Equal(got, want) {
		t.Errorf("journal %v, want %v", got, want)
	}
	if got := Instances(); len(got) != 0 {
		t.Errorf("Instances() after the retry = %+v, want none", got)
	}
}

// Two Shutdowns at once: the one that finds the dependent's instances taken by the other
// waits until the other has closed them before it closes what they were built on.
func TestConcurrentShutdownsWaitForEachOthersCloses(t *testing.T) {
	isolate(t)
	log := new(journal)
	a := newFake(t, "test.A", false, log)
	b := newFake(t, "test.B", false, log)
	entered, release := make(chan struct{}), make(chan struct{})
	a.onClose = func(context.Context) error {
		close(entered)
		<-release
		log.add("test.A closed")
		return nil
	}
	b.build(nil)
	a.build(nil)

	first := make(chan error, 1)
	go func() { first <- Shutdown(context.Background()) }()
	<-entered
	second := make(chan error, 1)
	go func() { second <- Shutdown(context.Background()) }()
	time.Sleep(50 * time.Millisecond) // the second Shutdown, if it did not wait, closes B now
	if got := log.get(); !slices.Equal(got, []string{"test.A"}) {
		t.Fatalf("closed %v while A's Close ran, want A's close alone", got)
	}
	close(release)
	for _, done := range []chan error{first, second} {
		if err := <-done; err != nil {
			t.Fatalf("Shutdown: %v", err)
		}
	}
	if got, want := log.get(), []string{"test.A", "test.A closed", "test.B"}; !slices.Equal(got, want) {
		t.Errorf("journal %v, want %v", got, want)
	}
	a.checkClosedOnce()
	b.checkClosedOnce()
}

// A Shutdown waiting for another's Reset of a manager gives up when its ctx ends.
func TestShutdownWaitingForAnothersResetHonoursCtx(t *testing.T) {
	isolate(t)
	a := newFake(t, "test.A", false, nil)
	entered, release := make(chan struct{}), make(chan struct{})
	a.onClose = func(context.Context) error {
		close(entered)
		<-release
		return nil
	}
	a.build(nil)
	first := make(chan error, 1)
	go func() { first <- Shutdown(context.Background()) }()
	<-entered
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := Shutdown(ctx)
	close(release)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown waiting for another's Reset = %v, want context.DeadlineExceeded", err)
	}
	if err := <-first; err != nil {
		t.Fatalf("first Shutdown: %v", err)
	}
}

// A manager whose instances a test hook set aside leaves the registry at the next sweep;
// the hook's cleanup lists it again with the order of the build that made them, not that
// of what the test built meanwhile: a dependency rebuilt in a test's window is still
// closed after the dependent built on the instance that comes back.
func TestSetAsideRestoresListingAndOrder(t *testing.T) {
	isolate(t)
	log := new(journal)
	a := newFake(t, "test.A", false, log) // built on B
	b := newFake(t, "test.B", false, log)
	b.build(nil)
	a.build(nil)
	before := Instances()

	restore := b.setAside()
	if got := Instances(); len(got) != 1 || got[0].Name != "test.A" {
		t.Fatalf("Instances() during the override = %+v, want test.A alone", got)
	}
	if isListed(t, b.reg) {
		t.Fatal("test.B, holding nothing, is still listed after a sweep")
	}
	b.build(nil) // the test's own B, built after A
	b.mu.Lock()
	built := b.insts
	b.insts = nil // which the cleanup closes, outside the registry
	b.mu.Unlock()
	for _, in := range built {
		in.closes.Add(1)
	}
	restore()
	if got := Instances(); !slices.Equal(got, before) {
		t.Fatalf("Instances() after the restore = %+v, want %+v", got, before)
	}
	if err := Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, want := log.get(), []string{"test.A", "test.B"}; !slices.Equal(got, want) {
		t.Errorf("journal %v, want %v", got, want)
	}
	a.checkClosedOnce()
	b.checkClosedOnce()
}

// SetAside of a manager that never built restores nothing.
func TestSetAsideBeforeAnyBuild(t *testing.T) {
	isolate(t)
	a := newFake(t, "test.A", false, nil)
	a.reg.SetAside()()
	if isListed(t, a.reg) {
		t.Error("a manager that never built is listed after its restore")
	}
}

// A discarded build is reported finished and, when it built an instance, dropped; it is
// not the manager's last build and does not list it.
func TestDiscarded(t *testing.T) {
	isolate(t)
	var events []Event
	stop := Observe(func(e Event) { events = append(events, e) })
	defer stop()
	a := newFake(t, "test.A", false, nil)
	boom := errors.New("boom")
	a.reg.Discarded(a.reg.Started(), nil)
	a.reg.Discarded(a.reg.Started(), boom)
	type sketch struct {
		kind   EventKind
		reason string
		count  int
		err    error
	}
	var got []sketch
	for _, e := range events {
		got = append(got, sketch{e.Kind, e.Reason, e.Count, e.Err})
	}
	want := []sketch{
		{BuildStarted, "", 0, nil},
		{BuildFinished, "", 0, nil},
		{Dropped, "discard", 1, nil},
		{BuildStarted, "", 0, nil},
		{BuildFinished, "", 0, boom},
	}
	if !slices.Equal(got, want) {
		t.Errorf("events %+v, want %+v", got, want)
	}
	if isListed(t, a.reg) {
		t.Error("a discarded build listed the manager")
	}
}

// Held prunes the channels it has seen closed, so that a manager whose With calls hold
// dropped instances over and over keeps no more than those still open.
func TestHeldForgetsClosedChannels(t *testing.T) {
	isolate(t)
	a := newFake(t, "test.A", false, nil)
	a.build(nil)
	for range 10000 {
		gone := make(chan struct{})
		close(gone)
		a.reg.Held(gone)
	}
	open := make(chan struct{})
	a.reg.Held(open)
	a.reg.mu.Lock()
	n := len(a.reg.held)
	a.reg.mu.Unlock()
	if n > 64 {
		t.Errorf("Held keeps %d channels for one open instance, want a few", n)
	}
	a.clear()
	if got := Instances(); len(got) != 1 || got[0].Keys != 1 {
		t.Errorf("Instances() = %+v, want test.A with its one held instance", got)
	}
	close(open)
	if got := Instances(); len(got) != 0 {
		t.Errorf("Instances() after the close = %+v, want none", got)
	}
}
