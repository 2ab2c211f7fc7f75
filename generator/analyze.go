package generator

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"sort"
	"strconv"
	"strings"

	"github.com/singletongen/singletongen/directive"
	"github.com/singletongen/singletongen/templates"
)

// annotation is one annotated type while it is being checked.
type annotation struct {
	directive *directiveComment
	opts      *directive.Options
	named     *types.Named
	ctor      *types.Func   // nil: the zero value
	context   *types.Var    // the constructor's context.Context first parameter, or nil
	params    []*types.Var  // the others
	methods   []*types.Func // of the interface that iface= asks for, in source order
	manager   templates.Manager
}

// managerMethods are the methods the templates declare on a manager.
var managerMethods = []string{"Get", "Reset", "Delete", "Len", "get", "lookup", "construct", "finish", "writable", "publish", "install"}

// analyze checks the directives of package p against its types and returns the data of
// its generated file, or nil when it reported errors.
func analyze(p *pkg, l *loader) *templates.File {
	errorsBefore := len(l.diags) + len(l.external)
	var anns []*annotation
	annotated := map[*ast.TypeSpec]bool{}
	for _, d := range p.directives {
		switch {
		case d.inTest:
			l.errorf(d.comment.Pos(), "%s is in a test file: annotate a type declared in a non-test file", directive.Name)
			continue
		case d.spec == nil:
			l.errorf(d.comment.Pos(), "%s must be in the doc comment of a package-level type declaration", directive.Name)
			continue
		case annotated[d.spec]:
			l.errorf(d.comment.Pos(), "%s is given twice for %s", directive.Name, d.spec.Name.Name)
			continue
		}
		annotated[d.spec] = true
		opts, errs := directive.ParseOptions(d.comment.Text)
		for _, err := range errs {
			l.errorf(d.comment.Slash+token.Pos(err.Offset), "%s", err.Msg)
		}
		if opts == nil {
			continue
		}
		if a := l.annotate(p, d, opts); a != nil {
			anns = append(anns, a)
		}
	}

	generated := l.checkNames(p, anns)
	l.reportTypeErrors(p, generated)
	if len(l.diags)+len(l.external) > errorsBefore {
		return nil
	}

	file := &templates.File{PkgPath: p.path, PkgName: p.name}
	taken := map[string]bool{}
	for _, name := range p.types.Scope().Names() {
		taken[name] = true
	}
	for name := range generated {
		taken[name] = true
	}
	imports := newImportSet(taken)
	w := newTypeWriter(p.types, imports)
	for _, a := range anns {
		l.paramTypes(p, a, w)
	}
	// Parameter names come last, clear of every name the file declares or imports.
	reserved := map[string]bool{}
	for name := range taken {
		reserved[name] = true
	}
	for _, name := range templates.Locals {
		reserved[name] = true
	}
	for _, a := range anns {
		renameParams(&a.manager, reserved)
		file.Managers = append(file.Managers, a.manager)
	}
	file.Imports = imports.added
	if len(l.diags)+len(l.external) > errorsBefore {
		return nil
	}
	return file
}

// annotate checks one annotated type and its constructor, and describes its manager.
func (l *loader) annotate(p *pkg, d *directiveComment, opts *directive.Options) *annotation {
	spec := d.spec
	name := spec.Name.Name
	switch {
	case spec.Assign.IsValid():
		l.errorf(spec.Name.Pos(), "%s is an alias: annotate the type it stands for", name)
		return nil
	case spec.TypeParams != nil:
		l.errorf(spec.Name.Pos(), "%s is generic: singletongen manages only non-generic struct types", name)
		return nil
	}
	obj, _ := p.types.Scope().Lookup(name).(*types.TypeName)
	if obj == nil {
		return nil // the type checker reported why
	}
	named, _ := obj.Type().(*types.Named)
	if named == nil {
		return nil
	}
	switch named.Underlying().(type) {
	case *types.Struct:
	case *types.Interface:
		l.errorf(spec.Name.Pos(), "%s is an interface: annotate a struct type", name)
		return nil
	default:
		l.errorf(spec.Name.Pos(), "%s is not a struct type (its underlying type is %s)", name, types.TypeString(named.Underlying(), qualifier(p.types)))
		return nil
	}

	a := &annotation{directive: d, opts: opts, named: named}
	a.manager = templates.Manager{
		Type:      name,
		Names:     directive.Names(name, opts),
		Keyed:     opts.Keyed,
		TestHooks: opts.TestHooks,
	}
	if opts.CacheErrors {
		a.manager.OnError = templates.Cache
	}
	if !l.constructor(p, a) {
		return nil
	}
	if opts.Keyed && opts.CacheErrors {
		l.errorf(d.comment.Slash+token.Pos(opts.OnErrorOffset), "onerror=cache is not for mode=keyed: errors are never kept per key, so that bad keys from requests do not pile up")
		return nil
	}
	if opts.Keyed && len(a.params) == 0 {
		what := fmt.Sprintf("%s takes none", a.manager.Constructor)
		if a.ctor == nil {
			what = fmt.Sprintf("%s has no constructor", name)
		} else if a.manager.Context != "" {
			what = fmt.Sprintf("%s takes only a context", a.manager.Constructor)
		}
		l.errorf(d.comment.Slash+token.Pos(opts.ModeOffset), "mode=keyed needs a constructor with parameters, the key of each instance, and %s", what)
		return nil
	}
	if opts.CacheErrors && !a.manager.ReturnsError {
		what := fmt.Sprintf("%s returns no error", a.manager.Constructor)
		if a.ctor == nil {
			what = fmt.Sprintf("%s has no constructor", name)
		}
		l.errorf(d.comment.Slash+token.Pos(opts.OnErrorOffset), "onerror=cache needs a constructor that returns an error, and %s", what)
		return nil
	}
	if !l.closeMethod(a) {
		return nil
	}
	if opts.Iface != "" && !l.ifaceMethods(p, a) {
		return nil
	}
	return a
}

// ifaceMethods finds the exported methods of *T for the interface that iface= asks for:
// those declared in the package in source order, then promoted ones.
func (l *loader) ifaceMethods(p *pkg, a *annotation) bool {
	set := types.NewMethodSet(types.NewPointer(a.named))
	for i := range set.Len() {
		if f := set.At(i).Obj().(*types.Func); f.Exported() {
			a.methods = append(a.methods, f)
		}
	}
	if len(a.methods) == 0 {
		l.errorf(a.directive.comment.Slash+token.Pos(a.opts.IfaceOffset), "iface=%s: *%s has no exported methods", a.opts.Iface, a.named.Obj().Name())
		return false
	}
	sort.SliceStable(a.methods, func(i, j int) bool {
		x, y := a.methods[i], a.methods[j]
		if (x.Pkg() == p.types) != (y.Pkg() == p.types) {
			return x.Pkg() == p.types
		}
		px, py := l.fset.Position(x.Pos()), l.fset.Position(y.Pos())
		if px.Filename != py.Filename {
			return px.Filename < py.Filename
		}
		return px.Offset < py.Offset
	})
	a.manager.Interface = &templates.Interface{Name: a.opts.Iface}
	return true
}

// methodDoc returns the text of the doc comment of method f of the package's own types.
func methodDoc(p *pkg, f *types.Func) string {
	for _, file := range p.files {
		for _, decl := range file.Decls {
			if fd, ok := decl.(*ast.FuncDecl); ok && fd.Recv != nil && fd.Name.Pos() == f.Pos() && fd.Doc != nil {
				return fd.Doc.Text()
			}
		}
	}
	return ""
}

// constructor finds and checks the constructor of an annotated type: the one the
// directive names, else New<T> when the package declares it, else none (the zero value).
func (l *loader) constructor(p *pkg, a *annotation) bool {
	typeName := a.named.Obj().Name()
	name, explicit := directive.Constructor(typeName, a.opts)
	obj := p.types.Scope().Lookup(name)
	if obj == nil {
		if explicit {
			l.errorf(a.directive.comment.Slash+token.Pos(a.opts.ConstructorOffset), "constructor %s is not declared in package %s", name, p.name)
			return false
		}
		return true
	}
	fn, _ := obj.(*types.Func)
	if fn == nil {
		if explicit {
			l.errorf(a.directive.comment.Slash+token.Pos(a.opts.ConstructorOffset), "constructor %s is a %s, not a function", name, objectKind(obj))
		} else {
			l.errorf(obj.Pos(), "%s is a %s: singletongen takes a %s declared in the package as the constructor of %s; declare a function, or name another with constructor=", name, objectKind(obj), name, typeName)
		}
		return false
	}
	sig := fn.Type().(*types.Signature)
	want := fmt.Sprintf("want func(...) *%s or func(...) (*%s, error)", typeName, typeName)
	if !explicit {
		want += ", or name another constructor with constructor="
	}
	results := sig.Results()
	ptr := types.NewPointer(a.named)
	switch {
	case sig.TypeParams().Len() > 0:
		l.errorf(fn.Pos(), "constructor %s is generic: %s", name, want)
		return false
	case results.Len() == 1 && types.Identical(results.At(0).Type(), ptr):
	case results.Len() == 2 && types.Identical(results.At(0).Type(), ptr) && isError(results.At(1).Type()):
		a.manager.ReturnsError = true
	default:
		l.errorf(fn.Pos(), "constructor %s has type %s: %s", name, types.TypeString(sig, qualifier(p.types)), want)
		return false
	}
	a.ctor = fn
	a.manager.Constructor = name
	ok := true
	compared := "cannot be compared with the arguments of the instance"
	if a.opts.Keyed {
		compared = "cannot be part of the key of an instance"
	}
	params := sig.Params()
	for i := range params.Len() {
		param := params.At(i)
		paramName := param.Name()
		if paramName == "" || paramName == "_" {
			paramName = fmt.Sprintf("#%d", i+1)
		}
		switch {
		case sig.Variadic() && i == params.Len()-1:
			l.errorf(param.Pos(), "variadic parameter %s of %s %s: pass a comparable config struct instead", paramName, name, compared)
			ok = false
		case isContext(param.Type()) && i == 0:
			a.context = param
			a.manager.Context = paramName
			if strings.HasPrefix(paramName, "#") {
				a.manager.Context = "ctx"
			}
			continue
		case isContext(param.Type()):
			l.errorf(param.Pos(), "parameter %s of %s: a context.Context must be the constructor's first parameter", paramName, name)
			ok = false
		case isInvalid(param.Type()):
			ok = false // the type checker reported it
		default:
			if why := whyNotComparable(param.Type(), p.types); why != "" {
				l.errorf(param.Pos(), "parameter %s of %s %s: %s", paramName, name, compared, why)
				ok = false
			}
		}
		a.params = append(a.params, param)
		name := param.Name()
		if name == "" || name == "_" {
			name = "arg" + strconv.Itoa(i)
		}
		a.manager.Params = append(a.manager.Params, templates.Param{Name: name})
	}
	return ok
}

// closeMethod finds how to close an instance: Close() or Close() error on *T, unless the
// directive says close=never.
func (l *loader) closeMethod(a *annotation) bool {
	if a.opts.NeverClose {
		return true
	}
	obj, _, _ := types.LookupFieldOrMethod(types.NewPointer(a.named), false, nil, "Close")
	fn, ok := obj.(*types.Func)
	if !ok {
		return true
	}
	sig := fn.Type().(*types.Signature)
	switch {
	case sig.Params().Len() == 0 && sig.Results().Len() == 0:
		a.manager.Close = templates.CloseNoResult
	case sig.Params().Len() == 0 && sig.Results().Len() == 1 && isError(sig.Results().At(0).Type()):
		a.manager.Close = templates.CloseError
	default:
		l.errorf(fn.Pos(), "method Close of %s has type %s: singletongen calls Close() or Close() error; set close=never and close instances yourself",
			a.named.Obj().Name(), types.TypeString(sig, qualifier(a.named.Obj().Pkg())))
		return false
	}
	return true
}

// paramTypes spells the types of the constructor's parameters for the templates, and the
// signatures of the interface's methods.
func (l *loader) paramTypes(p *pkg, a *annotation, w *typeWriter) {
	for i, v := range a.params {
		t, err := w.expr(v.Type())
		if err != nil {
			l.errorf(v.Pos(), "%v", err)
			continue
		}
		a.manager.Params[i].Type = t
	}
	for _, f := range a.methods {
		sig := f.Signature()
		m := templates.Method{Name: f.Name(), Doc: methodDoc(p, f), Variadic: sig.Variadic()}
		spell := func(tuple *types.Tuple, variadic bool) []templates.Param {
			var params []templates.Param
			for i := range tuple.Len() {
				v := tuple.At(i)
				t := v.Type()
				if variadic && i == tuple.Len()-1 {
					t = t.(*types.Slice).Elem()
				}
				spelled, err := w.expr(t)
				if err != nil {
					l.errorf(a.directive.comment.Slash+token.Pos(a.opts.IfaceOffset), "iface=%s: method %s: %v", a.opts.Iface, f.Name(), err)
				}
				params = append(params, templates.Param{Name: v.Name(), Type: spelled})
			}
			return params
		}
		m.Params = spell(sig.Params(), sig.Variadic())
		m.Results = spell(sig.Results(), false)
		a.manager.Interface.Methods = append(a.manager.Interface.Methods, m)
	}
}

// renameParams renames parameters, the context included, whose names the generated code
// uses otherwise, by appending "Arg" and then a number.
func renameParams(m *templates.Manager, reserved map[string]bool) {
	names := []*string{}
	if m.Context != "" {
		names = append(names, &m.Context)
	}
	for i := range m.Params {
		names = append(names, &m.Params[i].Name)
	}
	used := map[string]bool{}
	for _, name := range names {
		used[*name] = true
	}
	for _, name := range names {
		if !reserved[*name] {
			continue
		}
		candidate := *name + "Arg"
		for n := 2; reserved[candidate] || used[candidate]; n++ {
			candidate = *name + "Arg" + strconv.Itoa(n)
		}
		used[candidate] = true
		*name = candidate
	}
}

// generatedName is a package-level name the generated file declares, and for which
// annotated type.
type generatedName struct {
	ann  *annotation
	what string // e.g. "the manager type", for messages
}

// checkNames reports generated names that collide with the package's own declarations, its
// test files' declarations, or each other, and returns every generated name.
func (l *loader) checkNames(p *pkg, anns []*annotation) map[string]generatedName {
	generated := map[string]generatedName{}
	type pair struct{ a, b *annotation }
	shared := map[pair][]string{}
	var pairs []pair
	declare := func(a *annotation, name, what string) {
		if prev, ok := generated[name]; ok {
			key := pair{a, prev.ann}
			if shared[key] == nil {
				pairs = append(pairs, key)
			}
			shared[key] = append(shared[key], name)
			return
		}
		generated[name] = generatedName{a, what}
	}
	defer func() {
		for _, key := range pairs {
			l.errorf(key.a.directive.comment.Pos(), "names generated for %s are also generated for %s (annotated at %s): %s; rename one with manager=, getter= or instance=",
				key.a.manager.Type, key.b.manager.Type, l.where(key.b.directive.comment.Pos()), strings.Join(shared[key], ", "))
		}
	}()
	usesFmt := false
	for _, a := range anns {
		m := &a.manager
		n := m.Names
		declare(a, n.Manager, "the manager type")
		declare(a, n.NewManager, "the manager constructor")
		declare(a, n.Instance, "the process-wide manager accessor")
		declare(a, n.Getter, "the accessor")
		declare(a, n.Default, "the process-wide manager")
		declare(a, n.State, "the state type")
		declare(a, n.Build, "the build type")
		if m.GetReturnsError() {
			declare(a, n.MustGetter, "the panicking accessor")
		}
		if m.HasConflicts() {
			declare(a, n.Conflict, "the conflict error")
		}
		if m.HasParams() {
			declare(a, n.Args, "the arguments type")
		}
		if m.Keyed {
			declare(a, n.Index, "the index type")
		}
		if m.Context != "" {
			declare(a, n.BuildKey, "the context key type")
		}
		if m.Interface != nil {
			declare(a, m.Interface.Name, "the interface")
		}
		if m.TestHooks {
			usesFmt = true
			declare(a, n.SetForTest, "the test hook")
			declare(a, n.ResetForTest, "the test hook")
			declare(a, n.TestHook, "the test hooks' helper")
		}
	}

	collide := func(pos token.Pos, name string) {
		g := generated[name]
		hint := ""
		switch g.what {
		case "the manager type", "the process-wide manager accessor", "the accessor":
			hint = ", or rename the generated one with manager=, instance= or getter="
		}
		l.errorf(pos, "%s collides with %s that singletongen generates for %s (annotated at %s): rename yours%s",
			name, g.what, g.ann.manager.Type, l.where(g.ann.directive.comment.Pos()), hint)
	}
	imports := map[string]bool{}
	for path, name := range templates.StdImports {
		imports[name] = path != "fmt" || usesFmt // only the test hooks use fmt
	}
	scope := p.types.Scope()
	for _, name := range scope.Names() {
		obj := scope.Lookup(name)
		if _, ok := generated[name]; ok {
			collide(obj.Pos(), name)
		}
		if imports[name] {
			l.errorf(obj.Pos(), "%s collides with the generated file's import of package %s: rename it", name, name)
		}
	}
	for _, f := range append(append([]*ast.File{}, p.files...), p.testFiles...) {
		for _, decl := range f.Decls {
			switch decl := decl.(type) {
			case *ast.FuncDecl:
				if decl.Recv != nil {
					recv := receiverType(decl.Recv)
					if g, ok := generated[recv]; ok && g.what == "the manager type" {
						for _, method := range managerMethods {
							if decl.Name.Name == method {
								l.errorf(decl.Name.Pos(), "method %s of %s collides with the one singletongen generates: rename yours", method, recv)
							}
						}
					}
				} else if isTestFile(l.fset, f) {
					if _, ok := generated[decl.Name.Name]; ok {
						collide(decl.Name.Pos(), decl.Name.Name)
					}
				}
			case *ast.GenDecl:
				if !isTestFile(l.fset, f) {
					continue
				}
				for _, spec := range decl.Specs {
					switch spec := spec.(type) {
					case *ast.TypeSpec:
						if _, ok := generated[spec.Name.Name]; ok {
							collide(spec.Name.Pos(), spec.Name.Name)
						}
					case *ast.ValueSpec:
						for _, id := range spec.Names {
							if _, ok := generated[id.Name]; ok {
								collide(id.Pos(), id.Name)
							}
						}
					}
				}
			}
		}
	}
	return generated
}

func isTestFile(fset *token.FileSet, f *ast.File) bool {
	return strings.HasSuffix(fset.Position(f.Pos()).Filename, "_test.go")
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

// reportTypeErrors reports the package's own type errors, except those that only say a
// generated name is undefined: the previous generated file is left out of the load.
func (l *loader) reportTypeErrors(p *pkg, generated map[string]generatedName) {
	for _, te := range p.typeErrors {
		if name, ok := strings.CutPrefix(te.Msg, "undefined: "); ok {
			if _, ok := generated[name]; ok {
				continue
			}
		}
		l.errorf(te.Pos, "%s", te.Msg)
	}
}

func isError(t types.Type) bool {
	return types.Identical(t, types.Universe.Lookup("error").Type())
}

func isContext(t types.Type) bool {
	named, ok := types.Unalias(t).(*types.Named)
	return ok && named.Obj().Pkg() != nil && named.Obj().Pkg().Path() == "context" && named.Obj().Name() == "Context"
}

func isInvalid(t types.Type) bool {
	b, ok := t.(*types.Basic)
	return ok && b.Kind() == types.Invalid
}

// objectKind names the kind of a package-level object, for messages.
func objectKind(obj types.Object) string {
	switch obj.(type) {
	case *types.Var:
		return "variable"
	case *types.Const:
		return "constant"
	case *types.TypeName:
		return "type"
	}
	return "declaration"
}
