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
	"github.com/singletongen/singletongen/model"
	"github.com/singletongen/singletongen/templates"
)

// checker checks the directives of one package against its types, and describes the
// package's generated file.
type checker struct {
	fset  *token.FileSet
	p     *pkg
	where func(token.Pos) string // spells a position in a message about another one
}

// facts are what the checker found out about one annotated declaration, as go/types
// sees it: everything its manager is made of.
type facts struct {
	directive    *directiveComment
	opts         *directive.Options
	stem         string        // of the generated names
	exported     bool          // whether the generated names are
	named        *types.Named  // the annotated type
	ctor         *types.Func   // nil: the zero value
	returnsError bool          // the constructor returns (*T, error)
	context      *types.Var    // the constructor's context.Context first parameter, or nil
	params       []*types.Var  // the others
	close        model.Close   // how to close what the manager drops
	methods      []*types.Func // of the interface that iface= asks for, in source order
}

// at returns the position of the value of the directive's option key.
func (f *facts) at(key string) token.Pos {
	return f.directive.comment.Slash + token.Pos(f.opts.Offset(key))
}

// file checks the package's directives and returns the description of its generated
// file, or the errors that keep it from being generated.
func (c *checker) file() (*model.File, []error) {
	var errs []error
	var found []*facts
	annotated := map[*ast.TypeSpec]bool{}
	for _, d := range c.p.directives {
		f, ferrs := c.annotation(d, annotated)
		errs = append(errs, ferrs...)
		if f != nil {
			found = append(found, f)
		}
	}

	imports := newImportSet(c.takenNames(found))
	w := newTypeWriter(c.p.types, imports)
	file := &model.File{PkgPath: c.p.path, PkgName: c.p.name, BuildConstraint: c.p.constraint}
	for _, f := range found {
		m, merrs := c.manager(f, w)
		errs = append(errs, merrs...)
		file.Managers = append(file.Managers, m)
	}
	file.Imports = imports.added
	generated, nerrs := c.checkNames(found, file.Managers)
	errs = append(errs, nerrs...)
	errs = append(errs, c.typeErrors(generated)...)
	if len(errs) > 0 {
		return nil, errs
	}
	// Parameter names come last, clear of every name the file declares or imports, and
	// of the identifiers the generated code uses where they are in scope.
	reserved := imports.taken
	for name := range generated {
		reserved[name] = true
	}
	for i := range file.Managers {
		for _, d := range templates.Declarations(&file.Managers[i]) {
			for _, name := range d.Locals {
				reserved[name] = true
			}
		}
	}
	for i := range file.Managers {
		renameParams(&file.Managers[i], reserved)
	}
	return file, nil
}

// takenNames returns the names an import of the generated file must not take: the
// package's own, and every name the directives can generate.
func (c *checker) takenNames(found []*facts) map[string]bool {
	taken := map[string]bool{}
	for _, name := range c.p.types.Scope().Names() {
		taken[name] = true
	}
	for _, f := range found {
		n := directive.Names(f.stem, f.exported, f.opts)
		for _, name := range []string{n.Manager, n.NewManager, n.Instance, n.Getter, n.MustGetter, n.SetForTest,
			n.ResetForTest, n.Conflict, n.Args, n.State, n.Index, n.Spec, n.Default, f.opts.Iface} {
			if name != "" {
				taken[name] = true
			}
		}
	}
	return taken
}

// annotation checks one directive, the type it annotates and the type's constructor,
// and returns what it found, or nil and the errors that make the type unusable.
func (c *checker) annotation(d *directiveComment, annotated map[*ast.TypeSpec]bool) (*facts, []error) {
	switch {
	case d.inTest:
		return nil, []error{errorAt(d.comment.Pos(), "%s is in a test file: annotate a type declared in a non-test file", directive.Name)}
	case d.spec == nil:
		return nil, []error{errorAt(d.comment.Pos(), "%s must be in the doc comment of a package-level type declaration", directive.Name)}
	case annotated[d.spec]:
		return nil, []error{errorAt(d.comment.Pos(), "%s is given twice for %s", directive.Name, d.spec.Name.Name)}
	}
	annotated[d.spec] = true
	opts, optErrs := directive.ParseOptions(d.comment.Text)
	if opts == nil {
		var errs []error
		for _, err := range optErrs {
			errs = append(errs, errorAt(d.comment.Slash+token.Pos(err.Offset), "%s", err.Msg))
		}
		return nil, errs
	}
	named, err := c.annotatedType(d.spec)
	if err != nil {
		return nil, []error{err}
	}
	f := &facts{directive: d, opts: opts, named: named}
	f.stem, f.exported, _ = directive.Stem(named.Obj().Name(), false, opts)
	if errs := c.constructor(f); len(errs) > 0 {
		return nil, errs
	}
	if err := c.modeAndErrors(f); err != nil {
		return nil, []error{err}
	}
	if err := c.closeMethod(f); err != nil {
		return nil, []error{err}
	}
	if opts.Iface != "" {
		if err := c.ifaceMethods(f); err != nil {
			return nil, []error{err}
		}
	}
	return f, nil
}

// annotatedType returns the struct type that spec declares, or why it cannot be
// annotated.
func (c *checker) annotatedType(spec *ast.TypeSpec) (*types.Named, error) {
	name := spec.Name.Name
	switch {
	case spec.Assign.IsValid():
		return nil, errorAt(spec.Name.Pos(), "%s is an alias: annotate the type it stands for", name)
	case spec.TypeParams != nil:
		return nil, errorAt(spec.Name.Pos(), "%s is generic: singletongen manages only non-generic struct types", name)
	}
	obj, _ := c.p.types.Scope().Lookup(name).(*types.TypeName)
	if obj == nil {
		return nil, errReported
	}
	named, _ := obj.Type().(*types.Named)
	if named == nil {
		return nil, errReported
	}
	switch named.Underlying().(type) {
	case *types.Struct:
		return named, nil
	case *types.Interface:
		return nil, errorAt(spec.Name.Pos(), "%s is an interface: annotate a struct type", name)
	}
	return nil, errorAt(spec.Name.Pos(), "%s is not a struct type (its underlying type is %s)", name, types.TypeString(named.Underlying(), qualifier(c.p.types)))
}

// modeAndErrors checks that the options mode= and onerror= suit the constructor.
func (c *checker) modeAndErrors(f *facts) error {
	opts, name := f.opts, f.named.Obj().Name()
	if opts.Keyed && opts.CacheErrors {
		return errorAt(f.at("onerror"), "onerror=cache is not for mode=keyed: errors are never kept per key, so that bad keys from requests do not pile up")
	}
	if opts.Keyed && len(f.params) == 0 {
		what := fmt.Sprintf("%s has no constructor", name)
		switch {
		case f.context != nil:
			what = fmt.Sprintf("%s takes only a context", f.ctor.Name())
		case f.ctor != nil:
			what = fmt.Sprintf("%s takes none", f.ctor.Name())
		}
		return errorAt(f.at("mode"), "mode=keyed needs a constructor with parameters, the key of each instance, and %s", what)
	}
	if opts.CacheErrors && !f.returnsError {
		what := fmt.Sprintf("%s has no constructor", name)
		if f.ctor != nil {
			what = fmt.Sprintf("%s returns no error", f.ctor.Name())
		}
		return errorAt(f.at("onerror"), "onerror=cache needs a constructor that returns an error, and %s", what)
	}
	return nil
}

// constructor finds and checks the constructor of an annotated type: the one the
// directive names, else New<T> when the package declares it, else none (the zero value).
func (c *checker) constructor(f *facts) []error {
	typeName := f.named.Obj().Name()
	name, explicit := directive.Constructor(typeName, f.opts)
	obj := c.p.types.Scope().Lookup(name)
	if obj == nil {
		if explicit {
			return []error{errorAt(f.at("constructor"), "constructor %s is not declared in package %s", name, c.p.name)}
		}
		return nil
	}
	fn, _ := obj.(*types.Func)
	if fn == nil {
		if explicit {
			return []error{errorAt(f.at("constructor"), "constructor %s is a %s, not a function", name, objectKind(obj))}
		}
		return []error{errorAt(obj.Pos(), "%s is a %s: singletongen takes a %s declared in the package as the constructor of %s; declare a function, or name another with constructor=", name, objectKind(obj), name, typeName)}
	}
	sig := fn.Type().(*types.Signature)
	want := fmt.Sprintf("want func(...) *%s or func(...) (*%s, error)", typeName, typeName)
	if !explicit {
		want += ", or name another constructor with constructor="
	}
	results := sig.Results()
	ptr := types.NewPointer(f.named)
	switch {
	case sig.TypeParams().Len() > 0:
		return []error{errorAt(fn.Pos(), "constructor %s is generic: %s", name, want)}
	case results.Len() == 1 && types.Identical(results.At(0).Type(), ptr):
	case results.Len() == 2 && types.Identical(results.At(0).Type(), ptr) && isError(results.At(1).Type()):
		f.returnsError = true
	default:
		return []error{errorAt(fn.Pos(), "constructor %s has type %s: %s", name, types.TypeString(sig, qualifier(c.p.types)), want)}
	}
	f.ctor = fn
	return c.parameters(f, sig)
}

// parameters checks the constructor's parameters: a context first, if any, and
// arguments that can be compared with those of the instance (or be its key).
func (c *checker) parameters(f *facts, sig *types.Signature) []error {
	name := f.ctor.Name()
	compared := "cannot be compared with the arguments of the instance"
	if f.opts.Keyed {
		compared = "cannot be part of the key of an instance"
	}
	var errs []error
	params := sig.Params()
	for i := range params.Len() {
		param := params.At(i)
		paramName := param.Name()
		if paramName == "" || paramName == "_" {
			paramName = fmt.Sprintf("#%d", i+1)
		}
		switch {
		case sig.Variadic() && i == params.Len()-1:
			errs = append(errs, errorAt(param.Pos(), "variadic parameter %s of %s %s: pass a comparable config struct instead", paramName, name, compared))
		case isContext(param.Type()) && i == 0:
			f.context = param
			continue
		case isContext(param.Type()):
			errs = append(errs, errorAt(param.Pos(), "parameter %s of %s: a context.Context must be the constructor's first parameter", paramName, name))
		case isInvalid(param.Type()):
			errs = append(errs, errReported)
		default:
			if why := whyNotComparable(param.Type(), c.p.types); why != "" {
				errs = append(errs, errorAt(param.Pos(), "parameter %s of %s %s: %s", paramName, name, compared, why))
			}
		}
		f.params = append(f.params, param)
	}
	return errs
}

// closeMethod finds how to close an instance: the method close= names, or Close when
// the instance has one (close=auto), unless the directive says close=never. Promoted
// methods count, and for an interface, its own methods only.
func (c *checker) closeMethod(f *facts) error {
	if f.opts.NeverClose {
		return nil
	}
	instance := types.NewPointer(f.named)
	name := f.opts.CloseMethod
	if name == "" {
		name = "Close"
	}
	obj, _, _ := types.LookupFieldOrMethod(instance, false, c.p.types, name)
	fn, ok := obj.(*types.Func)
	if !ok {
		if f.opts.CloseMethod != "" {
			return errorAt(f.at("close"), "close=%s: %s has no method %s", name, types.TypeString(instance, qualifier(c.p.types)), name)
		}
		return nil
	}
	sig := fn.Type().(*types.Signature)
	params, results := sig.Params(), sig.Results()
	f.close = model.Close{Method: name}
	switch {
	case params.Len() > 1, params.Len() == 1 && !isContext(params.At(0).Type()):
	case results.Len() == 1 && isError(results.At(0).Type()):
		f.close.Context, f.close.ReturnsError = params.Len() == 1, true
		return nil
	case results.Len() == 0:
		f.close.Context = params.Len() == 1
		return nil
	}
	f.close = model.Close{}
	shapes := fmt.Sprintf("%s(), %s() error, %s(context.Context) or %s(context.Context) error", name, name, name, name)
	if f.opts.CloseMethod != "" {
		return errorAt(f.at("close"), "close=%s: method %s of %s has type %s: singletongen calls %s",
			name, name, types.TypeString(instance, qualifier(c.p.types)), types.TypeString(sig, qualifier(c.p.types)), shapes)
	}
	return errorAt(fn.Pos(), "method Close of %s has type %s: singletongen calls %s; set close=never and close instances yourself, or name another method with close=",
		f.named.Obj().Name(), types.TypeString(sig, qualifier(c.p.types)), shapes)
}

// ifaceMethods finds the exported methods of *T for the interface that iface= asks for:
// those declared in the package in source order, then promoted ones.
func (c *checker) ifaceMethods(f *facts) error {
	set := types.NewMethodSet(types.NewPointer(f.named))
	for i := range set.Len() {
		if fn := set.At(i).Obj().(*types.Func); fn.Exported() {
			f.methods = append(f.methods, fn)
		}
	}
	if len(f.methods) == 0 {
		return errorAt(f.at("iface"), "iface=%s: *%s has no exported methods", f.opts.Iface, f.named.Obj().Name())
	}
	own := c.p.types
	sort.SliceStable(f.methods, func(i, j int) bool {
		x, y := f.methods[i], f.methods[j]
		if (x.Pkg() == own) != (y.Pkg() == own) {
			return x.Pkg() == own
		}
		px, py := c.fset.Position(x.Pos()), c.fset.Position(y.Pos())
		if px.Filename != py.Filename {
			return px.Filename < py.Filename
		}
		return px.Offset < py.Offset
	})
	return nil
}

// manager turns what the checker found about an annotated declaration into the
// description of its manager, spelling its types with w.
func (c *checker) manager(f *facts, w *typeWriter) (model.Manager, []error) {
	m := model.Manager{
		Stem:         f.stem,
		Names:        directive.Names(f.stem, f.exported, f.opts),
		ReturnsError: f.returnsError,
		Keyed:        f.opts.Keyed,
		Close:        f.close,
		TestHooks:    f.opts.TestHooks,
	}
	if f.opts.CacheErrors {
		m.OnError = model.Cache
	}
	var errs []error
	spell := func(t types.Type, pos token.Pos, format string, args ...any) model.Type {
		spelled, err := w.expr(t)
		if err != nil {
			errs = append(errs, errorAt(pos, format+"%v", append(args, err)...))
		}
		return spelled
	}
	m.Result = spell(types.NewPointer(f.named), f.named.Obj().Pos(), "")
	if f.ctor == nil {
		m.Zero = spell(f.named, f.named.Obj().Pos(), "")
	} else {
		m.Constructor = model.Func{Name: f.ctor.Name()}
	}
	if f.context != nil {
		m.Context = f.context.Name()
		if m.Context == "" || m.Context == "_" {
			m.Context = "ctx"
		}
	}
	for i, v := range f.params {
		name := v.Name()
		if name == "" || name == "_" {
			name = "arg" + strconv.Itoa(c.signatureIndex(f, i))
		}
		m.Params = append(m.Params, model.Param{Name: name, Type: spell(v.Type(), v.Pos(), "")})
	}
	if f.opts.Iface != "" {
		m.Interface = &model.Interface{Name: f.opts.Iface}
		for _, fn := range f.methods {
			m.Interface.Methods = append(m.Interface.Methods, c.method(f, fn, spell))
		}
	}
	return m, errs
}

// signatureIndex returns the index in the constructor's signature of f.params[i].
func (c *checker) signatureIndex(f *facts, i int) int {
	if f.context != nil {
		return i + 1
	}
	return i
}

// method describes a method of the interface that iface= asks for.
func (c *checker) method(f *facts, fn *types.Func, spell func(types.Type, token.Pos, string, ...any) model.Type) model.Method {
	sig := fn.Signature()
	pos := f.at("iface")
	params := func(tuple *types.Tuple, variadic bool) []model.Param {
		var params []model.Param
		for i := range tuple.Len() {
			v := tuple.At(i)
			t := v.Type()
			if variadic && i == tuple.Len()-1 {
				t = t.(*types.Slice).Elem()
			}
			params = append(params, model.Param{Name: v.Name(), Type: spell(t, pos, "iface=%s: method %s: ", f.opts.Iface, fn.Name())})
		}
		return params
	}
	return model.Method{
		Name:     fn.Name(),
		Doc:      c.methodDoc(fn),
		Params:   params(sig.Params(), sig.Variadic()),
		Results:  params(sig.Results(), false),
		Variadic: sig.Variadic(),
	}
}

// methodDoc returns the text of the doc comment of method fn of the package's own types.
func (c *checker) methodDoc(fn *types.Func) string {
	for _, file := range c.p.files {
		for _, decl := range file.Decls {
			if fd, ok := decl.(*ast.FuncDecl); ok && fd.Recv != nil && fd.Name.Pos() == fn.Pos() && fd.Doc != nil {
				return fd.Doc.Text()
			}
		}
	}
	return ""
}

// typeErrors returns the package's own type errors, except those that only say a
// generated name is undefined: the previous generated file is left out of the load.
func (c *checker) typeErrors(generated map[string]generatedName) []error {
	var errs []error
	for _, te := range c.p.typeErrors {
		if name, ok := strings.CutPrefix(te.Msg, "undefined: "); ok {
			if _, ok := generated[name]; ok {
				continue
			}
		}
		errs = append(errs, errorAt(te.Pos, "%s", te.Msg))
	}
	return errs
}

// renameParams renames parameters, the context included, whose names are reserved, by
// appending "Arg" and then a number.
func renameParams(m *model.Manager, reserved map[string]bool) {
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
