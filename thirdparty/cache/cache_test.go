package cache_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/singletongen/singletongen/thirdparty/cache"
	"github.com/singletongen/singletongen/thirdparty/internal/tcptest"
)

// goroutines is how many callers race for the first build.
const goroutines = 64

// together runs f on n goroutines released at the same moment and returns
// their results in no particular order.
func together[T any](n int, f func(i int) T) []T {
	var (
		start = make(chan struct{})
		wg    sync.WaitGroup
		out   = make([]T, n)
	)
	for i := range n {
		wg.Go(func() {
			<-start
			out[i] = f(i)
		})
	}
	close(start)
	wg.Wait()
	return out
}

// closed fails t unless c answers a command with go-redis's error for a closed
// client, at once and without a server.
func closed(t *testing.T, what string, c redis.UniversalClient) {
	t.Helper()
	err := c.Ping(context.Background()).Err()
	if !errors.Is(err, redis.ErrClosed) || err.Error() != "redis: client is closed" {
		t.Fatalf("%s: Ping after Reset: %v, want %q", what, err, "redis: client is closed")
	}
}

// TestNewRedisDoesNotDial proves the premise of the other tests: building a
// client opens no connection, and using it dials the address it was given.
func TestNewRedisDoesNotDial(t *testing.T) {
	cache.ResetRedisForTest(t)
	ln := tcptest.Listen(t)

	c := cache.MustGetRedis(ln.Addr())
	ln.NoDial(t, 100*time.Millisecond)

	// Once the Ping has dialed, cancel it rather than wait for its retries.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ping := make(chan error, 1)
	go func() { ping <- c.Ping(ctx).Err() }()
	ln.Dialed(t, 5*time.Second)
	cancel()
	if err := <-ping; err == nil {
		t.Fatal("Ping succeeded against a listener that speaks no Redis")
	}
}

// TestRedisOneClientForAllGoroutines: concurrent first callers share one
// build, and every caller gets the same *redis.Client.
func TestRedisOneClientForAllGoroutines(t *testing.T) {
	cache.ResetRedisForTest(t)
	const addr = "127.0.0.1:6379"

	clients := together(goroutines, func(int) *redis.Client {
		c, err := cache.GetRedis(addr)
		if err != nil {
			t.Error(err)
		}
		return c
	})
	first := clients[0]
	if first == nil {
		t.Fatal("GetRedis returned a nil client")
	}
	for i, c := range clients {
		if c != first {
			t.Fatalf("goroutine %d got client %p, goroutine 0 got %p", i, c, first)
		}
	}
	if got := first.Options().Addr; got != addr {
		t.Fatalf("client for %s, want %s", got, addr)
	}

	// The same through a manager of our own, counting constructor calls.
	var calls atomic.Int32
	m := cache.NewRedisManager(func(addr string) *redis.Client {
		calls.Add(1)
		time.Sleep(10 * time.Millisecond) // let every goroutine arrive first
		return cache.NewRedis(addr)
	})
	mine := together(goroutines, func(int) *redis.Client {
		c, err := m.Get(addr)
		if err != nil {
			t.Error(err)
		}
		return c
	})
	for i, c := range mine {
		if c != mine[0] {
			t.Fatalf("goroutine %d got another client", i)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("%d constructor calls for %d goroutines, want 1", n, goroutines)
	}
	if mine[0] == first {
		t.Fatal("a manager of our own returned the process-wide client")
	}
	if err := m.Reset(); err != nil {
		t.Fatal(err)
	}
}

// TestRedisConflict: another address gets ErrRedisConflict, never the client
// of the first one, and the error does not show the address.
func TestRedisConflict(t *testing.T) {
	cache.ResetRedisForTest(t)
	const addr, other = "10.0.0.1:6379", "10.0.0.2:6380"

	c := cache.MustGetRedis(addr)
	got, err := cache.GetRedis(other)
	if !errors.Is(err, cache.ErrRedisConflict) {
		t.Fatalf("GetRedis(other address): %v, want ErrRedisConflict", err)
	}
	if got != nil {
		t.Fatal("a conflict returned a client")
	}
	if strings.Contains(err.Error(), other) || strings.Contains(err.Error(), addr) {
		t.Fatalf("the conflict error shows an address: %q", err)
	}
	if again := cache.MustGetRedis(addr); again != c {
		t.Fatal("the first address lost its client after a conflict")
	}

	// After Reset another address is no conflict.
	if err := cache.GetRedisManager().Reset(); err != nil {
		t.Fatal(err)
	}
	if c2, err := cache.GetRedis(other); err != nil || c2.Options().Addr != other {
		t.Fatalf("GetRedis(other) after Reset: %v", err)
	}
}

// TestRedisResetClosesAndRebuilds: Reset closes the client once (go-redis
// refuses commands on it, without a server), and the next GetRedis builds a
// new, open one.
func TestRedisResetClosesAndRebuilds(t *testing.T) {
	cache.ResetRedisForTest(t)
	const addr = "127.0.0.1:6379"

	old := cache.MustGetRedis(addr)
	if err := cache.GetRedisManager().Reset(); err != nil {
		t.Fatalf("Reset: %v", err) // a second Close would say "redis: client is closed"
	}
	closed(t, "old client", old)

	fresh := cache.MustGetRedis(addr)
	if fresh == old {
		t.Fatal("GetRedis after Reset returned the closed client")
	}
	// Close returns nil only for an open client: Reset closing it without an
	// error shows it was open, and was closed exactly once.
	if err := cache.GetRedisManager().Reset(); err != nil {
		t.Fatalf("Reset of the new client: %v", err)
	}
	closed(t, "new client", fresh)
}

// TestRedisTestHooks: SetRedisForTest answers every address with the fake and
// never closes it; its cleanup restores the client from before.
func TestRedisTestHooks(t *testing.T) {
	cache.ResetRedisForTest(t)
	before := cache.MustGetRedis("127.0.0.1:6379")
	fake := redis.NewClient(&redis.Options{Addr: "fake:6379"})

	t.Run("override", func(t *testing.T) {
		cache.SetRedisForTest(t, fake)
		for _, addr := range []string{"127.0.0.1:6379", "elsewhere:6379"} {
			if c, err := cache.GetRedis(addr); c != fake || err != nil {
				t.Fatalf("GetRedis(%s) under SetRedisForTest: %p, %v; want the fake", addr, c, err)
			}
		}
		if err := cache.GetRedisManager().Reset(); err != nil {
			t.Fatal(err)
		}
	})

	if c := cache.MustGetRedis("127.0.0.1:6379"); c != before {
		t.Fatal("the cleanup of SetRedisForTest did not restore the client from before")
	}
	if err := cache.GetRedisManager().Reset(); err != nil {
		t.Fatalf("the client set aside was closed: %v", err)
	}
	if err := fake.Close(); err != nil {
		t.Fatalf("the fake was closed by the manager: %v", err)
	}
}

// TestRegionRedisKeyed: one redis.UniversalClient per region, shared by every
// goroutine asking for it; Delete and Reset close through the interface's
// Close.
func TestRegionRedisKeyed(t *testing.T) {
	cache.ResetRegionRedisForTest(t)
	regions := []string{"eu", "us", "ap"}

	got := together(goroutines, func(i int) redis.UniversalClient {
		return cache.GetRegionRedis(regions[i%len(regions)])
	})
	byRegion := map[string]redis.UniversalClient{}
	for i, c := range got {
		r := regions[i%len(regions)]
		if byRegion[r] == nil {
			byRegion[r] = c
		}
		if c != byRegion[r] {
			t.Fatalf("two clients for region %s", r)
		}
	}
	if byRegion["eu"] == byRegion["us"] {
		t.Fatal("two regions share a client")
	}
	if _, ok := byRegion["eu"].(*redis.ClusterClient); !ok {
		t.Fatalf("region client is a %T, want *redis.ClusterClient", byRegion["eu"])
	}
	m := cache.GetRegionRedisManager()
	if n := m.Len(); n != len(regions) {
		t.Fatalf("Len() = %d, want %d", n, len(regions))
	}

	if err := m.Delete("eu"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	closed(t, "deleted region", byRegion["eu"])
	if c := cache.GetRegionRedis("us"); c != byRegion["us"] {
		t.Fatal("Delete of one region dropped another")
	}
	eu := cache.GetRegionRedis("eu")
	if eu == byRegion["eu"] {
		t.Fatal("GetRegionRedis after Delete returned the closed client")
	}

	if err := m.Reset(); err != nil {
		t.Fatalf("Reset: %v", err)
	}
	if n := m.Len(); n != 0 {
		t.Fatalf("Len() after Reset = %d", n)
	}
	closed(t, "us after Reset", byRegion["us"])
	closed(t, "ap after Reset", byRegion["ap"])
	closed(t, "rebuilt eu after Reset", eu)
}

// TestRegionRedisTestHooks: a fake answers every region; the clients from
// before are set aside, not closed, and come back.
func TestRegionRedisTestHooks(t *testing.T) {
	cache.ResetRegionRedisForTest(t)
	eu := cache.GetRegionRedis("eu")
	fake := redis.NewClient(&redis.Options{Addr: "fake:6379"})

	t.Run("override", func(t *testing.T) {
		cache.SetRegionRedisForTest(t, fake)
		if c := cache.GetRegionRedis("eu"); c != fake {
			t.Fatalf("eu under SetRegionRedisForTest: %T, want the fake", c)
		}
		if c := cache.GetRegionRedis("mars"); c != fake {
			t.Fatalf("mars under SetRegionRedisForTest: %T, want the fake", c)
		}
	})

	if c := cache.GetRegionRedis("eu"); c != eu {
		t.Fatal("the cleanup did not restore the client from before")
	}
	// Close returns nil only for an open client.
	if err := cache.GetRegionRedisManager().Delete("eu"); err != nil {
		t.Fatalf("the client set aside was closed: %v", err)
	}
	if err := fake.Close(); err != nil {
		t.Fatalf("the fake was closed: %v", err)
	}
}
