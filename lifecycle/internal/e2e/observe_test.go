package e2e_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/singletongen/singletongen/lifecycle"
	"github.com/singletongen/singletongen/lifecycle/internal/e2e/clients"
	"github.com/singletongen/singletongen/lifecycle/internal/e2e/db"
	"github.com/singletongen/singletongen/lifecycle/internal/e2e/journal"
	"github.com/singletongen/singletongen/lifecycle/internal/e2e/repo"
	"github.com/singletongen/singletongen/lifecycle/internal/e2e/vault"
)

// secret is an argument value, as credentials are: nothing that package lifecycle
// reports may contain it.
const secret = "sk_live_51Hx9FAKESECRETdoNotLog"

// Instances names each manager as package.stem, gives keyed managers their number of
// keys, and when and how long the last build took; never argument values, and neither
// does any event.
func TestInstancesNamesCountsTimesNoArguments(t *testing.T) {
	fresh(t)
	ev := observe(t)
	ctx := context.Background()
	journal.Delay("vault.Signer", 20*time.Millisecond)
	start := time.Now()

	if _, err := vault.GetClient(secret); err != nil {
		t.Fatal(err)
	}
	if _, err := vault.GetClient(secret + "-2"); err != nil {
		t.Fatal(err)
	}
	if _, err := vault.GetSigner(ctx, secret); err != nil {
		t.Fatal(err)
	}
	if _, err := vault.GetSigner(ctx, secret+"-other"); !errors.Is(err, vault.ErrSignerConflict) {
		t.Fatalf("GetSigner with another key: %v, want ErrSignerConflict", err)
	}
	if _, err := repo.GetRepo(ctx, secret); err != nil { // builds db.DB first
		t.Fatal(err)
	}
	if _, err := repo.GetRepo(ctx, "tenant-2"); err != nil {
		t.Fatal(err)
	}
	if _, err := repo.GetRepo(ctx, "tenant-3"); err != nil {
		t.Fatal(err)
	}
	journal.Fail("vault.Client", errors.New("vault: sealed"))
	if _, err := vault.GetClient(secret + "-3"); err == nil {
		t.Fatal("GetClient built while its constructor fails")
	}
	journal.Fail("vault.Client", nil)
	end := time.Now()

	infos := lifecycle.Instances()
	type want struct {
		name  string
		keyed bool
		keys  int
	}
	wants := []want{ // oldest build first
		{"vault.Client", true, 2},
		{"vault.Signer", false, 1},
		{"db.DB", false, 1},
		{"repo.Repo", true, 3},
	}
	if len(infos) != len(wants) {
		t.Fatalf("Instances() = %+v, want %v", infos, wants)
	}
	for i, in := range infos {
		w := wants[i]
		if in.Name != w.name || in.Keyed != w.keyed || in.Keys != w.keys {
			t.Errorf("Instances()[%d] = %s keyed=%v keys=%d, want %s keyed=%v keys=%d", i, in.Name, in.Keyed, in.Keys, w.name, w.keyed, w.keys)
		}
		if in.Built.Before(start) || in.Built.After(end) {
			t.Errorf("%s: Built %v, not during the test (%v to %v)", in.Name, in.Built, start, end)
		}
		if in.BuildDuration < 0 || in.BuildDuration > end.Sub(start) {
			t.Errorf("%s: BuildDuration %v, want at most %v", in.Name, in.BuildDuration, end.Sub(start))
		}
		if i > 0 && in.Built.Before(infos[i-1].Built) {
			t.Errorf("%s built at %v, before %s at %v, but listed after it", in.Name, in.Built, infos[i-1].Name, infos[i-1].Built)
		}
	}
	if d := infos[1].BuildDuration; d < 20*time.Millisecond || d > time.Since(start) {
		t.Errorf("vault.Signer: BuildDuration %v, want at least its constructor's 20ms, and no more than the test", d)
	}

	if err := lifecycle.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	seen := fmt.Sprintf("%#v\n%+v\n", infos, infos)
	for _, e := range ev.all() {
		seen += fmt.Sprintf("%#v\n%+v\n", e, e)
		if e.Err != nil {
			seen += e.Err.Error() + "\n"
		}
	}
	for _, s := range []string{secret, "tenant-2", "FAKESECRET"} {
		if strings.Contains(seen, s) {
			t.Errorf("an argument value, %q, appears in what Instances or Observe reported:\n%s", s, seen)
		}
	}
}

// eventSketch is an event without its time and duration, to compare.
type eventSketch struct {
	Kind   lifecycle.EventKind
	Name   string
	Reason string
	Count  int
	Err    error
}

func sketch(list []lifecycle.Event) []eventSketch {
	var s []eventSketch
	for _, e := range list {
		s = append(s, eventSketch{e.Kind, e.Name, e.Reason, e.Count, e.Err})
	}
	return s
}

func wantEvents(t *testing.T, what string, got []lifecycle.Event, want ...eventSketch) {
	t.Helper()
	if g := sketch(got); !slices.EqualFunc(g, want, func(a, b eventSketch) bool {
		return a.Kind == b.Kind && a.Name == b.Name && a.Reason == b.Reason && a.Count == b.Count && errors.Is(a.Err, b.Err) && (a.Err == nil) == (b.Err == nil)
	}) {
		t.Fatalf("%s: events\n%s\nwant\n%s", what, showEvents(g), showEvents(want))
	}
}

func showEvents(list []eventSketch) string {
	var b strings.Builder
	for _, e := range list {
		fmt.Fprintf(&b, "\t%s %s reason=%q count=%d err=%v\n", e.Kind, e.Name, e.Reason, e.Count, e.Err)
	}
	return b.String()
}

// Observe sees builds (with their duration, and the constructor's error), drops with
// their reason, and closes with what Close returned, those of evictions included, which
// have no caller to return to.
func TestObserveBuildsDropsCloses(t *testing.T) {
	fresh(t)
	ev := observe(t)
	var (
		started  = func(name string) eventSketch { return eventSketch{Kind: lifecycle.BuildStarted, Name: name} }
		finished = func(name string, err error) eventSketch {
			return eventSketch{Kind: lifecycle.BuildFinished, Name: name, Err: err}
		}
		dropped = func(name, reason string, n int) eventSketch {
			return eventSketch{Kind: lifecycle.Dropped, Name: name, Reason: reason, Count: n}
		}
		closed = func(name string, err error) eventSketch {
			return eventSketch{Kind: lifecycle.Closed, Name: name, Err: err}
		}
	)

	// A failing constructor, then one that succeeds.
	errDown := errors.New("search: service down")
	journal.Fail("clients.Search", errDown)
	journal.Delay("clients.Search", 5*time.Millisecond)
	if _, err := clients.GetSearch(); !errors.Is(err, errDown) {
		t.Fatalf("GetSearch() = %v, want %v", err, errDown)
	}
	journal.Fail("clients.Search", nil)
	if _, err := clients.GetSearch(); err != nil {
		t.Fatal(err)
	}
	got := ev.take()
	wantEvents(t, "two builds", got,
		started("clients.Search"), finished("clients.Search", errDown),
		started("clients.Search"), finished("clients.Search", nil))
	for _, e := range got {
		if e.Kind == lifecycle.BuildFinished && e.Duration < 5*time.Millisecond {
			t.Errorf("%s %s took %v, want at least the constructor's 5ms", e.Kind, e.Name, e.Duration)
		}
		if e.Time.IsZero() {
			t.Errorf("%s %s has no time", e.Kind, e.Name)
		}
	}
	// A Get of a built instance reports nothing.
	for range 10 {
		if _, err := clients.GetSearch(); err != nil {
			t.Fatal(err)
		}
	}
	if got := ev.take(); len(got) != 0 {
		t.Fatalf("Gets of a built instance reported %v", sketch(got))
	}

	// Reset.
	errClose := errors.New("close failed")
	journal.CloseErr("clients.Search", errClose)
	if err := clients.GetSearchManager().Reset(); !errors.Is(err, errClose) {
		t.Fatalf("Reset() = %v, want %v", err, errClose)
	}
	wantEvents(t, "Reset", ev.take(), dropped("clients.Search", "reset", 1), closed("clients.Search", errClose))

	// Delete, and evictions of a manager of at most two: the Get that evicts returns no
	// error of Close, which only the observer sees.
	for _, k := range []string{"a", "b"} {
		if _, err := vault.GetClient(k); err != nil {
			t.Fatal(err)
		}
	}
	ev.take()
	if err := vault.GetClientManager().Delete("a"); err != nil {
		t.Fatal(err)
	}
	wantEvents(t, "Delete", ev.take(), dropped("vault.Client", "delete", 1), closed("vault.Client", nil))
	errEvict := errors.New("close of an evicted client failed")
	journal.CloseErr("vault.Client", errEvict)
	for _, k := range []string{"c", "d"} {
		if _, err := vault.GetClient(k); err != nil {
			t.Fatalf("GetClient(%q), which evicts: %v", k, err)
		}
	}
	wantEvents(t, "Delete and evictions", ev.take(),
		started("vault.Client"), finished("vault.Client", nil), // c: b and c held
		started("vault.Client"), dropped("vault.Client", "evict", 1), closed("vault.Client", errEvict), finished("vault.Client", nil))

	// Shutdown.
	journal.CloseErr("clients.Search", nil)
	if _, err := clients.GetSearch(); err != nil {
		t.Fatal(err)
	}
	ev.take()
	journal.CloseErr("vault.Client", errClose)
	if err := lifecycle.Shutdown(context.Background()); !errors.Is(err, errClose) {
		t.Fatalf("Shutdown() = %v, want %v", err, errClose)
	}
	wantEvents(t, "Shutdown", ev.take(),
		dropped("clients.Search", "shutdown", 1), closed("clients.Search", nil),
		dropped("vault.Client", "shutdown", 2), closed("vault.Client", errClose), closed("vault.Client", errClose)) // c and d
}

// recorder is a slog.Handler that keeps what it handles.
type recorder struct {
	mu      sync.Mutex
	records []string
}

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }

func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	line := rec.Level.String() + " " + rec.Message
	rec.Attrs(func(a slog.Attr) bool {
		if a.Key != "took" {
			line += " " + a.String()
		}
		return true
	})
	r.mu.Lock()
	defer r.mu.Unlock()
	r.records = append(r.records, line)
	return nil
}

func (r *recorder) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *recorder) WithGroup(string) slog.Handler      { return r }

// logTo passes lifecycle's events to logger, as a service would.
func logTo(logger *slog.Logger) func(lifecycle.Event) {
	return func(e lifecycle.Event) {
		attrs := []slog.Attr{slog.String("singleton", e.Name)}
		switch e.Kind {
		case lifecycle.BuildFinished:
			attrs = append(attrs, slog.Duration("took", e.Duration))
		case lifecycle.Dropped:
			attrs = append(attrs, slog.String("reason", e.Reason), slog.Int("count", e.Count))
		}
		level := slog.LevelInfo
		if e.Err != nil {
			level = slog.LevelError
			attrs = append(attrs, slog.Any("err", e.Err))
		}
		logger.LogAttrs(context.Background(), level, e.Kind.String(), attrs...)
	}
}

// Observe wired to log/slog logs each build, drop and close, errors at level ERROR.
func TestObserveToSlog(t *testing.T) {
	fresh(t)
	rec := new(recorder)
	t.Cleanup(lifecycle.Observe(logTo(slog.New(rec))))
	journal.CloseErr("db.DB", errors.New("connection reset"))

	ctx := context.Background()
	if _, err := repo.GetRepo(ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.GetDB(ctx); err != nil {
		t.Fatal(err)
	}
	if err := lifecycle.Shutdown(ctx); err == nil {
		t.Fatal("Shutdown() = nil, want the pool's Close error")
	}
	want := []string{
		"INFO build started singleton=repo.Repo",
		"INFO build started singleton=db.DB",
		"INFO build finished singleton=db.DB",
		"INFO build finished singleton=repo.Repo",
		"INFO dropped singleton=repo.Repo reason=shutdown count=1",
		"INFO closed singleton=repo.Repo",
		"INFO dropped singleton=db.DB reason=shutdown count=1",
		"ERROR closed singleton=db.DB err=connection reset",
	}
	rec.mu.Lock()
	got := slices.Clone(rec.records)
	rec.mu.Unlock()
	if !slices.Equal(got, want) {
		t.Fatalf("logged\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}

// An eviction of an instance that a With holds is reported dropped ("evict") at once,
// as a Delete of a held instance is, and closed when the With ends.
func TestHeldEvictionReported(t *testing.T) {
	fresh(t)
	ev := observe(t)
	release, held := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- vault.GetClientManager().With("a", func(*vault.Client) error {
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	letGo := sync.OnceFunc(func() { close(release) })
	defer letGo() // a failing test leaves no With blocked
	// A manager of at most two: c evicts a, held.
	for _, k := range []string{"b", "c"} {
		if _, err := vault.GetClient(k); err != nil {
			t.Fatal(err)
		}
	}
	if n := vault.GetClientManager().Len(); n != 2 {
		t.Fatalf("Len() = %d, want 2", n)
	}
	letGo()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	const name = "vault.Client"
	wantEvents(t, "an eviction of a held instance", ev.all(),
		eventSketch{Kind: lifecycle.BuildStarted, Name: name},
		eventSketch{Kind: lifecycle.BuildFinished, Name: name},
		eventSketch{Kind: lifecycle.BuildStarted, Name: name},
		eventSketch{Kind: lifecycle.BuildFinished, Name: name},
		eventSketch{Kind: lifecycle.BuildStarted, Name: name},
		eventSketch{Kind: lifecycle.Dropped, Name: name, Reason: "evict", Count: 1}, // a, held
		eventSketch{Kind: lifecycle.BuildFinished, Name: name},
		eventSketch{Kind: lifecycle.Closed, Name: name}, // when the With ended
	)
}

// A build that Reset (or Shutdown, Delete, a test hook) discarded while its constructor
// ran is reported finished, then dropped ("discard"), then closed: an observer that
// counts live instances as builds minus drops counts it out.
func TestDiscardedBuildDropped(t *testing.T) {
	fresh(t)
	ev := observe(t)
	journal.Delay("clients.Search", 50*time.Millisecond)
	done := make(chan error, 1)
	go func() {
		_, err := clients.GetSearch()
		done <- err
	}()
	waitFor(t, "the build to start", func() bool { return len(ev.all()) > 0 })
	if err := clients.GetSearchManager().Reset(); err != nil { // discards it
		t.Fatal(err)
	}
	journal.Delay("clients.Search", 0)
	if err := <-done; err != nil { // its caller built again
		t.Fatal(err)
	}
	const name = "clients.Search"
	wantEvents(t, "a build discarded by Reset, then built again", ev.all(),
		eventSketch{Kind: lifecycle.BuildStarted, Name: name},
		eventSketch{Kind: lifecycle.BuildFinished, Name: name},
		eventSketch{Kind: lifecycle.Dropped, Name: name, Reason: "discard", Count: 1},
		eventSketch{Kind: lifecycle.Closed, Name: name},
		eventSketch{Kind: lifecycle.BuildStarted, Name: name},
		eventSketch{Kind: lifecycle.BuildFinished, Name: name},
	)
	if got := lifecycle.Instances(); len(got) != 1 || got[0].Name != name || got[0].Keys != 1 {
		t.Errorf("Instances() = %+v, want the Search built again alone", got)
	}
}
