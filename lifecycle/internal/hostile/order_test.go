package hostile_test

import (
	"context"
	"slices"
	"testing"

	"github.com/singletongen/singletongen/lifecycle"
	"github.com/singletongen/singletongen/lifecycle/internal/hostile"
	"github.com/singletongen/singletongen/lifecycle/internal/hostile/base"
)

// TestDependentRebuiltAfterDependencyClosedFirst: the order is by each manager's last
// completed build, across packages. Svc (package hostile) is built on Conn (package
// base); Conn is then rebuilt (Invalidate, as a pool does with a broken connection) and
// Svc after it, on the new Conn: Shutdown must close Svc first, and then the Conn it was
// built on, which must be the only Conn closed by Shutdown.
func TestDependentRebuiltAfterDependencyClosedFirst(t *testing.T) {
	fresh(t)
	svc, err := hostile.GetSvc()
	if err != nil {
		t.Fatal(err)
	}
	c1 := svc.Conn
	if err := base.GetConnManager().Invalidate(c1); err != nil {
		t.Fatal(err)
	}
	if err := hostile.GetSvcManager().Invalidate(svc); err != nil {
		t.Fatal(err)
	}
	svc2, err := hostile.GetSvc() // builds Conn 2, then Svc 2 on it
	if err != nil {
		t.Fatal(err)
	}
	if svc2.Conn == c1 {
		t.Fatal("Svc rebuilt on the invalidated Conn")
	}
	base.TakeCloses()
	hostile.TakeViolations() // the first Svc was closed after c1, by the test's own doing

	if got, want := names(lifecycle.Instances()), []string{"base.Conn", "hostile.Svc"}; !slices.Equal(got, want) {
		t.Errorf("Instances() = %v, want %v (oldest build first)", got, want)
	}
	if err := shutdown(t, context.Background()); err != nil {
		t.Fatal(err)
	}
	if v := hostile.TakeViolations(); len(v) != 0 {
		t.Errorf("Shutdown closed the Conn before the Svc built on it: %v", v)
	}
	if got, want := base.TakeCloses(), []int64{svc2.Conn.ID}; !slices.Equal(got, want) {
		t.Errorf("Conns closed by Shutdown = %v, want %v", got, want)
	}
}

// TestRestoredDependencyKeepsItsOrder: Svc is built on Conn 1. A subtest empties Conn with
// ResetConnForTest and builds Conn 2; its cleanup closes Conn 2 and restores Conn 1, on
// which Svc was built. Shutdown must then close Svc before Conn 1.
//
// Promise (README): "Services close their shared clients on shutdown, dependents before
// what they depend on"; (DESIGN) "a constructor that called another singleton's accessor
// finished after it, so it is closed before it". The cleanup lists Conn again with the
// order of the build that made Conn 1 (Registration.SetAside), not that of Conn 2.
func TestRestoredDependencyKeepsItsOrder(t *testing.T) {
	fresh(t)
	svc, err := hostile.GetSvc()
	if err != nil {
		t.Fatal(err)
	}
	t.Run("hook", func(t *testing.T) {
		base.ResetConnForTest(t)
		c2, err := base.GetConn()
		if err != nil {
			t.Fatal(err)
		}
		if c2 == svc.Conn {
			t.Fatal("ResetConnForTest did not empty the manager")
		}
	})
	if c, _ := base.GetConn(); c != svc.Conn {
		t.Fatal("the cleanup of ResetConnForTest did not restore Conn 1")
	}
	base.TakeCloses()
	if got, want := names(lifecycle.Instances()), []string{"base.Conn", "hostile.Svc"}; !slices.Equal(got, want) {
		t.Errorf("Instances() = %v, want %v: Conn 1 was built before Svc", got, want)
	}
	if err := shutdown(t, context.Background()); err != nil {
		t.Fatal(err)
	}
	if v := hostile.TakeViolations(); len(v) != 0 {
		t.Errorf("Shutdown closed the restored Conn before the Svc built on it: %v", v)
	}
}

// names returns the names that Instances lists, in its order.
func names(infos []lifecycle.Info) []string {
	var s []string
	for _, in := range infos {
		s = append(s, in.Name)
	}
	return s
}
