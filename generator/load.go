package generator

import (
	"bytes"
	"errors"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/tools/go/packages"

	"github.com/singletongen/singletongen/directive"
	"github.com/singletongen/singletongen/model"
)

// loader reads the packages of a run: it lists them, finds their directives, and parses
// and type-checks those that have any. What keeps a package from loading (the go
// command's errors, syntax errors, conflicting build constraints) it collects in
// problems; what the directives mean is for the checker.
type loader struct {
	cfg      Config
	fset     *token.FileSet
	problems []error
	sources  map[string][]byte // files read so far, by name: each is read once

	// What plan found: the packages to type-check, each after those of the list it
	// imports (order; by path, fromSource, when they include dependencies checked from
	// source), and the types of the packages they import from export data (deps).
	order      []*pkg
	fromSource map[string]*pkg
	deps       *depTypes
}

// readFile returns the content of a file, reading it only the first time.
func (l *loader) readFile(name string) ([]byte, error) {
	if src, ok := l.sources[name]; ok {
		return src, nil
	}
	src, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	if l.sources == nil {
		l.sources = map[string][]byte{}
	}
	l.sources[name] = src
	return src, nil
}

// pkg is one package of a run, as far as the generator needs it.
type pkg struct {
	path, name, dir string
	goVersion       string      // of its module, as go/types wants it: "go1.22"
	files           []*ast.File // non-test files, the previous generated file left out
	testFiles       []*ast.File // test files of the package itself, not of package x_test
	directives      []*directiveComment
	constraint      string // the build constraint of the annotated files, which the output repeats
	excluded        bool   // the build configuration leaves out every annotated file
	output          outputFile
	types           *types.Package
	typeErrors      []types.Error

	// Its place in the order of type-checking (see plan): the packages of the order
	// it imports, and whether one imports it.
	imports  []*pkg
	imported bool
	// importFailed says that a package it imports could not be loaded, as the loader
	// reports: its types are not what its importers should see.
	importFailed bool
	// exports is what its importers see: its types with its generated file; nil until
	// then, and when it failed.
	exports *types.Package
	content []byte // its generated file, once generated

	// misspelled are the comments meant as directives that are not read as one, which
	// the loader reports.
	misspelled []*directiveComment
}

// outputFile is what is on disk where the generated file goes.
type outputFile struct {
	path    string
	exists  bool
	notFile bool // a folder, or another thing that is not a regular file
	ours    bool // it starts with our header
	content []byte
}

// directiveComment is a //singleton:generate comment, with the declaration it
// annotates: a type or a function.
type directiveComment struct {
	comment *ast.Comment
	spec    *ast.TypeSpec // the type it annotates, if any
	fn      *ast.FuncDecl // the function it annotates, if any
	inTest  bool          // in a _test.go file
	onGroup bool          // in the doc comment of a type ( ... ) group of several types
}

// load lists the packages the patterns match, parses those with directives, and plans
// their type-checking (l.order, which Generate follows). Loading is nearly all of a
// run's time: directives are found on the file contents first, and only packages that
// have them are parsed and type-checked, with their dependencies' types read from
// export data.
func (l *loader) load() ([]*pkg, error) {
	// The go command takes as long to list the dependencies' export data as to list the
	// packages; when the patterns name folders (go generate's "."), their imports are
	// known before the listing, and both run at once.
	var prefetch <-chan depsResult
	if imports := l.importsOfAnnotatedDirs(); len(imports) > 0 {
		ch := make(chan depsResult, 1)
		go func() {
			deps, err := l.loadDeps(imports)
			ch <- depsResult{deps, err}
		}()
		prefetch = ch
	}
	listed, err := packages.Load(&packages.Config{
		Mode:       packages.NeedName | packages.NeedFiles | packages.NeedModule,
		Dir:        l.cfg.Dir,
		BuildFlags: l.buildFlags(),
	}, l.cfg.Patterns...)
	if err != nil {
		return nil, goCommandError("listing packages", err)
	}
	sort.Slice(listed, func(i, j int) bool { return listed[i].PkgPath < listed[j].PkgPath })
	l.unmatchedPatterns(listed)
	var pkgs []*pkg
	for _, lp := range listed {
		if len(lp.GoFiles) == 0 {
			// Nothing to scan; say why when the go command could not list it.
			l.listErrors(lp)
			continue
		}
		p, err := l.scan(lp)
		if err != nil {
			return nil, err
		}
		pkgs = append(pkgs, p)
		if len(p.directives) > 0 {
			l.listErrors(lp)
		}
	}
	var annotated []*pkg
	for _, p := range pkgs {
		if len(p.files) > 0 {
			annotated = append(annotated, p)
		}
	}
	if len(annotated) > 0 {
		if err := l.plan(annotated, prefetch); err != nil {
			return nil, err
		}
	}
	return pkgs, nil
}

// importsOfAnnotatedDirs returns, when every pattern names a folder, the imports of their
// Go files if any of those has a directive: a superset of what the type checker will
// need, since build constraints are not applied. It returns nil otherwise.
func (l *loader) importsOfAnnotatedDirs() []string {
	seen := map[string]bool{}
	var imports []string
	annotated := false
	for _, pattern := range l.cfg.Patterns {
		if strings.Contains(pattern, "...") || !(pattern == "." || pattern == ".." || filepath.IsAbs(pattern) ||
			strings.HasPrefix(pattern, "./") || strings.HasPrefix(pattern, "../")) {
			return nil
		}
		dir := pattern
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(l.cfg.Dir, dir)
		}
		names, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, name := range names {
			if !isNonTestGo(name) {
				continue
			}
			src, err := l.readFile(name)
			if err != nil || isGenerated(src) {
				continue
			}
			annotated = annotated || bytes.Contains(src, []byte(directive.Prefix))
			f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.ImportsOnly)
			if err != nil {
				continue
			}
			for _, spec := range f.Imports {
				if path, err := strconv.Unquote(spec.Path.Value); err == nil && !seen[path] && path != "C" && path != "unsafe" {
					seen[path] = true
					imports = append(imports, path)
				}
			}
		}
	}
	if !annotated {
		return nil
	}
	sort.Strings(imports)
	return imports
}

func (l *loader) buildFlags() []string {
	if len(l.cfg.Tags) == 0 {
		return nil
	}
	return []string{"-tags=" + strings.Join(l.cfg.Tags, ",")}
}

// listErrors reports the errors the go command found in a package.
func (l *loader) listErrors(lp *packages.Package) {
	for _, e := range lp.Errors {
		l.problems = append(l.problems, Diagnostic{Pos: parsePosition(e.Pos), Message: l.oneLine(e.Msg)})
	}
}

// oneLine makes a message of the go command fit one line of our output, with paths below
// the configured folder spelt relative to it, as positions are.
func (l *loader) oneLine(msg string) string {
	msg = strings.ReplaceAll(msg, l.cfg.Dir+string(filepath.Separator), "")
	msg = strings.ReplaceAll(msg, ":\n\t", ": ")
	msg = strings.ReplaceAll(msg, "\n\t", " ")
	return strings.ReplaceAll(msg, "\n", "; ")
}

// parsePosition reads the "file:line:col" positions of the go command.
func parsePosition(s string) token.Position {
	if s == "" || s == "-" {
		return token.Position{}
	}
	pos := token.Position{Filename: s}
	for _, field := range []*int{&pos.Column, &pos.Line} {
		i := strings.LastIndexByte(pos.Filename, ':')
		if i < 0 {
			break
		}
		n, err := strconv.Atoi(pos.Filename[i+1:])
		if err != nil {
			break
		}
		*field = n
		pos.Filename = pos.Filename[:i]
	}
	if pos.Line == 0 && pos.Column != 0 {
		// Only "file:line" was given.
		pos.Line, pos.Column = pos.Column, 0
	}
	return pos
}

// newPkg returns the package that go/packages listed as lp, with none of its files read.
func newPkg(lp *packages.Package) *pkg {
	p := &pkg{path: lp.PkgPath, name: lp.Name, dir: lp.Dir}
	if p.dir == "" {
		p.dir = filepath.Dir(lp.GoFiles[0])
	}
	if lp.Module != nil && lp.Module.GoVersion != "" {
		p.goVersion = "go" + lp.Module.GoVersion
	}
	return p
}

// scan reads a package's files and parses those of a package with directives.
func (l *loader) scan(lp *packages.Package) (*pkg, error) {
	p := newPkg(lp)
	var err error
	if p.output, err = l.readOutput(filepath.Join(p.dir, l.cfg.Output)); err != nil {
		return nil, err
	}

	sources := map[string][]byte{}
	hasDirective := false
	for _, name := range lp.GoFiles {
		if name == p.output.path && p.output.ours {
			// Our previous output: it may be stale, and is about to be replaced.
			continue
		}
		src, err := l.readFile(name)
		if err != nil {
			return nil, err
		}
		sources[name] = src
		hasDirective = hasDirective || directive.MayHold(src)
	}
	tests, err := filepath.Glob(filepath.Join(p.dir, "*_test.go"))
	if err != nil {
		return nil, err
	}
	testSources := map[string][]byte{}
	for _, name := range tests {
		src, err := l.readFile(name)
		if err != nil {
			return nil, err
		}
		testSources[name] = src
		hasDirective = hasDirective || directive.MayHold(src)
	}
	if !hasDirective && !l.ignoredHaveDirective(lp.IgnoredFiles) {
		return p, nil
	}

	for _, name := range lp.GoFiles {
		if src, ok := sources[name]; ok {
			if f := l.parse(name, src); f != nil {
				p.files = append(p.files, f)
				l.findDirectives(p, f, false)
			}
		}
	}
	for _, name := range tests {
		f := l.parse(name, testSources[name])
		if f == nil {
			continue
		}
		l.findDirectives(p, f, true)
		if f.Name.Name == p.name {
			p.testFiles = append(p.testFiles, f)
		}
	}
	l.checkConstraints(p, lp.IgnoredFiles)
	if len(p.directives) == 0 {
		p.files = nil
	}
	return p, nil
}

// readOutput looks at what is where the generated file goes.
func (l *loader) readOutput(path string) (outputFile, error) {
	o := outputFile{path: path}
	switch info, err := os.Stat(path); {
	case err == nil && !info.Mode().IsRegular():
		o.exists = true
		o.notFile = true
	case err == nil:
		content, err := l.readFile(path)
		if err != nil {
			return o, err
		}
		o.exists = true
		o.ours = isGenerated(content)
		o.content = content
	case !os.IsNotExist(err):
		return o, err
	}
	return o, nil
}

// checkConstraints finds the build constraint of the package's annotated files, which
// the generated file repeats: they must all have the same, since a package has one
// generated file. Annotated files that the build configuration leaves out are read too:
// when they are all there is, the package is left as it is (p.excluded), never stripped
// of the output they need.
func (l *loader) checkConstraints(p *pkg, ignoredFiles []string) {
	type annotated struct {
		constraint string
		pos        token.Pos
		name       string
	}
	var files []annotated
	for _, f := range p.files {
		if pos, ok := firstDirective(f); ok {
			name := l.fset.Position(f.Package).Filename
			files = append(files, annotated{buildConstraint(name, f), pos, name})
		}
	}
	built := len(files)
	for _, name := range ignoredFiles {
		if !isNonTestGo(name) {
			continue
		}
		src, err := l.readFile(name)
		if err != nil || !bytes.Contains(src, []byte(directive.Prefix)) {
			continue
		}
		f, err := parser.ParseFile(l.fset, name, src, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil || f.Name.Name != p.name {
			continue
		}
		if pos, ok := firstDirective(f); ok {
			files = append(files, annotated{buildConstraint(name, f), pos, name})
		}
	}
	if len(files) == 0 {
		return
	}
	for _, f := range files[1:] {
		if f.constraint != files[0].constraint {
			l.problems = append(l.problems, errorAt(f.pos, "%s is under build constraint %s, and %s under %s: a package's annotated types must share one build constraint, because singletongen writes one file per package",
				filepath.Base(f.name), describeConstraint(f.constraint), filepath.Base(files[0].name), describeConstraint(files[0].constraint)))
			return
		}
	}
	p.constraint = files[0].constraint
	p.excluded = built == 0
}

func describeConstraint(c string) string {
	if c == "" {
		return "none"
	}
	return "\"" + c + "\""
}

// firstDirective returns the position of a file's first directive comment.
func firstDirective(f *ast.File) (token.Pos, bool) {
	for _, group := range f.Comments {
		for _, c := range group.List {
			if directive.Is(c.Text) {
				return c.Pos(), true
			}
		}
	}
	return token.NoPos, false
}

// ignoredHaveDirective reports whether a file the build configuration leaves out may
// carry a directive.
func (l *loader) ignoredHaveDirective(names []string) bool {
	for _, name := range names {
		if !isNonTestGo(name) {
			continue
		}
		if src, err := l.readFile(name); err == nil && bytes.Contains(src, []byte(directive.Prefix)) {
			return true
		}
	}
	return false
}

// isNonTestGo reports whether a file is Go source of a package rather than of its tests.
func isNonTestGo(name string) bool {
	return strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go")
}

// isGenerated reports whether a file is one of ours: its first line is our header.
func isGenerated(content []byte) bool {
	return bytes.HasPrefix(content, []byte(model.Header+"\n"))
}

// parse parses a file, reporting its syntax errors.
func (l *loader) parse(name string, src []byte) *ast.File {
	f, err := parser.ParseFile(l.fset, name, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		var list scanner.ErrorList
		if errors.As(err, &list) {
			for _, e := range list {
				l.problems = append(l.problems, Diagnostic{Pos: e.Pos, Message: e.Msg})
			}
		} else {
			l.problems = append(l.problems, Diagnostic{Pos: token.Position{Filename: name}, Message: err.Error()})
		}
	}
	return f
}

// findDirectives records the directives of a file, with the declaration each
// annotates, and reports the comments meant as directives that are not read as one.
// The doc comment of a type sits on its GenDecl unless the declaration is
// parenthesised.
func (l *loader) findDirectives(p *pkg, f *ast.File, inTest bool) {
	types := map[*ast.CommentGroup]*ast.TypeSpec{}
	funcs := map[*ast.CommentGroup]*ast.FuncDecl{}
	groups := map[*ast.CommentGroup]bool{}
	for _, decl := range f.Decls {
		switch decl := decl.(type) {
		case *ast.FuncDecl:
			if decl.Doc != nil {
				funcs[decl.Doc] = decl
			}
		case *ast.GenDecl:
			if decl.Tok != token.TYPE {
				continue
			}
			if decl.Doc != nil && len(decl.Specs) > 1 {
				groups[decl.Doc] = true
			}
			for _, spec := range decl.Specs {
				ts := spec.(*ast.TypeSpec)
				for _, doc := range directive.Docs(decl, ts) {
					types[doc] = ts
				}
			}
		}
	}
	for _, group := range f.Comments {
		for _, c := range group.List {
			if directive.Is(c.Text) {
				p.directives = append(p.directives, &directiveComment{comment: c, spec: types[group], fn: funcs[group], inTest: inTest, onGroup: groups[group]})
			} else if msg, ok := directive.Misspelled(c.Text); ok {
				l.problems = append(l.problems, errorAt(c.Pos(), "%s", msg))
				p.misspelled = append(p.misspelled, &directiveComment{comment: c, spec: types[group], fn: funcs[group], inTest: inTest})
			}
		}
	}
}

// depsResult is the outcome of loadDeps.
type depsResult struct {
	deps *depTypes
	err  error
}

// depTypes are the dependencies' types, by import path, from one load so that the types
// they share are identical; or why a dependency could not be loaded.
type depTypes struct {
	types  map[string]*types.Package
	errors map[string]string

	// goErrors are what the go command said about a dependency or a package it
	// depends on, by the dependency's path: reported instead of the type errors that
	// follow from them.
	goErrors map[string]string

	// local are the dependencies of the main module (or of a workspace's modules),
	// whose export data may lack what singletongen is about to generate in them.
	local map[string]*packages.Package
}

// covers reports whether d has every path.
func (d *depTypes) covers(paths []string) bool {
	for _, path := range paths {
		if d.types[path] == nil && d.errors[path] == "" {
			return false
		}
	}
	return true
}

// loadDeps loads the types of the packages at paths from export data: the go command
// compiles them (it usually has them cached).
func (l *loader) loadDeps(paths []string) (*depTypes, error) {
	d := &depTypes{types: map[string]*types.Package{}, errors: map[string]string{}, goErrors: map[string]string{}, local: map[string]*packages.Package{}}
	if len(paths) == 0 {
		return d, nil
	}
	loaded, err := packages.Load(&packages.Config{
		Mode:       packages.NeedName | packages.NeedTypes | packages.NeedFiles | packages.NeedModule,
		Dir:        l.cfg.Dir,
		BuildFlags: l.buildFlags(),
		Fset:       l.fset,
	}, paths...)
	if err != nil {
		return nil, goCommandError("loading dependencies", err)
	}
	for _, dep := range loaded {
		if dep.Module != nil && dep.Module.Main {
			d.local[dep.PkgPath] = dep
		}
		switch {
		case len(dep.Errors) > 0:
			// The importer says it where the package imports it.
			d.errors[dep.PkgPath] = l.oneLine(dep.Errors[0].Msg)
		case dep.Types != nil:
			d.types[dep.PkgPath] = dep.Types
		}
	}
	l.explainDeps(d, loaded)
	return d, nil
}
