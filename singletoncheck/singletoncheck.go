// Package singletoncheck defines an analyzer that finds code defeating the managers
// singletongen generates:
//
//   - an instance built behind its manager's back: a composite literal of an annotated
//     type, or a call of a singleton's constructor (an annotated type's, or an annotated
//     function), outside the singleton's package, or inside it anywhere but in the
//     constructor and the generated file; a constructor taken as a value counts as a
//     call, except where it is handed to the singleton's own New<T>Manager. Test files
//     are never reported, in any package: tests build fakes;
//   - a test that calls a generated Set<T>ForTest or Reset<T>ForTest hook after
//     t.Parallel(), or from a subtest of a parallel test: the hook panics there;
//   - a constructor cycle: the constructor of a singleton reaches, through calls in its
//     own and other packages, the accessor of another whose constructor reaches back, or
//     its own accessor: a deadlock at run time.
//
// Singletons, and the singletons whose accessors each function reaches, are known across
// packages through analysis facts, not by reading other packages' source.
package singletoncheck

import (
	"go/ast"
	"go/token"
	"go/types"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/singletongen/singletongen/directive"
	"github.com/singletongen/singletongen/model"
)

// Analyzer reports code that builds a singleton behind its manager's back, test hooks
// in parallel tests, and constructor cycles.
var Analyzer = &analysis.Analyzer{
	Name:      "singletoncheck",
	Doc:       "report code that defeats the managers singletongen generates\n\nIt reports composite literals of annotated types and calls of singletons' constructors (annotated functions among them) outside their manager, Set<T>ForTest and Reset<T>ForTest hooks in parallel tests, and constructor cycles, which deadlock.",
	URL:       "https://github.com/singletongen/singletongen",
	Requires:  []*analysis.Analyzer{inspect.Analyzer},
	Run:       run,
	FactTypes: []analysis.Fact{new(singletonsFact), new(reachesFact)},
}

// singleton is an annotated declaration, a type or a constructor function, with the
// names of what singletongen generates for it.
type singleton struct {
	Decl string // the annotated type's or function's name
	// Func says Decl is a function, which builds an instance of its first result's
	// type: often a type of another package (*sql.DB).
	Func bool
	// Constructor is the function that builds the instance: Decl itself for a function;
	// for a type, its constructor, or "" when it has none (the zero value).
	Constructor  string
	Getter       string
	MustGetter   string
	Instance     string // accessor of the process-wide manager
	Manager      string
	NewManager   string
	SetForTest   string
	ResetForTest string
	// Global says the process-wide manager, its accessors and the test hooks exist
	// (global=on); without them only the manager type and NewManager do.
	Global    bool
	TestHooks bool // the hooks are generated, if Global
	Keyed     bool // one instance per key: a constructor may ask for another key
}

// singletonsFact is a package's singletons, in source order.
type singletonsFact struct {
	Singletons []singleton
}

func (*singletonsFact) AFact() {}

func (f *singletonsFact) String() string {
	names := make([]string, len(f.Singletons))
	for i, s := range f.Singletons {
		names[i] = s.Decl
	}
	return "singletons(" + strings.Join(names, ", ") + ")"
}

// reachesFact is the set of singletons whose accessors a function reaches, directly or
// through the functions it calls, as "path.Decl" keys.
type reachesFact struct {
	Singletons []string // sorted
}

func (*reachesFact) AFact() {}

func (f *reachesFact) String() string {
	return "reaches(" + strings.Join(f.Singletons, ", ") + ")"
}

// checker holds what one pass knows of singletons.
type checker struct {
	pass      *analysis.Pass
	inspector *inspector.Inspector
	// byPkg holds the singletons of each package by the name of the annotated
	// declaration: types and functions share the package's scope, so names are unique.
	byPkg map[*types.Package]map[string]*singleton
}

func run(pass *analysis.Pass) (any, error) {
	c := &checker{
		pass:      pass,
		inspector: pass.ResultOf[inspect.Analyzer].(*inspector.Inspector),
		byPkg:     map[*types.Package]map[string]*singleton{},
	}
	if local := c.findSingletons(); len(local) > 0 {
		pass.ExportPackageFact(&singletonsFact{Singletons: local})
	}
	c.checkBypasses()
	c.checkParallelHooks()
	c.checkCycles()
	return nil, nil
}

// singletons returns the singletons of pkg, by the name of the annotated declaration.
func (c *checker) singletons(pkg *types.Package) map[string]*singleton {
	if pkg == nil {
		return nil
	}
	if s, ok := c.byPkg[pkg]; ok {
		return s
	}
	var fact singletonsFact
	s := map[string]*singleton{}
	if pkg != c.pass.Pkg && c.pass.ImportPackageFact(pkg, &fact) {
		for i := range fact.Singletons {
			s[fact.Singletons[i].Decl] = &fact.Singletons[i]
		}
	}
	c.byPkg[pkg] = s
	return s
}

// findSingletons reads the directives of the package's own types and functions, as
// singletongen does, and records them.
func (c *checker) findSingletons() []singleton {
	var found []singleton
	for _, f := range c.pass.Files {
		if isOurs(f) || c.isTestFile(f) {
			continue
		}
		for _, decl := range f.Decls {
			switch decl := decl.(type) {
			case *ast.GenDecl:
				if decl.Tok != token.TYPE {
					continue
				}
				for _, spec := range decl.Specs {
					if s, ok := c.typeSingleton(decl, spec.(*ast.TypeSpec)); ok {
						found = append(found, s)
					}
				}
			case *ast.FuncDecl:
				if s, ok := funcSingleton(decl); ok {
					found = append(found, s)
				}
			}
		}
	}
	local := map[string]*singleton{}
	for i := range found {
		local[found[i].Decl] = &found[i]
	}
	c.byPkg[c.pass.Pkg] = local
	return found
}

// typeSingleton returns the singleton of type spec ts of declaration gd, if it is
// annotated.
func (c *checker) typeSingleton(gd *ast.GenDecl, ts *ast.TypeSpec) (singleton, bool) {
	opts := directiveOf(directive.Docs(gd, ts))
	if opts == nil {
		return singleton{}, false
	}
	s, _ := newSingleton(ts.Name.Name, false, opts) // a type is always its own stem
	if ctor, _ := directive.Constructor(s.Decl, opts); isFunc(c.pass.Pkg.Scope().Lookup(ctor)) {
		s.Constructor = ctor
	}
	return s, true
}

// funcSingleton returns the singleton of function fd, if it is annotated. A function
// singletongen refuses to build a manager for has none, and so nothing to check: a
// method, a generic function, one without results, one given constructor=, one whose
// name gives no stem (not New<Name>) and that has no name=.
func funcSingleton(fd *ast.FuncDecl) (singleton, bool) {
	if fd.Doc == nil || fd.Recv != nil || fd.Type.TypeParams != nil || fd.Type.Results.NumFields() == 0 {
		return singleton{}, false
	}
	opts := directiveOf([]*ast.CommentGroup{fd.Doc})
	if opts == nil || opts.Constructor != "" {
		return singleton{}, false
	}
	s, ok := newSingleton(fd.Name.Name, true, opts)
	if !ok {
		return singleton{}, false
	}
	s.Constructor = s.Decl
	return s, true
}

// newSingleton names what singletongen generates for declaration decl, a type or (isFunc)
// a function; ok is false when directive.Stem finds no stem to name it by.
func newSingleton(decl string, isFunc bool, opts *directive.Options) (singleton, bool) {
	stem, exported, ok := directive.Stem(decl, isFunc, opts)
	if !ok {
		return singleton{}, false
	}
	n := directive.Names(stem, exported, opts)
	return singleton{
		Decl: decl, Func: isFunc,
		Getter: n.Getter, MustGetter: n.MustGetter, Instance: n.Instance,
		Manager: n.Manager, NewManager: n.NewManager, SetForTest: n.SetForTest, ResetForTest: n.ResetForTest,
		Global: opts.Global, TestHooks: opts.TestHooks, Keyed: opts.Keyed,
	}, true
}

// directiveOf returns the options of the directive in doc comments, or nil.
func directiveOf(docs []*ast.CommentGroup) *directive.Options {
	for _, doc := range docs {
		for _, comment := range doc.List {
			if directive.Is(comment.Text) {
				opts, _ := directive.ParseOptions(comment.Text) // singletongen reports its errors
				return opts
			}
		}
	}
	return nil
}

func isFunc(obj types.Object) bool {
	_, ok := obj.(*types.Func)
	return ok
}

func (c *checker) isTestFile(f *ast.File) bool {
	return strings.HasSuffix(c.pass.Fset.File(f.Pos()).Name(), "_test.go")
}

// isOurs reports whether f is a file singletongen wrote: it starts with our header.
func isOurs(f *ast.File) bool {
	return len(f.Comments) > 0 && f.Comments[0].Pos() < f.Package && f.Comments[0].List[0].Text == model.Header
}

// qualified spells a name of pkg as code in file does: through the name file imports pkg
// by, if it is another package.
func (c *checker) qualified(file *ast.File, pkg *types.Package, name string) string {
	if q := c.qualifier(file)(pkg); q != "" {
		return q + "." + name
	}
	return name
}

// qualifier names packages as code in file does, for types.TypeString: "" for the
// package itself and a dot import, else the name file imports the package by, or the
// package's own name where file does not import it.
func (c *checker) qualifier(file *ast.File) types.Qualifier {
	return func(pkg *types.Package) string {
		if pkg == c.pass.Pkg {
			return ""
		}
		if file != nil {
			// The package's own name when the file imports it so, else its first alias.
			alias := ""
			for _, spec := range file.Imports {
				if path, err := strconv.Unquote(spec.Path.Value); err != nil || path != pkg.Path() {
					continue
				}
				switch {
				case spec.Name == nil:
					return pkg.Name()
				case spec.Name.Name == ".":
					return ""
				case spec.Name.Name != "_" && alias == "":
					alias = spec.Name.Name
				}
			}
			if alias != "" {
				return alias
			}
		}
		return pkg.Name()
	}
}

// fileAt returns the file of the package that holds pos.
func (c *checker) fileAt(pos token.Pos) *ast.File {
	for _, f := range c.pass.Files {
		if f.FileStart <= pos && pos <= f.FileEnd {
			return f
		}
	}
	return nil
}

// key identifies a singleton across packages: its package and the name of its annotated
// declaration.
func key(pkg *types.Package, decl string) string { return pkg.Path() + "." + decl }

// sortedKeys returns the keys of a set, sorted.
func sortedKeys(set map[string]bool) []string {
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
