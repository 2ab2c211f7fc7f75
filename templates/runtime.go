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
	chainKeyName  = "singletonChainKey"
	nodeName      = "singletonNode"
	cycleName     = "singletonCycle"
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
		shared(chainKeyName, TypeDecl, chainKeyType),
		shared(nodeName, TypeDecl, nodeType),
		shared(cycleName, FuncDecl, cycle),
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

// buildType renders a build in flight, how it ends, how its callers wait for it, and
// what it tells the builds of every package about itself:
//
//	type singletonBuild[A comparable, T comparable] struct {
//		args   A
//		done   chan struct{}
//		result *singletonState[A, T]
//
//		mu      sync.Mutex
//		ended   bool
//		waiting []any
//	}
func buildType(needs) []jen.Code {
	b := func(names ...string) *jen.Statement {
		s := jen.Id("b")
		for _, name := range names {
			s.Dot(name)
		}
		return s
	}
	return []jen.Code{
		doc(buildName+" is a build in flight, and a "+nodeName+" to the builds of every package. result is set before done is closed; it stays nil when the build was discarded, and its waiters build again.").
			Type().Id(buildName).Types(typeParams()...).Struct(
			jen.Id("args").Id("A"),
			jen.Id("done").Chan().Struct().Comment("closed when the build ends or is discarded, under the manager's lock"),
			jen.Id("result").Add(ptrTo(stateName)),
			jen.Line(),
			jen.Id("mu").Qual("sync", "Mutex"),
			jen.Id("ended").Bool().Comment("done is closed"),
			jen.Id("waiting").Index().Any().Comment("the builds that the constructor waits for, or runs nested"),
		),
		doc("end ends b with s, or discards it when s is nil, and wakes its waiters. The manager's lock is held.").
			Add(method("b", buildName, "end")).Params(jen.Id("s").Add(ptrTo(stateName))).Block(
			b("result").Op("=").Id("s"),
			b("mu", "Lock").Call(),
			jen.List(b("ended"), b("waiting")).Op("=").List(jen.True(), jen.Nil()),
			b("mu", "Unlock").Call(),
			jen.Close(b("done")),
		),
		doc("wait waits for b, a build that another caller runs, and returns its result, or nil when b was discarded. A constructor that would wait for a build that waits for it, directly or through other builds, gets an error instead.").
			Add(method("b", buildName, "wait")).Params(jen.Id("ctx").Qual("context", "Context"), specParam()).Add(ptrTo(stateName)).Block(
			jen.If(jen.List(jen.Id("me"), jen.Id("_")).Op(":=").Id("ctx").Dot("Value").Call(jen.Id(chainKeyName).Values()).Assert(jen.Id(nodeName)), jen.Id("me").Op("!=").Nil()).Block(
				jen.Id("me").Dot("SingletongenWaitV1").Call(jen.Id("b"), jen.True()),
				jen.Defer().Id("me").Dot("SingletongenWaitV1").Call(jen.Id("b"), jen.False()),
				jen.Switch().Block(
					jen.Case(jen.Id("me").Op("==").Id(nodeName).Call(jen.Id("b"))).Block(
						jen.Return(errorState(jen.Qual("errors", "New").Call(jen.Id("spec").Dot("name").Op("+").Lit(" constructor asked its own manager for the instance it is building, which would wait for itself")))),
					),
					jen.Case(jen.Id(cycleName).Call(jen.Id("me"), jen.Id("b"))).Block(
						jen.Return(errorState(jen.Qual("errors", "New").Call(jen.Id("spec").Dot("name").Op("+").Lit(" requested by a constructor that its build waits for, directly or through other singletons: they would wait for each other forever")))),
					),
				),
			),
			jen.Select().Block(
				jen.Case(jen.Op("<-").Id("b").Dot("done")).Block(jen.Return(jen.Id("b").Dot("result"))),
				jen.Case(jen.Op("<-").Id("ctx").Dot("Done").Call()).Block(jen.Return(errorState(jen.Id("ctx").Dot("Err").Call()))),
			),
		),
		doc("SingletongenWaitV1 records that b's constructor waits for x, another "+nodeName+", or no longer does.").
			Add(method("b", buildName, "SingletongenWaitV1")).Params(jen.Id("x").Any(), jen.Id("add").Bool()).Block(
			b("mu", "Lock").Call(),
			jen.Defer().Add(b("mu", "Unlock")).Call(),
			jen.If(jen.Id("add")).Block(
				jen.If(jen.Op("!").Add(b("ended"))).Block(b("waiting").Op("=").Append(b("waiting"), jen.Id("x"))),
				jen.Return(),
			),
			jen.For(jen.List(jen.Id("i"), jen.Id("w")).Op(":=").Range().Add(b("waiting"))).Block(
				jen.If(jen.Id("w").Op("==").Id("x")).Block(
					b("waiting").Op("=").Append(b("waiting").Index(jen.Empty(), jen.Id("i")), b("waiting").Index(jen.Id("i").Op("+").Lit(1), jen.Empty()).Op("...")),
					jen.Return(),
				),
			),
		),
		doc("SingletongenWaitingV1 returns the builds b's constructor waits for; none once b ended.").
			Add(method("b", buildName, "SingletongenWaitingV1")).Params().Index().Any().Block(
			b("mu", "Lock").Call(),
			jen.Defer().Add(b("mu", "Unlock")).Call(),
			jen.Return(jen.Append(jen.Index().Any().Parens(jen.Nil()), b("waiting").Op("..."))),
		),
	}
}

// chainKeyType renders the context key of the protocol between the builds of every
// package:
//
//	type singletonChainKey = struct{ SingletongenChainV1 struct{} }
func chainKeyType(needs) []jen.Code {
	return []jen.Code{
		doc(
			chainKeyName + " is the context key under which a build marks the context its constructor receives, with itself as a " + nodeName + ". An unnamed struct type with an exported field is the same type in every package: the generated files of every package, and of every version of singletongen that speaks protocol V1, see each other's builds, and so find cycles of builds that would wait for each other forever.",
		).Type().Id(chainKeyName).Op("=").Struct(jen.Id("SingletongenChainV1").Struct()),
	}
}

// nodeType renders what a build is to the builds of every package:
//
//	type singletonNode = interface {
//		SingletongenWaitV1(x any, add bool)
//		SingletongenWaitingV1() []any
//	}
func nodeType(needs) []jen.Code {
	return []jen.Code{
		doc(nodeName+" is a build as the builds of every package see it, through methods whose names carry the version of the protocol. Nodes are pointers.").
			Type().Id(nodeName).Op("=").Interface(
			jen.Comment("SingletongenWaitV1 records that the build's constructor waits for x, another"),
			jen.Comment("node, or no longer does."),
			jen.Id("SingletongenWaitV1").Params(jen.Id("x").Any(), jen.Id("add").Bool()),
			jen.Comment("SingletongenWaitingV1 returns the nodes the build's constructor waits for;"),
			jen.Comment("none once the build ended."),
			jen.Id("SingletongenWaitingV1").Params().Index().Any(),
		),
	}
}

// cycle renders the search for a cycle of builds that wait for each other:
//
//	func singletonCycle(me singletonNode, x any) bool {
//		seen := map[any]bool{}
//		next := []any{x}
//		for len(next) > 0 && len(seen) < 10000 {
//			...
//		}
//		return false
//	}
func cycle(needs) []jen.Code {
	return []jen.Code{
		doc(
			cycleName+" reports whether me, a build whose constructor now waits for x, is among the builds that x waits for, directly or through others: they would wait for each other forever. Each waiter records what it waits for before it looks, so of the builds that close a cycle at the same time, one at least finds it. Finished and discarded builds wait for nothing; the search gives up after 10000 builds.",
		).Func().Id(cycleName).Params(jen.Id("me").Id(nodeName), jen.Id("x").Any()).Bool().Block(
			jen.Id("seen").Op(":=").Map(jen.Any()).Bool().Values(),
			jen.Id("next").Op(":=").Index().Any().Values(jen.Id("x")),
			jen.For(jen.Len(jen.Id("next")).Op(">").Lit(0).Op("&&").Len(jen.Id("seen")).Op("<").Lit(10000)).Block(
				jen.Id("n").Op(":=").Id("next").Index(jen.Len(jen.Id("next")).Op("-").Lit(1)),
				jen.Id("next").Op("=").Id("next").Index(jen.Empty(), jen.Len(jen.Id("next")).Op("-").Lit(1)),
				jen.Switch().Block(
					jen.Case(jen.Id("n").Op("==").Id("me")).Block(jen.Return(jen.True())),
					jen.Case(jen.Id("seen").Index(jen.Id("n"))).Block(jen.Continue()),
				),
				jen.Id("seen").Index(jen.Id("n")).Op("=").True(),
				jen.If(jen.List(jen.Id("node"), jen.Id("ok")).Op(":=").Id("n").Assert(jen.Id(nodeName)), jen.Id("ok")).Block(
					jen.Id("next").Op("=").Append(jen.Id("next"), jen.Id("node").Dot("SingletongenWaitingV1").Call().Op("...")),
				),
			),
			jen.Return(jen.False()),
		),
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
			jen.If(jen.List(jen.Id("me"), jen.Id("_")).Op(":=").Id("ctx").Dot("Value").Call(jen.Id(chainKeyName).Values()).Assert(jen.Id(nodeName)), jen.Id("me").Op("!=").Nil()).Block(
				jen.Comment("b runs nested in the build of me, which waits for it meanwhile."),
				jen.Id("me").Dot("SingletongenWaitV1").Call(jen.Id("b"), jen.True()),
				jen.Defer().Id("me").Dot("SingletongenWaitV1").Call(jen.Id("b"), jen.False()),
			),
			jen.List(jen.Id("c"), jen.Err()).Op(":=").Id(runName).Call(
				jen.Func().Params().Params(jen.Id("T"), jen.Error()).Block(
					jen.Return(jen.Id("ctor").Call(jen.Qual("context", "WithValue").Call(jen.Id("ctx"), jen.Id(chainKeyName).Values(), jen.Id(nodeName).Call(jen.Id("b"))), jen.Id("b").Dot("args"))),
				),
				jen.Func().Params(jen.Id("what").String()).Block(
					finish(errorState(jen.Qual("errors", "New").Call(jen.Id("spec").Dot("name").Op("+").Lit(" constructor ").Op("+").Id("what").Op("+").Lit(" in another goroutine"))), jen.False()),
				),
			),
			jen.Var().Id("zero").Id("T"),
			jen.Id("failed").Op(":=").Err().Op("!=").Nil().Op("||").Id("c").Op("==").Id("zero").Op("||").Id("spec").Dot("isNil").Op("!=").Nil().Op("&&").Id("spec").Dot("isNil").Call(jen.Id("c")),
			jen.If(jen.Id("failed").Op("&&").Id("ctx").Dot("Err").Call().Op("!=").Nil()).Block(
				jen.Comment("The caller's own context ended the build: the failure is its alone, and"),
				jen.Comment("the waiters build again with their own contexts."),
				finish(jen.Nil(), jen.False()),
				jen.If(jen.Err().Op("==").Nil()).Block(jen.Err().Op("=").Id("ctx").Dot("Err").Call()),
				jen.Return(errorState(jen.Err())),
			),
			jen.Id("s").Op(":=").Add(newOf(stateName, field("args", jen.Id("b").Dot("args")), field("err", jen.Err()))),
			jen.Switch().Block(
				jen.Case(jen.Err().Op("!=").Nil()),
				jen.Case(jen.Id("failed")).Block(jen.Id("s").Dot("err").Op("=").Id("spec").Dot("nilErr")),
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
			jen.Defer().Id("c").Dot("mu").Dot("Unlock").Call(),
			jen.If(jen.Id("c").Dot("build").Op("!=").Id("b")).Block(jen.Return(jen.False())),
			jen.Id("c").Dot("build").Op("=").Nil(),
			jen.If(jen.Id("publish")).Block(
				jen.Qual("sync/atomic", "StorePointer").Call(jen.Id("state"), jen.Qual("unsafe", "Pointer").Call(jen.Id("s"))),
			),
			jen.Id("b").Dot("end").Call(jen.Id("s")),
			jen.Return(jen.True()),
		),
		doc("install publishes s, discards the build in flight, whose waiters build again at once, and returns what it replaced.").
			Add(method("c", cellName, "install")).Params(statePtr.Clone(), jen.Id("s").Add(ptrTo(stateName))).Add(ptrTo(stateName)).Block(
			jen.Id("c").Dot("mu").Dot("Lock").Call(),
			jen.Defer().Id("c").Dot("mu").Dot("Unlock").Call(),
			jen.If(jen.Id("c").Dot("build").Op("!=").Nil()).Block(
				jen.Id("c").Dot("build").Dot("end").Call(jen.Nil()),
				jen.Id("c").Dot("build").Op("=").Nil(),
			),
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
//	b = &singletonBuild[A, T]{args: args, done: make(chan struct{})}
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
		jen.Id("b").Op("=").Add(newOf(buildName, field("args", jen.Id("args")), field("done", jen.Make(jen.Chan().Struct())))),
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
