package hostile_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/singletongen/singletongen/lifecycle"
	"github.com/singletongen/singletongen/lifecycle/internal/hostile"
	"github.com/singletongen/singletongen/lifecycle/internal/hostile/base"
)

// TestHeldDependentProtectsItsDependencyAcrossShutdowns: With holds Svc (package hostile),
// built on Conn (package base). A Shutdown that times out, then two at once without a
// deadline, must never close Conn while the With holds Svc (README: "a Shutdown retried
// after a timeout, or two at once, never close what a held instance was built on under
// it"); once the With ends, Svc is closed, then Conn, once.
func TestHeldDependentProtectsItsDependencyAcrossShutdowns(t *testing.T) {
	fresh(t)
	svc, err := hostile.GetSvc()
	if err != nil {
		t.Fatal(err)
	}
	holding, release := make(chan struct{}), make(chan struct{})
	withDone := make(chan error, 1)
	go func() {
		withDone <- hostile.GetSvcManager().With(func(s *hostile.Svc) error {
			close(holding)
			<-release
			if s.Conn.Closed() {
				return errors.New("the Conn under the held Svc was closed while With held it")
			}
			return nil
		})
	}()
	<-holding
	defer func() {
		select {
		case <-release:
		default:
			close(release)
		}
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err = shutdown(t, ctx)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "hostile.Svc") {
		t.Fatalf("Shutdown while With holds Svc = %v, want hostile.Svc left open at the deadline", err)
	}
	if svc.Conn.Closed() {
		t.Fatal("a Shutdown that timed out closed the Conn under the held Svc")
	}
	if got, want := names(lifecycle.Instances()), []string{"base.Conn", "hostile.Svc"}; !slices.Equal(got, want) {
		t.Errorf("Instances() while With holds the dropped Svc = %v, want %v", got, want)
	}

	// Hooked, built now, is the newest: both Shutdowns close it (one of them) and then
	// wait for the held Svc. Its Close tells the test that they have begun.
	if _, err := hostile.GetHooked(); err != nil {
		t.Fatal(err)
	}
	begun := make(chan struct{}, 1)
	mark := func(context.Context) error {
		begun <- struct{}{}
		return nil
	}
	hostile.CloseHook.Store(&mark)
	errs := make(chan error, 2)
	for range 2 {
		go func() { errs <- lifecycle.Shutdown(context.Background()) }()
	}
	select {
	case <-begun:
	case <-time.After(patience):
		t.Fatal("no Shutdown closed Hooked")
	}
	time.Sleep(50 * time.Millisecond) // let both reach Svc; the checks hold however far they got
	if svc.Conn.Closed() {
		t.Fatal("a Shutdown closed the Conn under the held Svc")
	}
	close(release)
	select {
	case err := <-withDone:
		if err != nil {
			t.Error(err)
		}
	case <-time.After(patience):
		t.Fatal("With did not return")
	}
	for range 2 {
		select {
		case err := <-errs:
			if err != nil {
				t.Errorf("Shutdown once the With ended = %v, want nil", err)
			}
		case <-time.After(patience):
			t.Fatal("a Shutdown did not return once the With ended")
		}
	}
	if got, want := base.TakeCloses(), []int64{svc.Conn.ID}; !slices.Equal(got, want) {
		t.Errorf("Conns closed = %v, want %v, once", got, want)
	}
}
