package lifecycle

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Manager describes a generated manager to the registry.
type Manager struct {
	Name  string // the singleton, as "paragon.Client"; never argument values
	Keyed bool   // one instance per key: Instances reports the number of keys

	// Len returns how many instances the manager holds now, not counting builds in
	// flight; it must not wait for them, since the registry may call it while the
	// manager's Finished waits.
	Len func() int

	// Reset drops every instance the manager holds, as its Reset method does, passing ctx
	// to Close methods that take a context. It returns what closing returned, and may
	// return a channel that is closed once the instances that With calls held at that
	// moment have been closed too; a manager that reports each of those with
	// [Registration.Held] returns nil.
	Reset func(ctx context.Context) (held <-chan struct{}, err error)
}

// Register returns the registration of a manager. It takes no global lock and does not
// yet list the manager: a manager joins the registry when its first build starts
// ([Registration.Started]), so that Shutdown discards that build too, and leaves it once
// [Shutdown], [Instances] or another manager joining sees it hold nothing, so that
// managers made for a while (one per test, one per component) are not kept forever.
func Register(m Manager) *Registration {
	if m.Len == nil || m.Reset == nil {
		panic(fmt.Sprintf("lifecycle: Register: manager %q without Len or Reset", m.Name))
	}
	return &Registration{m: m, resetting: make(chan struct{}, 1)}
}

// Registration is one manager's place in the registry. Generated managers call its
// methods from their slow paths only (builds, drops, closes), never on a Get of a built
// instance, and never while holding a manager's lock: a manager that joins the registry
// may ask the others for their Len. The methods of a nil *Registration do nothing, so
// that a manager that has not built yet need not check.
type Registration struct {
	m Manager

	// mu makes joining and leaving atomic with respect to the manager's own publishing:
	// leaving holds it from the Len that saw nothing until the manager is off the list, so
	// a build that published and then calls Finished either kept the manager listed or
	// lists it again. Lock order: mu, then registry.mu; neither is held while calling
	// Reset, and registry.mu is never held while calling Len.
	mu     sync.Mutex
	listed bool
	seq    uint64            // completion order of the last successful build
	built  time.Time         // when that build finished
	took   time.Duration     // how long it took
	held   []<-chan struct{} // of dropped instances that With held, until seen closed
	prune  int               // the length of held above which Held drops the closed ones

	// resetting is a slot that Shutdown takes around the manager's Reset, and closing
	// says that it is taken: a concurrent Shutdown that finds the manager empty but
	// closing waits for the slot, so that it closes nothing that the instances the other
	// took depend on before they are closed, or reported held.
	resetting chan struct{}
	closing   atomic.Bool
}

// Started reports that a build begins and returns its start time. It lists the manager
// if it is not listed: until the build ends, the manager's Len counts it.
func (r *Registration) Started() time.Time {
	start := time.Now()
	if r == nil {
		return start
	}
	r.mu.Lock()
	sweepDue := r.list()
	r.mu.Unlock()
	if obs := observers.Load(); obs != nil {
		emit(*obs, Event{Kind: BuildStarted, Name: r.m.Name, Time: start})
	}
	if sweepDue {
		sweep()
	}
	return start
}

// Finished reports that a build that began at start ended with err. On success it
// records the order in which the build completed, with its time and duration, and lists
// the manager if it is not listed. Only joining takes the registry's lock: the builds of
// a listed manager, such as a keyed manager's churn, touch this registration alone.
func (r *Registration) Finished(start time.Time, err error) {
	if r == nil {
		return
	}
	now := time.Now()
	took := now.Sub(start)
	sweepDue := err == nil && r.record(now, took)
	if obs := observers.Load(); obs != nil {
		emit(*obs, Event{Kind: BuildFinished, Name: r.m.Name, Time: now, Duration: took, Err: err})
	}
	if sweepDue {
		sweep()
	}
}

// Discarded reports that a build that began at start ended with err after a Reset, a
// Delete, a Shutdown or a test hook discarded it: observers see the build finish and,
// when it built an instance, that instance dropped (reason "discard") before it is
// closed. It is not the manager's last build: the order of Shutdown, and what
// [Instances] says, stay those of the builds that were kept.
func (r *Registration) Discarded(start time.Time, err error) {
	if r == nil {
		return
	}
	obs := observers.Load()
	if obs == nil {
		return
	}
	now := time.Now()
	emit(*obs, Event{Kind: BuildFinished, Name: r.m.Name, Time: now, Duration: now.Sub(start), Err: err})
	if err == nil {
		emit(*obs, Event{Kind: Dropped, Name: r.m.Name, Time: now, Reason: "discard", Count: 1})
	}
}

// Held reports that the manager dropped an instance that With calls still hold, and that
// gone is closed once the last of them has closed it. Until then the manager counts as
// holding it: it stays listed, and Shutdown waits for gone before it goes on to the
// managers built before this one, also when it is retried or runs twice at once.
func (r *Registration) Held(gone <-chan struct{}) {
	if r == nil || gone == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.held) >= r.prune {
		r.held = open(r.held)
		r.prune = 2*len(r.held) + 8 // amortised O(1) per Held however many stay open
	}
	r.held = append(r.held, gone)
	r.list()
}

// SetAside reports that a test hook set aside the instances that the manager holds, and
// returns the function that the hook's cleanup calls once they are back. The manager does
// not count them meanwhile, and may leave the registry; restore lists it again, with the
// order, time and duration of the build that made them, whatever the test built since.
func (r *Registration) SetAside() (restore func()) {
	if r == nil {
		return func() {}
	}
	r.mu.Lock()
	seq, built, took := r.seq, r.built, r.took
	r.mu.Unlock()
	return func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		if seq == 0 {
			return // nothing was built before the hook
		}
		r.seq, r.built, r.took = seq, built, took
		r.list()
	}
}

// open returns the channels of held that are not closed, in place.
func open(held []<-chan struct{}) []<-chan struct{} {
	kept := held[:0]
	for _, gone := range held {
		select {
		case <-gone:
		default:
			kept = append(kept, gone)
		}
	}
	clear(held[len(kept):])
	return kept
}

// record notes a successful build and lists the manager if needed. It reports whether
// the registry has grown enough since its last sweep to be swept again.
func (r *Registration) record(built time.Time, took time.Duration) (sweepDue bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seq = buildSeq.Add(1)
	r.built, r.took = built, took
	return r.list()
}

// list lists r if it is not listed, and reports whether the registry has grown enough
// since its last sweep to be swept again. r.mu is held.
func (r *Registration) list() (sweepDue bool) {
	if r.listed {
		return false
	}
	r.listed = true
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if registry.listed == nil {
		registry.listed = make(map[*Registration]struct{})
	}
	registry.listed[r] = struct{}{}
	if len(registry.listed) <= registry.sweepAt {
		return false
	}
	registry.sweepAt = 2 * len(registry.listed) // so that joins meanwhile leave the sweep to us
	return true
}

// Dropped reports that the manager dropped n instances, for reason; nothing when n is 0.
func (r *Registration) Dropped(reason string, n int) {
	if r == nil || n == 0 {
		return
	}
	if obs := observers.Load(); obs != nil {
		emit(*obs, Event{Kind: Dropped, Name: r.m.Name, Time: time.Now(), Reason: reason, Count: n})
	}
}

// Closed reports that closing a dropped instance returned err. Close errors that have no
// caller to return to, those of evictions and idle drops, are reported here too: an
// observer is where they go.
func (r *Registration) Closed(err error) {
	if r == nil {
		return
	}
	if obs := observers.Load(); obs != nil {
		emit(*obs, Event{Kind: Closed, Name: r.m.Name, Time: time.Now(), Err: err})
	}
}

// buildSeq numbers successful builds, of every manager, in the order they complete.
var buildSeq atomic.Uint64

// registry lists the managers that may hold instances.
var registry struct {
	mu     sync.Mutex
	listed map[*Registration]struct{}
	// sweepAt is the size above which a joining manager sweeps out those that hold
	// nothing. Twice the size after the last sweep keeps a program that makes managers
	// over and over, and never calls Instances or Shutdown, at amortised O(1) per join.
	sweepAt int
}

// entry is a listed manager as seen holding instances.
type entry struct {
	r     *Registration
	n     int
	seq   uint64
	built time.Time
	took  time.Duration
}

// sweep removes from the registry the managers that hold nothing and returns the others,
// newest build first: the order in which Shutdown closes them.
func sweep() []entry {
	registry.mu.Lock()
	regs := make([]*Registration, 0, len(registry.listed))
	for r := range registry.listed {
		regs = append(regs, r)
	}
	registry.mu.Unlock()

	var open []entry
	for _, r := range regs {
		if e, ok := r.holding(); ok {
			open = append(open, e)
		}
	}

	registry.mu.Lock()
	registry.sweepAt = 2 * len(registry.listed)
	registry.mu.Unlock()
	slices.SortFunc(open, func(a, b entry) int { return cmp.Compare(newness(b.seq), newness(a.seq)) })
	return open
}

// newness orders managers by their last completed build; one whose first build is still
// in flight is newer than all: what it builds may ask for any of them.
func newness(seq uint64) uint64 {
	if seq == 0 {
		return math.MaxUint64
	}
	return seq
}

// holding reports whether r is listed and holds instances, or is being reset by a
// Shutdown, which closes them, and what it holds; a listed manager that holds nothing
// leaves the registry.
func (r *Registration) holding() (entry, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.listed {
		return entry{}, false // it left since the caller looked
	}
	r.held = open(r.held)
	n := r.m.Len() + len(r.held)
	if n == 0 && !r.closing.Load() {
		r.listed = false
		registry.mu.Lock()
		delete(registry.listed, r)
		registry.mu.Unlock()
		return entry{}, false
	}
	return entry{r: r, n: n, seq: r.seq, built: r.built, took: r.took}, true
}

// Info describes one registered manager.
type Info struct {
	Name          string
	Keyed         bool
	Keys          int           // instances held (for a keyed manager, its number of keys), and dropped ones that With still holds
	Built         time.Time     // when its last successful build finished
	BuildDuration time.Duration // how long that build took
}

// Instances returns the registered managers that hold instances, in the order of their
// last completed build, oldest first. It never reports argument values.
func Instances() []Info {
	open := sweep()
	slices.Reverse(open)
	infos := make([]Info, 0, len(open))
	for _, e := range open {
		// Not one that a Shutdown is closing, nor one whose first build is in flight.
		if e.n > 0 && e.seq != 0 {
			infos = append(infos, Info{Name: e.r.m.Name, Keyed: e.r.m.Keyed, Keys: e.n, Built: e.built, BuildDuration: e.took})
		}
	}
	return infos
}

// maxRounds bounds the rounds of Shutdown: goroutines that keep calling Get build again
// behind it, and Shutdown must return.
const maxRounds = 16

// Shutdown resets every registered manager that holds instances, one at a time, in
// reverse order of its last completed build, so that a singleton whose constructor asked
// for another is closed before that other. Resetting discards builds in flight too. When
// a manager's instances are held by With calls, Shutdown waits for their closing, within
// ctx, before it goes on to the next manager.
//
// Shutdown repeats these rounds until no registered manager holds an instance, so that
// instances built meanwhile, say by a Close that asked for another singleton, are closed
// too; it gives up when ctx is done, even if a Close that ignores ctx is still running,
// or after 16 rounds. It returns nil when everything
// closed cleanly, and otherwise the errors of Close, each prefixed with its singleton's
// name, joined with one that names the singletons left open when ctx ended (matching
// ctx.Err() with [errors.Is]) or when the rounds ran out.
//
// Shutdown may be called more than once, and concurrently: each manager closes every
// instance exactly once whoever resets it, and a Shutdown that finds another closing a
// manager waits for it before it goes on. A Close(ctx) may call Shutdown with its ctx:
// that Shutdown leaves its caller's manager to its caller. An observer must not call
// Shutdown, nor a Close with another context: it would wait for itself until ctx ends.
//
// It does not stop anything from building: a Get after Shutdown returned builds again,
// as after a manager's Reset, and the manager is listed again. While Gets go on during
// Shutdown, the order holds for what was built before it: a dependent rebuilt meanwhile
// on a dependency that this round closes is closed in the next round.
func Shutdown(ctx context.Context) error {
	var errs []error
	for range maxRounds {
		open := sweepFor(ctx)
		if len(open) == 0 {
			return errors.Join(errs...)
		}
		for _, e := range open {
			if ctx.Err() != nil {
				return errors.Join(append(errs, leftOpen(ctx, nil))...)
			}
			ok, err := e.r.reset(ctx, e.n > 0)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", e.r.m.Name, err))
			}
			if !ok {
				return errors.Join(append(errs, leftOpen(ctx, e.r))...)
			}
		}
	}
	if open := sweepFor(ctx); len(open) > 0 {
		errs = append(errs, fmt.Errorf("lifecycle: shutdown: still building after %d rounds; still open: %s", maxRounds, names(nil, open)))
	}
	return errors.Join(errs...)
}

// resetChain is the value that the context of a manager's Reset carries: the managers
// that the Shutdowns under way are resetting, innermost first.
type resetChain struct {
	r     *Registration
	outer *resetChain
}

type resetKey struct{}

// resetBy reports whether a Shutdown that ctx comes from is resetting r: a Close that
// calls Shutdown with its context must not wait for its own manager's Reset.
func resetBy(ctx context.Context, r *Registration) bool {
	for c, _ := ctx.Value(resetKey{}).(*resetChain); c != nil; c = c.outer {
		if c.r == r {
			return true
		}
	}
	return false
}

// resetResult is what a manager's Reset returned, or the panic it raised.
type resetResult struct {
	held  <-chan struct{}
	err   error
	panic any
}

// reset resets the manager for Shutdown, one Shutdown at a time, unless it held nothing
// when the caller looked (another Shutdown was closing it: reset waits for that), and
// waits until the instances that With calls held are closed. It reports whether
// everything was closed before ctx was done, and returns what closing returned. The
// Reset runs on a goroutine of its own, so that a Close that ignores ctx cannot keep
// Shutdown past it.
func (r *Registration) reset(ctx context.Context, holds bool) (closed bool, err error) {
	select {
	case r.resetting <- struct{}{}:
	case <-ctx.Done():
		return false, nil
	}
	done := make(chan resetResult, 1)
	go func() {
		var res resetResult
		defer func() {
			res.panic = recover()
			r.closing.Store(false)
			<-r.resetting
			done <- res
		}()
		if holds {
			r.closing.Store(true)
			res.held, res.err = r.m.Reset(context.WithValue(ctx, resetKey{}, &resetChain{r, outerChain(ctx)}))
		}
	}()
	var res resetResult
	select {
	case res = <-done:
	case <-ctx.Done():
		return false, nil // the Reset goes on, and frees the slot when it returns
	}
	if res.panic != nil {
		panic(res.panic)
	}
	held, err := res.held, res.err
	if held != nil && !wait(ctx, held) {
		return false, err
	}
	r.mu.Lock()
	gone := open(r.held)
	r.held = gone
	gone = slices.Clone(gone) // Held may append to r.held meanwhile
	r.mu.Unlock()
	for _, g := range gone {
		if !wait(ctx, g) {
			return false, err
		}
	}
	return true, err
}

// outerChain returns the managers that the Shutdowns that ctx comes from are resetting.
func outerChain(ctx context.Context) *resetChain {
	c, _ := ctx.Value(resetKey{}).(*resetChain)
	return c
}

// sweepFor is sweep for a Shutdown with ctx: without the managers that the Shutdowns
// that ctx comes from are resetting, whose Close called this one.
func sweepFor(ctx context.Context) []entry {
	open := sweep()
	if outerChain(ctx) == nil {
		return open
	}
	return slices.DeleteFunc(open, func(e entry) bool { return resetBy(ctx, e.r) })
}

// wait reports whether held is closed, waiting for it until ctx is done.
func wait(ctx context.Context, held <-chan struct{}) bool {
	select {
	case <-held:
		return true
	case <-ctx.Done():
		select { // both may be ready: what closed is not left open
		case <-held:
			return true
		default:
			return false
		}
	}
}

// leftOpen returns the error of a Shutdown that ctx ended: it names waiting, the manager
// whose held instances were still open, if any, and the managers that hold instances, or
// nil when nothing is left open.
func leftOpen(ctx context.Context, waiting *Registration) error {
	open := sweep()
	if waiting == nil && len(open) == 0 {
		return nil
	}
	return fmt.Errorf("lifecycle: shutdown: %w; still open: %s", ctx.Err(), names(waiting, open))
}

// names lists first, if not nil, then the singletons of open other than first.
func names(first *Registration, open []entry) string {
	var b strings.Builder
	if first != nil {
		b.WriteString(first.m.Name)
	}
	for _, e := range open {
		if e.r == first {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString(e.r.m.Name)
	}
	return b.String()
}
