package e2e_test

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/singletongen/singletongen/lifecycle"
	"github.com/singletongen/singletongen/lifecycle/internal/e2e/clients"
	"github.com/singletongen/singletongen/lifecycle/internal/e2e/db"
	"github.com/singletongen/singletongen/lifecycle/internal/e2e/repo"
	"github.com/singletongen/singletongen/lifecycle/internal/e2e/vault"
)

// Gets of single and keyed managers (one whose constructor asks for another, one that
// evicts), and With calls, in loops while two Shutdowns run at once: no race, no
// deadlock, both Shutdowns return, and once the Gets stop a last Shutdown leaves nothing
// listed and every instance built, evicted or discarded was closed exactly once.
func TestConcurrentGetsAndShutdowns(t *testing.T) {
	fresh(t)
	ev := observe(t)
	ctx := context.Background()
	var (
		stop  atomic.Bool
		wg    sync.WaitGroup
		gets  atomic.Int64
		errMu sync.Mutex
		errs  []error
	)
	fail := func(err error) {
		errMu.Lock()
		defer errMu.Unlock()
		errs = append(errs, err)
	}
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				tenant := fmt.Sprint("tenant-", (g+i)%3)
				if _, err := db.GetDB(ctx); err != nil {
					fail(err)
				}
				if r, err := repo.GetRepo(ctx, tenant); err != nil || r == nil {
					fail(fmt.Errorf("GetRepo: (%v, %v)", r, err))
				}
				if _, err := vault.GetClient(fmt.Sprint("token-", i%3)); err != nil {
					fail(err)
				}
				clients.GetMail()
				if err := clients.GetSearchManager().With(func(*clients.Search) error { return nil }); err != nil {
					fail(err)
				}
				gets.Add(1)
			}
		}()
	}
	t.Cleanup(func() { stop.Store(true) }) // a failing test leaves no Gets running
	waitFor(t, "100 rounds of Gets", func() bool { return gets.Load() >= 100 })

	// Pairs of Shutdowns at once, again and again, while the Gets build behind them.
	outcomes := make(map[string]int)
	for range 20 {
		results := make(chan error, 2)
		for range 2 {
			go func() {
				sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				defer cancel()
				results <- lifecycle.Shutdown(sctx)
			}()
		}
		timeout := time.After(30 * time.Second)
		for range 2 {
			select {
			case err := <-results:
				switch {
				case err == nil:
					outcomes["nil"]++
				case strings.Contains(err.Error(), "still building"), strings.Contains(err.Error(), "still open"):
					// Gets that keep building may outlast Shutdown's rounds: it says so.
					outcomes["still building/open"]++
				default:
					t.Errorf("Shutdown during Gets: %v", err)
				}
			case <-timeout:
				t.Fatal("Shutdown did not return within 30s while Gets ran: deadlock")
			}
		}
	}
	t.Logf("Shutdowns during Gets returned: %v", outcomes)
	before := gets.Load()
	waitFor(t, "100 rounds of Gets after Shutdown", func() bool { return gets.Load() >= before+100 })
	stop.Store(true)
	wg.Wait()
	for _, err := range errs {
		t.Error(err)
	}

	if err := lifecycle.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown once the Gets stopped: %v", err)
	}
	if got := lifecycle.Instances(); len(got) != 0 {
		t.Fatalf("Instances() after the last Shutdown = %+v, want none", got)
	}
	closedOnce(t)
	// Every instance built was reported dropped once, however it went: builds minus
	// drops is what the managers hold, nothing now.
	built, dropped := map[string]int{}, map[string]int{}
	for _, e := range ev.all() {
		switch {
		case e.Kind == lifecycle.BuildFinished && e.Err == nil:
			built[e.Name]++
		case e.Kind == lifecycle.Dropped:
			dropped[e.Name] += e.Count
		}
	}
	if !maps.Equal(built, dropped) {
		t.Errorf("successful builds %v, drops %v: want equal", built, dropped)
	}
}
