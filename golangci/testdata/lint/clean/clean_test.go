package clean

import (
	"testing"

	"example.com/lint/paragon"
)

func TestFake(t *testing.T) {
	paragon.SetClientForTest(t, &paragon.Client{})
	if Client() == nil {
		t.Fatal("no client")
	}
}
