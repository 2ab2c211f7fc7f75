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
	var errs []error
	for _, p := range l.order {
		errs = append(errs, l.generate(p, r.where)...)
	}
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
		if p.content != nil {
			results = append(results, Result{
				PkgPath:  p.path,
				Path:     p.output.path,
				Content:  p.content,
				Previous: p.output.content,
				Current:  p.output.ours && bytes.Equal(p.output.content, p.content),
			})
		}
	}
	if errs = append(l.problems, errs...); len(errs) > 0 {
		return nil, r.diagnostics(errs)
	}
	return results, nil
}

// generate type-checks p, the next package of l.order, and renders its generated file
// into p.content when it has directives; what the packages that import it see, it
// records in p.exports. It returns p's errors: none when p is not checked because a
// package it imports failed, whose errors say why.
func (l *loader) generate(p *pkg, where func(token.Pos) string) []error {
	if !p.ready() {
		return nil
	}
	l.typeCheck(p)
	if len(p.directives) == 0 {
		// A package between annotated ones: its errors are its own.
		var errs []error
		for _, te := range p.typeErrors {
			errs = append(errs, errorAt(te.Pos, "%s", te.Msg))
		}
		if len(errs) == 0 && !p.importFailed {
			p.exports = p.types
		}
		return errs
	}
	c := &checker{fset: l.fset, p: p, where: where}
	file, errs := c.file()
	if file == nil {
		return errs
	}
	var buf bytes.Buffer
	if err := templates.Render(file).Render(&buf); err != nil {
		return []error{fmt.Errorf("%s: rendering the generated file: %w", p.path, err)}
	}
	if errs := c.importCollisions(buf.Bytes()); len(errs) > 0 {
		return errs
	}
	p.content = buf.Bytes()
	if p.imported && !p.importFailed {
		if err := l.complete(p); err != nil {
			return []error{err}
		}
	}
	return nil
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
