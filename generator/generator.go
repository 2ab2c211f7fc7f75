// Package generator finds the //singleton:generate directives in Go packages, checks
// them against the packages' types, and produces each package's generated file.
//
// Generate does all the reading and checking and returns what to write; Commit writes
// it. Nothing is written unless every package is free of errors.
package generator

import (
	"bytes"
	"fmt"
	"go/token"
	"path/filepath"

	"github.com/rogpeppe/go-internal/diff"

	"github.com/singletongen/singletongen/model"
	"github.com/singletongen/singletongen/templates"
)

// DefaultOutput is the name of the generated file in each package.
const DefaultOutput = "singleton_gen.go"

// Config says what to generate.
type Config struct {
	Dir      string   // directory the patterns are relative to; "" means the current one
	Patterns []string // package patterns as the go command takes them; none means "."
	Tags     []string // build tags
	Output   string   // file name of the generated file; "" means DefaultOutput
}

// Result is the generated file of one package.
type Result struct {
	PkgPath  string
	Path     string // absolute path of the generated file
	Content  []byte // the file's content; nil when the file must not exist
	Previous []byte // what the file holds now; nil when it does not exist
	Current  bool   // the file on disk already is what it should be
}

// Diff returns a unified diff from the file on disk to what it should be, with name in
// its header, or nil when the file is current.
func (r Result) Diff(name string) []byte {
	if r.Current {
		return nil
	}
	return diff.Diff("a/"+name, r.Previous, "b/"+name, r.Content)
}

// Generate loads the packages that cfg names and returns the generated file of each one
// that has annotated types or a generated file to remove. It returns Diagnostics when any
// package has an error, and then no results.
func Generate(cfg Config) ([]Result, error) {
	if cfg.Output == "" {
		cfg.Output = DefaultOutput
	}
	if len(cfg.Patterns) == 0 {
		cfg.Patterns = []string{"."}
	}
	if cfg.Dir == "" {
		cfg.Dir = "."
	}
	dir, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, err
	}
	cfg.Dir = dir

	l := &loader{cfg: cfg, fset: token.NewFileSet()}
	pkgs, err := l.load()
	if err != nil {
		return nil, err
	}
	r := &reporter{fset: l.fset, dir: cfg.Dir}
	errs := l.problems
	var results []Result
	for _, p := range pkgs {
		if len(p.directives) == 0 {
			if p.output.ours && !p.excluded {
				results = append(results, Result{PkgPath: p.path, Path: p.output.path, Previous: p.output.content})
			}
			continue
		}
		if err := p.output.replaceable(); err != nil {
			errs = append(errs, err)
		}
		c := &checker{fset: l.fset, p: p, where: r.where}
		file, ferrs := c.file()
		errs = append(errs, ferrs...)
		if file == nil {
			continue
		}
		var buf bytes.Buffer
		if err := templates.Render(file).Render(&buf); err != nil {
			return nil, fmt.Errorf("%s: rendering the generated file: %w", p.path, err)
		}
		if ierrs := c.importCollisions(buf.Bytes()); len(ierrs) > 0 {
			errs = append(errs, ierrs...)
			continue
		}
		results = append(results, Result{
			PkgPath:  p.path,
			Path:     p.output.path,
			Content:  buf.Bytes(),
			Previous: p.output.content,
			Current:  p.output.ours && bytes.Equal(p.output.content, buf.Bytes()),
		})
	}
	if len(errs) > 0 {
		return nil, r.diagnostics(errs)
	}
	return results, nil
}

// replaceable returns why the generated file cannot be written where o is, or nil.
func (o *outputFile) replaceable() error {
	switch {
	case o.notFile:
		return Diagnostic{
			Pos:     token.Position{Filename: o.path},
			Message: "not a regular file: singletongen cannot write the generated file there; rename it, or name the generated file with -output",
		}
	case o.exists && !o.ours:
		return Diagnostic{
			Pos:     token.Position{Filename: o.path, Line: 1, Column: 1},
			Message: fmt.Sprintf("%s was not written by singletongen (it does not start with %q): rename or remove it, or name the generated file with -output", filepath.Base(o.path), model.Header),
		}
	}
	return nil
}
