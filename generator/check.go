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
	decl         string        // the annotated declaration's name, for messages
	stem         string        // of the generated names
	exported     bool          // whether the generated names are
	named        *types.Named  // the annotated type, or nil for a function
	result       types.Type    // what the constructor returns: *T, *sql.DB, redis.UniversalClient
	ctor         *types.Func   // the constructor, or nil to build the zero value
	returnsError bool          // the constructor returns (result, error)
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
	annotated := map[ast.Node]bool{}
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
		for _, name := range derivedNames(f.stem, f.exported, f.opts) {
			taken[name] = true
		}
	}
	return taken
}

// annotation checks one directive and the declaration it annotates, and returns what it
// found, or nil and the errors that make the declaration unusable.
func (c *checker) annotation(d *directiveComment, annotated map[ast.Node]bool) (*facts, []error) {
	var decl ast.Node = d.spec
	name := ""
	switch {
	case d.inTest:
		return nil, []error{errorAt(d.comment.Pos(), "%s is in a test file: annotate a type or function declared in a non-test file", directive.Name)}
	case d.spec != nil:
		name = d.spec.Name.Name
	case d.fn != nil:
		decl, name = d.fn, d.fn.Name.Name
	default:
		return nil, []error{misplaced(d)}
	}
	if annotated[decl] {
		return nil, []error{errorAt(d.comment.Pos(), "%s is given twice for %s", directive.Name, name)}
	}
	annotated[decl] = true
	opts, optErrs := directive.ParseOptions(d.comment.Text)
	if opts == nil {
		var errs []error
		for _, err := range optErrs {
			errs = append(errs, errorAt(d.comment.Slash+token.Pos(err.Offset), "%s", err.Msg))
		}
		return nil, errs
	}
	f := &facts{directive: d, opts: opts, decl: name}
	var errs []error
	if d.fn != nil {
		errs = c.annotatedFunc(f, d.fn)
	} else {
		errs = c.annotatedType(f, d.spec)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	for _, check := range []func(*facts) error{c.modeAndErrors, c.closeMethod, c.ifaceMethods} {
		if err := check(f); err != nil {
			return nil, []error{err}
		}
	}
	return f, nil
}

// misplaced returns the error of a directive that is in no declaration's doc comment.
func misplaced(d *directiveComment) error {
	if d.onGroup {
		return errorAt(d.comment.Pos(), "%s is in the doc comment of a group of types: put it in the doc comment of the type it is for, inside type ( ... )", directive.Name)
	}
	return errorAt(d.comment.Pos(), "%s must be in the doc comment of a package-level type or function declaration", directive.Name)
}

// didYouMean suggests the package-level function whose name is close to name, which
// the package does not declare: "; did you mean NewClient?", or "".
func (c *checker) didYouMean(name string) string {
	var funcs []string
	scope := c.p.types.Scope()
	for _, n := range scope.Names() {
		if _, ok := scope.Lookup(n).(*types.Func); ok {
			funcs = append(funcs, n)
		}
	}
	if fn := closest(name, funcs); fn != "" {
		return "; did you mean " + fn + "?"
	}
	return ""
}

// modeAndErrors checks that the options mode= and onerror= suit the constructor.
func (c *checker) modeAndErrors(f *facts) error {
	opts, name := f.opts, f.decl
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
	for _, bound := range []string{"max", "idle"} {
		if opts.Given(bound) && !opts.Keyed {
			return errorAt(f.at(bound), "%s= bounds the instances of a keyed manager: add mode=keyed, or drop %s=", bound, bound)
		}
	}
	if !opts.Global && opts.Given("testhooks") && opts.TestHooks {
		return errorAt(f.at("testhooks"), "testhooks=on needs the process-wide manager, which global=off leaves out")
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
	instance := f.result
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
		strings.TrimPrefix(types.TypeString(instance, qualifier(c.p.types)), "*"), types.TypeString(sig, qualifier(c.p.types)), shapes)
}

// ifaceMethods finds, when iface= asks for it, the exported methods of the instance for
// its interface: those declared in the package in source order, then those of other
// packages, promoted ones included.
func (c *checker) ifaceMethods(f *facts) error {
	if f.opts.Iface == "" {
		return nil
	}
	if types.IsInterface(f.result) {
		return errorAt(f.at("iface"), "iface=%s: %s returns an interface already, %s; drop iface=", f.opts.Iface, f.decl, types.TypeString(f.result, qualifier(c.p.types)))
	}
	set := types.NewMethodSet(f.result)
	for i := range set.Len() {
		if fn := set.At(i).Obj().(*types.Func); fn.Exported() {
			f.methods = append(f.methods, fn)
		}
	}
	if len(f.methods) == 0 {
		return errorAt(f.at("iface"), "iface=%s: %s has no exported methods", f.opts.Iface, types.TypeString(f.result, qualifier(c.p.types)))
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
		Stem:            f.stem,
		Names:           directive.Names(f.stem, f.exported, f.opts),
		ReturnsError:    f.returnsError,
		ResultInterface: types.IsInterface(f.result),
		Keyed:           f.opts.Keyed,
		Close:           f.close,
		TestHooks:       f.opts.TestHooks && f.opts.Global,
		Global:          f.opts.Global,
		Max:             f.opts.Max,
	}
	m.Idle = int64(f.opts.Idle)
	if f.opts.Lifecycle {
		m.Lifecycle = c.p.name + "." + f.stem
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
	m.Result = spell(f.result, f.directive.comment.Pos(), "%s: ", f.decl)
	if f.ctor == nil {
		m.Zero = spell(f.named, f.directive.comment.Pos(), "")
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
			if method, ok := c.method(fn, w); ok {
				m.Interface.Methods = append(m.Interface.Methods, method)
			} else {
				m.Interface.Omitted = append(m.Interface.Omitted, fn.Name())
			}
		}
		if len(m.Interface.Methods) == 0 {
			errs = append(errs, errorAt(f.at("iface"), "iface=%s: no exported method of %s has a signature that package %s can spell", f.opts.Iface, types.TypeString(f.result, qualifier(c.p.types)), c.p.name))
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

// method describes a method of the interface that iface= asks for; ok is false when its
// signature needs a type that the package cannot spell: an unexported one, or one of an
// internal package of another module.
func (c *checker) method(fn *types.Func, w *typeWriter) (m model.Method, ok bool) {
	sig := fn.Signature()
	ok = true
	params := func(tuple *types.Tuple, variadic bool) []model.Param {
		var params []model.Param
		for i := range tuple.Len() {
			v := tuple.At(i)
			t := v.Type()
			if variadic && i == tuple.Len()-1 {
				t = t.(*types.Slice).Elem()
			}
			spelled, err := w.expr(t)
			ok = ok && err == nil
			params = append(params, model.Param{Name: v.Name(), Type: spelled})
		}
		return params
	}
	m = model.Method{
		Name:     fn.Name(),
		Doc:      c.methodDoc(fn),
		Params:   params(sig.Params(), sig.Variadic()),
		Results:  params(sig.Results(), false),
		Variadic: sig.Variadic(),
	}
	return m, ok
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
// generated name is undefined: the previous generated file is left out of the load,
// and a directive with an error generates nothing, which says so already.
func (c *checker) typeErrors(generated map[string]generatedName) []error {
	derived := c.directiveNames()
	var errs []error
	for _, te := range c.p.typeErrors {
		if name, ok := strings.CutPrefix(te.Msg, "undefined: "); ok {
			if _, ok := generated[name]; ok || derived[name] {
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
