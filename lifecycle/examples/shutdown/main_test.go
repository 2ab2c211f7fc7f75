package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestMain runs main instead of the tests when the test binary is started as the
// example's command, so that TestDemo runs the real process: signals included.
func TestMain(m *testing.M) {
	if os.Getenv("SHUTDOWN_EXAMPLE_AS_MAIN") == "1" {
		os.Args = append(os.Args[:1], "-demo")
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// The example with -demo serves three orders, sends itself SIGTERM, closes the
// repository before the pool, logs it, and exits 0, in well under 5s.
func TestDemo(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0])
	// Under -race, the process would sleep 1s at exit waiting for late reports.
	cmd.Env = append(os.Environ(), "SHUTDOWN_EXAMPLE_AS_MAIN=1", "GORACE="+os.Getenv("GORACE")+" atexit_sleep_ms=0")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	out := stdout.String()
	if err != nil {
		t.Fatalf("shutdown -demo: %v\nstdout:\n%s\nstderr:\n%s", err, out, stderr.String())
	}
	if took > 5*time.Second {
		t.Errorf("shutdown -demo took %v, want under 5s", took)
	}
	t.Logf("shutdown -demo took %v", took)
	for _, want := range []string{
		`msg=serving url=http://127\.0\.0\.1:\d+/orders`,
		`msg=response body="order 3 placed"`,
		`msg=stopping`,
		`msg=closed singleton=orders\.Repo\n`,
		`msg=closed singleton=orders\.DB\n`,
		`msg=stopped closed="orders\.Repo, orders\.DB"`,
	} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("the output has no line matching %s:\n%s", want, out)
		}
	}
	if i, j := strings.Index(out, "closed singleton=orders.Repo"), strings.Index(out, "closed singleton=orders.DB"); i < 0 || j < i {
		t.Errorf("the repository was not closed before the pool:\n%s", out)
	}
	if strings.Contains(out, "level=ERROR") || stderr.Len() > 0 {
		t.Errorf("errors logged:\n%s%s", out, stderr.String())
	}
}
