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

// hookRaces races SetSessionForTest against the reset of the keyed Session manager by
// Shutdown, for about budget or until the fake is lost, and returns how many races ran
// and in how many the fake was gone once both had returned. Hooked, built after Session,
// is reset first: its drop, reported on Shutdown's goroutine, lets the hook go on a
// spinning goroutine while Shutdown's goroutine spins for a delay that varies from one
// race to the next, so as to sweep the window between Session's check for a fake and
// its reset. A third goroutine contends for Session's lock.
func hookRaces(t *testing.T, budget time.Duration) (races, lost int) {
	t.Helper()
	fake := new(hostile.Session)
	var gate atomic.Int32 // 1: the hook may go; 2: the test ends
	var delay atomic.Int32
	var spin atomic.Int64
	stop := lifecycle.Observe(func(e lifecycle.Event) {
		if e.Kind == lifecycle.Dropped && e.Name == "hostile.Hooked" && e.Reason == "shutdown" {
			gate.CompareAndSwap(0, 1)
			for range delay.Load() {
				spin.Add(1)
			}
		}
	})
	defer stop()
	tbs := make(chan *fakeTB)
	hammered := make(chan struct{})
	go func() {
		defer close(hammered)
		for gate.Load() != 2 {
			_ = hostile.GetSessionManager().Len()
		}
	}()
	go func() {
		for {
			for gate.Load() == 0 {
				runtime.Gosched()
			}
			if gate.Load() == 2 {
				close(tbs)
				return
			}
			tb := new(fakeTB)
			hostile.SetSessionForTest(tb, fake)
			gate.Store(0)
			tbs <- tb
		}
	}()
	defer func() {
		gate.Store(2)
		for range tbs {
		}
		<-hammered
	}()
	deadline := time.Now().Add(budget)
	for ; lost == 0 && time.Now().Before(deadline); races++ {
		delay.Store(int32(races%400) * 10)
		if _, err := hostile.GetSession("held"); err != nil {
			t.Fatal(err)
		}
		if _, err := hostile.GetHooked(); err != nil {
			t.Fatal(err)
		}
		if err := lifecycle.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
		tb := <-tbs
		if got, err := hostile.GetSession("any"); err != nil || got != fake {
			lost++
		}
		tb.cleanup()
	}
	return races, lost
}

// TestShutdownLeavesFakeInstalledMeanwhile: a keyed manager's shutdown (generated
// singletonMap.shutdown) looks for a test hook's fake and empties the manager under one
// hold of its lock: a SetForTest racing it is never undone. On two CPUs this races a few
// thousand times.
//
// Promise (generated doc of singletonMap.shutdown): "a fake that a test hook installed
// stays"; README: "A fake installed by a test hook is never closed".
func TestShutdownLeavesFakeInstalledMeanwhile(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("needs two CPUs to race")
	}
	fresh(t)
	if races, lost := hookRaces(t, 5*time.Second); lost > 0 {
		t.Errorf("after %d races, SetSessionForTest's fake was gone after a Shutdown that ran beside it", races)
	} else {
		t.Logf("the window was not hit in %d races", races)
	}
}
