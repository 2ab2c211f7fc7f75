package behavior

import (
	"strings"
	"testing"
)

func TestIfaceNilInstanceIsANilInterface(t *testing.T) {
	t.Parallel()
	m := NewRemoteManager(nil)
	c, err := m.Get("nil")
	if c != nil || err == nil || !strings.Contains(err.Error(), "nil RemoteAPI") {
		t.Fatalf("Get of a constructor that returned a nil *Remote = (%v, %v), want a nil RemoteAPI and an error", c, err)
	}
	if c, err := m.Get("nil"); c != nil || err == nil {
		t.Fatalf("the failure was kept or hidden: (%v, %v)", c, err)
	}
}

// fakeRemote is a RemoteAPI that is not a *Remote.
type fakeRemote struct{ closed bool }

func (f *fakeRemote) Name() string  { return "fake" }
func (f *fakeRemote) Close() error  { f.closed = true; return nil }
func (f *fakeRemote) Closes() int32 { return 0 }

func TestIfaceTakesAnyFake(t *testing.T) {
	before := MustGetRemote("db")
	fake := &fakeRemote{}
	t.Run("override", func(t *testing.T) {
		SetRemoteForTest(t, fake)
		if got := MustGetRemote("anything").Name(); got != "fake" {
			t.Fatalf("Name() = %q, want the fake's", got)
		}
	})
	if got := MustGetRemote("db"); got != before || fake.closed {
		t.Fatalf("after the test: %v (fake closed: %v), want the instance from before and the fake untouched", got, fake.closed)
	}
}

func TestIfaceInjectedConstructor(t *testing.T) {
	t.Parallel()
	m := NewRemoteManager(func(name string) (RemoteAPI, error) { return &fakeRemote{}, nil })
	c, err := m.Get("x")
	if err != nil || c.Name() != "fake" {
		t.Fatalf("Get = (%v, %v), want the injected fake", c, err)
	}
	if err := m.Reset(); err != nil || !c.(*fakeRemote).closed {
		t.Fatalf("Reset = %v, closed %v: the manager closes what its constructor built", err, c.(*fakeRemote).closed)
	}
}

// An injected constructor that returns NewRemote's result as a RemoteAPI hands the manager
// a nil *Remote inside a non-nil interface: still a failure, never an instance.
func TestIfaceTypedNilFromAnInjectedConstructor(t *testing.T) {
	t.Parallel()
	m := NewRemoteManager(func(name string) (RemoteAPI, error) { return NewRemote(name) })
	c, err := m.Get("nil")
	if c != nil || err == nil {
		t.Fatalf("Get = (%v, %v), want a nil RemoteAPI and an error", c, err)
	}
	if err := m.Reset(); err != nil {
		t.Fatalf("Reset after the failure = %v", err)
	}
}

func TestSetForTestRefusesATypedNil(t *testing.T) {
	msg := panicMessage(func() { SetRemoteForTest(t, (*Remote)(nil)) })
	if !strings.Contains(msg, "SetRemoteForTest") || !strings.Contains(msg, "nil") {
		t.Fatalf("SetRemoteForTest(t, (*Remote)(nil)) panicked with %q, want a refusal", msg)
	}
}
