package app

import (
	"context"
	"net/http"
	"testing"
	"time"

	"example.com/funcs/shared"
)

func TestFakesBuiltInAnotherPackage(t *testing.T) {
	shared.SetHTTPClientForTest(t, &http.Client{Timeout: time.Second})
	shared.SetHTTPClientForTest(t, shared.NewHTTPClient())
	db, _ := shared.NewDB(context.Background(), "fake")
	shared.SetDBForTest(t, db)
	open := shared.NewDB
	_ = open
}

func TestHookOfAFunctionSingletonInAParallelTest(t *testing.T) {
	t.Parallel()
	shared.ResetDBForTest(t) // want `^shared.ResetDBForTest in a parallel test \(t.Parallel at line 22\): the hook changes process-wide state and panics there; drop t.Parallel, or give the code under test a manager of its own from shared.NewDBManager$`
}

func TestFunctionNamedLikeAHookOfASingletonWithoutGlobals(t *testing.T) {
	t.Parallel()
	shared.SetTemplatesForTest(t)
}
