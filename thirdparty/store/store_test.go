package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/puddle/v2"
	"github.com/singletongen/singletongen/thirdparty/internal/tcptest"
	"github.com/singletongen/singletongen/thirdparty/store"
)

// goroutines is how many callers race for the first build.
const goroutines = 64

// dsn names a database on port with a password, which no error may show.
func dsn(port int) string {
	return fmt.Sprintf("postgres://app:s3cr3t@127.0.0.1:%d/orders?sslmode=disable&connect_timeout=5", port)
}

// closedPool fails t unless p refuses work the way a closed pgxpool.Pool does.
func closedPool(t *testing.T, p *pgxpool.Pool) {
	t.Helper()
	ctx := context.Background()
	if _, err := p.Acquire(ctx); !errors.Is(err, puddle.ErrClosedPool) || err.Error() != "closed pool" {
		t.Fatalf("Acquire after Reset: %v, want %q", err, "closed pool")
	}
	if err := p.Ping(ctx); !errors.Is(err, puddle.ErrClosedPool) {
		t.Fatalf("Ping after Reset: %v, want %q", err, "closed pool")
	}
}

// TestNewPoolDoesNotDial proves the premise of the other tests: building the
// pool opens no connection, not even from its background goroutines, and
// using it dials the address of the DSN.
func TestNewPoolDoesNotDial(t *testing.T) {
	store.ResetPoolForTest(t)
	ln := tcptest.Listen(t)
	ctx := context.Background()

	// pool_min_conns=2 in the DSN would make pgxpool dial from a background
	// goroutine; NewPool overrides it.
	p := store.MustGetPool(ctx, dsn(ln.Port())+"&pool_min_conns=2")
	ln.NoDial(t, 200*time.Millisecond)
	if s := p.Stat(); s.TotalConns() != 0 {
		t.Fatalf("%d connections before the first Acquire", s.TotalConns())
	}

	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := p.Ping(pingCtx); err == nil {
		t.Fatal("Ping succeeded against a listener that speaks no PostgreSQL")
	}
	ln.Dialed(t, 5*time.Second)
}

// TestPoolOneForAllGoroutines: concurrent first callers share one build and
// one *pgxpool.Pool.
func TestPoolOneForAllGoroutines(t *testing.T) {
	store.ResetPoolForTest(t)
	ctx := context.Background()

	var (
		start = make(chan struct{})
		wg    sync.WaitGroup
		pools = make([]*pgxpool.Pool, goroutines)
	)
	for i := range pools {
		wg.Go(func() {
			<-start
			p, err := store.GetPool(ctx, dsn(5432))
			if err != nil {
				t.Error(err)
			}
			pools[i] = p
		})
	}
	close(start)
	wg.Wait()
	if pools[0] == nil {
		t.Fatal("GetPool returned a nil pool")
	}
	for i, p := range pools {
		if p != pools[0] {
			t.Fatalf("goroutine %d got pool %p, goroutine 0 got %p", i, p, pools[0])
		}
	}
	if got := pools[0].Config().ConnConfig.Port; got != 5432 {
		t.Fatalf("pool for port %d, want 5432", got)
	}
}

// TestPoolConflict: another DSN gets ErrPoolConflict, whose message shows
// neither DSN (they hold passwords).
func TestPoolConflict(t *testing.T) {
	store.ResetPoolForTest(t)
	ctx := context.Background()

	p := store.MustGetPool(ctx, dsn(5432))
	got, err := store.GetPool(ctx, dsn(5433))
	if !errors.Is(err, store.ErrPoolConflict) || got != nil {
		t.Fatalf("GetPool(other DSN): %p, %v; want nil, ErrPoolConflict", got, err)
	}
	if strings.Contains(err.Error(), "s3cr3t") || strings.Contains(err.Error(), "127.0.0.1") {
		t.Fatalf("the conflict error shows the DSN: %q", err)
	}
	if again := store.MustGetPool(ctx, dsn(5432)); again != p {
		t.Fatal("the first DSN lost its pool after a conflict")
	}
}

// TestPoolResetCloses: Reset calls pool.Close (which has no result), so the
// old pool refuses work with "closed pool"; the next GetPool builds a new one.
func TestPoolResetCloses(t *testing.T) {
	store.ResetPoolForTest(t)
	ctx := context.Background()

	old := store.MustGetPool(ctx, dsn(5432))
	if err := store.GetPoolManager().Reset(); err != nil {
		t.Fatalf("Reset: %v", err)
	}
	closedPool(t, old)

	fresh := store.MustGetPool(ctx, dsn(5432))
	if fresh == old {
		t.Fatal("GetPool after Reset returned the closed pool")
	}
	openPool(t, "the new pool", fresh)
}

// TestPoolBadDSN: the constructor's error reaches the caller, is not kept
// (the next call builds again), and does not hold the manager: a good DSN
// afterwards is no conflict.
func TestPoolBadDSN(t *testing.T) {
	var calls atomic.Int32
	m := store.NewPoolManager(func(ctx context.Context, dsn string) (*pgxpool.Pool, error) {
		calls.Add(1)
		return store.NewPool(ctx, dsn)
	})
	ctx := context.Background()
	const bad = "postgres://app:s3cr3t@127.0.0.1:notaport/orders"

	for range 2 {
		if p, err := m.Get(ctx, bad); err == nil || p != nil || errors.Is(err, store.ErrPoolConflict) {
			t.Fatalf("Get(bad DSN): %p, %v; want the parse error", p, err)
		}
	}
	if n := calls.Load(); n != 2 {
		t.Fatalf("%d constructor calls for two Gets of a bad DSN, want 2 (errors are not kept)", n)
	}
	p, err := m.Get(ctx, dsn(5432))
	if err != nil || p == nil {
		t.Fatalf("Get(good DSN) after a failed build: %v", err)
	}
	if err := m.Reset(); err != nil {
		t.Fatal(err)
	}
	closedPool(t, p)
}

// TestPoolCancelledWaiter: a caller waiting for another's build returns its
// own ctx.Err() as soon as its context is cancelled, while the build goes on
// and serves its builder; a caller whose context is already done builds
// nothing.
func TestPoolCancelledWaiter(t *testing.T) {
	var (
		calls   atomic.Int32
		started = make(chan struct{})
		release = make(chan struct{})
	)
	m := store.NewPoolManager(func(ctx context.Context, dsn string) (*pgxpool.Pool, error) {
		if calls.Add(1) == 1 {
			close(started)
			<-release // a slow build: DNS, secrets manager, ...
		}
		return store.NewPool(ctx, dsn)
	})
	defer m.Reset()

	type result struct {
		p   *pgxpool.Pool
		err error
	}
	builder := make(chan result, 1)
	go func() {
		p, err := m.Get(context.Background(), dsn(5432))
		builder <- result{p, err}
	}()
	<-started

	ctx, cancel := context.WithCancel(context.Background())
	waiter := make(chan error, 1)
	go func() {
		_, err := m.Get(ctx, dsn(5432))
		waiter <- err
	}()
	cancel()
	select {
	case err := <-waiter:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled waiter: %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a cancelled waiter stayed blocked on another's build")
	}

	done, cancelDone := context.WithCancel(context.Background())
	cancelDone()
	if _, err := m.Get(done, dsn(5432)); !errors.Is(err, context.Canceled) {
		t.Fatalf("Get with a done context during a build: %v, want context.Canceled", err)
	}

	close(release)
	r := <-builder
	if r.err != nil || r.p == nil {
		t.Fatalf("the build went on without its cancelled waiter: %v", r.err)
	}
	if p, err := m.Get(done, dsn(5432)); p != r.p || err != nil {
		t.Fatalf("a built pool is returned whatever the context: got %p, %v", p, err)
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("%d constructor calls, want 1", n)
	}

	// Nothing built and the context already done: no build at all.
	empty := store.NewPoolManager(func(ctx context.Context, dsn string) (*pgxpool.Pool, error) {
		t.Error("a caller whose context was done built a pool")
		return store.NewPool(ctx, dsn)
	})
	if p, err := empty.Get(done, dsn(5432)); p != nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("Get with a done context on an empty manager: %p, %v", p, err)
	}
}

// TestPoolTestHooks: SetPoolForTest answers every DSN with the installed pool
// and never closes it; the pool from before comes back afterwards.
func TestPoolTestHooks(t *testing.T) {
	store.ResetPoolForTest(t)
	ctx := context.Background()
	before := store.MustGetPool(ctx, dsn(5432))
	fake, err := store.NewPool(ctx, dsn(6543))
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()

	t.Run("override", func(t *testing.T) {
		store.SetPoolForTest(t, fake)
		for _, port := range []int{5432, 9999} {
			if p, err := store.GetPool(ctx, dsn(port)); p != fake || err != nil {
				t.Fatalf("GetPool(port %d) under SetPoolForTest: %p, %v; want the fake", port, p, err)
			}
		}
	})

	if p := store.MustGetPool(ctx, dsn(5432)); p != before {
		t.Fatal("the cleanup of SetPoolForTest did not restore the pool from before")
	}
	openPool(t, "the installed pool", fake)
	openPool(t, "the pool set aside", before)
}

// openPool fails t if p refuses work as closed. An open pool dials for
// Acquire: with no server on the loopback port, the connection is refused at
// once.
func openPool(t *testing.T, what string, p *pgxpool.Pool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := p.Acquire(ctx)
	if err == nil {
		c.Release()
		return
	}
	if errors.Is(err, puddle.ErrClosedPool) {
		t.Fatalf("%s was closed by the manager", what)
	}
}

// TestPoolWithHoldsAgainstReset: pool.Close blocks until every acquired
// connection is back, and Reset closes under callers of Get. With holds the
// pool: a Reset meanwhile returns at once, takes the pool out of the manager
// (the next GetPool builds another) and leaves it open until fn returns; the
// With that ends last closes it.
func TestPoolWithHoldsAgainstReset(t *testing.T) {
	store.ResetPoolForTest(t)
	ctx := context.Background()
	m := store.GetPoolManager()

	var (
		held    = make(chan *pgxpool.Pool)
		release = make(chan struct{})
		done    = make(chan error, 1)
	)
	go func() {
		done <- m.With(ctx, dsn(5432), func(p *pgxpool.Pool) error {
			held <- p
			<-release
			return nil
		})
	}()
	p := <-held

	if err := m.Reset(); err != nil {
		t.Fatalf("Reset while held: %v", err)
	}
	openPool(t, "a pool held by With, after Reset", p)
	fresh := store.MustGetPool(ctx, dsn(5432))
	if fresh == p {
		t.Fatal("GetPool after Reset returned the pool that was dropped")
	}

	close(release)
	if err := <-done; err != nil {
		t.Fatalf("With: %v", err)
	}
	closedPool(t, p)
	openPool(t, "the new pool", fresh)
}
