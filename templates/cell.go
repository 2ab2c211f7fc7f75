package templates

import (
	"github.com/dave/jennifer/jen"
)

// The shared part of single-mode managers. A manager keeps the pointer to its published
// state itself, and hands it to the methods of its cell: a field of a field would cost
// its accessors their inlining.

// cellType renders what a single-mode manager holds besides its state, and its methods:
//
//	type singletonCell[A comparable, T comparable] struct {
//		mu    sync.Mutex
//		build *singletonBuild[A, T]
//	}
func cellType(n needs) []jen.Code {
	code := []jen.Code{
		doc(cellName+" is what a single-mode manager holds besides the pointer to its published *"+stateName+", which the accessors read with atomic.LoadPointer and which its methods are handed.").
			Type().Id(cellName).Types(typeParams()...).Struct(
			jen.Id("mu").Qual("sync", "Mutex"),
			jen.Id("build").Add(ptrTo(buildName)).Comment("in flight, or nil; guarded by mu"),
		),
		cellGet(n),
		cellFinish(),
		cellInstall(),
		cellInvalidate(),
	}
	if n.hooks {
		install := func(what string) *jen.Statement {
			return jen.Id("c").Dot("install").Call(jen.Id("state"), jen.Id(what))
		}
		code = append(code, installForTest("c", cellName, "s", stateName, "dropClose", install, statePtr()))
	}
	return code
}

// statePtr renders the parameter of the cell's methods that points to the state.
func statePtr() *jen.Statement { return jen.Id("state").Op("*").Qual("unsafe", "Pointer") }

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
func cellGet(n needs) jen.Code {
	unlock := jen.Id("c").Dot("mu").Dot("Unlock").Call()
	conflict := jen.Return(errorState(jen.Id("spec").Dot("conflict")))
	finish := jen.Id("c").Dot("finish").Call(jen.Id("state"), jen.Id("b"), jen.Id("s"), jen.Id("publish"))
	if n.bounded {
		finish = jen.List(finish, jen.Nil())
	}
	return doc("get is the slow path of Get: it waits for the build in flight, or runs one.").
		Add(method("c", cellName, "get")).Params(jen.Id("ctx").Qual("context", "Context"), statePtr(), jen.Id("args").Id("A"), specParam(), ctorParam()).Add(ptrTo(stateName)).Block(
		jen.For().Block(
			jen.Id("c").Dot("mu").Dot("Lock").Call(),
			jen.If(jen.Id("s").Op(":=").Parens(ptrTo(stateName)).Call(jen.Qual("sync/atomic", "LoadPointer").Call(jen.Id("state"))), jen.Id("s").Op("!=").Nil()).Block(
				unlock.Clone(),
				jen.If(jen.Id("s").Dot("installed").Op("||").Id("s").Dot("args").Op("==").Id("args")).Block(jen.Return(jen.Id("s"))),
				conflict.Clone(),
			),
			jen.Id("b").Op(":=").Id("c").Dot("build"),
			jen.If(jen.Id("b").Op("==").Nil()).Block(startBuild(n, "c", finish, jen.Id("c").Dot("build").Op("=").Id("b"))...),
			unlock.Clone(),
			jen.If(jen.Id("b").Dot("args").Op("!=").Id("args")).Block(conflict.Clone()),
			jen.If(jen.Id("s").Op(":=").Id("b").Dot("wait").Call(jen.Id("ctx"), jen.Id("spec")), jen.Id("s").Op("!=").Nil()).Block(jen.Return(jen.Id("s"))),
		),
	)
}

// startBuild renders the start of a build in the slow path of x, a cell or map, with its
// lock held; register records the build, and finish is what the function that ends the
// build returns:
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
func startBuild(n needs, x string, finish *jen.Statement, register ...jen.Code) []jen.Code {
	unlock := jen.Id(x).Dot("mu").Dot("Unlock").Call()
	code := []jen.Code{
		jen.If(jen.Err().Op(":=").Id("ctx").Dot("Err").Call(), jen.Err().Op("!=").Nil()).Block(unlock.Clone(), jen.Return(errorState(jen.Err()))),
		jen.Id("b").Op("=").Add(newOf(buildName, field("args", jen.Id("args")), field("done", jen.Make(jen.Chan().Struct())))),
	}
	code = append(code, register...)
	results := jen.Bool()
	if n.bounded {
		results = jen.Params(jen.Bool(), jen.Index().Add(ptrTo(stateName)))
	}
	finisher := jen.Func().Params(jen.Id("s").Add(ptrTo(stateName)), jen.Id("publish").Bool()).Add(results).Block(jen.Return(finish))
	return append(code,
		unlock,
		jen.If(jen.Id("s").Op(":=").Id(constructName).Call(jen.Id("ctx"), jen.Id("b"), jen.Id("spec"), jen.Id("ctor"), finisher), jen.Id("s").Op("!=").Nil()).Block(jen.Return(jen.Id("s"))),
		jen.Continue().Comment("b was discarded: build again"),
	)
}

// cellFinish renders the end of a build of a single-mode manager:
//
//	func (c *singletonCell[A, T]) finish(state *unsafe.Pointer, b *singletonBuild[A, T], s *singletonState[A, T], publish bool) bool {
//		c.mu.Lock()
//		defer c.mu.Unlock()
//		if c.build != b {
//			return false
//		}
//		c.build = nil
//		if publish {
//			atomic.StorePointer(state, unsafe.Pointer(s))
//		}
//		b.end(s)
//		return true
//	}
func cellFinish() jen.Code {
	return doc("finish ends build b with s, published if publish is set, and wakes b's waiters. It reports false, and does nothing else, when b was discarded.").
		Add(method("c", cellName, "finish")).Params(statePtr(), jen.Id("b").Add(ptrTo(buildName)), jen.Id("s").Add(ptrTo(stateName)), jen.Id("publish").Bool()).Bool().Block(
		jen.Id("c").Dot("mu").Dot("Lock").Call(),
		jen.Defer().Id("c").Dot("mu").Dot("Unlock").Call(),
		jen.If(jen.Id("c").Dot("build").Op("!=").Id("b")).Block(jen.Return(jen.False())),
		jen.Id("c").Dot("build").Op("=").Nil(),
		jen.If(jen.Id("publish")).Block(
			jen.Qual("sync/atomic", "StorePointer").Call(jen.Id("state"), jen.Qual("unsafe", "Pointer").Call(jen.Id("s"))),
		),
		jen.Id("b").Dot("end").Call(jen.Id("s")),
		jen.Return(jen.True()),
	)
}

// cellInstall renders the one place, other than a build, that replaces what a
// single-mode manager holds:
//
//	func (c *singletonCell[A, T]) install(state *unsafe.Pointer, s *singletonState[A, T]) *singletonState[A, T] {
//		c.mu.Lock()
//		defer c.mu.Unlock()
//		if c.build != nil {
//			c.build.end(nil)
//			c.build = nil
//		}
//		return (*singletonState[A, T])(atomic.SwapPointer(state, unsafe.Pointer(s)))
//	}
func cellInstall() jen.Code {
	return doc("install publishes s, discards the build in flight, whose waiters build again at once, and returns what it replaced.").
		Add(method("c", cellName, "install")).Params(statePtr(), jen.Id("s").Add(ptrTo(stateName))).Add(ptrTo(stateName)).Block(
		jen.Id("c").Dot("mu").Dot("Lock").Call(),
		jen.Defer().Id("c").Dot("mu").Dot("Unlock").Call(),
		jen.If(jen.Id("c").Dot("build").Op("!=").Nil()).Block(
			jen.Id("c").Dot("build").Dot("end").Call(jen.Nil()),
			jen.Id("c").Dot("build").Op("=").Nil(),
		),
		jen.Return(jen.Parens(ptrTo(stateName)).Call(jen.Qual("sync/atomic", "SwapPointer").Call(jen.Id("state"), jen.Qual("unsafe", "Pointer").Call(jen.Id("s"))))),
	)
}

// cellInvalidate renders Invalidate's work in single mode:
//
//	func (c *singletonCell[A, T]) invalidate(state *unsafe.Pointer, args A, inst T, spec *singletonSpec[A, T]) error {
//		c.mu.Lock()
//		s := (*singletonState[A, T])(atomic.LoadPointer(state))
//		if s == nil || s.installed || s.args != args || s.instance != inst {
//			c.mu.Unlock()
//			return nil
//		}
//		atomic.StorePointer(state, nil)
//		c.mu.Unlock()
//		return spec.dropClose(s)
//	}
func cellInvalidate() jen.Code {
	unlock := jen.Id("c").Dot("mu").Dot("Unlock").Call()
	return doc("invalidate drops inst, if it still is the instance built with args, and closes it unless a With holds it; it leaves a build in flight alone.").
		Add(method("c", cellName, "invalidate")).Params(statePtr(), jen.Id("args").Id("A"), jen.Id("inst").Id("T"), specParam()).Error().Block(
		jen.Id("c").Dot("mu").Dot("Lock").Call(),
		jen.Id("s").Op(":=").Parens(ptrTo(stateName)).Call(jen.Qual("sync/atomic", "LoadPointer").Call(jen.Id("state"))),
		jen.If(jen.Id("s").Op("==").Nil().Op("||").Id("s").Dot("installed").Op("||").Id("s").Dot("args").Op("!=").Id("args").Op("||").Id("s").Dot("instance").Op("!=").Id("inst")).Block(
			unlock.Clone(),
			jen.Return(jen.Nil()),
		),
		jen.Qual("sync/atomic", "StorePointer").Call(jen.Id("state"), jen.Nil()),
		unlock.Clone(),
		jen.Return(jen.Id("spec").Dot("dropClose").Call(jen.Id("s"))),
	)
}

// installForTest renders the method of a cell or map that the test hooks call; install
// renders the call of its install method, and lead are the parameters it takes first:
//
//	func (c *singletonCell[A, T]) installForTest(state *unsafe.Pointer, tb singletonTB, hook string, s *singletonState[A, T], spec *singletonSpec[A, T]) {
//		singletonGuard(tb, hook)
//		prev := c.install(state, s)
//		tb.Cleanup(func() { _ = spec.dropClose(c.install(state, prev)) })
//	}
func installForTest(x, holder, param, paramType, drop string, install func(what string) *jen.Statement, lead ...jen.Code) jen.Code {
	params := append(lead, jen.Id("tb").Id(tbName), jen.Id("hook").String(), jen.Id(param).Add(ptrTo(paramType)), specParam())
	return doc("installForTest installs "+param+" until tb's test ends, then restores what was there and closes what the test built.").
		Add(method(x, holder, "installForTest")).Params(params...).Block(
		jen.Id(guardName).Call(jen.Id("tb"), jen.Id("hook")),
		jen.Id("prev").Op(":=").Add(install(param)),
		jen.Id("tb").Dot("Cleanup").Call(jen.Func().Params().Block(
			jen.Id("_").Op("=").Id("spec").Dot(drop).Call(install("prev")),
		)),
	)
}
