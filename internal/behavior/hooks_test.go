package behavior

// The hooks change the process-wide managers, so none of these tests runs in parallel,
// and each leaves the managers as it found them.

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

func TestSetForTestOverridesAndRestores(t *testing.T) {
	before := MustGetConn("db", 1)
	fake := &Conn{Addr: "fake"}
	t.Run("override", func(t *testing.T) {
		SetConnForTest(t, fake)
		for _, args := range []struct {
			addr string
			port int
		}{{"db", 1}, {"other", 2}} {
			if c, err := GetConn(args.addr, args.port); c != fake || err != nil {
				t.Fatalf("GetConn%v = (%p, %v), want the fake whatever the arguments", args, c, err)
			}
		}
	})
	if c, err := GetConn("db", 1); c != before || err != nil {
		t.Fatalf("after the test GetConn = (%p, %v), want the instance from before (%p)", c, err, before)
	}
	if fake.Closes() != 0 || before.Closes() != 0 {
		t.Fatalf("Close calls: fake %d, saved %d; want 0 and 0", fake.Closes(), before.Closes())
	}
}

func TestResetForTestEmptiesAndClosesWhatTheTestBuilt(t *testing.T) {
	before := MustGetConn("db", 1)
	var during *Conn
	t.Run("empty", func(t *testing.T) {
		ResetConnForTest(t)
		during = MustGetConn("elsewhere", 2) // no conflict: the manager is empty
		if during == before {
			t.Fatal("GetConn returned the instance from before ResetConnForTest")
		}
	})
	if during.Closes() != 1 {
		t.Fatalf("the Conn built during the test was closed %d times, want 1", during.Closes())
	}
	if c := MustGetConn("db", 1); c != before || before.Closes() != 0 {
		t.Fatalf("after the test: %p (closed %d times), want the saved %p, never closed", c, before.Closes(), before)
	}
}

func TestResetDuringOverrideDoesNotCloseTheFake(t *testing.T) {
	fake := &Conn{Addr: "fake"}
	var built *Conn
	t.Run("override", func(t *testing.T) {
		SetConnForTest(t, fake)
		if err := GetConnManager().Reset(); err != nil {
			t.Fatal(err)
		}
		built = MustGetConn("db", 1)
	})
	if fake.Closes() != 0 {
		t.Fatalf("the fake was closed %d times", fake.Closes())
	}
	if built == fake || built.Closes() != 1 {
		t.Fatalf("the Conn built after Reset during the test was closed %d times, want 1", built.Closes())
	}
}

func TestHooksWithoutArguments(t *testing.T) {
	before := GetCounter()
	fake := &Counter{}
	t.Run("override", func(t *testing.T) {
		SetCounterForTest(t, fake)
		if got := GetCounter(); got != fake {
			t.Fatalf("GetCounter = %p, want the fake %p", got, fake)
		}
	})
	if got := GetCounter(); got != before || fake.Closes() != 0 {
		t.Fatalf("after the test GetCounter = %p, want %p; fake closed %d times", got, before, fake.Closes())
	}
}

func TestSetForTestRefusesNil(t *testing.T) {
	msg := panicMessage(func() { SetConnForTest(t, nil) })
	if !strings.Contains(msg, "SetConnForTest") || !strings.Contains(msg, "nil") {
		t.Fatalf("SetConnForTest(t, nil) panicked with %q, want a message that names the hook", msg)
	}
}

func TestHooksRefuseParallelTests(t *testing.T) {
	before := MustGetConn("db", 1)
	fake := &Conn{Addr: "fake"}
	hooks := map[string]func(t *testing.T){
		"SetConnForTest":   func(t *testing.T) { SetConnForTest(t, fake) },
		"ResetConnForTest": func(t *testing.T) { ResetConnForTest(t) },
	}
	for name, hook := range hooks {
		t.Run(name+" in a parallel test", func(t *testing.T) {
			t.Parallel()
			msg := panicMessage(func() { hook(t) })
			if !strings.Contains(msg, name) || !strings.Contains(msg, "parallel") {
				t.Errorf("%s in a parallel test panicked with %q, want a refusal that names the hook", name, msg)
			}
		})
		t.Run(name+" under a parallel parent", func(t *testing.T) {
			t.Parallel()
			t.Run("child", func(t *testing.T) {
				msg := panicMessage(func() { hook(t) })
				if !strings.Contains(msg, name) {
					t.Errorf("%s under a parallel parent panicked with %q, want a refusal that names the hook", name, msg)
				}
			})
		})
		t.Run(name+" then t.Parallel", func(t *testing.T) {
			hook(t)
			if msg := panicMessage(t.Parallel); msg == "" {
				t.Errorf("t.Parallel after %s did not panic", name)
			}
		})
	}
	t.Cleanup(func() {
		if c := MustGetConn("db", 1); c != before {
			t.Errorf("after refused hooks GetConn = %p, want %p", c, before)
		}
	})
}

// childEnv marks the test binary run by TestHookRestoresAfterAFailedSubtest.
const childEnv = "SINGLETONGEN_BEHAVIOR_CHILD"

func TestHookRestoresAfterAFailedSubtest(t *testing.T) {
	if os.Getenv(childEnv) == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHookRestoresAfterAFailedSubtest$", "-test.v")
		cmd.Env = append(os.Environ(), childEnv+"=1")
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 1 {
			t.Fatalf("the child test run = %v, want exit status 1 from its failing subtest:\n%s", err, out)
		}
		if !strings.Contains(string(out), "--- FAIL: TestHookRestoresAfterAFailedSubtest/fails") ||
			!strings.Contains(string(out), "restored after the failure") {
			t.Fatalf("the child test run did not fail and then restore:\n%s", out)
		}
		return
	}
	before := MustGetConn("db", 1)
	fake := &Conn{Addr: "fake"}
	t.Run("fails", func(t *testing.T) {
		SetConnForTest(t, fake)
		t.Fatal("failing on purpose, with the fake installed")
	})
	if c := MustGetConn("db", 1); c == before && fake.Closes() == 0 {
		t.Log("restored after the failure")
	}
}
