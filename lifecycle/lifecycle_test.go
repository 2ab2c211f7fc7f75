package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestShutdownClosesDependentsFirst(t *testing.T) {
	isolate(t)
	log := new(journal)
	a := newFake(t, "test.A", false, log)
	b := newFake(t, "test.B", false, log)
	// A's constructor asks for B, so B's build finishes first.
	a.build(func() { b.build(nil) })

	if err := Shutdown(context.Background()); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if got, want := log.get(), []string{"test.A", "test.B"}; !slices.Equal(got, want) {
		t.Errorf("closed %v, want %v", got, want)
	}
	a.checkClosedOnce()
	b.checkClosedOnce()
}

func TestShutdownClosesInReverseOrderOfLastBuild(t *testing.T) {
	isolate(t)
	log := new(journal)
	x := newFake(t, "test.X", false, log)
	y := newFake(t, "test.Y", false, log)

	x.build(nil)
	y.build(nil)
	if err := Shutdown(context.Background()); err != nil {
		t.Fatalf("first Shutdown: %v", err)
	}
	// A Get after Shutdown builds again, and the manager is listed again.
	y.build(nil)
	x.build(nil)
	if !isListed(t, x.reg) || !isListed(t, y.reg) {
		t.Fatalf("managers built after Shutdown are not listed: %v", listed())
	}
	if err := Shutdown(context.Background()); err != nil {
		t.Fatalf("second Shutdown: %v", err)
	}
	if got, want := log.get(), []string{"test.Y", "test.X", "test.X", "test.Y"}; !slices.Equal(got, want) {
		t.Errorf("closed %v, want %v", got, want)
	}
}

func TestShutdownClosesWhatClosingBuilt(t *testing.T) {
	isolate(t)
	log := new(journal)
	a := newFake(t, "test.A", false, log)
	b := newFake(t, "test.B", false, log)
	a.build(nil)
	b.build(nil)
	// Closing A asks for B, which Shutdown has closed already: B is built again and must
	// be closed in another round.
	a.onClose = func(context.Context) error {
		b.build(nil)
		return nil
	}

	if err := Shutdown(context.Background()); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if got, want := log.get(), []string{"test.B", "test.A", "test.B"}; !slices.Equal(got, want) {
		t.Errorf("closed %v, want %v", got, want)
	}
	if got := Instances(); len(got) > 0 {
		t.Errorf("Instances after Shutdown = %+v, want none", got)
	}
	b.checkClosedOnce()
}

func TestShutdownWaitsForHeldInstances(t *testing.T) {
	isolate(t)
	log := new(journal)
	a := newFake(t, "test.A", false, log)
	b := newFake(t, "test.B", false, log)
	// A With on A's instance ends on another goroutine after Reset returned.
	a.held = func() <-chan struct{} {
		ch := make(chan struct{})
		go func() {
			log.add("test.A released")
			close(ch)
		}()
		return ch
	}
	b.build(nil)
	a.build(nil)

	if err := Shutdown(context.Background()); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if got, want := log.get(), []string{"test.A", "test.A released", "test.B"}; !slices.Equal(got, want) {
		t.Errorf("journal %v, want %v", got, want)
	}
}

func TestShutdownNamesWhatIsLeftOpenWhenCtxEnds(t *testing.T) {
	t.Run("held past the deadline", func(t *testing.T) {
		isolate(t)
		a := newFake(t, "test.A", false, nil)
		b := newFake(t, "test.B", false, nil)
		a.held = func() <-chan struct{} { return make(chan struct{}) } // never released
		b.build(nil)
		a.build(nil)

		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		err := Shutdown(ctx)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Shutdown error %v does not match context.DeadlineExceeded", err)
		}
		const want = "lifecycle: shutdown: context deadline exceeded; still open: test.A, test.B"
		if err == nil || err.Error() != want {
			t.Errorf("Shutdown error = %v, want %q", err, want)
		}
		if n := b.resets.Load(); n != 0 {
			t.Errorf("B was reset %d times after ctx ended, want 0", n)
		}
	})
	t.Run("Reset ends with ctx", func(t *testing.T) {
		isolate(t)
		a := newFake(t, "test.A", false, nil)
		b := newFake(t, "test.B", false, nil)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		a.onClose = func(ctx context.Context) error {
			cancel() // the signal comes again while closing
			return ctx.Err()
		}
		b.build(nil)
		a.build(nil)

		err := Shutdown(ctx)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Shutdown error %v does not match context.Canceled", err)
		}
		// Shutdown returns when ctx ends, whether A's Reset has returned by then (and
		// its error is joined) or not (and A is still open).
		returned := "test.A: context canceled\nlifecycle: shutdown: context canceled; still open: test.B"
		running := "lifecycle: shutdown: context canceled; still open: test.A, test.B"
		if err == nil || err.Error() != returned && err.Error() != running {
			t.Errorf("Shutdown error = %q, want %q or %q", err, returned, running)
		}
		if n := b.resets.Load(); n != 0 {
			t.Errorf("B was reset %d times after ctx ended, want 0", n)
		}
	})
	t.Run("ctx done already", func(t *testing.T) {
		isolate(t)
		a := newFake(t, "test.A", false, nil)
		b := newFake(t, "test.B", true, nil)
		a.build(nil)
		b.build(nil)
		b.build(nil)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()

		err := Shutdown(ctx)
		const want = "lifecycle: shutdown: context canceled; still open: test.B, test.A"
		if err == nil || err.Error() != want || !errors.Is(err, context.Canceled) {
			t.Errorf("Shutdown error = %v, want %q", err, want)
		}
		if a.resets.Load()+b.resets.Load() != 0 {
			t.Errorf("Shutdown with a done ctx reset a manager")
		}
	})
	t.Run("nothing left open", func(t *testing.T) {
		isolate(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := Shutdown(ctx); err != nil {
			t.Errorf("Shutdown of nothing with a done ctx = %v, want nil", err)
		}
	})
}

func TestShutdownJoinsCloseErrorsWithNames(t *testing.T) {
	isolate(t)
	errA, errB := errors.New("a broke"), errors.New("b broke")
	a := newFake(t, "test.A", false, nil)
	b := newFake(t, "test.B", false, nil)
	c := newFake(t, "test.C", false, nil)
	a.onClose = func(context.Context) error { return errA }
	b.onClose = func(context.Context) error { return errB }
	a.build(nil)
	b.build(nil)
	c.build(nil)

	err := Shutdown(context.Background())
	if !errors.Is(err, errA) || !errors.Is(err, errB) {
		t.Errorf("Shutdown error %v does not match both Close errors", err)
	}
	if want := "test.B: b broke\ntest.A: a broke"; err == nil || err.Error() != want {
		t.Errorf("Shutdown error = %q, want %q", err, want)
	}
	c.checkClosedOnce()
}

func TestShutdownTwice(t *testing.T) {
	isolate(t)
	log := new(journal)
	a := newFake(t, "test.A", true, log)
	a.build(nil)
	a.build(nil)
	for i := range 2 {
		if err := Shutdown(context.Background()); err != nil {
			t.Fatalf("Shutdown %d: %v", i+1, err)
		}
	}
	if got, want := log.get(), []string{"test.A", "test.A"}; !slices.Equal(got, want) {
		t.Errorf("closed %v, want %v", got, want)
	}
	if n := a.resets.Load(); n != 1 {
		t.Errorf("A reset %d times, want 1: the second Shutdown found nothing open", n)
	}
}

func TestConcurrentShutdownsCloseEachInstanceOnce(t *testing.T) {
	isolate(t)
	var fakes []*fake
	for i := range 20 {
		f := newFake(t, fmt.Sprintf("test.F%d", i), true, nil)
		for range 3 {
			f.build(nil)
		}
		fakes = append(fakes, f)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := Shutdown(context.Background()); err != nil {
				t.Errorf("Shutdown: %v", err)
			}
		}()
	}
	wg.Wait()
	for _, f := range fakes {
		f.checkClosedOnce()
	}
}

func TestShutdownGivesUpOnEndlessRebuilds(t *testing.T) {
	isolate(t)
	f := newFake(t, "test.Phoenix", false, nil)
	f.onClose = func(context.Context) error {
		f.build(nil) // as goroutines that keep calling Get would
		return nil
	}
	f.build(nil)

	err := Shutdown(context.Background())
	const want = "lifecycle: shutdown: still building after 16 rounds; still open: test.Phoenix"
	if err == nil || err.Error() != want {
		t.Errorf("Shutdown error = %v, want %q", err, want)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown error %v matches a ctx error, but ctx did not end", err)
	}
	if n := f.resets.Load(); n != maxRounds {
		t.Errorf("reset %d times, want %d", n, maxRounds)
	}
}

func TestInstances(t *testing.T) {
	isolate(t)
	x := newFake(t, "test.X", true, nil)
	y := newFake(t, "test.Y", false, nil)
	for range 3 {
		x.build(nil)
	}
	// A build that took two seconds, as far as the registry can tell.
	y.mu.Lock()
	y.insts = append(y.insts, new(instance))
	y.mu.Unlock()
	before := time.Now()
	y.reg.Finished(before.Add(-2*time.Second), nil)

	got := Instances()
	if len(got) != 2 {
		t.Fatalf("Instances() = %+v, want X then Y", got)
	}
	if got[0].Name != "test.X" || !got[0].Keyed || got[0].Keys != 3 {
		t.Errorf("Instances()[0] = %+v, want test.X, keyed, 3 keys", got[0])
	}
	if g := got[1]; g.Name != "test.Y" || g.Keyed || g.Keys != 1 || g.Built.Before(before) || g.BuildDuration < 2*time.Second {
		t.Errorf("Instances()[1] = %+v, want test.Y, 1 instance, built after %v in 2s or more", g, before)
	}

	x.build(nil)
	if got := Instances(); len(got) != 2 || got[0].Name != "test.Y" || got[1].Name != "test.X" || got[1].Keys != 4 {
		t.Errorf("Instances() after X built again = %+v, want Y then X with 4 keys", got)
	}
}

func TestManagersThatHoldNothingLeave(t *testing.T) {
	isolate(t)
	x := newFake(t, "test.X", false, nil)
	y := newFake(t, "test.Y", false, nil)
	x.build(nil)
	y.build(nil)
	y.clear()

	if got := Instances(); len(got) != 1 || got[0].Name != "test.X" {
		t.Errorf("Instances() = %+v, want test.X alone", got)
	}
	if isListed(t, y.reg) {
		t.Errorf("test.Y holds nothing and is still listed")
	}

	// A failed first build leaves nothing listed once swept, nor in Instances.
	z := newFake(t, "test.Z", false, nil)
	z.reg.Finished(z.reg.Started(), errors.New("no route to host"))
	if got := Instances(); len(got) != 1 || got[0].Name != "test.X" {
		t.Errorf("Instances() after a failed build = %+v, want test.X alone", got)
	}
	if isListed(t, z.reg) {
		t.Errorf("a failed build left test.Z listed after a sweep")
	}
}

func TestJoiningSweepsManagersThatHoldNothing(t *testing.T) {
	isolate(t)
	// Managers made and dropped over and over, as by a component that makes its own,
	// in a program that never calls Instances or Shutdown.
	for i := range 1000 {
		f := newFake(t, fmt.Sprintf("test.T%d", i), false, nil)
		f.build(nil)
		f.clear()
	}
	if got := listed(); len(got) > 4 {
		t.Errorf("%d managers that hold nothing are still listed, want a few at most", len(got))
	}
}

func TestFinishedOnListedManagerTakesNoGlobalLock(t *testing.T) {
	isolate(t)
	f := newFake(t, "test.Keyed", true, nil)
	f.build(nil)

	registry.mu.Lock()
	done := make(chan struct{})
	go func() {
		defer close(done)
		Register(Manager{Name: "test.Other", Len: f.Len, Reset: f.Reset})
		for range 100 {
			f.build(nil) // keyed churn
		}
		f.reg.Dropped("evict", 1)
		f.reg.Closed(nil)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Error("Register or a build of a listed manager waits for the registry's lock")
	}
	registry.mu.Unlock()
	<-done
}

// A build publishes its instance and then calls Finished while sweeps run: whatever the
// interleaving, once Finished returned the manager must be listed.
func TestBuildRacingWithSweepStaysListed(t *testing.T) {
	isolate(t)
	stop := make(chan struct{})
	var sweepers sync.WaitGroup
	for range 2 {
		sweepers.Add(1)
		go func() {
			defer sweepers.Done()
			for {
				select {
				case <-stop:
					return
				default:
					Instances()
				}
			}
		}()
	}
	var builders sync.WaitGroup
	for i := range 4 {
		f := newFake(t, fmt.Sprintf("test.R%d", i), false, nil)
		builders.Add(1)
		go func() {
			defer builders.Done()
			for range 2000 {
				f.clear() // so that a sweep may take it out
				f.build(nil)
				if !isListed(t, f.reg) {
					t.Errorf("%s holds an instance, but is not listed", f.name)
					return
				}
			}
		}()
	}
	builders.Wait()
	close(stop)
	sweepers.Wait()
}

func TestConcurrentBuildsShutdownsAndInstances(t *testing.T) {
	isolate(t)
	var fakes []*fake
	for i := range 8 {
		fakes = append(fakes, newFake(t, fmt.Sprintf("test.C%d", i), i%2 == 0, nil))
	}
	stop := make(chan struct{})
	var others sync.WaitGroup
	for range 2 {
		others.Add(2)
		go func() {
			defer others.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				// Builders keep going, so Shutdown may run out of rounds; nothing else.
				if err := Shutdown(context.Background()); err != nil && !strings.Contains(err.Error(), "still building") {
					t.Errorf("Shutdown: %v", err)
				}
			}
		}()
		go func() {
			defer others.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				for _, in := range Instances() {
					if in.Keys <= 0 {
						t.Errorf("Instances lists %+v, which holds nothing", in)
					}
				}
			}
		}()
	}
	var builders sync.WaitGroup
	for g := range 8 {
		builders.Add(1)
		go func() {
			defer builders.Done()
			for i := range 1000 {
				f, dep := fakes[(g+i)%len(fakes)], fakes[(g+2*i+1)%len(fakes)]
				switch i % 5 {
				case 0:
					f.build(func() { dep.build(nil) })
				case 1:
					if _, err := f.Reset(context.Background()); err != nil {
						t.Errorf("Reset: %v", err)
					}
				default:
					f.build(nil)
				}
			}
		}()
	}
	builders.Wait()
	close(stop)
	others.Wait()

	if err := Shutdown(context.Background()); err != nil {
		t.Fatalf("final Shutdown: %v", err)
	}
	if got := listed(); len(got) > 0 {
		t.Errorf("listed after the final Shutdown: %v", got)
	}
	for _, f := range fakes {
		f.checkClosedOnce()
	}
}

func TestObserve(t *testing.T) {
	isolate(t)
	var mu sync.Mutex
	var first, second []Event
	stopFirst := Observe(func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		first = append(first, e)
	})
	stopSecond := Observe(func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		second = append(second, e)
	})
	f := newFake(t, "test.O", false, nil)
	boom := errors.New("boom")
	f.onClose = func(context.Context) error { return boom }
	refused := errors.New("connection refused")

	f.reg.Finished(f.reg.Started(), refused)
	f.build(nil)
	stopFirst()
	stopFirst() // harmless
	if _, err := f.Reset(context.Background()); !errors.Is(err, boom) {
		t.Fatalf("Reset: %v, want %v", err, boom)
	}
	stopSecond()
	f.build(nil) // observed by nobody

	type summary struct {
		Kind   EventKind
		Name   string
		Reason string
		Count  int
		Err    error
	}
	summarise := func(events []Event) []summary {
		var s []summary
		for _, e := range events {
			if e.Time.IsZero() || e.Duration < 0 {
				t.Errorf("event %+v: no time or a negative duration", e)
			}
			s = append(s, summary{e.Kind, e.Name, e.Reason, e.Count, e.Err})
		}
		return s
	}
	builds := []summary{
		{Kind: BuildStarted, Name: "test.O"},
		{Kind: BuildFinished, Name: "test.O", Err: refused},
		{Kind: BuildStarted, Name: "test.O"},
		{Kind: BuildFinished, Name: "test.O"},
	}
	dropAndClose := []summary{
		{Kind: Dropped, Name: "test.O", Reason: "shutdown", Count: 1},
		{Kind: Closed, Name: "test.O", Err: boom},
	}
	mu.Lock()
	defer mu.Unlock()
	if got := summarise(first); !slices.Equal(got, builds) {
		t.Errorf("first observer got %+v, want %+v", got, builds)
	}
	if got, want := summarise(second), append(builds, dropAndClose...); !slices.Equal(got, want) {
		t.Errorf("second observer got %+v, want %+v", got, want)
	}
	if observers.Load() != nil {
		t.Errorf("observers left after every stop: emitting costs more than a load")
	}
}

func TestEventKindString(t *testing.T) {
	for k, want := range map[EventKind]string{
		BuildStarted:  "build started",
		BuildFinished: "build finished",
		Dropped:       "dropped",
		Closed:        "closed",
		0:             "EventKind(0)",
	} {
		if got := k.String(); got != want {
			t.Errorf("EventKind(%d).String() = %q, want %q", int(k), got, want)
		}
	}
}

func TestRegisterRefusesManagerWithoutFuncs(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), `"test.Half"`) {
			t.Errorf("Register panicked with %v, want a message naming test.Half", r)
		}
	}()
	Register(Manager{Name: "test.Half", Len: func() int { return 0 }})
}

func TestNilRegistrationReportsNothing(t *testing.T) {
	var events []Event
	stop := Observe(func(e Event) { events = append(events, e) })
	defer stop()
	var r *Registration
	start := r.Started()
	r.Finished(start, nil)
	r.Dropped("reset", 1)
	r.Closed(nil)
	r.Discarded(start, nil)
	r.Held(make(chan struct{}))
	r.SetAside()()
	if len(events) != 0 || start.IsZero() {
		t.Fatalf("a nil registration reported %v (start %v)", events, start)
	}
}
