// Package journal records, in order, what the singletons of the e2e packages build and
// close, so that tests can check the order of closing and that every instance built was
// closed exactly once. It is process-wide, like the managers it watches: tests that use
// it do not run in parallel.
package journal

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Handle is one instance of a singleton, as the journal sees it.
type Handle struct {
	Name string // the singleton, as "db.DB"
	Fake bool   // made by a test, not by a constructor

	closes atomic.Int32
	ctx    atomic.Pointer[context.Context] // that of its last Close
}

// Closes returns how many times the instance was closed.
func (h *Handle) Closes() int { return int(h.closes.Load()) }

// Ctx returns the context its last Close received, or nil.
func (h *Handle) Ctx() context.Context {
	if p := h.ctx.Load(); p != nil {
		return *p
	}
	return nil
}

// Close records that the instance closes, with ctx, runs the hook set for its
// singleton, if any, and returns the error set for it.
func (h *Handle) Close(ctx context.Context) error {
	h.closes.Add(1)
	h.ctx.Store(&ctx)
	mu.Lock()
	closed = append(closed, h.Name)
	hook, err := onClose[h.Name], closeErr[h.Name]
	mu.Unlock()
	if hook != nil {
		hook(ctx)
	}
	return err
}

var (
	mu       sync.Mutex
	closed   []string
	built    []*Handle
	failing  map[string]error
	delay    map[string]time.Duration
	closeErr map[string]error
	onClose  map[string]func(context.Context)
)

// Built records that a constructor of name builds an instance, and returns its handle,
// after the delay set by Delay for name; it returns the error set by Fail for name
// instead, if any.
func Built(name string) (*Handle, error) {
	mu.Lock()
	d := delay[name]
	mu.Unlock()
	time.Sleep(d)
	mu.Lock()
	defer mu.Unlock()
	if err := failing[name]; err != nil {
		return nil, err
	}
	h := &Handle{Name: name}
	built = append(built, h)
	return h, nil
}

// Fake returns the handle of an instance that a test makes: not one of Handles.
func Fake(name string) *Handle { return &Handle{Name: name, Fake: true} }

// Closed returns the names of the instances closed so far, in order.
func Closed() []string {
	mu.Lock()
	defer mu.Unlock()
	return slices.Clone(closed)
}

// Handles returns every instance that a constructor built, in order.
func Handles() []*Handle {
	mu.Lock()
	defer mu.Unlock()
	return slices.Clone(built)
}

// Fail makes the constructors of name fail with err from now on; nil ends that.
func Fail(name string, err error) { set(&failing, name, err) }

// Delay makes the constructors of name take d longer from now on; 0 ends that.
func Delay(name string, d time.Duration) {
	mu.Lock()
	defer mu.Unlock()
	if delay == nil {
		delay = make(map[string]time.Duration)
	}
	delay[name] = d
}

// CloseErr makes Close of name's instances return err from now on; nil ends that.
func CloseErr(name string, err error) { set(&closeErr, name, err) }

// OnClose makes Close of name's instances call fn with its context, outside the
// journal's lock; nil ends that.
func OnClose(name string, fn func(context.Context)) {
	mu.Lock()
	defer mu.Unlock()
	if onClose == nil {
		onClose = make(map[string]func(context.Context))
	}
	if fn == nil {
		delete(onClose, name)
		return
	}
	onClose[name] = fn
}

func set(m *map[string]error, name string, err error) {
	mu.Lock()
	defer mu.Unlock()
	if *m == nil {
		*m = make(map[string]error)
	}
	if err == nil {
		delete(*m, name)
		return
	}
	(*m)[name] = err
}

// Reset forgets everything: what was built and closed, and the settings.
func Reset() {
	mu.Lock()
	defer mu.Unlock()
	closed, built, failing, delay, closeErr, onClose = nil, nil, nil, nil, nil, nil
}
