package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/singletongen/singletongen/directive"
)

// TestUsageFitsOneScreen checks that -h shows every option of the directive and every
// flag, in at most 40 lines.
func TestUsageFitsOneScreen(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if status := run([]string{"-h"}, &stdout, &stderr); status != 0 || stdout.Len() > 0 {
		t.Fatalf("singletongen -h: status %d, stdout %q", status, stdout.String())
	}
	help := stderr.String()
	if lines := strings.Count(help, "\n"); lines > 40 {
		t.Errorf("-h prints %d lines, want at most 40:\n%s", lines, help)
	}
	for _, key := range directive.Keys {
		if !regexp.MustCompile(`(?m)^  ` + key + `=`).MatchString(help) {
			t.Errorf("-h does not describe option %s:\n%s", key, help)
		}
	}
	for _, flag := range []string{"check", "output", "tags", "version"} {
		if !regexp.MustCompile(`(?m)^  -` + flag + ` `).MatchString(help) {
			t.Errorf("-h does not describe flag -%s:\n%s", flag, help)
		}
	}
}
