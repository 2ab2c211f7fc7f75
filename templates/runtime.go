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
	droppedName   = "singletonDropped"
	closedName    = "singletonClosed"
	buildName     = "singletonBuild"
	chainKeyName  = "singletonChainKey"
	nodeName      = "singletonNode"
	cycleName     = "singletonCycle"
	specName      = "singletonSpec"
	sourceName    = "singletonSource"
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
	single, keyed bool
	hooks         bool // test hooks
	ctx           bool // constructors with a context, which builds mark for cycles
	bounded       bool // keyed managers with max= or idle=
	idle          bool // keyed managers with idle=
	lifecycle     bool // managers that register with package lifecycle
}

// lifecyclePath is the import path of package lifecycle.
const lifecyclePath = model.LifecyclePath

func needsOf(managers []model.Manager) needs {
	var n needs
	for i := range managers {
		m := &managers[i]
		n.single = n.single || !m.Keyed
		n.keyed = n.keyed || m.Keyed
		n.hooks = n.hooks || m.TestHooks
		n.ctx = n.ctx || m.Context != ""
		n.bounded = n.bounded || m.Bounded()
		n.idle = n.idle || m.Idle > 0
		n.lifecycle = n.lifecycle || m.Lifecycle != ""
	}
	return n
}

// Shared lists, in the order the file has them, the declarations that the managers of a
// file share.
func Shared(managers []model.Manager) []Decl {
	if len(managers) == 0 {
		return nil
	}
	n := needsOf(managers)
	var decls []Decl
	add := func(when bool, name string, kind Kind, emit func(needs) []jen.Code) {
		if when {
			decls = append(decls, Decl{Name: name, Kind: kind, Role: RoleShared, emit: func() []jen.Code { return emit(n) }})
		}
	}
	add(true, stateName, TypeDecl, stateType)
	add(true, droppedName, ConstDecl, holdBits)
	decls[len(decls)-1].More = []string{closedName}
	add(true, buildName, TypeDecl, buildType)
	add(n.ctx, chainKeyName, TypeDecl, chainKeyType)
	add(n.ctx, nodeName, TypeDecl, nodeType)
	add(n.ctx, cycleName, FuncDecl, cycle)
	add(true, specName, TypeDecl, specType)
	add(true, sourceName, TypeDecl, sourceType)
	add(true, constructName, FuncDecl, construct)
	add(n.single, cellName, TypeDecl, cellType)
	add(n.keyed, indexName, TypeDecl, indexType)
	add(n.keyed, mapName, TypeDecl, mapType)
	add(true, runName, FuncDecl, runConstructor)
	add(n.hooks, tbName, TypeDecl, tbAlias)
	add(n.hooks, guardName, FuncDecl, hookGuard)
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

// stateType renders what a manager publishes for one instance, and the hold that With
// takes on it:
//
//	type singletonState[A comparable, T comparable] struct {
//		args      A
//		instance  T
//		err       error
//		installed bool
//		holds     atomic.Int64
//	}
//
//	func (s *singletonState[A, T]) drop() bool { ... }
//	func (s *singletonState[A, T]) release() bool { ... }
func stateType(n needs) []jen.Code {
	fields := []jen.Code{
		jen.Id("args").Id("A"),
		jen.Id("instance").Id("T"),
		jen.Id("err").Error(),
		jen.Id("installed").Bool().Comment("by a test hook: returned for any arguments, never closed"),
		jen.Id("holds").Qual("sync/atomic", "Int64").Comment("the With calls that hold it, and the dropped and closed bits"),
	}
	if n.lifecycle {
		fields = append(fields,
			jen.Id("lc").Op("*").Qual(lifecyclePath, "Registration").Comment("lifecycle=on: where its closing is reported"),
			jen.Id("gone").Chan().Struct().Comment("lifecycle=on: closed once the instance is closed"),
		)
	}
	if n.bounded {
		fields = append(fields,
			jen.Id("used").Qual("sync/atomic", "Uint32").Comment("max=: a Get returned it since the clock hand passed"),
			jen.Id("seen").Qual("sync/atomic", "Uint32").Comment("idle=: the epoch of the last Get that returned it"),
			jen.Id("slot").Int().Comment("max=: its place on the clock; guarded by the manager's lock"),
		)
	}
	var zero = jen.Var().Id("zero").Id("T")
	closes := jen.Id("s").Dot("holds").Dot("CompareAndSwap").Call(jen.Id(droppedName), jen.Id(droppedName).Op("|").Id(closedName))
	claim := []jen.Code{jen.If(closes.Clone()).Block(jen.Return(jen.True()))}
	claimDoc := "claim reports whether the caller closes the instance of s, which the manager built and marked dropped: whether no With holds it. Otherwise the last With to end closes it."
	if n.lifecycle {
		claim = append(claim, jen.Id("s").Dot("lc").Dot("Held").Call(jen.Id("s").Dot("gone")).Comment("lifecycle.Shutdown waits for that close"))
		claimDoc += " A held instance is reported to package lifecycle, so that Shutdown waits for that close."
	}
	claim = append(claim, jen.Return(jen.False()))
	return []jen.Code{
		doc(stateName + " is what a manager publishes for one instance: the instance built with args, the error of its build, or a fake that a test hook installed. Only holds changes once it is made.").
			Type().Id(stateName).Types(typeParams()...).Struct(fields...),
		doc("drop marks s dropped, and reports whether the caller closes its instance now: the manager built it, and no With holds it. Otherwise the last With to end closes it.").
			Add(method("s", stateName, "drop")).Params().Bool().Block(
			zero,
			jen.If(jen.Id("s").Op("==").Nil().Op("||").Id("s").Dot("installed").Op("||").Id("s").Dot("instance").Op("==").Id("zero")).Block(jen.Return(jen.False())),
			jen.Id("s").Dot("holds").Dot("Add").Call(jen.Id(droppedName)),
			jen.Return(jen.Id("s").Dot("claim").Call()),
		),
		doc(claimDoc).Add(method("s", stateName, "claim")).Params().Bool().Block(claim...),
		doc("release ends a hold of With, and reports whether the caller closes the instance: the last hold of a dropped one.").
			Add(method("s", stateName, "release")).Params().Bool().Block(
			jen.Return(jen.Id("s").Dot("holds").Dot("Add").Call(jen.Lit(-1)).Op("==").Id(droppedName).Op("&&").Add(closes)),
		),
	}
}

// holdBits renders the bits of singletonState.holds above the count of holds:
//
//	const (
//		singletonDropped = 1 << 62
//		singletonClosed  = 1 << 61
//	)
func holdBits(needs) []jen.Code {
	return []jen.Code{
		doc("The bits of "+stateName+".holds above the count of With calls: the manager dropped the instance, and then closed it.").
			Const().Defs(
			jen.Id(droppedName).Op("=").Lit(1).Op("<<").Lit(62),
			jen.Id(closedName).Op("=").Lit(1).Op("<<").Lit(61),
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
func buildType(n needs) []jen.Code {
	b := func(names ...string) *jen.Statement {
		s := jen.Id("b")
		for _, name := range names {
			s.Dot(name)
		}
		return s
	}
	fields := []jen.Code{
		jen.Id("args").Id("A"),
		jen.Id("done").Chan().Struct().Comment("closed when the build ends or is discarded, under the manager's lock"),
		jen.Id("result").Add(ptrTo(stateName)),
	}
	what := buildName + " is a build in flight. result is set before done is closed; it stays nil when the build was discarded, and its waiters build again."
	end := []jen.Code{b("result").Op("=").Id("s"), jen.Close(b("done"))}
	if n.ctx {
		fields = append(fields,
			jen.Line(),
			jen.Id("mu").Qual("sync", "Mutex"),
			jen.Id("ended").Bool().Comment("its constructor returned"),
			jen.Id("waiting").Index().Any().Comment("the builds that the constructor waits for, or runs nested"),
		)
		what = buildName + " is a build in flight, and a " + nodeName + " to the builds of every package. result is set before done is closed; it stays nil when the build was discarded, and its waiters build again."
	}
	waitDoc := "wait waits for b, a build that another caller runs, and returns its result, or nil when b was discarded."
	if n.ctx {
		waitDoc += " A constructor that would wait for a build that waits for it, directly or through other builds, gets an error instead."
	}
	code := []jen.Code{
		doc(what).Type().Id(buildName).Types(typeParams()...).Struct(fields...),
		doc("end ends b with s, or discards it when s is nil, and wakes its waiters. The manager's lock is held.").
			Add(method("b", buildName, "end")).Params(jen.Id("s").Add(ptrTo(stateName))).Block(end...),
		doc(waitDoc).
			Add(method("b", buildName, "wait")).Params(jen.Id("ctx").Qual("context", "Context"), specParam()).Add(ptrTo(stateName)).Block(buildWait(n)...),
	}
	if !n.ctx {
		return code
	}
	return append(code, buildNode(b)...)
}

// buildWait renders the wait of a caller for a build that another runs; with contexts,
// after the check that it would not wait for itself:
//
//	if me, _ := ctx.Value(singletonChainKey{}).(singletonNode); me != nil {
//		...
//	}
//	select {
//	case <-b.done:
//		return b.result
//	case <-ctx.Done():
//		return &singletonState[A, T]{err: ctx.Err()}
//	}
func buildWait(n needs) []jen.Code {
	var wait []jen.Code
	if n.ctx {
		wait = append(wait, jen.If(jen.List(jen.Id("me"), jen.Id("_")).Op(":=").Id("ctx").Dot("Value").Call(jen.Id(chainKeyName).Values()).Assert(jen.Id(nodeName)), jen.Id("me").Op("!=").Nil()).Block(
			jen.Id("me").Dot("SingletongenWaitV1").Call(jen.Id("b"), jen.True()),
			jen.Defer().Id("me").Dot("SingletongenWaitV1").Call(jen.Id("b"), jen.False()),
			jen.Switch().Block(
				jen.Case(jen.Id("me").Op("==").Id(nodeName).Call(jen.Id("b"))).Block(
					jen.Return(errorState(jen.Qual("errors", "New").Call(jen.Id("spec").Dot("name").Op("+").Lit(" constructor asked its own manager for the instance it is building, which would wait for itself")))),
				),
				jen.Case(jen.Id(cycleName).Call(jen.Id("me"), jen.Id("b"))).Block(
					jen.Return(errorState(jen.Qual("errors", "New").Call(jen.Id("spec").Dot("name").Op("+").Lit(" requested by a constructor that its build waits for, directly or through other singletons: a cycle that would wait forever")))),
				),
			),
		))
	}
	return append(wait, jen.Select().Block(
		jen.Case(jen.Op("<-").Id("b").Dot("done")).Block(jen.Return(jen.Id("b").Dot("result"))),
		jen.Case(jen.Op("<-").Id("ctx").Dot("Done").Call()).Block(jen.Return(errorState(jen.Id("ctx").Dot("Err").Call()))),
	))
}

// buildNode renders the methods that make a build a node of the chain of nested builds
// of every package, for cycle detection; b renders a field of the build.
func buildNode(b func(names ...string) *jen.Statement) []jen.Code {
	return []jen.Code{
		doc("returned records that b's constructor returned: b waits for nothing from then on. A build discarded before its constructor returned still waits for what its constructor waits for, on the goroutine of its nested parent build, if any: cycles through it are found.").
			Add(method("b", buildName, "returned")).Params().Block(
			b("mu", "Lock").Call(),
			jen.List(b("ended"), b("waiting")).Op("=").List(jen.True(), jen.Nil()),
			b("mu", "Unlock").Call(),
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
		doc("SingletongenWaitingV1 returns the builds b's constructor waits for; none once it returned.").
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
			cycleName+" reports whether me, a build whose constructor now waits for x, is among the builds that x waits for, directly or through others: they would wait for each other forever. Each waiter records what it waits for before it looks, so of the builds that close a cycle at the same time, one at least finds it. A build whose constructor returned waits for nothing, and the search gives up after 10000 builds.",
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
//		close    func(context.Context, T) error
//	}
func specType(n needs) []jen.Code {
	fields := []jen.Code{
		jen.Id("name").String().Comment(`"paragon: Client": messages start with it`),
		jen.Id("conflict").Error().Comment("of arguments other than those of the instance"),
		jen.Id("nilErr").Error().Comment("of a constructor that returned a nil instance"),
		jen.Id("cache").Bool().Comment("constructor errors are kept (onerror=cache)"),
		jen.Id("isNil").Func().Params(jen.Id("T")).Bool().Comment("whether an instance other than the zero T is nil, if one can be"),
		jen.Id("close").Func().Params(jen.Qual("context", "Context"), jen.Id("T")).Error().Comment("closes an instance the manager dropped, if it can"),
	}
	if n.lifecycle {
		fields = append(fields, jen.Id("lifecycle").String().Comment(`lifecycle=on: the name it registers under, "paragon.Client", or ""`))
	}
	if n.bounded {
		fields = append(fields,
			jen.Id("max").Int().Comment("max=: the most instances a keyed manager holds, or 0"),
			jen.Id("idle").Qual("time", "Duration").Comment("idle=: how long it keeps an instance no Get returned, or 0"),
		)
	}
	s := func(names ...string) *jen.Statement {
		st := jen.Id("spec")
		for _, name := range names {
			st.Dot(name)
		}
		return st
	}
	code := []jen.Code{
		doc(specName + " is what the shared code knows of a manager's instances.").
			Type().Id(specName).Types(typeParams()...).Struct(fields...),
		doc("closeOne closes the instance of s with ctx, and returns what closing returned: a panic of Close too, as an error, for closes that have no caller (evictions, idle drops) must not crash a timer's goroutine.").
			Add(method("spec", specName, "closeOne")).Params(jen.Id("ctx").Qual("context", "Context"), jen.Id("s").Add(ptrTo(stateName))).Params(jen.Err().Error()).Block(closeOne(n)...),
		doc("dropClose drops s and closes its instance, unless the manager did not build it or a With holds it, and returns what closing returned.").
			Add(method("spec", specName, "dropClose")).Params(jen.Id("s").Add(ptrTo(stateName))).Error().Block(
			jen.If(jen.Op("!").Id("s").Dot("drop").Call()).Block(jen.Return(jen.Nil())),
			jen.Return(s("closeOne").Call(jen.Qual("context", "Background").Call(), jen.Id("s"))),
		),
	}
	code = append(code, specWith())
	if n.keyed {
		code = append(code,
			doc("dropAll drops the instances of x and closes those that no With holds, and returns what closing returned, joined.").
				Add(method("spec", specName, "dropAll")).Params(jen.Id("x").Add(ptrTo(indexName))).Error().Block(
				jen.If(jen.Id("x").Op("==").Nil()).Block(jen.Return(jen.Nil())),
				jen.Var().Id("errs").Index().Error(),
				jen.For(jen.List(jen.Id("_"), jen.Id("s")).Op(":=").Range().Id("x").Dot("instances")).Block(
					jen.If(jen.Err().Op(":=").Add(s("dropClose")).Call(jen.Id("s")), jen.Err().Op("!=").Nil()).Block(
						jen.Id("errs").Op("=").Append(jen.Id("errs"), jen.Err()),
					),
				),
				jen.Return(jen.Qual("errors", "Join").Call(jen.Id("errs").Op("..."))),
			),
		)
	}
	if n.idle {
		code = append(code,
			doc("closeIdle closes the instances that an idle sweep dropped and that no With holds. Their Close errors have no caller: closeOne reports them to package lifecycle, if the manager registers with it.").
				Add(method("spec", specName, "closeIdle")).Params(jen.Id("dropped").Index().Add(ptrTo(stateName))).Block(
				jen.For(jen.List(jen.Id("_"), jen.Id("s")).Op(":=").Range().Id("dropped")).Block(
					jen.If(jen.Id("s").Dot("claim").Call()).Block(
						jen.Id("_").Op("=").Add(s("closeOne").Call(jen.Qual("context", "Background").Call(), jen.Id("s"))),
					),
				),
			),
		)
	}
	return code
}

// closeOne renders the body of singletonSpec.closeOne:
//
//	defer func() {
//		if r := recover(); r != nil {
//			err = fmt.Errorf("%s: Close panicked: %v", spec.name, r)
//		}
//	}()
//	if spec.close != nil {
//		err = spec.close(ctx, s.instance)
//	}
//	return err
//
// With lifecycle=on, it also reports the close and closes s.gone.
// specWith renders With's work, shared by every manager:
//
//	func (spec *singletonSpec[A, T]) with(ctx context.Context, src singletonSource[A, T], args A, fn func(T) error) (err error) {
//		...
//	}
func specWith() jen.Code {
	closeOne := func() *jen.Statement {
		return jen.Id("spec").Dot("closeOne").Call(jen.Qual("context", "Background").Call(), jen.Id("s"))
	}
	return doc("with runs fn with the instance that src has for args, held so that it is not closed before fn returns: a drop meanwhile takes it out of the manager at once, and the last With on it closes it. It returns fn's error, or the error of getting the instance, joined with what closing returned if this With closed it.").
		Add(method("spec", specName, "with")).Params(
		jen.Id("ctx").Qual("context", "Context"),
		jen.Id("src").Add(generic(sourceName)),
		jen.Id("args").Id("A"),
		jen.Id("fn").Func().Params(jen.Id("T")).Error(),
	).Params(jen.Err().Error()).Block(
		jen.Var().Id("closed").Error().Comment("of instances dropped before this With could hold them"),
		jen.Defer().Func().Params().Block(
			jen.If(jen.Id("closed").Op("!=").Nil()).Block(jen.Err().Op("=").Qual("errors", "Join").Call(jen.Err(), jen.Id("closed"))),
		).Call(),
		jen.Id("s").Op(":=").Id("src").Dot("current").Call(jen.Id("ctx"), jen.Id("args")),
		jen.For(jen.Id("s").Dot("err").Op("==").Nil().Op("&&").Id("s").Dot("holds").Dot("Add").Call(jen.Lit(1)).Op("&").Id(droppedName).Op("!=").Lit(0)).Block(
			jen.Comment("Dropped before this With could hold it: let go, and look again."),
			jen.If(jen.Id("s").Dot("release").Call()).Block(
				jen.Id("closed").Op("=").Qual("errors", "Join").Call(jen.Id("closed"), closeOne()),
			),
			jen.Id("s").Op("=").Id("src").Dot("current").Call(jen.Id("ctx"), jen.Id("args")),
		),
		jen.If(jen.Id("s").Dot("err").Op("!=").Nil()).Block(jen.Return(jen.Id("s").Dot("err"))),
		jen.Comment("Deferred once, out of the loop, so that With allocates nothing."),
		jen.Defer().Func().Params().Block(
			jen.If(jen.Id("s").Dot("release").Call()).Block(
				jen.Id("closed").Op("=").Qual("errors", "Join").Call(jen.Id("closed"), closeOne()),
			),
		).Call(),
		jen.Return(jen.Id("fn").Call(jen.Id("s").Dot("instance"))),
	)
}

func closeOne(n needs) []jen.Code {
	recovered := []jen.Code{jen.Err().Op("=").Qual("fmt", "Errorf").Call(jen.Lit("%s: Close panicked: %v"), jen.Id("spec").Dot("name"), jen.Id("r"))}
	var after []jen.Code
	if n.lifecycle {
		after = []jen.Code{
			jen.If(jen.Id("spec").Dot("close").Op("!=").Nil()).Block(jen.Id("s").Dot("lc").Dot("Closed").Call(jen.Err())),
			jen.If(jen.Id("s").Dot("gone").Op("!=").Nil()).Block(jen.Close(jen.Id("s").Dot("gone"))),
		}
	}
	return []jen.Code{
		jen.Defer().Func().Params().Block(
			append([]jen.Code{jen.If(jen.Id("r").Op(":=").Recover(), jen.Id("r").Op("!=").Nil()).Block(recovered...)}, after...)...,
		).Call(),
		jen.If(jen.Id("spec").Dot("close").Op("!=").Nil()).Block(
			jen.Err().Op("=").Id("spec").Dot("close").Call(jen.Id("ctx"), jen.Id("s").Dot("instance")),
		),
		jen.Return(jen.Err()),
	}
}

// sourceType renders what With gets instances from: a manager.
//
//	type singletonSource[A comparable, T comparable] interface {
//		current(ctx context.Context, args A) *singletonState[A, T]
//	}
func sourceType(needs) []jen.Code {
	return []jen.Code{
		doc(sourceName + " is a manager, as With sees it: current returns its state for args, through its fast path, or its slow path.").
			Type().Id(sourceName).Types(typeParams()...).Interface(
			jen.Id("current").Params(jen.Id("ctx").Qual("context", "Context"), jen.Id("args").Id("A")).Add(ptrTo(stateName)),
		),
	}
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
func construct(n needs) []jen.Code {
	body := append(constructStart(n), constructorCall(n))
	body = append(body, constructOutcome(n)...)
	body = append(body, constructEnd(n)...)
	params := []jen.Code{
		jen.Id("ctx").Qual("context", "Context"),
		jen.Id("b").Add(ptrTo(buildName)),
		specParam(),
		ctorParam(),
	}
	what := constructName + " runs ctor for b on the calling goroutine, so that a panic reaches its caller, and ends b with finish. It returns nil when b was discarded."
	if n.lifecycle {
		params = append(params, jen.Id("lc").Op("*").Qual(lifecyclePath, "Registration"))
		what += " It reports the build to lc, after publishing it."
	}
	finishType := jen.Func().Params(jen.Id("s").Add(ptrTo(stateName)), jen.Id("publish").Bool()).Bool()
	if n.bounded {
		finishType = jen.Func().Params(jen.Id("s").Add(ptrTo(stateName)), jen.Id("publish").Bool()).Params(jen.Id("current").Bool(), jen.Id("evicted").Add(ptrTo(stateName)))
	}
	params = append(params, jen.Id("finish").Add(finishType))
	return []jen.Code{
		doc(what).Func().Id(constructName).Types(typeParams()...).Params(params...).Add(ptrTo(stateName)).Block(body...),
	}
}

// buildReport renders, with lifecycle=on, the report of the end of a build to lc:
// lc.Finished(start, err), or lc.Discarded for a build whose result nobody will see.
func buildReport(n needs, method string, err jen.Code) []jen.Code {
	if !n.lifecycle {
		return nil
	}
	return []jen.Code{jen.Id("lc").Dot(method).Call(jen.Id("start"), err)}
}

// finishCall renders finish(s, publish), the end of the build in its manager.
func finishCall(s, publish jen.Code) *jen.Statement { return jen.Id("finish").Call(s, publish) }

// constructStart renders what comes before the constructor call: with contexts, the
// mark of a nested build in the build that runs it; with lifecycle=on, the report.
func constructStart(n needs) []jen.Code {
	var code []jen.Code
	if n.ctx {
		code = append(code,
			jen.Defer().Id("b").Dot("returned").Call(),
			jen.If(jen.List(jen.Id("me"), jen.Id("_")).Op(":=").Id("ctx").Dot("Value").Call(jen.Id(chainKeyName).Values()).Assert(jen.Id(nodeName)), jen.Id("me").Op("!=").Nil()).Block(
				jen.Comment("b runs nested in the build of me, which waits for it meanwhile."),
				jen.Id("me").Dot("SingletongenWaitV1").Call(jen.Id("b"), jen.True()),
				jen.Defer().Id("me").Dot("SingletongenWaitV1").Call(jen.Id("b"), jen.False()),
			),
		)
	}
	if n.lifecycle {
		code = append(code, jen.Id("start").Op(":=").Id("lc").Dot("Started").Call())
	}
	return code
}

// constructorCall renders the call of the constructor through singletonRun, whose
// second function ends the build with an error when the constructor leaves its
// goroutine.
func constructorCall(n needs) jen.Code {
	ctorCtx := jen.Id("ctx")
	if n.ctx {
		ctorCtx = jen.Qual("context", "WithValue").Call(jen.Id("ctx"), jen.Id(chainKeyName).Values(), jen.Id(nodeName).Call(jen.Id("b")))
	}
	failure := jen.Qual("errors", "New").Call(jen.Id("spec").Dot("name").Op("+").Lit(" constructor ").Op("+").Id("what").Op("+").Lit(" in another goroutine"))
	onFailure := []jen.Code{finishCall(errorState(failure), jen.False())}
	if n.lifecycle {
		onFailure = append([]jen.Code{jen.Err().Op(":=").Add(failure.Clone())}, finishCall(errorState(jen.Err()), jen.False()))
		onFailure = append(onFailure, buildReport(n, "Finished", jen.Err())...)
	}
	return jen.List(jen.Id("c"), jen.Err()).Op(":=").Id(runName).Call(
		jen.Func().Params().Params(jen.Id("T"), jen.Error()).Block(
			jen.Return(jen.Id("ctor").Call(ctorCtx, jen.Id("b").Dot("args"))),
		),
		jen.Func().Params(jen.Id("what").String()).Block(onFailure...),
	)
}

// constructOutcome renders the state that the constructor's results make: a failure
// that the caller's own context caused ends there; otherwise s holds the instance, or
// the error.
func constructOutcome(n needs) []jen.Code {
	instance := []jen.Code{jen.Id("s").Dot("instance").Op("=").Id("c")}
	if n.lifecycle {
		instance = append(instance, jen.If(jen.Id("lc").Op("!=").Nil()).Block(
			jen.List(jen.Id("s").Dot("lc"), jen.Id("s").Dot("gone")).Op("=").List(jen.Id("lc"), jen.Make(jen.Chan().Struct())),
		))
	}
	cancelled := []jen.Code{
		jen.Comment("The caller's own context ended the build: the failure is its alone, and"),
		jen.Comment("the waiters build again with their own contexts."),
		finishCall(jen.Nil(), jen.False()),
		jen.If(jen.Err().Op("==").Nil()).Block(jen.Err().Op("=").Id("ctx").Dot("Err").Call()),
	}
	cancelled = append(cancelled, buildReport(n, "Finished", jen.Err())...)
	cancelled = append(cancelled, jen.Return(errorState(jen.Err())))
	return []jen.Code{
		jen.Var().Id("zero").Id("T"),
		jen.Id("failed").Op(":=").Err().Op("!=").Nil().Op("||").Id("c").Op("==").Id("zero").Op("||").Id("spec").Dot("isNil").Op("!=").Nil().Op("&&").Id("spec").Dot("isNil").Call(jen.Id("c")),
		jen.If(jen.Id("failed").Op("&&").Id("ctx").Dot("Err").Call().Op("!=").Nil()).Block(cancelled...),
		jen.Id("s").Op(":=").Add(newOf(stateName, field("args", jen.Id("b").Dot("args")), field("err", jen.Err()))),
		jen.Switch().Block(
			jen.Case(jen.Err().Op("!=").Nil()),
			jen.Case(jen.Id("failed")).Block(jen.Id("s").Dot("err").Op("=").Id("spec").Dot("nilErr")),
			jen.Default().Block(instance...),
		),
	}
}

// constructEnd renders the end of the build in its manager: publishing s (with max=,
// closing what that evicted), or, when the build was discarded meanwhile, closing it.
func constructEnd(n needs) []jen.Code {
	publish := jen.Id("s").Dot("err").Op("==").Nil().Op("||").Id("spec").Dot("cache").Op("&&").Err().Op("!=").Nil()
	discarded := append(buildReport(n, "Discarded", jen.Id("s").Dot("err")),
		jen.Id("_").Op("=").Id("spec").Dot("dropClose").Call(jen.Id("s")).Comment("nobody will see it"),
		jen.Return(jen.Nil()),
	)
	end := []jen.Code{jen.If(jen.Op("!").Add(finishCall(jen.Id("s"), publish))).Block(discarded...)}
	if n.bounded {
		end = []jen.Code{
			jen.List(jen.Id("current"), jen.Id("evicted")).Op(":=").Add(finishCall(jen.Id("s"), publish)),
			jen.If(jen.Id("evicted").Op("!=").Nil()).Block(
				evictions(n),
				jen.If(jen.Id("evicted").Dot("claim").Call()).Block(
					jen.Id("_").Op("=").Id("spec").Dot("closeOne").Call(jen.Qual("context", "Background").Call(), jen.Id("evicted")).Comment("before the Get that evicted it returns"),
				),
			),
			jen.If(jen.Op("!").Id("current")).Block(discarded...),
		}
	}
	end = append(end, buildReport(n, "Finished", jen.Id("s").Dot("err"))...)
	return append(end, jen.Return(jen.Id("s")))
}

// evictions renders, with lifecycle=on, the report of the instances that a build
// evicted.
func evictions(n needs) jen.Code {
	if !n.lifecycle {
		return jen.Null()
	}
	return jen.Id("lc").Dot("Dropped").Call(jen.Lit("evict"), jen.Lit(1))
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
