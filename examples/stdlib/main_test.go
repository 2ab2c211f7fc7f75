package main

import "testing"

// The example checks what it shows, and fails otherwise: go test runs it too.
func TestRun(t *testing.T) {
	if err := run(); err != nil {
		t.Fatal(err)
	}
}
