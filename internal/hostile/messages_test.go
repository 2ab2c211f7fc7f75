package hostile

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// Arguments that are credentials: no error message may contain them, nor a part of
// them.
const (
	userSecret = "alice-USER-7f3e"
	passSecret = "hunter2-PASS-9c1d"
	linkSecret = "sk-live-LINK-42aa"
	otherKey   = "sk-live-OTHER-77bb"
)

// TestErrorMessagesNeverContainArguments guards "No error message ever contains
// argument values: they are often credentials" on every error path the generated
// code makes, beyond the conflict that existing tests check: a conflict with a build
// in flight and in With, a nil instance in keyed mode, a constructor asking for its
// own key, a cycle of two keys entered from two goroutines, and a waiter of a
// panicking build.
func TestErrorMessagesNeverContainArguments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var mu sync.Mutex
	var msgs []string
	collect := func(what string, err error) {
		t.Helper()
		if err == nil {
			t.Errorf("%s: no error", what)
			return
		}
		mu.Lock()
		msgs = append(msgs, what+": "+fmt.Sprintf("%v | %+v | %#v", err, err, err))
		mu.Unlock()
	}

	// Single mode: conflicts with a build in flight, with the instance, and in With.
	h := newHung()
	links := NewLinkManager(func(ctx context.Context, secret string) (*Link, error) {
		h.first()
		return &Link{Res: NewRes(), Secret: secret}, nil
	})
	builder := async(func() (*Link, error) { return links.Get(ctx, linkSecret) })
	recv(t, h.entered, "the Link build")
	_, err := links.Get(ctx, otherKey)
	collect("conflict with a build in flight", err)
	h.release()
	recv(t, builder, "the Link build")
	_, err = links.Get(ctx, otherKey)
	collect("conflict with the instance", err)
	collect("conflict in With", links.With(ctx, otherKey, func(*Link) error { return nil }))

	// Keyed: a nil instance, a constructor asking for its own key, a cycle of keys.
	nils := NewTenantManager(func(context.Context, string, string) (*Tenant, error) { return nil, nil })
	_, err = nils.Get(ctx, userSecret, passSecret)
	collect("nil instance", err)

	var self *TenantManager
	var selfErr error
	self = NewTenantManager(func(ctx context.Context, user, pass string) (*Tenant, error) {
		_, selfErr = self.Get(ctx, user, pass)
		return &Tenant{Res: NewRes()}, nil
	})
	if r := recv(t, async(func() (*Tenant, error) { return self.Get(ctx, userSecret, passSecret) }), "a constructor asking for its own key"); r.err != nil {
		t.Errorf("self: %v", r.err)
	}
	collect("a constructor asking for its own key", selfErr)

	var cyc *TenantManager
	both := make(chan struct{})
	var arrived sync.WaitGroup
	arrived.Add(2)
	var cycleErrs [2]error
	cyc = NewTenantManager(func(ctx context.Context, user, pass string) (*Tenant, error) {
		arrived.Done()
		<-both
		i, other := 0, otherKey
		if user == otherKey {
			i, other = 1, userSecret
		}
		_, cycleErrs[i] = cyc.Get(ctx, other, passSecret)
		return &Tenant{Res: NewRes()}, nil
	})
	c1 := async(func() (*Tenant, error) { return cyc.Get(ctx, userSecret, passSecret) })
	c2 := async(func() (*Tenant, error) { return cyc.Get(ctx, otherKey, passSecret) })
	go func() { arrived.Wait(); close(both) }()
	recv(t, c1, "a cycle of keys to be found")
	recv(t, c2, "a cycle of keys to be found")
	switch {
	case cycleErrs[0] != nil:
		collect("a cycle of keys", cycleErrs[0])
	case cycleErrs[1] != nil:
		collect("a cycle of keys", cycleErrs[1])
	default:
		t.Errorf("a cycle of two keys from two goroutines was not found")
	}

	// A waiter of a build whose constructor panics.
	hp := newHung()
	panicky := NewTenantManager(func(ctx context.Context, user, pass string) (*Tenant, error) {
		if hp.first() {
			panic("constructor failed")
		}
		return &Tenant{Res: NewRes()}, nil
	})
	pb := make(chan any, 1)
	go func() {
		defer func() { pb <- recover() }()
		_, _ = panicky.Get(ctx, userSecret, passSecret)
	}()
	recv(t, hp.entered, "the panicking build")
	waiter := async(func() (*Tenant, error) { return panicky.Get(ctx, userSecret, passSecret) })
	time.Sleep(20 * time.Millisecond) // lets the waiter wait; checked below either way
	hp.release()
	recv(t, pb, "the panic")
	if r := recv(t, waiter, "the waiter of a panicking build"); r.err != nil {
		collect("waiter of a panicking build", r.err)
	}

	mu.Lock()
	defer mu.Unlock()
	for _, m := range msgs {
		for _, secret := range []string{userSecret, passSecret, linkSecret, otherKey, "USER", "PASS", "LINK", "OTHER"} {
			if strings.Contains(m, secret) {
				t.Errorf("an error message contains the argument %q: %s", secret, m)
			}
		}
	}
	var conflicts int
	for _, m := range msgs {
		if strings.HasPrefix(m, "conflict") {
			conflicts++
		}
	}
	if conflicts != 3 || !errors.Is(func() error { _, err := links.Get(ctx, otherKey); return err }(), ErrLinkConflict) {
		t.Errorf("conflicts are not ErrLinkConflict")
	}
}
