package hostile

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
)

// TestInvalidateWithNilKeepsTheCachedError guards onerror=cache, "the first error is
// returned to every later call with the same arguments ... until Reset", against
// Invalidate, which "drops inst only while it still is the instance for those
// arguments ... and otherwise does nothing": a cached failure holds no instance, so
// Invalidate(args, nil) has nothing to drop.
//
// The natural caller code passes a nil instance whenever Get failed:
//
//	c, err := m.Get(key)
//	if err != nil || !c.Healthy() {
//		_ = m.Invalidate(key, c) // c is nil when err != nil
//	}
func TestInvalidateWithNilKeepsTheCachedError(t *testing.T) {
	t.Parallel()
	t.Run("func(secret) (*Plain, error)", func(t *testing.T) {
		t.Parallel()
		var calls atomic.Int32
		m := NewPlainManager(func(secret string) (*Plain, error) { calls.Add(1); return nil, errBoom })
		if _, err := m.Get("a"); !errors.Is(err, errBoom) {
			t.Fatalf("Get = %v, want the constructor's error", err)
		}
		if err := m.Invalidate("a", nil); err != nil {
			t.Errorf("Invalidate(a, nil) = %v", err)
		}
		if _, err := m.Get("a"); !errors.Is(err, errBoom) || calls.Load() != 1 {
			t.Errorf("after Invalidate(a, nil): Get = %v with %d constructor calls; want the cached error and 1 call", err, calls.Load())
		}
	})
	t.Run("func(ctx, secret) (*Memo, error)", func(t *testing.T) {
		t.Parallel()
		var calls atomic.Int32
		m := NewMemoManager(func(ctx context.Context, secret string) (*Memo, error) { calls.Add(1); return nil, errBoom })
		ctx := context.Background()
		if _, err := m.Get(ctx, "a"); !errors.Is(err, errBoom) {
			t.Fatalf("Get = %v, want the constructor's error", err)
		}
		_ = m.Invalidate("a", nil)
		if _, err := m.Get(ctx, "a"); !errors.Is(err, errBoom) || calls.Load() != 1 {
			t.Errorf("after Invalidate(a, nil): Get = %v with %d constructor calls; want the cached error and 1 call", err, calls.Load())
		}
	})
}

// TestCachedErrorIsNeverAnotherCallersError guards "never another caller's error"
// with onerror=cache: a failure cached for one secret, or still being built for it,
// answers another secret with the conflict, never with that failure, in Get and With.
func TestCachedErrorIsNeverAnotherCallersError(t *testing.T) {
	t.Parallel()
	h := newHung()
	var calls atomic.Int32
	m := NewPlainManager(func(secret string) (*Plain, error) {
		calls.Add(1)
		h.first()
		return nil, errBoom
	})
	builder := async(func() (*Plain, error) { return m.Get("a") })
	recv(t, h.entered, "the build to start")
	// Another secret while the failing build is in flight.
	if _, err := m.Get("b"); !errors.Is(err, ErrPlainConflict) || errors.Is(err, errBoom) {
		t.Errorf("Get(b) beside a build for a = %v; want ErrPlainConflict only", err)
	}
	h.release()
	if r := recv(t, builder, "the builder"); !errors.Is(r.err, errBoom) {
		t.Fatalf("Get(a) = %v, want the constructor's error", r.err)
	}
	for _, call := range []func() error{
		func() error { _, err := m.Get("b"); return err },
		func() error {
			return m.With("b", func(*Plain) error { t.Error("With(b) ran fn"); return nil })
		},
	} {
		if err := call(); !errors.Is(err, ErrPlainConflict) || errors.Is(err, errBoom) {
			t.Errorf("other arguments after a cached failure got %v; want ErrPlainConflict only", err)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("constructor calls = %d, want 1: the failure is cached and b conflicts", n)
	}
}

// TestResetDuringACachedFailingBuild guards "After Reset returns, no Get sees [a
// result] whose build began before it" with onerror=cache: the failure of a build
// that Reset discarded is never kept; the error kept is the one of the build after
// Reset.
func TestResetDuringACachedFailingBuild(t *testing.T) {
	t.Parallel()
	errOld, errNew := errors.New("old credentials"), errors.New("new credentials")
	h := newHung()
	m := NewPlainManager(func(secret string) (*Plain, error) {
		if h.first() {
			return nil, errOld
		}
		return nil, errNew
	})
	builder := async(func() (*Plain, error) { return m.Get("a") })
	recv(t, h.entered, "the build to start")
	if err := recv(t, async(func() (struct{}, error) { return struct{}{}, m.Reset() }), "Reset beside a hung build").err; err != nil {
		t.Errorf("Reset = %v", err)
	}
	if r := recv(t, async(func() (*Plain, error) { return m.Get("a") }), "Get after Reset, beside a hung build"); !errors.Is(r.err, errNew) {
		t.Errorf("Get after Reset = %v, want the error of a build after Reset", r.err)
	}
	h.release()
	recv(t, builder, "the builder of the discarded build")
	for range 2 {
		if _, err := m.Get("a"); !errors.Is(err, errNew) || errors.Is(err, errOld) {
			t.Errorf("Get once the discarded build ended = %v; want the error kept since Reset (new credentials)", err)
		}
	}
}
