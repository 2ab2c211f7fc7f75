package e2e_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/singletongen/singletongen/lifecycle"
	"github.com/singletongen/singletongen/lifecycle/internal/e2e/audit"
	"github.com/singletongen/singletongen/lifecycle/internal/e2e/clients"
	"github.com/singletongen/singletongen/lifecycle/internal/e2e/db"
	"github.com/singletongen/singletongen/lifecycle/internal/e2e/journal"
	"github.com/singletongen/singletongen/lifecycle/internal/e2e/repo"
)

// A repository built on the pool, through the pool's accessor, is closed before it: its
// build finished after the pool's, which its constructor waited for. Neither the order
// in which the managers registered (the repository's first) nor that in which their
// builds began (the repository's first) gives that.
func TestDependentClosedBeforeItsDependency(t *testing.T) {
	fresh(t)
	ctx := context.Background()
	r, err := repo.GetRepo(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	if got := names(lifecycle.Instances()); !slices.Equal(got, []string{"db.DB", "repo.Repo"}) {
		t.Fatalf("Instances() lists %v, want [db.DB repo.Repo]: oldest build first", got)
	}
	if err := lifecycle.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	wantClosed(t, "repo.Repo", "db.DB")
	if r.Journal.Closes() != 1 || r.DB().Journal.Closes() != 1 {
		t.Fatalf("closes: repository %d, pool %d, want 1 and 1", r.Journal.Closes(), r.DB().Journal.Closes())
	}
	if got := lifecycle.Instances(); len(got) != 0 {
		t.Fatalf("Instances() after Shutdown = %+v, want none", got)
	}
}

// The order is that of each run's builds, not of anything fixed: two singletons that do
// not depend on each other, built in one order, then, after a Shutdown, in the other.
func TestEachShutdownReversesThatRunsBuilds(t *testing.T) {
	fresh(t)
	for _, run := range [][]string{{"clients.Mail", "clients.Search"}, {"clients.Search", "clients.Mail"}} {
		for _, name := range run {
			switch name {
			case "clients.Mail":
				clients.GetMail()
			case "clients.Search":
				if _, err := clients.GetSearch(); err != nil {
					t.Fatal(err)
				}
			}
		}
		journal.Reset()
		if err := lifecycle.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
		reversed := slices.Clone(run)
		slices.Reverse(reversed)
		wantClosed(t, reversed...)
	}
}

// hold holds the search client with With until release is called, or the test ends;
// it returns once fn runs, and the With's error arrives on done.
func hold(t *testing.T) (search *clients.Search, release func(), done <-chan error) {
	t.Helper()
	ch := make(chan struct{})
	release = sync.OnceFunc(func() { close(ch) })
	t.Cleanup(release) // a failing test leaves no With blocked
	held := make(chan *clients.Search)
	errc := make(chan error, 1)
	go func() {
		errc <- clients.GetSearchManager().With(func(s *clients.Search) error {
			held <- s
			<-ch
			return nil
		})
	}()
	return <-held, release, errc
}

// Shutdown waits for an instance that With holds only as long as its context lets it:
// it then says what it left open, and the instance is closed, once, when the With ends.
func TestShutdownDeadlineWhileWithHolds(t *testing.T) {
	fresh(t)
	ctx := context.Background()
	pool, err := db.GetDB(ctx) // built before the held one: closed after it
	if err != nil {
		t.Fatal(err)
	}
	search, release, done := hold(t)

	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = lifecycle.Shutdown(short)
	took := time.Since(start)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown(ctx with a 50ms deadline) = %v, want an error matching context.DeadlineExceeded", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "clients.Search") || !strings.Contains(msg, "db.DB") {
		t.Fatalf("Shutdown's error %q does not name clients.Search, still held, and db.DB, left open", msg)
	}
	if took > 5*time.Second {
		t.Fatalf("Shutdown took %v past its 50ms deadline", took)
	}
	if n := search.Journal.Closes(); n != 0 {
		t.Fatalf("the held client was closed %d times while With held it", n)
	}
	if n := pool.Journal.Closes(); n != 0 {
		t.Fatalf("the pool, built before the held client, was closed %d times before it", n)
	}
	if s, err := clients.GetSearch(); err != nil || s == search {
		t.Fatalf("GetSearch() after the drop = (%p, %v), want a new client (the held one is %p)", s, err, search)
	}

	release()
	if err := <-done; err != nil {
		t.Fatalf("the With that closed the client returned %v", err)
	}
	if n := search.Journal.Closes(); n != 1 {
		t.Fatalf("the held client was closed %d times once its With ended, want 1", n)
	}
	if err := lifecycle.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if n := search.Journal.Closes(); n != 1 {
		t.Fatalf("the held client was closed %d times after another Shutdown, want 1", n)
	}
	// The held client, then the new one and the pool, newest build first.
	wantClosed(t, "clients.Search", "clients.Search", "db.DB")
}

// Without a deadline, Shutdown waits for the With to end, and closes what was built
// before the held instance only after it.
func TestShutdownWaitsForWithBeforeGoingOn(t *testing.T) {
	fresh(t)
	ev := observe(t)
	ctx := context.Background()
	if _, err := db.GetDB(ctx); err != nil {
		t.Fatal(err)
	}
	search, release, done := hold(t)

	shut := make(chan error, 1)
	go func() { shut <- lifecycle.Shutdown(ctx) }()
	// Once Shutdown has dropped the held client, give it time to go wrong.
	waitFor(t, "Shutdown to drop the held client", func() bool {
		return slices.ContainsFunc(ev.all(), func(e lifecycle.Event) bool {
			return e.Kind == lifecycle.Dropped && e.Name == "clients.Search" && e.Reason == "shutdown"
		})
	})
	time.Sleep(50 * time.Millisecond)
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned %v while With held an instance", err)
	default:
	}
	wantClosed(t) // nothing yet: not the pool, built before the held client

	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := <-shut; err != nil {
		t.Fatal(err)
	}
	wantClosed(t, "clients.Search", "db.DB")
	if n := search.Journal.Closes(); n != 1 {
		t.Fatalf("the held client was closed %d times, want 1", n)
	}
}

type ctxKey struct{}

// Close errors come back joined, each after its singleton's name; a Close that takes a
// context gets Shutdown's; a Close without an error closes quietly.
func TestCloseErrorsJoinedWithNames(t *testing.T) {
	fresh(t)
	errPool := errors.New("pool: connection reset")
	errSearch := errors.New("search: flush failed")
	journal.CloseErr("db.DB", errPool)
	journal.CloseErr("clients.Search", errSearch)
	journal.CloseErr("clients.Mail", errors.New("dropped: Mail.Close has no error result"))

	ctx := context.WithValue(context.Background(), ctxKey{}, "shutdown's context")
	pool, err := db.GetDB(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := clients.GetSearch(); err != nil {
		t.Fatal(err)
	}
	clients.GetMail()

	err = lifecycle.Shutdown(ctx)
	if !errors.Is(err, errPool) || !errors.Is(err, errSearch) {
		t.Fatalf("Shutdown() = %v, want the pool's and the search client's Close errors", err)
	}
	want := "clients.Search: search: flush failed\ndb.DB: pool: connection reset"
	if err.Error() != want {
		t.Fatalf("Shutdown() = %q, want %q", err, want)
	}
	wantClosed(t, "clients.Mail", "clients.Search", "db.DB")
	if got := pool.Journal.Ctx(); got == nil || got.Value(ctxKey{}) != "shutdown's context" {
		t.Fatalf("the pool's Close(ctx) got %v, want Shutdown's context", got)
	}
}

// A Close that asks for another singleton builds it during Shutdown, which closes it
// too, in a later round.
func TestInstanceBuiltByACloseIsClosed(t *testing.T) {
	fresh(t)
	ev := observe(t)
	if _, err := audit.GetLog(); err != nil {
		t.Fatal(err)
	}
	if err := lifecycle.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantClosed(t, "audit.Log", "audit.Sink")
	closedOnce(t)
	var sinkBuilt bool
	for _, e := range ev.all() {
		sinkBuilt = sinkBuilt || e.Kind == lifecycle.BuildFinished && e.Name == "audit.Sink" && e.Err == nil
	}
	if !sinkBuilt {
		t.Fatal("no build of audit.Sink seen: the log's Close did not ask for it")
	}
	if got := lifecycle.Instances(); len(got) != 0 {
		t.Fatalf("Instances() after Shutdown = %+v, want none", got)
	}
}

// A Get after Shutdown builds again, and the manager is listed again, as after Reset.
func TestGetAfterShutdownBuildsAgain(t *testing.T) {
	fresh(t)
	ctx := context.Background()
	first, err := db.GetDB(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := lifecycle.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if got := lifecycle.Instances(); len(got) != 0 {
		t.Fatalf("Instances() after Shutdown = %+v, want none", got)
	}
	second, err := db.GetDB(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if second == first {
		t.Fatal("GetDB after Shutdown returned the closed pool")
	}
	if got := names(lifecycle.Instances()); !slices.Equal(got, []string{"db.DB"}) {
		t.Fatalf("Instances() after a Get that followed Shutdown lists %v, want [db.DB]", got)
	}
	if first.Journal.Closes() != 1 || second.Journal.Closes() != 0 {
		t.Fatalf("closes: first pool %d, second %d, want 1 and 0", first.Journal.Closes(), second.Journal.Closes())
	}
	if err := lifecycle.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	closedOnce(t)
}

// Once a Shutdown has dropped an instance that a With holds, the registry still counts
// it (Registration.Held) until the With closes it: a retry after the first Shutdown ran
// out of time, or another Shutdown at the same time, waits for it before closing what it
// was built on.
func TestRetriedShutdownWaitsForHeldInstance(t *testing.T) {
	fresh(t)
	ctx := context.Background()
	release, held := make(chan struct{}), make(chan *repo.Repo)
	done := make(chan error, 1)
	go func() {
		done <- repo.GetRepoManager().With(ctx, "acme", func(r *repo.Repo) error {
			held <- r
			<-release
			return nil
		})
	}()
	r := <-held
	defer func() {
		close(release)
		<-done
	}()

	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if err := lifecycle.Shutdown(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("first Shutdown = %v, want DeadlineExceeded", err)
	}
	// Retry, with more time: it must wait for the repository, then close the pool.
	longer, cancel2 := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel2()
	err := lifecycle.Shutdown(longer)
	if n := r.DB().Journal.Closes(); n != 0 {
		t.Fatalf("the retried Shutdown (returned %v) closed the pool while a With still holds the repository built on it", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("the retried Shutdown = %v while a With holds repo.Repo, want DeadlineExceeded", err)
	}
}
