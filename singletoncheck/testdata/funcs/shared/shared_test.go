package shared

import (
	"context"
	"testing"
)

// NewFixture is in a test file: singletongen refuses it, and it is no singleton.
//
//singleton:generate
func NewFixture() *Store { return &Store{} }

func TestTestsBuildInstances(t *testing.T) {
	if _, err := NewDB(context.Background(), "fake"); err != nil {
		t.Fatal(err)
	}
	SetHTTPClientForTest(t, NewHTTPClient())
	_ = openStore()
}
