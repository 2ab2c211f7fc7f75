package singletoncheck_test

import (
	"path/filepath"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/singletongen/singletongen/generator"
	"github.com/singletongen/singletongen/singletoncheck"
)

// TestAnalyzer runs the analyzer over testdata, a module whose // want comments say
// every diagnostic and fact expected, and nothing else may appear.
func TestAnalyzer(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), singletoncheck.Analyzer, "./...")
}

// TestAnnotatedFunctions runs the analyzer over testdata/funcs, singletons of annotated
// constructor functions. Their generated files are written by hand, declaring only the
// names the analyzer and the code need, until singletongen generates managers for
// functions; a module of its own keeps them out of TestTestdataIsGenerated.
func TestAnnotatedFunctions(t *testing.T) {
	analysistest.Run(t, filepath.Join(analysistest.TestData(), "funcs"), singletoncheck.Analyzer, "./...")
}

// TestTestdataIsGenerated keeps the generated files of testdata what singletongen
// writes today, since the analyzer reads them as users will have them.
func TestTestdataIsGenerated(t *testing.T) {
	dir, err := filepath.Abs(analysistest.TestData())
	if err != nil {
		t.Fatal(err)
	}
	results, err := generator.Generate(generator.Config{Dir: dir, Patterns: []string{"./..."}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if !r.Current {
			t.Errorf("%s is not current; run go build -o /tmp/singletongen ./cmd/singletongen, then /tmp/singletongen ./... in %s", r.Path, dir)
		}
	}
}
