package lifecycle

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
)

// journal records, in order, what the fakes of one test closed.
type journal struct {
	mu      sync.Mutex
	entries []string
}

func (j *journal) add(s string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.entries = append(j.entries, s)
}

func (j *journal) get() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Clone(j.entries)
}

// fake is a manager as the registry sees one: instances built, held, dropped and closed
// as generated code does it, with hooks in place of constructors and Close methods. Set
// its hooks before it is used concurrently.
type fake struct {
	t    *testing.T
	name string
	reg  *Registration
	log  *journal // if not nil, gets the name of every instance closed

	// onClose runs as each instance closes, outside the lock, and its error is Close's.
	onClose func(ctx context.Context) error
	// held, if set, gives the channel that Reset returns.
	held func() <-chan struct{}
	// withHeld, if set, gives a channel that Reset reports with Held, as generated code
	// does for an instance that a With holds.
	withHeld func() <-chan struct{}

	resets atomic.Int32

	mu    sync.Mutex
	insts []*instance
	all   []*instance // every instance built, to check that each closed once
}

type instance struct{ closes atomic.Int32 }

// newFake registers a fake. The test's cleanup drops what it still holds, without
// closing, so that the next test starts with an empty registry (see isolate).
func newFake(t *testing.T, name string, keyed bool, log *journal) *fake {
	f := &fake{t: t, name: name, log: log}
	f.reg = Register(Manager{Name: name, Keyed: keyed, Len: f.Len, Reset: f.Reset})
	t.Cleanup(f.clear)
	return f
}

// build builds one instance as a generated Get does: Started, the constructor (ctor may
// ask for other singletons), publishing, then Finished.
func (f *fake) build(ctor func()) {
	start := f.reg.Started()
	if ctor != nil {
		ctor()
	}
	in := new(instance)
	f.mu.Lock()
	f.insts = append(f.insts, in)
	f.all = append(f.all, in)
	f.mu.Unlock()
	f.reg.Finished(start, nil)
}

// setAside takes the instances out, as a test hook does, and returns what its cleanup
// does: put them back and report it.
func (f *fake) setAside() (restore func()) {
	f.mu.Lock()
	insts := f.insts
	f.insts = nil
	f.mu.Unlock()
	relist := f.reg.SetAside()
	return func() {
		f.mu.Lock()
		f.insts = append(f.insts, insts...)
		f.mu.Unlock()
		relist()
	}
}

// clear drops the instances without closing them, as if another Reset had taken them.
func (f *fake) clear() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.insts = nil
}

func (f *fake) Len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.insts)
}

func (f *fake) Reset(ctx context.Context) (<-chan struct{}, error) {
	f.resets.Add(1)
	f.mu.Lock()
	insts := f.insts
	f.insts = nil
	f.mu.Unlock()
	if len(insts) > 0 {
		f.reg.Dropped("shutdown", len(insts))
	}
	var errs []error
	for _, in := range insts {
		if in.closes.Add(1) != 1 {
			f.t.Errorf("%s: an instance closed twice", f.name)
		}
		if f.log != nil {
			f.log.add(f.name)
		}
		var err error
		if f.onClose != nil {
			err = f.onClose(ctx)
		}
		f.reg.Closed(err)
		errs = append(errs, err)
	}
	if f.withHeld != nil {
		f.reg.Held(f.withHeld())
	}
	var held <-chan struct{}
	if f.held != nil {
		held = f.held()
	}
	return held, errors.Join(errs...)
}

// checkClosedOnce reports the instances that f built and did not close exactly once.
func (f *fake) checkClosedOnce() {
	f.t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, in := range f.all {
		if n := in.closes.Load(); n != 1 {
			f.t.Errorf("%s: instance %d closed %d times, want once", f.name, i, n)
		}
	}
}

// isolate makes sure that the test starts and ends with an empty registry: the registry
// is process-wide, and the fakes of other tests must not be shut down by this one.
func isolate(t *testing.T) {
	t.Helper()
	if got := listed(); len(got) > 0 {
		t.Fatalf("registry lists %v before the test", got)
	}
	// Registered first, so it runs after the cleanups of the test's fakes.
	t.Cleanup(func() {
		sweep()
		if got := listed(); len(got) > 0 {
			t.Errorf("registry lists %v after the test", got)
		}
	})
}

// listed returns the names of the listed managers, sorted, without sweeping, and checks
// that the registry and the registrations agree.
func listed() []string {
	registry.mu.Lock()
	regs := make([]*Registration, 0, len(registry.listed))
	for r := range registry.listed {
		regs = append(regs, r)
	}
	registry.mu.Unlock()
	var names []string
	for _, r := range regs {
		r.mu.Lock()
		if r.listed {
			names = append(names, r.m.Name)
		} else {
			names = append(names, r.m.Name+" (in the registry, but not listed)")
		}
		r.mu.Unlock()
	}
	slices.Sort(names)
	return names
}

// isListed reports whether r is listed, checking that the registry agrees.
func isListed(t *testing.T, r *Registration) bool {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	registry.mu.Lock()
	_, inRegistry := registry.listed[r]
	registry.mu.Unlock()
	if inRegistry != r.listed {
		t.Errorf("%s: listed = %v, but in the registry = %v", r.m.Name, r.listed, inRegistry)
	}
	return r.listed
}
