package generator

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/singletongen/singletongen/directive"
	"github.com/singletongen/singletongen/model"
	"github.com/singletongen/singletongen/templates"
)

// generatedName is a package-level name the generated file declares, and for which
// annotated declaration (nil for what the file's managers share).
type generatedName struct {
	facts *facts
	decl  templates.Decl
}

// checkNames returns every package-level name the generated file declares, and the
// errors of those that collide with each other or with the package's declarations (its
// test files' included). managers[i] is the manager of found[i].
func (c *checker) checkNames(found []*facts, managers []model.Manager) (map[string]generatedName, []error) {
	generated := map[string]generatedName{}
	methods := map[string][]templates.Decl{} // by manager type
	var errs []error
	for i, f := range found {
		if err := c.sameStem(f, found[:i]); err != nil {
			errs = append(errs, err)
			continue
		}
		shared := map[*facts][]templates.Decl{}
		var others []*facts
		for _, d := range templates.Declarations(&managers[i]) {
			if d.Kind == templates.MethodDecl {
				methods[managers[i].Names.Manager] = append(methods[managers[i].Names.Manager], d)
				continue
			}
			prev, ok := generated[d.Name]
			if !ok {
				generated[d.Name] = generatedName{f, d}
				continue
			}
			if shared[prev.facts] == nil {
				others = append(others, prev.facts)
			}
			shared[prev.facts] = append(shared[prev.facts], d)
		}
		for _, other := range others {
			errs = append(errs, c.sharedNames(f, other, shared[other]))
		}
	}
	for _, d := range templates.Shared(managers) {
		for _, name := range append([]string{d.Name}, d.More...) {
			generated[name] = generatedName{nil, d}
		}
	}
	errs = append(errs, c.userCollisions(generated, methods)...)
	return generated, errs
}

// derivedNames returns the package-level names derived from a declaration's stem and
// options: every name its generated code may declare but the code the file's managers
// share.
func derivedNames(stem string, exported bool, opts *directive.Options) []string {
	n := directive.Names(stem, exported, opts)
	var names []string
	for _, name := range []string{n.Manager, n.NewManager, n.Instance, n.Getter, n.MustGetter, n.SetForTest,
		n.ResetForTest, n.Conflict, n.Args, n.State, n.Index, n.Spec, n.Default, opts.Iface} {
		if name != "" {
			names = append(names, name)
		}
	}
	return names
}

// directiveNames returns the names derived for every directive of the package on a
// type or a function, including those that failed their checks and the comments meant
// as directives (with their options, or the defaults where those are wrong): the names
// the user's code may use and that are undefined only because of an error reported
// already.
func (c *checker) directiveNames() map[string]bool {
	names := map[string]bool{}
	defaults, _ := directive.ParseOptions(directive.Name)
	for _, d := range slices.Concat(c.p.directives, c.p.misspelled) {
		opts, _ := directive.ParseOptions(d.comment.Text)
		if opts == nil {
			opts = defaults
		}
		var stem string
		var exported, ok bool
		switch {
		case d.spec != nil:
			stem, exported, ok = directive.Stem(d.spec.Name.Name, false, opts)
		case d.fn != nil:
			stem, exported, ok = directive.Stem(d.fn.Name.Name, true, opts)
		}
		if !ok {
			continue
		}
		for _, name := range derivedNames(stem, exported, opts) {
			names[name] = true
		}
	}
	return names
}

// sameStem returns the error of an annotated declaration whose stem is that of one
// before it, but for the case of its first word: every name generated for them would
// collide, whatever manager=, getter= or instance= say, and only name= helps.
func (c *checker) sameStem(f *facts, before []*facts) error {
	for _, other := range before {
		if !directive.SameStem(f.stem, other.stem) {
			continue
		}
		why := "both have the stem " + f.stem
		switch {
		case f.stem == other.stem:
		case withoutFirstRune(f.stem) == withoutFirstRune(other.stem):
			why = "their stems differ only in the case of the first letter"
		default:
			why = "their stems differ only in the case of the first word"
		}
		return errorAt(f.directive.comment.Pos(), "names generated for %s collide with those for %s (annotated at %s): %s; give one another stem with name=",
			f.decl, other.decl, c.where(other.directive.comment.Pos()), why)
	}
	return nil
}

func withoutFirstRune(s string) string {
	_, size := utf8.DecodeRuneInString(s)
	return s[size:]
}

// sharedNames returns the error of two annotated declarations for which the same names
// are generated.
func (c *checker) sharedNames(f, other *facts, decls []templates.Decl) error {
	sort.SliceStable(decls, func(i, j int) bool { return decls[i].Role < decls[j].Role })
	var names []string
	for _, d := range decls {
		names = append(names, d.Name)
	}
	return errorAt(f.directive.comment.Pos(), "names generated for %s are also generated for %s (annotated at %s): %s; rename one with manager=, getter= or instance=",
		f.decl, other.decl, c.where(other.directive.comment.Pos()), strings.Join(names, ", "))
}

// userCollisions returns the errors of the package's declarations that take a generated
// name: package-level ones, those of test files, and methods of a manager type.
func (c *checker) userCollisions(generated map[string]generatedName, methods map[string][]templates.Decl) []error {
	var errs []error
	collide := func(pos token.Pos, name string) {
		g, ok := generated[name]
		if !ok {
			return
		}
		if g.facts == nil {
			errs = append(errs, errorAt(pos, "%s collides with %s, which singletongen generates: rename yours", name, g.decl.Role))
			return
		}
		hint := ""
		if g.decl.Role.Renamable() {
			hint = ", or rename the generated one with manager=, instance= or getter="
		}
		errs = append(errs, errorAt(pos, "%s collides with %s that singletongen generates for %s (annotated at %s): rename yours%s",
			name, g.decl.Role, g.facts.decl, c.where(g.facts.directive.comment.Pos()), hint))
	}
	scope := c.p.types.Scope()
	for _, name := range scope.Names() {
		collide(scope.Lookup(name).Pos(), name)
	}
	for _, f := range c.p.files {
		errs = append(errs, c.methodCollisions(f, methods)...)
	}
	for _, f := range c.p.testFiles {
		errs = append(errs, c.methodCollisions(f, methods)...)
		// Test files are not type-checked: their declarations are read from syntax.
		for _, decl := range f.Decls {
			switch decl := decl.(type) {
			case *ast.FuncDecl:
				if decl.Recv == nil {
					collide(decl.Name.Pos(), decl.Name.Name)
				}
			case *ast.GenDecl:
				for _, spec := range decl.Specs {
					switch spec := spec.(type) {
					case *ast.TypeSpec:
						collide(spec.Name.Pos(), spec.Name.Name)
					case *ast.ValueSpec:
						for _, id := range spec.Names {
							collide(id.Pos(), id.Name)
						}
					}
				}
			}
		}
	}
	return errs
}

// methodCollisions returns the errors of methods that file declares on a manager type
// with the name of a method the generated file declares.
func (c *checker) methodCollisions(file *ast.File, methods map[string][]templates.Decl) []error {
	var errs []error
	for _, decl := range file.Decls {
		fd, ok := decl.(*ast.FuncDecl)
		if !ok || fd.Recv == nil {
			continue
		}
		recv := receiverType(fd.Recv)
		for _, d := range methods[recv] {
			if fd.Name.Name == d.Name {
				errs = append(errs, errorAt(fd.Name.Pos(), "method %s of %s collides with the one singletongen generates: rename yours", d.Name, recv))
			}
		}
	}
	return errs
}

// importCollisions returns the errors of package-level declarations that take the name
// of a package that the generated file, rendered as content, imports.
func (c *checker) importCollisions(content []byte) []error {
	f, err := parser.ParseFile(token.NewFileSet(), "", content, parser.ImportsOnly)
	if err != nil {
		return []error{fmt.Errorf("%s: reading the generated file's imports: %w", c.p.path, err)}
	}
	// The imports of the user's types take names that the package leaves free; those of
	// the standard library, and package lifecycle, take their own.
	imported := map[string]bool{}
	for _, spec := range f.Imports {
		path, _ := strconv.Unquote(spec.Path.Value)
		if name, ok := model.StdImports[path]; ok {
			imported[name] = true
		}
		if path == model.LifecyclePath {
			imported["lifecycle"] = true
		}
	}
	var errs []error
	scope := c.p.types.Scope()
	for _, name := range scope.Names() {
		if imported[name] {
			errs = append(errs, errorAt(scope.Lookup(name).Pos(), "%s collides with the generated file's import of package %s: rename it", name, name))
		}
	}
	return errs
}

// receiverType returns the name of a method's receiver type: T for (t *T) or (t T[P]).
func receiverType(recv *ast.FieldList) string {
	if len(recv.List) == 0 {
		return ""
	}
	t := recv.List[0].Type
	for {
		switch x := t.(type) {
		case *ast.StarExpr:
			t = x.X
		case *ast.ParenExpr:
			t = x.X
		case *ast.IndexExpr:
			t = x.X
		case *ast.IndexListExpr:
			t = x.X
		case *ast.Ident:
			return x.Name
		default:
			return ""
		}
	}
}
