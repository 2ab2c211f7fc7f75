package templates

import (
	"github.com/dave/jennifer/jen"

	"github.com/singletongen/singletongen/model"
)

// The logic that managers share is emitted once per file, after them, as generic code
// over A, the arguments an instance is built with, and T, what the manager stores: the
// slow paths, the running of constructors, what is dropped and closed, and the test
// hooks. Each manager keeps its own fast path, written out with its own types, and a
// little glue. Only the parts that the file's managers need are emitted. The names are
// fixed, and checked for collisions like the managers' own.
const (
	stateName     = "singletonState"
	buildName     = "singletonBuild"
	buildKeyName  = "singletonBuildKey"
	specName      = "singletonSpec"
	constructName = "singletonConstruct"
	cellName      = "singletonCell"
	indexName     = "singletonIndex"
	mapName       = "singletonMap"
	runName       = "singletonRun"
	tbName        = "singletonTB"
	guardName     = "singletonGuard"
)

// needs says which parts of the shared code a file's managers need.
type needs struct {
	single, keyed, hooks bool
}

func needsOf(managers []model.Manager) needs {
	var n needs
	for i := range managers {
		n.single = n.single || !managers[i].Keyed
		n.keyed = n.keyed || managers[i].Keyed
		n.hooks = n.hooks || managers[i].TestHooks
	}
	return n
}

// Shared lists, in the order the file has them, the declarations that the managers of a
// file share.
func Shared(managers []model.Manager) []Decl {
	n := needsOf(managers)
	if len(managers) == 0 {
		return nil
	}
	shared := func(name string, kind Kind, emit func(needs) []jen.Code) Decl {
		return Decl{Name: name, Kind: kind, Role: RoleShared, emit: func() []jen.Code { return emit(n) }}
	}
	decls := []Decl{
		shared(stateName, TypeDecl, stateType),
		shared(buildName, TypeDecl, buildType),
		shared(buildKeyName, TypeDecl, buildKeyType),
		shared(specName, TypeDecl, specType),
		shared(constructName, FuncDecl, construct),
	}
	if n.single {
		decls = append(decls, shared(cellName, TypeDecl, cellType))
	}
	if n.keyed {
		decls = append(decls, shared(indexName, TypeDecl, indexType), shared(mapName, TypeDecl, mapType))
	}
	decls = append(decls, shared(runName, FuncDecl, runConstructor))
	if n.hooks {
		decls = append(decls, shared(tbName, TypeDecl, tbAlias), shared(guardName, FuncDecl, hookGuard))
	}
	return decls
}

// generic renders an instance of a shared generic type: name[A, T].
func generic(name string) *jen.Statement {
	return jen.Id(name).Types(jen.Id("A"), jen.Id("T"))
}

// ptrTo renders a pointer to an instance of a shared generic type: *name[A, T].
func ptrTo(name string) *jen.Statement { return jen.Op("*").Add(generic(name)) }

// typeParams renders the type parameters of the shared generic types: [A comparable, T comparable].
func typeParams() []jen.Code {
	return []jen.Code{jen.Id("A").Id("comparable"), jen.Id("T").Id("comparable")}
}

// method renders the start of a method of a shared generic type: func (x *name[A, T]) method.
func method(x, name, method string) *jen.Statement {
	return jen.Func().Params(jen.Id(x).Add(ptrTo(name))).Id(method)
}

// newOf renders &name[A, T]{fields...}.
func newOf(name string, fields ...jen.Code) *jen.Statement {
	return jen.Op("&").Add(generic(name)).Values(fields...)
}

// errorState renders &singletonState[A, T]{err: err}.
func errorState(err jen.Code) *jen.Statement { return newOf(stateName, field("err", err)) }

// loadAs renders an atomic load of pointer p as an instance of a shared type:
// (*name[A, T])(atomic.LoadPointer(&p))
func loadAs(name string, p *jen.Statement) *jen.Statement {
	return jen.Parens(ptrTo(name)).Call(jen.Qual("sync/atomic", "LoadPointer").Call(jen.Op("&").Add(p)))
}

// ctorParam renders the parameter of the shared slow paths that builds an instance.
func ctorParam() jen.Code {
	return jen.Id("ctor").Func().Params(jen.Qual("context", "Context"), jen.Id("A")).Params(jen.Id("T"), jen.Error())
}

// specParam renders spec *singletonSpec[A, T].
func specParam() jen.Code { return jen.Id("spec").Add(ptrTo(specName)) }

// stateType renders:
//
//	type singletonState[A comparable, T comparable] struct {
//		args      A
//		instance  T
//		err       error
//		installed bool
//	}
func stateType(needs) []jen.Code {
	return []jen.Code{
		doc(stateName+" is what a manager publishes for one instance: the instance built with args, the error of its build, or a fake that a test hook installed. It never changes once made.").
			Type().Id(stateName).Types(typeParams()...).Struct(
			jen.Id("args").Id("A"),
			jen.Id("instance").Id("T"),
			jen.Id("err").Error(),
			jen.Id("installed").Bool().Comment("by a test hook: returned for any arguments, never closed"),
		),
	}
}

// buildType renders a build in flight, and how its callers wait for it:
//
//	type singletonBuild[A comparable, T comparable] struct {
//		args   A
//		done   chan struct{}
//		result *singletonState[A, T]
//		outer  *singletonBuild[A, T]
//	}
//
//	func (b *singletonBuild[A, T]) wait(ctx context.Context, spec *singletonSpec[A, T]) *singletonState[A, T] {
//		...
//	}
func buildType(needs) []jen.Code {
	return []jen.Code{
		doc(buildName+" is a build in flight. result is set before done is closed, and stays nil when the build was discarded: its waiters build again.").
			Type().Id(buildName).Types(typeParams()...).Struct(
			jen.Id("args").Id("A"),
			jen.Id("done").Chan().Struct(),
			jen.Id("result").Add(ptrTo(stateName)),
			jen.Id("outer").Add(ptrTo(buildName)).Comment("the build whose constructor asked for this one, if any"),
		),
		doc("wait waits for b, a build that another caller runs, and returns its result, or nil when b was discarded.").
			Add(method("b", buildName, "wait")).Params(jen.Id("ctx").Qual("context", "Context"), specParam()).Add(ptrTo(stateName)).Block(
			jen.For(
				jen.List(jen.Id("o"), jen.Id("_")).Op(":=").Id("ctx").Dot("Value").Call(generic(buildKeyName).Values()).Assert(ptrTo(buildName)),
				jen.Id("o").Op("!=").Nil(),
				jen.Id("o").Op("=").Id("o").Dot("outer"),
			).Block(
				jen.If(jen.Id("o").Op("==").Id("b")).Block(
					jen.Return(errorState(jen.Qual("errors", "New").Call(jen.Id("spec").Dot("name").Op("+").Lit(" constructor asked its own manager for the instance it is building, which would wait for itself")))),
				),
			),
			jen.Select().Block(
				jen.Case(jen.Op("<-").Id("b").Dot("done")).Block(jen.Return(jen.Id("b").Dot("result"))),
				jen.Case(jen.Op("<-").Id("ctx").Dot("Done").Call()).Block(jen.Return(errorState(jen.Id("ctx").Dot("Err").Call()))),
			),
		),
	}
}

// buildKeyType renders the context key under which a build marks the context it gives
// its constructor:
//
//	type singletonBuildKey[A comparable, T comparable] struct{}
func buildKeyType(needs) []jen.Code {
	return []jen.Code{
		doc(buildKeyName + " is the context key of the build whose constructor received the context.").
			Type().Id(buildKeyName).Types(typeParams()...).Struct(),
	}
}

// specType renders what the shared code knows of a manager's instances, and the closing
// of what a manager drops:
//
//	type singletonSpec[A comparable, T comparable] struct {
//		name     string
//		conflict error
//		nilErr   error
//		cache    bool
//		isNil    func(T) bool
//		close    func(T) error
//	}
//
//	func (spec *singletonSpec[A, T]) drop(s *singletonState[A, T]) error { ... }
func specType(n needs) []jen.Code {
	code := []jen.Code{
		doc(specName+" is what the shared code knows of a manager's instances.").
			Type().Id(specName).Types(typeParams()...).Struct(
			jen.Id("name").String().Comment(`"paragon: Client": messages start with it`),
			jen.Id("conflict").Error().Comment("of arguments other than those of the instance"),
			jen.Id("nilErr").Error().Comment("of a constructor that returned a nil instance"),
			jen.Id("cache").Bool().Comment("constructor errors are kept (onerror=cache)"),
			jen.Id("isNil").Func().Params(jen.Id("T")).Bool().Comment("whether an instance other than the zero T is nil, if one can be"),
			jen.Id("close").Func().Params(jen.Id("T")).Error().Comment("closes an instance the manager dropped, if it can"),
		),
		doc("drop closes the instance of s, which its manager dropped, if the manager built it, and returns what closing returned.").
			Add(method("spec", specName, "drop")).Params(jen.Id("s").Add(ptrTo(stateName))).Error().Block(
			jen.Var().Id("zero").Id("T"),
			jen.If(jen.Id("s").Op("==").Nil().Op("||").Id("s").Dot("installed").Op("||").Id("s").Dot("instance").Op("==").Id("zero").Op("||").Id("spec").Dot("close").Op("==").Nil()).Block(
				jen.Return(jen.Nil()),
			),
			jen.Return(jen.Id("spec").Dot("close").Call(jen.Id("s").Dot("instance"))),
		),
	}
	if n.keyed {
		code = append(code,
			doc("dropAll closes the instances of x, which their manager dropped, and returns what closing returned, joined.").
				Add(method("spec", specName, "dropAll")).Params(jen.Id("x").Add(ptrTo(indexName))).Error().Block(
				jen.If(jen.Id("x").Op("==").Nil()).Block(jen.Return(jen.Nil())),
				jen.Var().Id("errs").Index().Error(),
				jen.For(jen.List(jen.Id("_"), jen.Id("s")).Op(":=").Range().Id("x").Dot("instances")).Block(
					jen.Id("errs").Op("=").Append(jen.Id("errs"), jen.Id("spec").Dot("drop").Call(jen.Id("s"))),
				),
				jen.Return(jen.Qual("errors", "Join").Call(jen.Id("errs").Op("..."))),
			),
		)
	}
	return code
}

// construct renders the running of a build:
//
//	func singletonConstruct[A comparable, T comparable](ctx context.Context, b *singletonBuild[A, T], spec *singletonSpec[A, T], ctor func(context.Context, A) (T, error), finish func(s *singletonState[A, T], publish bool) bool) *singletonState[A, T] {
//		c, err := singletonRun(func() (T, error) {
//			return ctor(context.WithValue(ctx, singletonBuildKey[A, T]{}, b), b.args)
//		}, func(what string) {
//			finish(&singletonState[A, T]{err: errors.New(spec.name + " constructor " + what + " in another goroutine")}, false)
//		})
//		...
//	}
func construct(needs) []jen.Code {
	finish := func(s jen.Code, publish jen.Code) *jen.Statement {
		return jen.Id("finish").Call(s, publish)
	}
	return []jen.Code{
		doc(constructName+" runs ctor for b on the calling goroutine, so that a panic reaches its caller, and ends b with finish. It returns nil when b was discarded.").
			Func().Id(constructName).Types(typeParams()...).Params(
			jen.Id("ctx").Qual("context", "Context"),
			jen.Id("b").Add(ptrTo(buildName)),
			specParam(),
			ctorParam(),
			jen.Id("finish").Func().Params(jen.Id("s").Add(ptrTo(stateName)), jen.Id("publish").Bool()).Bool(),
		).Add(ptrTo(stateName)).Block(
			jen.List(jen.Id("c"), jen.Err()).Op(":=").Id(runName).Call(
				jen.Func().Params().Params(jen.Id("T"), jen.Error()).Block(
					jen.Return(jen.Id("ctor").Call(jen.Qual("context", "WithValue").Call(jen.Id("ctx"), generic(buildKeyName).Values(), jen.Id("b")), jen.Id("b").Dot("args"))),
				),
				jen.Func().Params(jen.Id("what").String()).Block(
					finish(errorState(jen.Qual("errors", "New").Call(jen.Id("spec").Dot("name").Op("+").Lit(" constructor ").Op("+").Id("what").Op("+").Lit(" in another goroutine"))), jen.False()),
				),
			),
			jen.If(jen.Err().Op("!=").Nil().Op("&&").Id("ctx").Dot("Err").Call().Op("!=").Nil()).Block(
				jen.Comment("The caller's own context ended the build: the error is for it alone, and"),
				jen.Comment("the waiters build again with their own contexts."),
				finish(jen.Nil(), jen.False()),
				jen.Return(errorState(jen.Err())),
			),
			jen.Var().Id("zero").Id("T"),
			jen.Id("s").Op(":=").Add(newOf(stateName, field("args", jen.Id("b").Dot("args")), field("err", jen.Err()))),
			jen.Switch().Block(
				jen.Case(jen.Err().Op("!=").Nil()),
				jen.Case(jen.Id("c").Op("==").Id("zero").Op("||").Id("spec").Dot("isNil").Op("!=").Nil().Op("&&").Id("spec").Dot("isNil").Call(jen.Id("c"))).Block(
					jen.Id("s").Dot("err").Op("=").Id("spec").Dot("nilErr"),
				),
				jen.Default().Block(jen.Id("s").Dot("instance").Op("=").Id("c")),
			),
			jen.If(jen.Op("!").Add(finish(jen.Id("s"), jen.Id("s").Dot("err").Op("==").Nil().Op("||").Id("spec").Dot("cache").Op("&&").Err().Op("!=").Nil()))).Block(
				jen.Id("_").Op("=").Id("spec").Dot("drop").Call(jen.Id("s")).Comment("nobody will see it"),
				jen.Return(jen.Nil()),
			),
			jen.Return(jen.Id("s")),
		),
	}
}

// cellType renders the shared part of a single-mode manager, and its methods. The
// manager keeps the pointer to its published state itself, and hands it to them: a
// field of a field would cost its accessors their inlining.
//
//	type singletonCell[A comparable, T comparable] struct {
//		mu    sync.Mutex
//		build *singletonBuild[A, T]
//	}
func cellType(n needs) []jen.Code {
	statePtr := jen.Id("state").Op("*").Qual("unsafe", "Pointer")
	code := []jen.Code{
		doc(cellName+" is what a single-mode manager holds besides the pointer to its published *"+stateName+", which the accessors read with atomic.LoadPointer and which its methods are handed.").
			Type().Id(cellName).Types(typeParams()...).Struct(
			jen.Id("mu").Qual("sync", "Mutex"),
			jen.Id("build").Add(ptrTo(buildName)).Comment("in flight, or nil; guarded by mu"),
		),
		cellGet(),
		doc("finish ends build b with s, published if publish is set, and wakes b's waiters. It reports false, and does nothing else, when b was discarded.").
			Add(method("c", cellName, "finish")).Params(statePtr.Clone(), jen.Id("b").Add(ptrTo(buildName)), jen.Id("s").Add(ptrTo(stateName)), jen.Id("publish").Bool()).Bool().Block(
			jen.Id("c").Dot("mu").Dot("Lock").Call(),
			jen.Id("current").Op(":=").Id("c").Dot("build").Op("==").Id("b"),
			jen.If(jen.Id("current")).Block(
				jen.Id("c").Dot("build").Op("=").Nil(),
				jen.Id("b").Dot("result").Op("=").Id("s"),
				jen.If(jen.Id("publish")).Block(
					jen.Qual("sync/atomic", "StorePointer").Call(jen.Id("state"), jen.Qual("unsafe", "Pointer").Call(jen.Id("s"))),
				),
			),
			jen.Id("c").Dot("mu").Dot("Unlock").Call(),
			jen.Close(jen.Id("b").Dot("done")),
			jen.Return(jen.Id("current")),
		),
		doc("install publishes s, discards the build in flight, and returns what it replaced.").
			Add(method("c", cellName, "install")).Params(statePtr.Clone(), jen.Id("s").Add(ptrTo(stateName))).Add(ptrTo(stateName)).Block(
			jen.Id("c").Dot("mu").Dot("Lock").Call(),
			jen.Defer().Id("c").Dot("mu").Dot("Unlock").Call(),
			jen.Id("c").Dot("build").Op("=").Nil(),
			jen.Return(jen.Parens(ptrTo(stateName)).Call(jen.Qual("sync/atomic", "SwapPointer").Call(jen.Id("state"), jen.Qual("unsafe", "Pointer").Call(jen.Id("s"))))),
		),
	}
	if n.hooks {
		code = append(code, installForTest("c", cellName, "s", stateName, "drop", true))
	}
	return code
}

// cellGet renders the slow path of a single-mode manager:
//
//	func (c *singletonCell[A, T]) get(ctx context.Context, state *unsafe.Pointer, args A, spec *singletonSpec[A, T], ctor func(context.Context, A) (T, error)) *singletonState[A, T] {
//		for {
//			c.mu.Lock()
//			if s := (*singletonState[A, T])(atomic.LoadPointer(state)); s != nil {
//				...return s, or the conflict
//			}
//			b := c.build
//			if b == nil {
//				...start a build and run it
//			}
//			c.mu.Unlock()
//			if b.args != args {
//				return &singletonState[A, T]{err: spec.conflict}
//			}
//			if s := b.wait(ctx, spec); s != nil {
//				return s
//			}
//		}
//	}
func cellGet() jen.Code {
	unlock := jen.Id("c").Dot("mu").Dot("Unlock").Call()
	conflict := jen.Return(errorState(jen.Id("spec").Dot("conflict")))
	finish := jen.Id("c").Dot("finish").Call(jen.Id("state"), jen.Id("b"), jen.Id("s"), jen.Id("publish"))
	return doc("get is the slow path of Get: it waits for the build in flight, or runs one.").
		Add(method("c", cellName, "get")).Params(jen.Id("ctx").Qual("context", "Context"), jen.Id("state").Op("*").Qual("unsafe", "Pointer"), jen.Id("args").Id("A"), specParam(), ctorParam()).Add(ptrTo(stateName)).Block(
		jen.For().Block(
			jen.Id("c").Dot("mu").Dot("Lock").Call(),
			jen.If(jen.Id("s").Op(":=").Parens(ptrTo(stateName)).Call(jen.Qual("sync/atomic", "LoadPointer").Call(jen.Id("state"))), jen.Id("s").Op("!=").Nil()).Block(
				unlock.Clone(),
				jen.If(jen.Id("s").Dot("installed").Op("||").Id("s").Dot("args").Op("==").Id("args")).Block(jen.Return(jen.Id("s"))),
				conflict.Clone(),
			),
			jen.Id("b").Op(":=").Id("c").Dot("build"),
			jen.If(jen.Id("b").Op("==").Nil()).Block(startBuild("c", finish, jen.Id("c").Dot("build").Op("=").Id("b"))...),
			unlock.Clone(),
			jen.If(jen.Id("b").Dot("args").Op("!=").Id("args")).Block(conflict.Clone()),
			jen.If(jen.Id("s").Op(":=").Id("b").Dot("wait").Call(jen.Id("ctx"), jen.Id("spec")), jen.Id("s").Op("!=").Nil()).Block(jen.Return(jen.Id("s"))),
		),
	)
}

// startBuild renders the start of a build in the slow path of x, a cell or map, with its
// lock held; register records the build, and finish renders the end of the build with
// s, published if publish is set:
//
//	if err := ctx.Err(); err != nil {
//		c.mu.Unlock()
//		return &singletonState[A, T]{err: err}
//	}
//	outer, _ := ctx.Value(singletonBuildKey[A, T]{}).(*singletonBuild[A, T])
//	b = &singletonBuild[A, T]{args: args, done: make(chan struct{}), outer: outer}
//	c.build = b
//	c.mu.Unlock()
//	if s := singletonConstruct(ctx, b, spec, ctor, func(s *singletonState[A, T], publish bool) bool {
//		return c.finish(state, b, s, publish)
//	}); s != nil {
//		return s
//	}
//	continue // b was discarded: build again
func startBuild(x string, finish *jen.Statement, register ...jen.Code) []jen.Code {
	unlock := jen.Id(x).Dot("mu").Dot("Unlock").Call()
	code := []jen.Code{
		jen.If(jen.Err().Op(":=").Id("ctx").Dot("Err").Call(), jen.Err().Op("!=").Nil()).Block(unlock.Clone(), jen.Return(errorState(jen.Err()))),
		jen.List(jen.Id("outer"), jen.Id("_")).Op(":=").Id("ctx").Dot("Value").Call(generic(buildKeyName).Values()).Assert(ptrTo(buildName)),
		jen.Id("b").Op("=").Add(newOf(buildName, field("args", jen.Id("args")), field("done", jen.Make(jen.Chan().Struct())), field("outer", jen.Id("outer")))),
	}
	code = append(code, register...)
	finisher := jen.Func().Params(jen.Id("s").Add(ptrTo(stateName)), jen.Id("publish").Bool()).Bool().Block(jen.Return(finish))
	return append(code,
		unlock,
		jen.If(jen.Id("s").Op(":=").Id(constructName).Call(jen.Id("ctx"), jen.Id("b"), jen.Id("spec"), jen.Id("ctor"), finisher), jen.Id("s").Op("!=").Nil()).Block(jen.Return(jen.Id("s"))),
		jen.Continue().Comment("b was discarded: build again"),
	)
}

// runConstructor renders the function that runs a constructor on the calling goroutine,
// so that a panic reaches the caller of Get that started the build, while the build's
// waiters learn of it:
//
//	func singletonRun[T any](ctor func() (T, error), fail func(what string)) (c T, err error) {
//		...
//	}
func runConstructor(needs) []jen.Code {
	fail := func(what string) jen.Code { return jen.Id("fail").Call(jen.Lit(what)) }
	return []jen.Code{
		doc("singletonRun calls ctor and returns what it returned. When ctor panics or calls runtime.Goexit (as t.FailNow does), it calls fail, then lets the panic or the Goexit go on.").
			Func().Id(runName).Types(jen.Id("T").Any()).Params(
			jen.Id("ctor").Func().Params().Params(jen.Id("T"), jen.Error()),
			jen.Id("fail").Func().Params(jen.Id("what").String()),
		).Params(jen.Id("c").Id("T"), jen.Err().Error()).Block(
			jen.Var().Id("r").Any(),
			jen.List(jen.Id("returned"), jen.Id("failed")).Op(":=").List(jen.False(), jen.False()),
			jen.Defer().Func().Params().Block(
				jen.If(jen.Op("!").Id("returned").Op("&&").Op("!").Id("failed")).Block(fail("called runtime.Goexit")),
			).Call(),
			jen.Func().Params().Block(
				jen.Defer().Func().Params().Block(
					jen.Comment("A panic goes on from here, where its stack is whole."),
					jen.If(jen.Op("!").Id("returned")).Block(
						jen.If(jen.Id("r").Op("=").Recover(), jen.Id("r").Op("!=").Nil()).Block(
							jen.Id("failed").Op("=").True(),
							fail("panicked"),
							jen.Panic(jen.Id("r")),
						),
					),
				).Call(),
				jen.List(jen.Id("c"), jen.Err()).Op("=").Id("ctor").Call(),
				jen.Id("returned").Op("=").True(),
			).Call(),
			jen.If(jen.Op("!").Id("returned")).Block(
				jen.Comment("recover stopped a panic(nil) under GODEBUG panicnil=1: raise it again."),
				jen.Id("failed").Op("=").True(),
				fail("panicked"),
				jen.Panic(jen.Id("r")),
			),
			jen.Return(),
		),
	}
}

// installForTest renders the method of a cell or map that the test hooks call; a cell's
// methods take the pointer to the manager's state first (withState):
//
//	func (c *singletonCell[A, T]) installForTest(state *unsafe.Pointer, tb singletonTB, hook string, s *singletonState[A, T], spec *singletonSpec[A, T]) {
//		singletonGuard(tb, hook)
//		prev := c.install(state, s)
//		tb.Cleanup(func() { _ = spec.drop(c.install(state, prev)) })
//	}
func installForTest(x, holder, param, paramType, drop string, withState bool) jen.Code {
	var params []jen.Code
	install := func(what string) *jen.Statement {
		if withState {
			return jen.Id(x).Dot("install").Call(jen.Id("state"), jen.Id(what))
		}
		return jen.Id(x).Dot("install").Call(jen.Id(what))
	}
	if withState {
		params = append(params, jen.Id("state").Op("*").Qual("unsafe", "Pointer"))
	}
	params = append(params, jen.Id("tb").Id(tbName), jen.Id("hook").String(), jen.Id(param).Add(ptrTo(paramType)), specParam())
	return doc("installForTest installs "+param+" until tb's test ends, then restores what was there and closes what the test built.").
		Add(method(x, holder, "installForTest")).Params(params...).Block(
		jen.Id(guardName).Call(jen.Id("tb"), jen.Id("hook")),
		jen.Id("prev").Op(":=").Add(install(param)),
		jen.Id("tb").Dot("Cleanup").Call(jen.Func().Params().Block(
			jen.Id("_").Op("=").Id("spec").Dot(drop).Call(install("prev")),
		)),
	)
}

// tbAlias renders the part of testing.TB that the test hooks use, named for the shared
// code; the exported hooks spell it out, so that godoc shows it:
//
//	type singletonTB = interface {
//		Helper()
//		Cleanup(func())
//		Setenv(key, value string)
//	}
func tbAlias(needs) []jen.Code {
	return []jen.Code{
		doc(tbName + " is the part of testing.TB that the test hooks use: production code need not import testing.").
			Type().Id(tbName).Op("=").Add(testingTB()),
	}
}

// hookEnv is the environment variable the hooks set through tb.Setenv, for the guard
// against parallel tests that comes with it.
const hookEnv = "SINGLETONGEN_TEST_HOOK"

// hookGuard renders the guard of the test hooks against parallel tests:
//
//	func singletonGuard(tb singletonTB, hook string) {
//		defer func() {
//			if r := recover(); r != nil {
//				panic(fmt.Sprintf("%s: the hook changes process-wide state and cannot be used in a parallel test: %v", hook, r))
//			}
//		}()
//		tb.Setenv("SINGLETONGEN_TEST_HOOK", hook)
//	}
func hookGuard(needs) []jen.Code {
	return []jen.Code{
		doc(guardName+" makes a test hook refuse a parallel test: tb.Setenv panics in one, and makes a later t.Parallel panic.").
			Func().Id(guardName).Params(jen.Id("tb").Id(tbName), jen.Id("hook").String()).Block(
			jen.Defer().Func().Params().Block(
				jen.If(jen.Id("r").Op(":=").Recover(), jen.Id("r").Op("!=").Nil()).Block(
					jen.Panic(jen.Qual("fmt", "Sprintf").Call(
						jen.Lit("%s: the hook changes process-wide state and cannot be used in a parallel test: %v"),
						jen.Id("hook"), jen.Id("r"))),
				),
			).Call(),
			jen.Id("tb").Dot("Setenv").Call(jen.Lit(hookEnv), jen.Id("hook")),
		),
	}
}
