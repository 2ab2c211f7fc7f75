package lifecycle

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// EventKind says what an [Event] is about.
type EventKind int

const (
	BuildStarted  EventKind = iota + 1 // a build began
	BuildFinished                      // a build ended, well or not
	Dropped                            // instances were taken out of their manager
	Closed                             // a dropped instance was closed
)

func (k EventKind) String() string {
	switch k {
	case BuildStarted:
		return "build started"
	case BuildFinished:
		return "build finished"
	case Dropped:
		return "dropped"
	case Closed:
		return "closed"
	}
	return "EventKind(" + strconv.Itoa(int(k)) + ")"
}

// Event is something that happened to a registered manager's instances. It never carries
// argument values (they are often credentials).
type Event struct {
	Kind     EventKind
	Name     string // the singleton, as Manager.Name
	Time     time.Time
	Duration time.Duration // BuildFinished: how long the build took
	Reason   string        // Dropped: why ("reset", "delete", "evict", "idle", "invalidate", "shutdown", "test", "discard")
	Count    int           // Dropped: how many instances
	Err      error         // BuildFinished: the constructor's error; Closed: what Close returned (nil on success)
}

// observer wraps a function so that stop can find it again: funcs are not comparable.
type observer struct{ fn func(Event) }

var (
	// observers is replaced, never changed, so that emitting takes no lock; it is nil
	// when there are none, so that emitting then costs one atomic load.
	observers   atomic.Pointer[[]*observer]
	observersMu sync.Mutex // serialises replacing observers
)

// Observe calls fn, synchronously on the goroutine where it happens, for every event from
// now on, until stop is called. fn must be fast, must not panic and must not call
// [Shutdown]: it runs on the slow paths of Get, Reset and Shutdown, and on the timers of
// idle drops. stop does not wait
// for calls of fn already under way on other goroutines; calling it again does nothing.
func Observe(fn func(Event)) (stop func()) {
	o := &observer{fn}
	observersMu.Lock()
	defer observersMu.Unlock()
	var old []*observer
	if p := observers.Load(); p != nil {
		old = *p
	}
	obs := append(old[:len(old):len(old)], o) // a copy: emitters may be reading old
	observers.Store(&obs)
	return func() { unobserve(o) }
}

func unobserve(o *observer) {
	observersMu.Lock()
	defer observersMu.Unlock()
	p := observers.Load()
	if p == nil {
		return
	}
	var obs []*observer
	for _, x := range *p {
		if x != o {
			obs = append(obs, x)
		}
	}
	if len(obs) == 0 {
		observers.Store(nil)
		return
	}
	observers.Store(&obs)
}

func emit(obs []*observer, e Event) {
	for _, o := range obs {
		o.fn(e)
	}
}
