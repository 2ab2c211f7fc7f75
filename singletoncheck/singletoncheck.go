// Package singletoncheck defines an analyzer that finds code defeating the managers
// singletongen generates:
//
//   - a composite literal of an annotated type, or a call of its constructor, outside the
//     type's own package, or inside it anywhere but in the constructor and the generated
//     file: an instance built behind its manager's back. Test files are never reported,
//     in any package: tests build fakes;
//   - a test that calls a generated Set<T>ForTest or Reset<T>ForTest hook after
//     t.Parallel(), or from a subtest of a parallel test: the hook panics there;
//   - a constructor cycle: the constructor of an annotated type reaches, through calls in
//     its own and other packages, the accessor of another whose constructor reaches back,
//     or its own accessor: a deadlock at run time.
//
// Annotated types, and the annotated types whose accessors each function reaches, are
// known across packages through analysis facts, not by reading other packages' source.
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
	Doc:       "report code that defeats the managers singletongen generates\n\nIt reports composite literals and constructor calls of annotated types outside their manager, Set<T>ForTest and Reset<T>ForTest hooks in parallel tests, and constructor cycles, which deadlock.",
	URL:       "https://github.com/singletongen/singletongen",
	Requires:  []*analysis.Analyzer{inspect.Analyzer},
	Run:       run,
	FactTypes: []analysis.Fact{new(singletonsFact), new(reachesFact)},
}

// singleton is an annotated type, with the names of what singletongen generates for it.
type singleton struct {
	Type         string // the type's name
	Constructor  string // its constructor, or "" when it has none (the zero value)
	Getter       string
	MustGetter   string
	Instance     string // accessor of the process-wide manager
	Manager      string
	NewManager   string
	SetForTest   string
	ResetForTest string
	TestHooks    bool // the hooks are generated
	Keyed        bool // one instance per key: a constructor may ask for another key
}

// singletonsFact is a package's annotated types.
type singletonsFact struct {
	Types []singleton
}

func (*singletonsFact) AFact() {}

func (f *singletonsFact) String() string {
	names := make([]string, len(f.Types))
	for i, s := range f.Types {
		names[i] = s.Type
	}
	return "singletons(" + strings.Join(names, ", ") + ")"
}

// reachesFact is the set of annotated types whose accessors a function reaches, directly
// or through the functions it calls, as "path.Type" keys.
type reachesFact struct {
	Types []string // sorted
}

func (*reachesFact) AFact() {}

func (f *reachesFact) String() string { return "reaches(" + strings.Join(f.Types, ", ") + ")" }

// checker holds what one pass knows of singletons.
type checker struct {
	pass      *analysis.Pass
	inspector *inspector.Inspector
	byPkg     map[*types.Package]map[string]*singleton // annotated types, by package and name
}

func run(pass *analysis.Pass) (any, error) {
	c := &checker{
		pass:      pass,
		inspector: pass.ResultOf[inspect.Analyzer].(*inspector.Inspector),
		byPkg:     map[*types.Package]map[string]*singleton{},
	}
	if local := c.findSingletons(); len(local) > 0 {
		pass.ExportPackageFact(&singletonsFact{Types: local})
	}
	c.checkBypasses()
	c.checkParallelHooks()
	c.checkCycles()
	return nil, nil
}

// singletons returns the annotated types of pkg, by name.
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
		for i := range fact.Types {
			s[fact.Types[i].Type] = &fact.Types[i]
		}
	}
	c.byPkg[pkg] = s
	return s
}

// findSingletons reads the directives of the package's own types, as singletongen does,
// and records them.
func (c *checker) findSingletons() []singleton {
	var found []singleton
	scope := c.pass.Pkg.Scope()
	for _, f := range c.pass.Files {
		if isOurs(f) || c.isTestFile(f) {
			continue
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, spec := range gd.Specs {
				ts := spec.(*ast.TypeSpec)
				opts := directiveOf(directive.Docs(gd, ts))
				if opts == nil {
					continue
				}
				name := ts.Name.Name
				stem, exported, _ := directive.Stem(name, false, opts)
				n := directive.Names(stem, exported, opts)
				s := singleton{
					Type: name, Getter: n.Getter, MustGetter: n.MustGetter, Instance: n.Instance,
					Manager: n.Manager, NewManager: n.NewManager, SetForTest: n.SetForTest, ResetForTest: n.ResetForTest,
					TestHooks: opts.TestHooks, Keyed: opts.Keyed,
				}
				if ctor, _ := directive.Constructor(name, opts); isFunc(scope.Lookup(ctor)) {
					s.Constructor = ctor
				}
				found = append(found, s)
			}
		}
	}
	local := map[string]*singleton{}
	for i := range found {
		local[found[i].Type] = &found[i]
	}
	c.byPkg[c.pass.Pkg] = local
	return found
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
	if pkg == c.pass.Pkg {
		return name
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
				return pkg.Name() + "." + name
			case spec.Name.Name == ".":
				return name
			case spec.Name.Name != "_" && alias == "":
				alias = spec.Name.Name
			}
		}
		if alias != "" {
			return alias + "." + name
		}
	}
	return pkg.Name() + "." + name
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

// key identifies an annotated type across packages.
func key(pkg *types.Package, typeName string) string { return pkg.Path() + "." + typeName }

// sortedKeys returns the keys of a set, sorted.
func sortedKeys(set map[string]bool) []string {
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
