package shared_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/singletongen/singletongen/examples/stdlib/memdb"
	"github.com/singletongen/singletongen/examples/stdlib/shared"
)

// Tests that use the process-wide managers (GetHTTPClient, GetDB and the hooks) do not run
// in parallel; the others use managers of their own.

// server is an httptest server that counts the TCP connections it has open.
type server struct {
	*httptest.Server
	open atomic.Int64
}

func newServer(t *testing.T) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "pong")
	}))
	s.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		switch state {
		case http.StateNew:
			s.open.Add(1)
		case http.StateClosed, http.StateHijacked:
			s.open.Add(-1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	return s
}

// waitClosed waits until the server has no connection open: the server sees a client's
// close a moment after it happens.
func (s *server) waitClosed(t *testing.T) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); s.open.Load() != 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections still open on the server", s.open.Load())
		}
	}
}

// concurrently runs f on n goroutines released together and returns their results.
func concurrently[T any](n int, f func() T) []T {
	out := make([]T, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out[i] = f()
		}()
	}
	close(start)
	wg.Wait()
	return out
}

var dsnSeq atomic.Int64

// newDSN returns a DSN no other test, or other run of the test (-count), has used, so
// that memdb's counts of it are the test's own.
func newDSN(name string) string {
	return fmt.Sprintf("memdb://%s-%d", name, dsnSeq.Add(1))
}

// errClosed is the error of a query on a closed *sql.DB; database/sql does not export it.
const errClosed = "sql: database is closed"

func TestGetHTTPClientIsSharedAndClosedWithCloseIdleConnections(t *testing.T) {
	srv := newServer(t)
	var first *http.Client
	t.Run("empty", func(t *testing.T) {
		shared.ResetHTTPClientForTest(t) // the process-wide manager starts empty, and is restored after
		clients := concurrently(100, func() *http.Client {
			if body, err := shared.Fetch(context.Background(), srv.URL); err != nil || body != "pong" {
				t.Errorf("Fetch = (%q, %v)", body, err)
			}
			return shared.GetHTTPClient()
		})
		first = clients[0]
		for i, c := range clients {
			if c == nil || c != first {
				t.Fatalf("goroutine %d got client %p, want the one client %p", i, c, first)
			}
		}
		if srv.open.Load() == 0 {
			t.Fatal("no connection kept alive after the requests")
		}
	})
	// The hook's cleanup dropped the client the test built: CloseIdleConnections.
	srv.waitClosed(t)
	if shared.GetHTTPClient() == first {
		t.Fatal("the client the test built is still installed")
	}
}

func TestGetDBIsSharedAndClosed(t *testing.T) {
	dsn := newDSN("shared")
	ctx := context.Background()
	var first *sql.DB
	t.Run("empty", func(t *testing.T) {
		shared.ResetDBForTest(t)
		dbs := concurrently(100, func() *sql.DB {
			if _, err := shared.ConnectionID(ctx, dsn); err != nil {
				t.Errorf("ConnectionID: %v", err)
			}
			return shared.MustGetDB(ctx, dsn)
		})
		first = dbs[0]
		for i, db := range dbs {
			if db == nil || db != first {
				t.Fatalf("goroutine %d got *sql.DB %p, want the one pool %p", i, db, first)
			}
		}
		if s := memdb.StatsOf(dsn); s.Pools != 1 || s.Opened < 1 || s.Opened > 4 {
			t.Fatalf("memdb saw %+v, want 1 pool of at most 4 connections", s)
		}
	})
	// The hook's cleanup closed the pool the test built.
	if err := first.PingContext(ctx); err == nil || err.Error() != errClosed {
		t.Fatalf("Ping of the pool after the test = %v, want %q", err, errClosed)
	}
	if s := memdb.StatsOf(dsn); s.Open != 0 {
		t.Fatalf("%d connections still open after the pool was dropped", s.Open)
	}
}

func TestOtherDSNConflicts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := shared.NewDBManager(nil)
	defer m.Reset()
	dsnA, dsnB := newDSN("conflict-a"), newDSN("conflict-b")
	db, err := m.Get(ctx, dsnA)
	if err != nil {
		t.Fatal(err)
	}
	other, err := m.Get(ctx, dsnB)
	if !errors.Is(err, shared.ErrDBConflict) || other != nil {
		t.Fatalf("Get with another DSN = (%p, %v), want ErrDBConflict and no pool", other, err)
	}
	if strings.Contains(err.Error(), "conflict-b") {
		t.Fatalf("the conflict error %q contains the DSN", err)
	}
	if s := memdb.StatsOf(dsnB); s.Pools != 0 {
		t.Fatalf("a pool was opened for the refused DSN: %+v", s)
	}
	if again, err := m.Get(ctx, dsnA); again != db || err != nil {
		t.Fatalf("Get with the first DSN = (%p, %v), want the shared pool %p", again, err, db)
	}
}

func TestResetClosesThePool(t *testing.T) {
	t.Parallel()
	dsn := newDSN("reset")
	ctx := context.Background()
	m := shared.NewDBManager(nil)
	db, err := m.Get(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Reset(); err != nil {
		t.Fatalf("Reset = %v", err)
	}
	if err := db.QueryRowContext(ctx, "SELECT 1").Scan(new(int)); err == nil || err.Error() != errClosed {
		t.Fatalf("a query on the dropped pool = %v, want %q", err, errClosed)
	}
	if s := memdb.StatsOf(dsn); s.Open != 0 {
		t.Fatalf("%d connections still open after Reset", s.Open)
	}
	if err := m.Reset(); err != nil {
		t.Fatalf("a second Reset = %v, want nil: nothing to close", err)
	}
	fresh, err := m.Get(ctx, dsn)
	if err != nil || fresh == db {
		t.Fatalf("Get after Reset = (%p, %v), want a new pool", fresh, err)
	}
	if err := m.Reset(); err != nil {
		t.Fatal(err)
	}
	if s := memdb.StatsOf(dsn); s.Pools != 2 || s.Open != 0 {
		t.Fatalf("memdb saw %+v, want 2 pools and nothing open", s)
	}
}

func TestResetClosesTheClientsIdleConnections(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	m := shared.NewHTTPClientManager(nil)
	c := m.Get()
	resp, err := c.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if srv.open.Load() != 1 {
		t.Fatalf("%d connections open on the server, want the one kept alive", srv.open.Load())
	}
	if err := m.Reset(); err != nil {
		t.Fatal(err)
	}
	srv.waitClosed(t)
	if m.Get() == c {
		t.Fatal("Get after Reset returned the dropped client")
	}
}

func TestFailedOpenIsNotKept(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := shared.NewDBManager(nil)
	defer m.Reset()
	if db, err := m.Get(ctx, "postgres://orders"); db != nil || err == nil || !strings.Contains(err.Error(), "memdb://") {
		t.Fatalf("Get with a DSN memdb cannot open = (%p, %v), want memdb's error", db, err)
	}
	// Nothing was kept, not even the DSN: another one is no conflict.
	if db, err := m.Get(ctx, newDSN("after-failure")); db == nil || err != nil {
		t.Fatalf("Get after a failure = (%p, %v), want a pool", db, err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	other := shared.NewDBManager(nil)
	dsn := newDSN("cancelled")
	if db, err := other.Get(cancelled, dsn); db != nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("Get with a cancelled context = (%p, %v), want context.Canceled", db, err)
	}
	if s := memdb.StatsOf(dsn); s.Pools != 0 {
		t.Fatalf("a pool was opened for a caller whose context was done: %+v", s)
	}
}

// fakeTransport answers every request with its text, and counts the calls of
// CloseIdleConnections, which a test hook must never make on a fake.
type fakeTransport struct {
	text       string
	idleCloses atomic.Int32
}

func (f *fakeTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: http.StatusOK,
		Status:     "200 OK",
		Body:       io.NopCloser(strings.NewReader(f.text)),
		Request:    r,
	}, nil
}

func (f *fakeTransport) CloseIdleConnections() { f.idleCloses.Add(1) }

// The code under test (Fetch) uses the process-wide client; the test installs a client
// whose transport answers without a network.
func TestFetchWithAFakeTransport(t *testing.T) {
	transport := &fakeTransport{text: "fake pong"}
	fake := &http.Client{Transport: transport}
	t.Run("override", func(t *testing.T) {
		shared.SetHTTPClientForTest(t, fake)
		body, err := shared.Fetch(context.Background(), "http://api.invalid/ping")
		if err != nil || body != "fake pong" {
			t.Fatalf("Fetch with the fake = (%q, %v), want the fake's answer", body, err)
		}
	})
	if n := transport.idleCloses.Load(); n != 0 {
		t.Fatalf("the hook closed the fake's idle connections %d times, want 0: the test owns its fake", n)
	}
	if shared.GetHTTPClient() == fake {
		t.Fatal("the fake is still installed after the test")
	}
}

// A fake *sql.DB (here another memdb pool) answers every DSN, and stays open after the test.
func TestConnectionIDWithAFakeDB(t *testing.T) {
	ctx := context.Background()
	fake, err := sql.Open(memdb.DriverName, newDSN("fake"))
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	t.Run("override", func(t *testing.T) {
		shared.SetDBForTest(t, fake)
		for _, dsn := range []string{newDSN("orders"), newDSN("billing")} {
			if id, err := shared.ConnectionID(ctx, dsn); err != nil || id != 1 {
				t.Fatalf("ConnectionID(%s) with the fake = (%d, %v), want the fake's first connection", dsn, id, err)
			}
			if s := memdb.StatsOf(dsn); s.Pools != 0 {
				t.Fatalf("a pool was opened for %s during the override: %+v", dsn, s)
			}
		}
	})
	if err := fake.PingContext(ctx); err != nil {
		t.Fatalf("the fake after the test: %v, want it open: the hook never closes a fake", err)
	}
}
