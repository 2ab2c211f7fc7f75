package rpc_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/singletongen/singletongen/thirdparty/internal/tcptest"
	"github.com/singletongen/singletongen/thirdparty/rpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/status"
)

// The generated interface is what *grpc.ClientConn implements, and what the
// generated stubs of protoc-gen-go-grpc take.
var (
	_ rpc.Conn                   = (*grpc.ClientConn)(nil)
	_ grpc.ClientConnInterface   = rpc.Conn(nil)
	_ interface{ Close() error } = rpc.Conn(nil)
)

// goroutines is how many callers race for the first build.
const goroutines = 64

// clientConn returns the *grpc.ClientConn behind c.
func clientConn(t *testing.T, c rpc.Conn) *grpc.ClientConn {
	t.Helper()
	cc, ok := c.(*grpc.ClientConn)
	if !ok || cc == nil {
		t.Fatalf("GetConn returned a %T, want a *grpc.ClientConn", c)
	}
	return cc
}

// TestNewConnDoesNotDial proves the premise of the other tests: the
// connection starts idle and opens nothing until it is used.
func TestNewConnDoesNotDial(t *testing.T) {
	rpc.ResetConnForTest(t)
	ln := tcptest.Listen(t)

	c := clientConn(t, rpc.MustGetConn("passthrough:///"+ln.Addr()))
	ln.NoDial(t, 100*time.Millisecond)
	if s := c.GetState(); s != connectivity.Idle {
		t.Fatalf("state %v before first use, want IDLE", s)
	}

	c.Connect()
	ln.Dialed(t, 5*time.Second)
}

// TestConnOneForAllGoroutines: concurrent first callers share one build; all
// get the same Conn, a *grpc.ClientConn; another target is a conflict.
func TestConnOneForAllGoroutines(t *testing.T) {
	rpc.ResetConnForTest(t)
	const target = "dns:///orders.internal:443"

	var (
		start = make(chan struct{})
		wg    sync.WaitGroup
		conns = make([]rpc.Conn, goroutines)
	)
	for i := range conns {
		wg.Go(func() {
			<-start
			c, err := rpc.GetConn(target)
			if err != nil {
				t.Error(err)
			}
			conns[i] = c
		})
	}
	close(start)
	wg.Wait()
	first := clientConn(t, conns[0])
	for i, c := range conns {
		if c != rpc.Conn(first) {
			t.Fatalf("goroutine %d got another Conn", i)
		}
	}
	if got := first.Target(); got != target {
		t.Fatalf("Target() = %q, want %q", got, target)
	}

	c, err := rpc.GetConn("dns:///billing.internal:443")
	if !errors.Is(err, rpc.ErrConnConflict) || c != nil {
		t.Fatalf("GetConn(other target): %v, %v; want nil, ErrConnConflict", c, err)
	}
	if strings.Contains(err.Error(), "billing") {
		t.Fatalf("the conflict error shows a target: %q", err)
	}
}

// TestConnResetCloses: Reset closes the real connection (Shutdown; an RPC on
// it fails with Canceled), and the next GetConn builds a new, idle one.
func TestConnResetCloses(t *testing.T) {
	rpc.ResetConnForTest(t)
	const target = "dns:///orders.internal:443"

	old := clientConn(t, rpc.MustGetConn(target))
	if err := rpc.GetConnManager().Reset(); err != nil {
		t.Fatalf("Reset: %v", err)
	}
	if s := old.GetState(); s != connectivity.Shutdown {
		t.Fatalf("state after Reset: %v, want SHUTDOWN", s)
	}
	err := old.Invoke(context.Background(), "/orders.v1.Orders/Get", nil, nil)
	if status.Code(err) != codes.Canceled || !strings.Contains(err.Error(), "the client connection is closing") {
		t.Fatalf("RPC on the closed connection: %v", err)
	}

	fresh := clientConn(t, rpc.MustGetConn(target))
	if fresh == old {
		t.Fatal("GetConn after Reset returned the closed connection")
	}
	if s := fresh.GetState(); s != connectivity.Idle {
		t.Fatalf("new connection in state %v, want IDLE", s)
	}
}

// fakeConn is a fake of rpc.Conn: the methods it does not override panic
// through the nil embedded interface.
type fakeConn struct {
	rpc.Conn
	mu     sync.Mutex
	closed bool
}

func (f *fakeConn) Target() string                                                     { return "fake" }
func (f *fakeConn) GetState() connectivity.State                                       { return connectivity.Ready }
func (f *fakeConn) Close() error                                                       { f.mu.Lock(); f.closed = true; f.mu.Unlock(); return nil }
func (f *fakeConn) isClosed() bool                                                     { f.mu.Lock(); defer f.mu.Unlock(); return f.closed }
func (f *fakeConn) Invoke(context.Context, string, any, any, ...grpc.CallOption) error { return nil }

// TestConnTestHooks: SetConnForTest installs a fake that implements Conn; it
// answers every target, is never closed (not even by Reset), and the real
// connection from before comes back, open, when the test ends.
func TestConnTestHooks(t *testing.T) {
	rpc.ResetConnForTest(t)
	before := clientConn(t, rpc.MustGetConn("dns:///orders.internal:443"))
	fake := &fakeConn{}

	t.Run("override", func(t *testing.T) {
		rpc.SetConnForTest(t, fake)
		for _, target := range []string{"dns:///orders.internal:443", "dns:///billing.internal:443"} {
			c, err := rpc.GetConn(target)
			if c != rpc.Conn(fake) || err != nil {
				t.Fatalf("GetConn(%s) under SetConnForTest: %T, %v; want the fake", target, c, err)
			}
		}
		// Code under test sees the fake through the interface.
		c := rpc.MustGetConn("dns:///orders.internal:443")
		if c.Target() != "fake" || c.GetState() != connectivity.Ready {
			t.Fatal("the fake's methods were not called")
		}
		if err := c.Invoke(context.Background(), "/orders.v1.Orders/Get", nil, nil); err != nil {
			t.Fatal(err)
		}
		if err := rpc.GetConnManager().Reset(); err != nil {
			t.Fatal(err)
		}
	})

	if fake.isClosed() {
		t.Fatal("the manager closed the installed fake")
	}
	if c := rpc.MustGetConn("dns:///orders.internal:443"); c != rpc.Conn(before) {
		t.Fatalf("the cleanup of SetConnForTest did not restore the connection from before: %T", c)
	}
	if s := before.GetState(); s == connectivity.Shutdown {
		t.Fatal("the connection set aside was closed")
	}
}

// TestConnManagerWithFake: a manager of its own takes a constructor that
// returns any Conn: dependency injection without process-wide state.
func TestConnManagerWithFake(t *testing.T) {
	fake := &fakeConn{}
	m := rpc.NewConnManager(func(target string) (rpc.Conn, error) { return fake, nil })
	c, err := m.Get("dns:///orders.internal:443")
	if err != nil || c != rpc.Conn(fake) {
		t.Fatalf("Get: %T, %v; want the fake", c, err)
	}
	if err := m.Reset(); err != nil {
		t.Fatal(err)
	}
	if !fake.isClosed() {
		t.Fatal("Reset did not close what the manager built")
	}
}

// TestConnInvalidateShutdown: goroutines that all find the connection shut
// down each Invalidate it and ask again: only the first drop counts, and all
// end with one new connection that none of them closed.
func TestConnInvalidateShutdown(t *testing.T) {
	rpc.ResetConnForTest(t)
	const target = "dns:///orders.internal:443"
	m := rpc.GetConnManager()

	dead := clientConn(t, rpc.MustGetConn(target))
	if err := dead.Close(); err != nil { // closed behind the manager's back
		t.Fatal(err)
	}

	var (
		start = make(chan struct{})
		wg    sync.WaitGroup
		conns = make([]rpc.Conn, goroutines)
	)
	for i := range conns {
		wg.Go(func() {
			<-start
			c := rpc.MustGetConn(target)
			if c.GetState() == connectivity.Shutdown {
				// Closing it again says it is closing: that is all the error.
				if err := m.Invalidate(target, c); err != nil && status.Code(err) != codes.Canceled {
					t.Error(err)
				}
				c = rpc.MustGetConn(target)
			}
			conns[i] = c
		})
	}
	close(start)
	wg.Wait()

	fresh := clientConn(t, conns[0])
	if fresh == dead {
		t.Fatal("the dead connection is still the manager's")
	}
	for i, c := range conns {
		if c != rpc.Conn(fresh) {
			t.Fatalf("goroutine %d ended with another connection", i)
		}
	}
	if s := fresh.GetState(); s == connectivity.Shutdown {
		t.Fatal("a late Invalidate closed the new connection")
	}
	if err := m.Invalidate(target, dead); err != nil {
		t.Fatalf("Invalidate of a connection already replaced: %v", err)
	}
	if c := rpc.MustGetConn(target); c != rpc.Conn(fresh) {
		t.Fatal("Invalidate of a connection already replaced dropped the new one")
	}
}
