package generator

import (
	"fmt"
	"strings"

	"golang.org/x/tools/go/packages"
)

// GoCommandError is the go command failing as a whole: no go.mod, a go.mod that needs
// updates, a go.sum without the hash of a module's go.mod. What it printed is all
// there is to say, and it says it best: show it as it is.
type GoCommandError struct {
	Stderr string // the go command's own lines, such as "go: go.mod file not found ..."
}

func (e *GoCommandError) Error() string { return e.Stderr }

// goCommandError returns the error of a load that failed, doing what: the go command's
// own words when it was the go command that failed. go/packages wraps them as
// "err: exit status 1: stderr: go: ...".
func goCommandError(doing string, err error) error {
	if _, stderr, ok := strings.Cut(err.Error(), ": stderr: "); ok && strings.TrimSpace(stderr) != "" {
		return &GoCommandError{Stderr: strings.TrimRight(stderr, "\n") + "\n"}
	}
	return fmt.Errorf("%s: %w", doing, err)
}

// explainDeps records what the go command said about each dependency that could not
// be loaded, or about a package it depends on: a missing go.sum entry, a module that is
// not downloaded. From export data the type checker says only "could not import
// golang.org/x/sync/errgroup (invalid package name: "")". Finding out costs a go
// command, which runs only when a dependency failed without the go command's word.
func (l *loader) explainDeps(d *depTypes, loaded []*packages.Package) {
	var unexplained []string
	for _, dep := range loaded {
		switch {
		case len(dep.Errors) == 0:
		case dep.Errors[0].Kind == packages.ListError:
			d.goErrors[dep.PkgPath] = l.oneLine(dep.Errors[0].Msg)
		default:
			unexplained = append(unexplained, dep.PkgPath)
		}
	}
	if len(unexplained) == 0 {
		return
	}
	listed, err := packages.Load(&packages.Config{
		Mode:       packages.NeedName | packages.NeedImports | packages.NeedDeps,
		Dir:        l.cfg.Dir,
		BuildFlags: l.buildFlags(),
	}, unexplained...)
	if err != nil {
		return
	}
	for _, root := range listed {
		packages.Visit([]*packages.Package{root}, func(p *packages.Package) bool {
			for _, e := range p.Errors {
				if d.goErrors[root.PkgPath] == "" && e.Kind == packages.ListError {
					d.goErrors[root.PkgPath] = l.oneLine(e.Msg)
				}
			}
			return d.goErrors[root.PkgPath] == ""
		}, nil)
	}
}

// importError returns what the go command said about the import that a type error
// "could not import PATH (...)" is about, or "".
func (d *depTypes) importError(msg string) string {
	rest, ok := strings.CutPrefix(msg, "could not import ")
	if !ok {
		return ""
	}
	path, _, ok := strings.Cut(rest, " (")
	if !ok {
		return ""
	}
	return d.goErrors[path]
}
