package hostile_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/singletongen/singletongen/lifecycle"
	"github.com/singletongen/singletongen/lifecycle/internal/hostile"
)

// TestBuildsMinusDropsUnderChurn drives keyed managers with max= and idle=, With,
// Delete, Invalidate, Reset, test hooks, concurrent Shutdowns and Instances calls, and
// an observer that calls Instances on every drop and close, then checks what the README
// promises of observers:
//
//   - "Each instance built is reported dropped once, held by With or not, so successful
//     builds minus drops is what the managers hold": at rest, per manager, builds - drops
//     == Len(); after Shutdown, builds == drops == closes == Close calls (each instance
//     closed exactly once: a second Close of one is recorded as a violation);
//   - "never argument values": no event, Instances entry or Shutdown error carries a
//     token;
//   - nothing deadlocks, Shutdown leaves nothing listed, and neither goroutines nor idle
//     timers outlive it.
func TestBuildsMinusDropsUnderChurn(t *testing.T) {
	fresh(t)
	goroutinesBefore := runtime.NumGoroutine()
	sessionsClosed, idlersClosed, hookedClosed := hostile.SessionCloses(), hostile.IdlerCloses(), hostile.HookedCloses()
	rec := observe(t)
	var leakMu sync.Mutex
	var leaks []string
	const secret = "tok-SECRET-"
	check := func(where string, s ...string) {
		if mentions(secret, s...) {
			leakMu.Lock()
			leaks = append(leaks, fmt.Sprintf("%s: %q", where, s))
			leakMu.Unlock()
		}
	}
	stopInstances := lifecycle.Observe(func(e lifecycle.Event) {
		if e.Kind == lifecycle.Dropped || e.Kind == lifecycle.Closed {
			for _, in := range lifecycle.Instances() {
				check("Instances from an observer", in.Name)
			}
		}
	})
	defer stopInstances()

	tokens := make([]string, 5)
	for i := range tokens {
		tokens[i] = fmt.Sprintf("%s%d", secret, i)
	}
	const rounds = 200
	var wg sync.WaitGroup
	run := func(fn func(i int)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				fn(i)
			}
		}()
	}
	run(func(i int) { // Gets that evict (max=2), Deletes and Invalidates
		tok := tokens[i%len(tokens)]
		s, err := hostile.GetSession(tok)
		switch {
		case err != nil:
			check("GetSession", err.Error())
		case i%7 == 0:
			_ = hostile.GetSessionManager().Invalidate(tok, s)
		case i%5 == 0:
			_ = hostile.GetSessionManager().Delete(tok)
		}
	})
	run(func(i int) { // With holds across evictions and drops
		tok := tokens[(i*3)%len(tokens)]
		err := hostile.GetSessionManager().With(tok, func(*hostile.Session) error {
			runtime.Gosched()
			return nil
		})
		if err != nil {
			check("With", err.Error())
		}
	})
	run(func(i int) { // idle drops by the timer, and Deletes
		key := tokens[i%3]
		if _, err := hostile.GetIdler(key); err != nil {
			check("GetIdler", err.Error())
		}
		if i%11 == 0 {
			_ = hostile.GetIdlerManager().Delete(key)
		}
		if i%50 == 0 {
			time.Sleep(30 * time.Millisecond) // longer than idle=20ms: let the timer drop some
		}
	})
	run(func(i int) { // a single manager, Reset and Invalidated under Gets
		h, err := hostile.GetHooked()
		if err != nil {
			t.Error(err)
			return
		}
		if i%4 == 0 {
			_ = hostile.GetHookedManager().Invalidate(h)
		}
		if i%9 == 0 {
			_ = hostile.GetHookedManager().Reset()
		}
	})
	run(func(i int) { // test hooks, installed and restored on their own goroutine
		tb := new(fakeTB)
		if i%2 == 0 {
			hostile.ResetSessionForTest(tb)
			_, _ = hostile.GetSession(tokens[i%len(tokens)])
		} else {
			hostile.ResetIdlerForTest(tb)
			_, _ = hostile.GetIdler(tokens[i%3])
		}
		runtime.Gosched()
		tb.cleanup()
	})
	run(func(i int) { // Shutdowns, short and long, and Instances
		if i%10 != 0 {
			for _, in := range lifecycle.Instances() {
				check("Instances", in.Name)
			}
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
		if i%20 == 0 {
			ctx, cancel = context.WithTimeout(context.Background(), patience)
		}
		if err := lifecycle.Shutdown(ctx); err != nil {
			check("Shutdown", err.Error())
		}
		cancel()
	})
	if _, ok := within(4*patience, wg.Wait); !ok {
		t.Fatal("the churn did not end: a deadlock")
	}

	// At rest: builds - drops is what each manager holds. Idle drops may still come, so
	// look again until two looks agree.
	managers := map[string]func() int{
		"hostile.Session": hostile.GetSessionManager().Len,
		"hostile.Idler":   hostile.GetIdlerManager().Len,
		"hostile.Hooked":  func() int { return keysOf("hostile.Hooked") }, // a single manager has no Len
	}
	var events []lifecycle.Event
	for attempt := 0; ; attempt++ {
		events = append(events, rec.take()...)
		held := map[string]int{}
		for name, n := range managers {
			held[name] = n()
		}
		late := rec.take()
		events = append(events, late...)
		if len(late) > 0 && attempt < 100 {
			continue
		}
		c := count(events)
		for name, n := range held {
			if got := c.builds[name] - c.drops[name]; got != n {
				t.Errorf("%s at rest: builds %d - drops %d = %d, but Len() = %d", name, c.builds[name], c.drops[name], got, n)
			}
		}
		break
	}

	if err := shutdown(t, context.Background()); err != nil {
		t.Fatalf("Shutdown after the churn: %v", err)
	}
	if got := lifecycle.Instances(); len(got) != 0 {
		t.Errorf("Instances() after Shutdown = %+v", got)
	}
	time.Sleep(200 * time.Millisecond) // ten idle periods: a timer left armed would fire
	events = append(events, rec.take()...)
	c := count(events)
	for name := range managers {
		if c.builds[name] != c.drops[name] || c.drops[name] != c.closes[name] {
			t.Errorf("%s after Shutdown: builds %d, drops %d, closes %d; want all equal", name, c.builds[name], c.drops[name], c.closes[name])
		}
	}
	closeCalls := map[string]int64{
		"hostile.Session": hostile.SessionCloses() - sessionsClosed,
		"hostile.Idler":   hostile.IdlerCloses() - idlersClosed,
		"hostile.Hooked":  hostile.HookedCloses() - hookedClosed,
	}
	for name, n := range closeCalls {
		if int64(c.closes[name]) != n {
			t.Errorf("%s: %d Closed events, %d Close calls", name, c.closes[name], n)
		}
	}
	for _, r := range []string{"evict", "idle", "delete", "invalidate", "reset", "shutdown", "test"} {
		if !c.reasons[r] {
			t.Logf("no drop for reason %q in this run", r)
		}
	}
	for _, e := range events {
		errText := ""
		if e.Err != nil {
			errText = e.Err.Error()
		}
		check("event", e.Name, e.Reason, errText)
	}
	if len(leaks) > 0 {
		t.Errorf("argument values reported: %v", leaks)
	}
	stopInstances()
	if n := settleGoroutines(goroutinesBefore); n > goroutinesBefore {
		t.Errorf("%d goroutines after Shutdown, %d before the churn", n, goroutinesBefore)
	}
}

// keysOf returns what Instances says the named manager holds.
func keysOf(name string) int {
	for _, in := range lifecycle.Instances() {
		if in.Name == name {
			return in.Keys
		}
	}
	return 0
}
