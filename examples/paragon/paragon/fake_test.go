package paragon_test

import (
	"errors"
	"testing"

	"github.com/singletongen/singletongen/examples/paragon/paragon"
)

// fakeAPI stands in for the Paragon client: no server, no session, a fixed token.
type fakeAPI struct {
	token  string
	closed bool
}

func (f *fakeAPI) Token() (string, error)   { return f.token, nil }
func (f *fakeAPI) Refresh() (string, error) { return f.token, nil }
func (f *fakeAPI) Close() error             { f.closed = true; return nil }

// The code under test gets the process-wide client; the test swaps in a fake through the
// API interface. Without the fake, AuthHeader would dial a host that does not exist.
func TestAuthHeaderWithAFakeClient(t *testing.T) {
	fake := &fakeAPI{token: "fake-token"}
	paragon.SetClientForTest(t, fake)

	header, err := paragon.AuthHeader("http://paragon.invalid", "pk-test")
	if err != nil {
		t.Fatalf("AuthHeader with the fake installed: %v", err)
	}
	if header != "Bearer fake-token" {
		t.Fatalf("AuthHeader = %q, want the fake's token", header)
	}
	if fake.closed {
		t.Fatal("the test hook closed the fake")
	}
}

// A manager of its own, with an injected constructor, needs no process-wide state.
func TestInjectedFakeConstructor(t *testing.T) {
	t.Parallel()
	m := paragon.NewClientManager(func(baseURL, apiKey string) (paragon.API, error) {
		return &fakeAPI{token: "injected:" + apiKey}, nil
	})
	c, err := m.Get("http://paragon.invalid", "pk")
	if err != nil {
		t.Fatal(err)
	}
	if token, _ := c.Token(); token != "injected:pk" {
		t.Fatalf("token = %q", token)
	}
	if _, err := m.Get("http://paragon.invalid", "other"); !errors.Is(err, paragon.ErrClientConflict) {
		t.Fatalf("another key: %v, want ErrClientConflict", err)
	}
}
