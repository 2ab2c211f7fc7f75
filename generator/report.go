package generator

import (
	"errors"
	"fmt"
	"go/token"
	"path/filepath"
	"sort"
	"strings"
)

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

func (d Diagnostic) Error() string { return d.String() }

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

// errReported stands for an error that the type checker reported already: it keeps a
// declaration from being generated, and is not reported twice.
var errReported = errors.New("reported by the type checker")

// posError is an error at a position of the run's file set.
type posError struct {
	pos token.Pos
	msg string
}

func (e *posError) Error() string { return e.msg }

// errorAt returns an error at pos.
func errorAt(pos token.Pos, format string, args ...any) error {
	return &posError{pos, fmt.Sprintf(format, args...)}
}

// reporter turns the errors of a run, positioned in its file set (posError) or by the go
// command (Diagnostic), into Diagnostics: relative to the configured folder,
// deduplicated, sorted.
type reporter struct {
	fset *token.FileSet
	dir  string
}

// where spells a position for a message: relative to the configured folder, as
// diagnostics are.
func (r *reporter) where(pos token.Pos) string {
	return r.relative(r.fset.Position(pos)).String()
}

func (r *reporter) relative(pos token.Position) token.Position {
	if rel, err := filepath.Rel(r.dir, pos.Filename); err == nil && !strings.HasPrefix(rel, "..") {
		pos.Filename = rel
	}
	return pos
}

// diagnostics returns errs as Diagnostics.
func (r *reporter) diagnostics(errs []error) Diagnostics {
	seen := map[string]bool{}
	var ds Diagnostics
	for _, err := range errs {
		if err == errReported {
			continue
		}
		var d Diagnostic
		var pe *posError
		switch {
		case errors.As(err, &pe):
			d = Diagnostic{Pos: r.fset.Position(pe.pos), Message: pe.msg}
		case errors.As(err, &d):
		default:
			d = Diagnostic{Message: err.Error()}
		}
		d.Pos = r.relative(d.Pos)
		if key := d.String(); !seen[key] {
			seen[key] = true
			ds = append(ds, d)
		}
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
