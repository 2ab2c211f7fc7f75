package generator

import (
	"io/fs"
	"path/filepath"
	"testing"
)

// TestLifecycleFilesAreGenerated keeps the generated files committed in the lifecycle
// module (its end-to-end tests under internal/, its examples/) what singletongen writes
// today. That module tests them against package lifecycle without requiring this one, so
// this module checks them.
func TestLifecycleFilesAreGenerated(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("..", "lifecycle"))
	if err != nil {
		t.Fatal(err)
	}
	results, err := Generate(Config{Dir: dir, Patterns: []string{"./..."}})
	if err != nil {
		t.Fatal(err)
	}
	checked := make(map[string]bool)
	for _, r := range results {
		checked[r.Path] = true
		if !r.Current {
			rel, _ := filepath.Rel(dir, r.Path)
			t.Errorf("lifecycle/%s is not current; run go build -o /tmp/singletongen ./cmd/singletongen, then /tmp/singletongen ./... in lifecycle:\n%s", rel, r.Diff(rel))
		}
	}
	// Every committed generated file was looked at: none is left out of the patterns.
	n := 0
	for _, sub := range []string{"internal", "examples"} {
		err := filepath.WalkDir(filepath.Join(dir, sub), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || d.Name() != DefaultOutput {
				return err
			}
			n++
			if !checked[path] {
				t.Errorf("%s was not generated", path)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if n == 0 {
		t.Fatal("no generated file under lifecycle/internal or lifecycle/examples")
	}
	t.Logf("%d generated files current", n)
}
