package generator

import (
	"errors"
	"fmt"
	"go/parser"
	"go/types"
	"maps"
	"slices"
	"sort"
	"strconv"

	"golang.org/x/tools/go/packages"

	"github.com/singletongen/singletongen/directive"
	"github.com/singletongen/singletongen/model"
)

// Annotated packages are type-checked from their syntax, with their dependencies' types
// from export data: the go command never compiles the packages generated for. Export
// data will not do for a dependency that has directives itself: the go command builds
// it as it is on disk, without the declarations singletongen is about to generate there,
// or with stale ones. On the first run, a constructor that calls another package's
// accessor (a Repo built on store.GetDB) would fail with "undefined: store.GetDB"
// however the packages are ordered, and go generate runs singletongen once per package
// in the order of their paths. So such a dependency is type-checked from source too,
// and generated first (in memory when the run does not cover it, for its own run
// writes it): its importers see its types with its generated file, what the next build
// will see. So are the packages on the import paths in between, whose export data
// would be built against the dependency on disk and would not share its types.

// plan finds out how to type-check the annotated packages: which packages to check
// from source, in which order (l.order), and the types of the others from export data
// (l.deps, prefetched when prefetch is not nil).
func (l *loader) plan(annotated []*pkg, prefetch <-chan depsResult) error {
	paths := importPaths(annotated, nil)
	run := map[string]bool{}
	for _, p := range annotated {
		run[p.path] = true
	}
	var err error
	// An annotated package that imports another of the run needs sources: no need to
	// load its dependencies' export data to find out.
	if !slices.ContainsFunc(paths, func(path string) bool { return run[path] }) {
		if prefetch != nil {
			if r := <-prefetch; r.err == nil && r.deps.covers(paths) {
				l.deps = r.deps
			}
		}
		if l.deps == nil {
			if l.deps, err = l.loadDeps(paths); err != nil {
				return err
			}
		}
		if !l.needsSources(paths) {
			l.order = annotated
			return nil
		}
	}
	if l.order, err = l.sourceOrder(annotated); err != nil {
		return err
	}
	l.fromSource = map[string]*pkg{}
	for _, p := range l.order {
		l.fromSource[p.path] = p
	}
	paths = append(importPaths(l.order, l.fromSource), l.generatedImports()...)
	slices.Sort(paths)
	if paths = slices.Compact(paths); l.deps == nil || !l.deps.covers(paths) {
		// One load, so that the packages the others share are identical.
		l.deps, err = l.loadDeps(paths)
	}
	return err
}

// needsSources reports whether a package that annotated packages import, at paths, is
// of the main module (or of a workspace's modules) and may have directives or does not
// compile (it may call an accessor not generated yet). It costs reading the files of
// the module's packages they import, nothing more.
func (l *loader) needsSources(paths []string) bool {
	for _, path := range paths {
		if lp := l.deps.local[path]; lp != nil && (len(lp.Errors) > 0 || l.mayHoldDirectives(lp.GoFiles)) {
			return true
		}
	}
	return false
}

// mayHoldDirectives reports whether a file of names may hold a directive.
func (l *loader) mayHoldDirectives(names []string) bool {
	for _, name := range names {
		if src, err := l.readFile(name); err == nil && directive.MayHold(src) {
			return true
		}
	}
	return false
}

// generatedImports returns the packages that the generated files of the order's
// packages that others import may import: complete type-checks those files, and what
// they import must come from the same load as the rest. The packages of the types they
// spell are among those that their packages' types refer to (see complete).
func (l *loader) generatedImports() []string {
	var paths []string
	for _, p := range l.order {
		if !p.imported || len(p.directives) == 0 {
			continue
		}
		for path := range model.StdImports {
			if path != "unsafe" {
				paths = append(paths, path)
			}
		}
		for _, d := range p.directives {
			if opts, _ := directive.ParseOptions(d.comment.Text); opts != nil && opts.Lifecycle {
				paths = append(paths, model.LifecyclePath)
			}
		}
	}
	return paths
}

// sourceOrder lists the packages to type-check from source, each after those of the
// list it imports: the annotated packages of the run, the packages of the main module
// (or of a workspace's modules) with directives that they import, directly or not,
// and the packages on the import paths in between. It lists the annotated packages'
// dependencies to find them.
func (l *loader) sourceOrder(annotated []*pkg) ([]*pkg, error) {
	run := map[string]*pkg{}
	var roots []string
	for _, p := range annotated {
		run[p.path] = p
		roots = append(roots, p.path)
	}
	listed, err := packages.Load(&packages.Config{
		Mode:       packages.NeedName | packages.NeedFiles | packages.NeedImports | packages.NeedDeps | packages.NeedModule,
		Dir:        l.cfg.Dir,
		BuildFlags: l.buildFlags(),
	}, roots...)
	if err != nil {
		return nil, goCommandError("listing dependencies", err)
	}
	var order []*pkg
	done := map[*packages.Package]bool{}
	found := map[*packages.Package]*pkg{} // nil for a package that needs no source
	// visit returns the package to check from source that lp is, or nil when neither
	// lp nor any package it imports has directives.
	var visit func(lp *packages.Package) (*pkg, error)
	visit = func(lp *packages.Package) (*pkg, error) {
		if done[lp] {
			// Checked, or an import cycle, which the go command reports.
			return found[lp], nil
		}
		done[lp] = true
		var imports []*pkg
		for _, path := range slices.Sorted(maps.Keys(lp.Imports)) {
			imp, err := visit(lp.Imports[path])
			if err != nil {
				return nil, err
			}
			if imp != nil {
				imports = append(imports, imp)
			}
		}
		p := run[lp.PkgPath]
		if p == nil && len(lp.GoFiles) > 0 && lp.Module != nil && lp.Module.Main && l.mayHoldDirectives(lp.GoFiles) {
			if p, err = l.scan(lp); err != nil {
				return nil, err
			}
			if len(p.directives) == 0 {
				p = nil
			}
		}
		if p == nil && len(imports) > 0 {
			if p, err = l.parsed(lp); err != nil {
				return nil, err
			}
		}
		if p == nil {
			return nil, nil
		}
		for _, imp := range imports {
			imp.imported = true
		}
		p.imports = imports
		found[lp] = p
		order = append(order, p)
		return p, nil
	}
	for _, lp := range listed {
		if _, err := visit(lp); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// parsed returns a package without directives, its files parsed, to type-check from
// source.
func (l *loader) parsed(lp *packages.Package) (*pkg, error) {
	p := newPkg(lp)
	for _, name := range lp.GoFiles {
		src, err := l.readFile(name)
		if err != nil {
			return nil, err
		}
		if f := l.parse(name, src); f != nil {
			p.files = append(p.files, f)
		}
	}
	return p, nil
}

// ready reports whether p can be type-checked: every package it imports from source
// is, with its generated file. When one failed, its errors say why, and as the go
// command does not compile a package whose dependency failed, p is not checked.
func (p *pkg) ready() bool {
	for _, imp := range p.imports {
		if imp.exports == nil {
			return false
		}
	}
	return true
}

// typeCheck type-checks p from its syntax: the packages it imports from source as their
// importers see them, the others from export data.
func (l *loader) typeCheck(p *pkg) {
	conf := types.Config{
		GoVersion:   p.goVersion,
		FakeImportC: true,
		Importer:    l.importer(),
		Error: func(err error) {
			te, ok := err.(types.Error)
			switch {
			case !ok:
			case l.deps.importError(te.Msg) != "":
				// The go command's own words, where the package imports what failed.
				l.problems = append(l.problems, errorAt(te.Pos, "%s", l.deps.importError(te.Msg)))
				p.importFailed = true
			default:
				p.typeErrors = append(p.typeErrors, te)
			}
		},
	}
	p.types, _ = conf.Check(p.path, l.fset, p.files, nil)
}

// complete type-checks p again, with its generated file, for the packages that import
// it. Any error there is one of singletongen's.
func (l *loader) complete(p *pkg) error {
	f, err := parser.ParseFile(l.fset, p.output.path, p.content, parser.SkipObjectResolution)
	if err != nil {
		return fmt.Errorf("%s: parsing the generated file: %w", p.path, err)
	}
	// The packages p's types refer to, directly or not, are where the generated file
	// finds those it imports and p's files do not: an alias's target, the types of a
	// promoted method that iface= copies.
	referred := map[string]*types.Package{}
	var refer func(pkg *types.Package)
	refer = func(pkg *types.Package) {
		for _, imp := range pkg.Imports() {
			if referred[imp.Path()] == nil {
				referred[imp.Path()] = imp
				refer(imp)
			}
		}
	}
	refer(p.types)
	imports := l.importer()
	var first error
	conf := types.Config{
		GoVersion:   p.goVersion,
		FakeImportC: true,
		// The importers need its declarations; its bodies were checked already, but
		// for the generated file's, which the golden tests compile.
		IgnoreFuncBodies: true,
		Importer: importerFunc(func(path string) (*types.Package, error) {
			if pkg := referred[path]; pkg != nil {
				return pkg, nil
			}
			return imports.Import(path)
		}),
		Error: func(err error) {
			if first == nil {
				first = err
			}
		},
	}
	exports, _ := conf.Check(p.path, l.fset, append(p.files[:len(p.files):len(p.files)], f), nil)
	if first != nil {
		return fmt.Errorf("%s: type-checking the package with its generated file: %w", p.path, first)
	}
	p.exports = exports
	return nil
}

// importer imports the packages type-checked from source as their importers see them,
// and the others from export data.
func (l *loader) importer() types.Importer {
	return importerFunc(func(path string) (*types.Package, error) {
		if path == "unsafe" {
			return types.Unsafe, nil
		}
		if p := l.fromSource[path]; p != nil {
			return p.exports, nil
		}
		if dep := l.deps.types[path]; dep != nil {
			return dep, nil
		}
		if why := l.deps.errors[path]; why != "" {
			return nil, errors.New(why)
		}
		return nil, fmt.Errorf("no export data for %s", path)
	})
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }

// importPaths returns the paths that the files of pkgs import, sorted, but those of
// except.
func importPaths(pkgs []*pkg, except map[string]*pkg) []string {
	var paths []string
	seen := map[string]bool{}
	for _, p := range pkgs {
		for _, f := range p.files {
			for _, spec := range f.Imports {
				path, err := strconv.Unquote(spec.Path.Value)
				if err != nil || path == "C" || path == "unsafe" || seen[path] || except[path] != nil {
					continue
				}
				seen[path] = true
				paths = append(paths, path)
			}
		}
	}
	sort.Strings(paths)
	return paths
}
