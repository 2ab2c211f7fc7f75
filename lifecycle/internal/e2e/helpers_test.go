package e2e_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/singletongen/singletongen/lifecycle"
	"github.com/singletongen/singletongen/lifecycle/internal/e2e/journal"
)

// fresh starts a test with nothing built, closed or listed, and ends it the same way.
// The managers, the registry and the journal are process-wide: the tests of this
// package do not run in parallel.
func fresh(t *testing.T) {
	t.Helper()
	clear := func() {
		journal.Reset() // no Close error, hook or failing constructor left set
		if err := lifecycle.Shutdown(context.Background()); err != nil {
			t.Errorf("Shutdown, to start or end the test afresh: %v", err)
		}
		journal.Reset()
	}
	clear()
	if got := lifecycle.Instances(); len(got) != 0 {
		t.Fatalf("Instances() after Shutdown = %+v, want none", got)
	}
	t.Cleanup(clear)
}

// events records what an observer sees.
type events struct {
	mu   sync.Mutex
	list []lifecycle.Event
}

// observe records every event until the test ends.
func observe(t *testing.T) *events {
	e := new(events)
	t.Cleanup(lifecycle.Observe(e.add))
	return e
}

func (e *events) add(ev lifecycle.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.list = append(e.list, ev)
}

// all returns the events seen so far.
func (e *events) all() []lifecycle.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.list)
}

// take returns the events seen so far, and forgets them.
func (e *events) take() []lifecycle.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	list := e.list
	e.list = nil
	return list
}

// names returns the names of the singletons that Instances lists, oldest build first.
func names(infos []lifecycle.Info) []string {
	var s []string
	for _, in := range infos {
		s = append(s, in.Name)
	}
	return s
}

// wantClosed checks the order in which the journal saw instances close.
func wantClosed(t *testing.T, want ...string) {
	t.Helper()
	if got := journal.Closed(); !slices.Equal(got, want) {
		t.Fatalf("closed %s, want %s", show(got), show(want))
	}
}

func show(names []string) string {
	if len(names) == 0 {
		return "nothing"
	}
	return "[" + strings.Join(names, ", ") + "]"
}

// closedOnce checks that every instance the constructors built was closed exactly once.
func closedOnce(t *testing.T) {
	t.Helper()
	hs := journal.Handles()
	bad := 0
	for i, h := range hs {
		if n := h.Closes(); n != 1 {
			if bad++; bad <= 5 {
				t.Errorf("instance %d of %d, a %s, closed %d times, want once", i+1, len(hs), h.Name, n)
			}
		}
	}
	if bad > 5 {
		t.Errorf("... and %d more", bad-5)
	}
}

// waitFor polls cond until it holds, and fails the test if it does not within 10s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited 10s for %s", what)
		}
	}
}
