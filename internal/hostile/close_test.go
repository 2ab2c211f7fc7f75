package hostile

import (
	"context"
	"errors"
	"testing"
)

// TestCloseVariantsOnEveryDropPath guards the close= contract ("when the manager drops
// an instance (Reset, Delete, a discarded build, an eviction, a test hook's cleanup),
// it calls its Close ... a context method gets context.Background()", "close=METHOD
// calls that method instead", close=never) on each drop path, not only Reset:
// close=Shutdown with func(context.Context) is called once with a non-nil context and
// Close never; Close(ctx) error gets a context on an eviction and its error reaches
// the With that ends last; close=never calls nothing on any path; Close() without an
// error makes Reset and With return nil.
func TestCloseVariantsOnEveryDropPath(t *testing.T) {
	t.Parallel()
	t.Run("close=Shutdown(ctx), keyed", func(t *testing.T) {
		t.Parallel()
		m := NewValveManager(nil)
		drops := map[string]func(v *Valve) error{
			"Reset":      func(*Valve) error { return m.Reset() },
			"Delete":     func(*Valve) error { return m.Delete("k") },
			"Invalidate": func(v *Valve) error { return m.Invalidate("k", v) },
			"With then Delete": func(*Valve) error {
				return m.With("k", func(*Valve) error { return m.Delete("k") })
			},
		}
		for name, drop := range drops {
			v, err := m.Get("k")
			if err != nil {
				t.Fatal(err)
			}
			if err := drop(v); err != nil {
				t.Errorf("%s = %v, want nil: Shutdown returns nothing", name, err)
			}
			if v.Shutdowns() != 1 || v.Closes() != 0 || v.ctxNil.Load() {
				t.Errorf("%s: Shutdown called %d times (nil context: %v), Close %d times; want 1, false, 0",
					name, v.Shutdowns(), v.ctxNil.Load(), v.Closes())
			}
		}
	})

	t.Run("Close(ctx) error, max=2", func(t *testing.T) {
		t.Parallel()
		m := NewBucketManager(func(key string) (*Bucket, error) {
			b := &Bucket{Res: NewRes(), Key: key}
			b.CloseErr = &errClose{b.ID}
			return b, nil
		})
		a, _ := m.Get("a")
		b, _ := m.Get("b")
		c, _ := m.Get("c") // evicts a or b before it returns
		var evicted, survivor *Bucket
		switch {
		case a.Closes() == 1 && b.Closes() == 0:
			evicted, survivor = a, b
		case b.Closes() == 1 && a.Closes() == 0:
			evicted, survivor = b, a
		default:
			t.Fatalf("after a third key in max=2: closes a=%d b=%d, want exactly one evicted and closed", a.Closes(), b.Closes())
		}
		if evicted.ctxNil.Load() {
			t.Errorf("an eviction called Close(ctx) with a nil context")
		}
		if n := m.Len(); n != 2 {
			t.Errorf("Len = %d, want 2", n)
		}
		var ce *errClose
		if err := m.Delete("c"); !errors.As(err, &ce) || ce.id != c.ID || c.Closes() != 1 {
			t.Errorf("Delete = %v with %d closes; want c's Close error, once", err, c.Closes())
		}
		d, _ := m.Get("d")
		err := m.With("d", func(*Bucket) error {
			var ce *errClose
			if err := m.Reset(); !errors.As(err, &ce) || ce.id != survivor.ID || errors.Is(err, d.CloseErr) {
				t.Errorf("Reset while d is held returned %v; want the Close error of the other instance only", err)
			}
			if d.Closes() != 0 {
				t.Errorf("d closed while held")
			}
			return nil
		})
		if !errors.As(err, &ce) || ce.id != d.ID || d.Closes() != 1 || d.ctxNil.Load() {
			t.Errorf("the With that ended last = %v with %d closes; want d's Close error, once, with a context", err, d.Closes())
		}
	})

	t.Run("close=never", func(t *testing.T) {
		t.Parallel()
		m := NewSealedManager(nil)
		s, _ := m.Get()
		if err := m.Invalidate(s); err != nil {
			t.Errorf("Invalidate = %v", err)
		}
		s2, _ := m.Get()
		if err := m.With(func(*Sealed) error { return m.Reset() }); err != nil {
			t.Errorf("With around Reset = %v", err)
		}
		s3, _ := m.Get()
		if err := m.Reset(); err != nil {
			t.Errorf("Reset = %v", err)
		}
		for i, x := range []*Sealed{s, s2, s3} {
			if x.Closes() != 0 {
				t.Errorf("close=never: instance %d closed %d times", i, x.Closes())
			}
		}
	})

	t.Run("Close() without error", func(t *testing.T) {
		t.Parallel()
		m := NewUnitManager(nil)
		u := m.Get()
		if err := m.With(func(*Unit) error { return m.Reset() }); err != nil || u.Closes() != 1 {
			t.Errorf("With around Reset = %v with %d closes, want nil and 1", err, u.Closes())
		}
		u2 := m.Get()
		if err := m.Reset(); err != nil || u2.Closes() != 1 || u2 == u {
			t.Errorf("Reset = %v with %d closes, want nil and 1", err, u2.Closes())
		}
	})
}

// TestWithAndContexts guards the context rules for With, which existing tests check
// for Get only: "a caller whose context is already done builds nothing" (fn does not
// run, the constructor is not called), "a caller waiting for someone else's build
// returns ctx.Err() as soon as its own context is done", and "once built, the
// instance is returned whatever the context".
func TestWithAndContexts(t *testing.T) {
	t.Parallel()
	h := newHung()
	m := NewLinkManager(func(ctx context.Context, secret string) (*Link, error) {
		h.first()
		return &Link{Res: NewRes(), Secret: secret}, nil
	})
	fn := func(*Link) error { t.Error("fn ran without an instance"); return nil }
	if err := m.With(done(), "s", fn); !errors.Is(err, context.Canceled) || h.calls.Load() != 0 {
		t.Errorf("With with a done context on an empty manager = %v after %d constructor calls; want context.Canceled and 0", err, h.calls.Load())
	}
	builder := async(func() (*Link, error) { return m.Get(context.Background(), "s") })
	recv(t, h.entered, "the build")
	if r := recv(t, async(func() (struct{}, error) { return struct{}{}, m.With(deadline(t), "s", fn) }), "With waiting for another's build"); !errors.Is(r.err, context.DeadlineExceeded) {
		t.Errorf("With waiting with a deadline = %v, want context.DeadlineExceeded", r.err)
	}
	h.release()
	l := recv(t, builder, "the build").v
	var got *Link
	if err := m.With(done(), "s", func(c *Link) error { got = c; return nil }); err != nil || got != l {
		t.Errorf("With with a done context on a built instance = %v (instance %v); want fn run with the instance", err, got == l)
	}
	if c, err := m.Get(done(), "s"); c != l || err != nil {
		t.Errorf("Get with a done context on a built instance = %v, %v", c, err)
	}
}
