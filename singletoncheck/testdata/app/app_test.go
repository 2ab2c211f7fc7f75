package app

import (
	"testing"

	"example.com/check/paragon"
)

func TestOtherPackagesTestsDoNotBuildEither(t *testing.T) {
	_ = &paragon.Client{} // want `paragon.Client is a singleton`
}

func TestHookOfAnotherPackage(t *testing.T) {
	t.Parallel()
	paragon.SetClientForTest(t, nil) // want `paragon.SetClientForTest in a parallel test`
}
