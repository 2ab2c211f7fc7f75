package paragon_test

import (
	"testing"

	"example.com/check/paragon"
)

func TestExternalTestsBuildFakes(t *testing.T) {
	paragon.SetClientForTest(t, &paragon.Client{})
	if _, err := paragon.NewClient("k"); err != nil {
		t.Fatal(err)
	}
}
