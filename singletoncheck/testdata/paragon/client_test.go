package paragon

import "testing"

func TestTestsMayBuildInstances(t *testing.T) {
	if _, err := NewClient("k"); err != nil {
		t.Fatal(err)
	}
	_ = &Client{apiKey: "fake"}
}

func TestHookInASequentialTest(t *testing.T) {
	SetClientForTest(t, &Client{apiKey: "fake"})
}

func TestHookAfterParallel(t *testing.T) {
	t.Parallel()
	SetClientForTest(t, &Client{apiKey: "fake"}) // want `SetClientForTest in a parallel test \(t.Parallel at line 17\): the hook changes process-wide state and panics there; drop t.Parallel, or give the code under test a manager of its own from NewClientManager`
}

func TestHookBeforeParallelIsNotThisCheck(t *testing.T) {
	ResetClientForTest(t)
}

func TestHookInASubtestOfAParallelTest(t *testing.T) {
	t.Parallel()
	t.Run("child", func(t *testing.T) {
		ResetPoolForTest(t) // want `ResetPoolForTest in a parallel test \(t.Parallel at line 26\)`
	})
}

func TestHookInAParallelSubtest(t *testing.T) {
	t.Run("child", func(t *testing.T) {
		t.Parallel()
		ResetClientForTest(t) // want `ResetClientForTest in a parallel test \(t.Parallel at line 34\)`
	})
}

func TestHookInASequentialSubtest(t *testing.T) {
	t.Run("child", func(t *testing.T) {
		ResetClientForTest(t)
	})
	t.Run("later", func(t *testing.T) {
		t.Parallel()
	})
}

func TestHookInACleanupOfAParallelTest(t *testing.T) {
	t.Parallel()
	t.Cleanup(func() {
		ResetClientForTest(t) // want `ResetClientForTest in a parallel test \(t.Parallel at line 49\)`
	})
	func() {
		ResetPoolForTest(t) // want `ResetPoolForTest in a parallel test \(t.Parallel at line 49\)`
	}()
}

func TestFunctionsNamedLikeHooksOfATypeWithoutHooks(t *testing.T) {
	t.Parallel()
	SetQuietForTest(t, nil)
}
