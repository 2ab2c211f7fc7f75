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
	"sort"
	"strings"

	"github.com/rogpeppe/go-internal/diff"

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

// Diagnostic is an error in the user's input, at a position in a file.
type Diagnostic struct {
	Pos     token.Position
	Message string
}

func (d Diagnostic) String() string {
	if !d.Pos.IsValid() {
		if d.Pos.Filename != "" {
			return d.Pos.Filename + ": " + d.Message
		}
		return d.Message
	}
	return fmt.Sprintf("%s: %s", d.Pos, d.Message)
}

// Diagnostics is the error Generate returns for bad input: every problem found, sorted
// by position.
type Diagnostics []Diagnostic

func (ds Diagnostics) Error() string {
	var b strings.Builder
	for i, d := range ds {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(d.String())
	}
	return b.String()
}

// diagnostic is a Diagnostic while its file set is at hand.
type diagnostic struct {
	pos token.Pos
	msg string
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
	var results []Result
	for _, p := range pkgs {
		if len(p.directives) == 0 {
			if p.output.ours && !p.excluded {
				results = append(results, Result{PkgPath: p.path, Path: p.output.path, Previous: p.output.content})
			}
			continue
		}
		switch {
		case p.output.notFile:
			l.external = append(l.external, Diagnostic{
				Pos:     token.Position{Filename: p.output.path},
				Message: "not a regular file: singletongen cannot write the generated file there; rename it, or name the generated file with -output",
			})
		case p.output.exists && !p.output.ours:
			l.external = append(l.external, Diagnostic{
				Pos:     token.Position{Filename: p.output.path, Line: 1, Column: 1},
				Message: fmt.Sprintf("%s was not written by singletongen (it does not start with %q): rename or remove it, or name the generated file with -output", filepath.Base(p.output.path), templates.Header),
			})
		}
		file := analyze(p, l)
		if file == nil {
			continue
		}
		file.BuildConstraint = p.constraint
		var buf bytes.Buffer
		if err := templates.Render(file).Render(&buf); err != nil {
			return nil, fmt.Errorf("%s: rendering the generated file: %w", p.path, err)
		}
		results = append(results, Result{
			PkgPath:  p.path,
			Path:     p.output.path,
			Content:  buf.Bytes(),
			Previous: p.output.content,
			Current:  p.output.ours && bytes.Equal(p.output.content, buf.Bytes()),
		})
	}
	if len(l.diags)+len(l.external) > 0 {
		return nil, l.diagnostics()
	}
	return results, nil
}

// where spells a position for a message: relative to the configured directory, as
// diagnostics are.
func (l *loader) where(pos token.Pos) string {
	return l.relative(l.fset.Position(pos)).String()
}

func (l *loader) relative(pos token.Position) token.Position {
	if rel, err := filepath.Rel(l.cfg.Dir, pos.Filename); err == nil && !strings.HasPrefix(rel, "..") {
		pos.Filename = rel
	}
	return pos
}

// diagnostics returns the diagnostics collected so far, positioned relative to the
// configured directory and sorted.
func (l *loader) diagnostics() Diagnostics {
	seen := map[string]bool{}
	var ds Diagnostics
	add := func(d Diagnostic) {
		d.Pos = l.relative(d.Pos)
		if key := d.String(); !seen[key] {
			seen[key] = true
			ds = append(ds, d)
		}
	}
	for _, d := range l.diags {
		add(Diagnostic{Pos: l.fset.Position(d.pos), Message: d.msg})
	}
	for _, d := range l.external {
		add(d)
	}
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i].Pos, ds[j].Pos
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return ds
}
