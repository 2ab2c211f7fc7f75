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
	fields := []jen.Code{
		jen.Id("mu").Qual("sync", "Mutex"),
		jen.Id("build").Add(ptrTo(buildName)).Comment("in flight, or nil; guarded by mu"),
	}
	if n.lifecycle {
		fields = append(fields, jen.Id("lc").Op("*").Qual(lifecyclePath, "Registration").Comment("lifecycle=on: made at the first build; guarded by mu"))
	}
	code := []jen.Code{
		doc(cellName + " is what a single-mode manager holds besides the pointer to its published *" + stateName + ", which the accessors read with atomic.LoadPointer and which its methods are handed.").
			Type().Id(cellName).Types(typeParams()...).Struct(fields...),
		cellGet(n),
		cellFinish(),
		cellInstall(),
		cellReset(n),
		cellInvalidate(n),
	}
	if n.lifecycle {
		code = append(code, cellRegister(), cellHeld(), cellShutdown(), cellReport())
	}
	if n.hooks {
		install := func(what string) *jen.Statement {
			return jen.Id("c").Dot("install").Call(jen.Id("state"), jen.Id(what))
		}
		cleanup := jen.Id("_").Op("=").Id("spec").Dot("dropClose").Call(install("prev"))
		var aside []jen.Code
		if n.lifecycle {
			cleanup = jen.Id("c").Dot("restore").Call(jen.Id("state"), jen.Id("prev"), jen.Id("spec"), jen.Id("relist"))
			aside = setAside(jen.Id("c"))
			code = append(code, cellRestore())
		}
		code = append(code, installForTest("c", cellName, "s", stateName, install, aside, cleanup, statePtr()))
	}
	return code
}

// cellRestore renders the end of a test hook's window with lifecycle=on:
//
//	func (c *singletonCell[A, T]) restore(state *unsafe.Pointer, prev *singletonState[A, T], spec *singletonSpec[A, T], relist func()) {
//		s := c.install(state, prev)
//		relist()
//		c.report("test", s)
//		_ = spec.dropClose(s)
//	}
func cellRestore() jen.Code {
	return doc("restore puts back prev, what a test hook set aside, and closes what the test built; relist tells package lifecycle that prev is back, for the manager did not count it meanwhile.").
		Add(method("c", cellName, "restore")).Params(statePtr(), jen.Id("prev").Add(ptrTo(stateName)), specParam(), jen.Id("relist").Func().Params()).Block(
		jen.Id("s").Op(":=").Id("c").Dot("install").Call(jen.Id("state"), jen.Id("prev")),
		jen.Id("relist").Call(),
		jen.Id("c").Dot("report").Call(jen.Lit("test"), jen.Id("s")),
		jen.Id("_").Op("=").Id("spec").Dot("dropClose").Call(jen.Id("s")),
	)
}

// setAside renders, for the test hooks of x, a cell or a map, with lifecycle=on, the
// report of what the hook sets aside, outside the manager's lock as package lifecycle
// asks:
//
//	c.mu.Lock()
//	lc := c.lc
//	c.mu.Unlock()
//	relist := lc.SetAside()
func setAside(x *jen.Statement) []jen.Code {
	return []jen.Code{
		x.Clone().Dot("mu").Dot("Lock").Call(),
		jen.Id("lc").Op(":=").Add(x.Clone()).Dot("lc"),
		x.Clone().Dot("mu").Dot("Unlock").Call(),
		jen.Id("relist").Op(":=").Id("lc").Dot("SetAside").Call(),
	}
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
			jen.If(jen.Id("b").Op("==").Nil()).Block(startBuild(n, "c", finish, cellRegistration(n, jen.Id("c").Dot("build").Op("=").Id("b"))...)...),
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
	constructArgs := []jen.Code{jen.Id("ctx"), jen.Id("b"), jen.Id("spec"), jen.Id("ctor")}
	if n.lifecycle {
		code = append(code, jen.Id("lc").Op(":=").Id(x).Dot("lc"))
		constructArgs = append(constructArgs, jen.Id("lc"))
	}
	results := jen.Bool()
	if n.bounded {
		results = jen.Params(jen.Bool(), ptrTo(stateName))
	}
	finisher := jen.Func().Params(jen.Id("s").Add(ptrTo(stateName)), jen.Id("publish").Bool()).Add(results).Block(jen.Return(finish))
	return append(code,
		unlock,
		jen.If(jen.Id("s").Op(":=").Id(constructName).Call(append(constructArgs, finisher)...), jen.Id("s").Op("!=").Nil()).Block(jen.Return(jen.Id("s"))),
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

// cellRegistration renders the recording of a new build b, with lifecycle=on preceded
// by the registration of the manager at its first build.
func cellRegistration(n needs, record jen.Code) []jen.Code {
	if !n.lifecycle {
		return []jen.Code{record}
	}
	return []jen.Code{jen.Id("c").Dot("register").Call(jen.Id("state"), jen.Id("spec")), record}
}

// cellReset renders Reset's work in single mode:
//
//	func (c *singletonCell[A, T]) reset(state *unsafe.Pointer, spec *singletonSpec[A, T]) error {
//		return spec.dropClose(c.install(state, nil))
//	}
func cellReset(n needs) jen.Code {
	body := []jen.Code{jen.Return(jen.Id("spec").Dot("dropClose").Call(jen.Id("c").Dot("install").Call(jen.Id("state"), jen.Nil())))}
	if n.lifecycle {
		body = []jen.Code{
			jen.Id("s").Op(":=").Id("c").Dot("install").Call(jen.Id("state"), jen.Nil()),
			jen.Id("c").Dot("report").Call(jen.Lit("reset"), jen.Id("s")),
			jen.Return(jen.Id("spec").Dot("dropClose").Call(jen.Id("s"))),
		}
	}
	return doc("reset drops the instance and discards the build in flight; it closes the instance unless a With holds it, and returns what closing returned.").
		Add(method("c", cellName, "reset")).Params(statePtr(), specParam()).Error().Block(body...)
}

// cellInvalidate renders Invalidate's work in single mode:
//
//	func (c *singletonCell[A, T]) invalidate(state *unsafe.Pointer, args A, inst T, spec *singletonSpec[A, T]) error {
//		c.mu.Lock()
//		s := (*singletonState[A, T])(atomic.LoadPointer(state))
//		if s == nil || s.installed || s.err != nil || s.args != args || s.instance != inst {
//			c.mu.Unlock()
//			return nil
//		}
//		atomic.StorePointer(state, nil)
//		c.mu.Unlock()
//		return spec.dropClose(s)
//	}
func cellInvalidate(n needs) jen.Code {
	unlock := jen.Id("c").Dot("mu").Dot("Unlock").Call()
	body := []jen.Code{
		jen.Id("c").Dot("mu").Dot("Lock").Call(),
		jen.Id("s").Op(":=").Parens(ptrTo(stateName)).Call(jen.Qual("sync/atomic", "LoadPointer").Call(jen.Id("state"))),
		jen.If(jen.Id("s").Op("==").Nil().Op("||").Id("s").Dot("installed").Op("||").Id("s").Dot("err").Op("!=").Nil().Op("||").Id("s").Dot("args").Op("!=").Id("args").Op("||").Id("s").Dot("instance").Op("!=").Id("inst")).Block(
			jen.Comment("a cached error is no instance: Invalidate(args, nil) after it keeps it"),
			unlock.Clone(),
			jen.Return(jen.Nil()),
		),
		jen.Qual("sync/atomic", "StorePointer").Call(jen.Id("state"), jen.Nil()),
		unlock.Clone(),
	}
	if n.lifecycle {
		body = append(body, jen.Id("c").Dot("report").Call(jen.Lit("invalidate"), jen.Id("s")))
	}
	body = append(body, jen.Return(jen.Id("spec").Dot("dropClose").Call(jen.Id("s"))))
	return doc("invalidate drops inst, if it still is the instance built with args, and closes it unless a With holds it; it leaves a build in flight alone.").
		Add(method("c", cellName, "invalidate")).Params(statePtr(), jen.Id("args").Id("A"), jen.Id("inst").Id("T"), specParam()).Error().Block(body...)
}

// cellRegister renders the registration of a single-mode manager with package
// lifecycle, at its first build:
//
//	func (c *singletonCell[A, T]) register(state *unsafe.Pointer, spec *singletonSpec[A, T]) {
//		if c.lc != nil || spec.lifecycle == "" {
//			return
//		}
//		c.lc = lifecycle.Register(lifecycle.Manager{
//			Name:  spec.lifecycle,
//			Len:   func() int { return c.held(state) },
//			Reset: func(ctx context.Context) (<-chan struct{}, error) { return nil, c.shutdown(ctx, state, spec) },
//		})
//	}
func cellRegister() jen.Code {
	return doc("register registers the manager with package lifecycle, once, if spec asks for it. c.mu is held.").
		Add(method("c", cellName, "register")).Params(statePtr(), specParam()).Block(
		jen.If(jen.Id("c").Dot("lc").Op("!=").Nil().Op("||").Id("spec").Dot("lifecycle").Op("==").Lit("")).Block(jen.Return()),
		jen.Id("c").Dot("lc").Op("=").Qual(lifecyclePath, "Register").Call(jen.Qual(lifecyclePath, "Manager").Values(lines([]jen.Code{
			field("Name", jen.Id("spec").Dot("lifecycle")),
			field("Len", jen.Func().Params().Int().Block(jen.Return(jen.Id("c").Dot("held").Call(jen.Id("state"))))),
			field("Reset", jen.Func().Params(jen.Id("ctx").Qual("context", "Context")).Params(jen.Op("<-").Chan().Struct(), jen.Error()).Block(
				jen.Return(jen.Nil(), jen.Id("c").Dot("shutdown").Call(jen.Id("ctx"), jen.Id("state"), jen.Id("spec"))).Comment("claim reports what With holds"),
			)),
		})...)),
	)
}

// cellHeld renders what package lifecycle counts of a single-mode manager:
//
//	func (c *singletonCell[A, T]) held(state *unsafe.Pointer) int {
//		c.mu.Lock()
//		defer c.mu.Unlock()
//		n := 0
//		if s := (*singletonState[A, T])(atomic.LoadPointer(state)); s != nil && s.err == nil && !s.installed {
//			n++
//		}
//		if c.build != nil {
//			n++
//		}
//		return n
//	}
func cellHeld() jen.Code {
	return doc("held counts what Shutdown has to drop: the instance the manager built, and its build in flight.").
		Add(method("c", cellName, "held")).Params(statePtr()).Int().Block(
		jen.Id("c").Dot("mu").Dot("Lock").Call(),
		jen.Defer().Id("c").Dot("mu").Dot("Unlock").Call(),
		jen.Id("n").Op(":=").Lit(0),
		jen.If(
			jen.Id("s").Op(":=").Parens(ptrTo(stateName)).Call(jen.Qual("sync/atomic", "LoadPointer").Call(jen.Id("state"))),
			jen.Id("s").Op("!=").Nil().Op("&&").Id("s").Dot("err").Op("==").Nil().Op("&&").Op("!").Id("s").Dot("installed"),
		).Block(jen.Id("n").Op("++")),
		jen.If(jen.Id("c").Dot("build").Op("!=").Nil()).Block(jen.Id("n").Op("++")),
		jen.Return(jen.Id("n")),
	)
}

// cellShutdown renders what lifecycle.Shutdown does to a single-mode manager: Reset,
// with its context for Close, leaving a test's fake installed.
func cellShutdown() jen.Code {
	unlock := jen.Id("c").Dot("mu").Dot("Unlock").Call()
	return doc("shutdown drops the instance the manager built and discards its build in flight, for lifecycle.Shutdown; a fake that a test hook installed stays. It closes the instance with ctx unless a With holds it, which claim reports to package lifecycle, and returns what closing returned.").
		Add(method("c", cellName, "shutdown")).Params(jen.Id("ctx").Qual("context", "Context"), statePtr(), specParam()).Error().Block(
		jen.Id("c").Dot("mu").Dot("Lock").Call(),
		jen.If(jen.Id("c").Dot("build").Op("!=").Nil()).Block(
			jen.Id("c").Dot("build").Dot("end").Call(jen.Nil()),
			jen.Id("c").Dot("build").Op("=").Nil(),
		),
		jen.Id("s").Op(":=").Parens(ptrTo(stateName)).Call(jen.Qual("sync/atomic", "LoadPointer").Call(jen.Id("state"))),
		jen.If(jen.Id("s").Op("==").Nil().Op("||").Id("s").Dot("installed").Op("||").Id("s").Dot("err").Op("!=").Nil()).Block(
			unlock.Clone(),
			jen.Return(jen.Nil()),
		),
		jen.Qual("sync/atomic", "StorePointer").Call(jen.Id("state"), jen.Nil()),
		unlock.Clone(),
		jen.Id("c").Dot("report").Call(jen.Lit("shutdown"), jen.Id("s")),
		jen.If(jen.Op("!").Id("s").Dot("drop").Call()).Block(jen.Return(jen.Nil())),
		jen.Return(jen.Id("spec").Dot("closeOne").Call(jen.Id("ctx"), jen.Id("s"))),
	)
}

// cellReport renders the report of a drop to package lifecycle:
//
//	func (c *singletonCell[A, T]) report(reason string, s *singletonState[A, T]) {
//		c.mu.Lock()
//		lc := c.lc
//		c.mu.Unlock()
//		if s != nil && s.err == nil && !s.installed {
//			lc.Dropped(reason, 1)
//		}
//	}
func cellReport() jen.Code {
	return doc("report reports to package lifecycle that the manager dropped s, an instance it built, for reason. c.mu is not held.").
		Add(method("c", cellName, "report")).Params(jen.Id("reason").String(), jen.Id("s").Add(ptrTo(stateName))).Block(
		jen.Id("c").Dot("mu").Dot("Lock").Call(),
		jen.Id("lc").Op(":=").Id("c").Dot("lc"),
		jen.Id("c").Dot("mu").Dot("Unlock").Call(),
		jen.If(jen.Id("s").Op("!=").Nil().Op("&&").Id("s").Dot("err").Op("==").Nil().Op("&&").Op("!").Id("s").Dot("installed")).Block(
			jen.Id("lc").Dot("Dropped").Call(jen.Id("reason"), jen.Lit(1)),
		),
	)
}

// installForTest renders the method of a cell or map that the test hooks call; install
// renders the call of its install method, aside what follows it, cleanup the end of the
// test's window, and lead are the parameters it takes first:
//
//	func (c *singletonCell[A, T]) installForTest(state *unsafe.Pointer, tb singletonTB, hook string, s *singletonState[A, T], spec *singletonSpec[A, T]) {
//		singletonGuard(tb, hook)
//		prev := c.install(state, s)
//		tb.Cleanup(func() { _ = spec.dropClose(c.install(state, prev)) })
//	}
func installForTest(x, holder, param, paramType string, install func(what string) *jen.Statement, aside []jen.Code, cleanup jen.Code, lead ...jen.Code) jen.Code {
	params := append(lead, jen.Id("tb").Id(tbName), jen.Id("hook").String(), jen.Id(param).Add(ptrTo(paramType)), specParam())
	body := []jen.Code{
		jen.Id(guardName).Call(jen.Id("tb"), jen.Id("hook")),
		jen.Id("prev").Op(":=").Add(install(param)),
	}
	body = append(body, aside...)
	body = append(body, jen.Id("tb").Dot("Cleanup").Call(jen.Func().Params().Block(cleanup)))
	return doc("installForTest installs " + param + " until tb's test ends, then restores what was there and closes what the test built.").
		Add(method(x, holder, "installForTest")).Params(params...).Block(body...)
}
