package app

import (
	"testing"

	"example.com/check/paragon"
)

func TestOtherPackagesTestsBuildFakes(t *testing.T) {
	paragon.SetClientForTest(t, &paragon.Client{})
	fake, _ := paragon.NewClient("fake")
	paragon.SetClientForTest(t, fake)
}

func TestHookOfAnotherPackage(t *testing.T) {
	t.Parallel()
	paragon.SetClientForTest(t, nil) // want `paragon.SetClientForTest in a parallel test`
}
