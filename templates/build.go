package templates

import (
	"fmt"

	"github.com/dave/jennifer/jen"
)

// slowPath renders get, the slow path of Get. In single mode, with a context:
//
//	//go:noinline
//	func (m *ClientManager) get(ctx context.Context, args clientArgs) *clientState {
//		outer, _ := ctx.Value(clientBuildKey{}).(*clientBuild)
//		for {
//			m.mu.Lock()
//			if s := (*clientState)(atomic.LoadPointer(&m.state)); s != nil {
//				m.mu.Unlock()
//				if s.installed || s.args == args {
//					return s
//				}
//				return &clientState{err: ErrClientConflict}
//			}
//			b := m.build
//			if b == nil {
//				if err := ctx.Err(); err != nil {
//					m.mu.Unlock()
//					return &clientState{err: err}
//				}
//				b = &clientBuild{args: args, done: make(chan struct{}), outer: outer}
//				m.build = b
//				m.mu.Unlock()
//				if s := m.construct(ctx, b); s != nil {
//					return s
//				}
//				continue
//			}
//			m.mu.Unlock()
//			if b.args != args {
//				return &clientState{err: ErrClientConflict}
//			}
//			for o := outer; o != nil; o = o.outer {
//				if o == b {
//					return &clientState{err: errors.New("...")}
//				}
//			}
//			select {
//			case <-b.done:
//			case <-ctx.Done():
//				return &clientState{err: ctx.Err()}
//			}
//			if b.result != nil {
//				return b.result
//			}
//		}
//	}
//
// In keyed mode, the index and the builds by arguments replace state and build.
func (e *emitter) slowPath() []jen.Code {
	m, n := e.m, e.m.Names
	hasCtx := m.Context != ""
	conflict := jen.Return(e.newState(field("err", jen.Id(n.Conflict))))

	var loop []jen.Code
	loop = append(loop, lock())
	var current, register []jen.Code
	if m.Keyed {
		current = []jen.Code{jen.Id("x").Op(":=").Add(load(n.Index, jen.Id("m").Dot("index")))}
		if m.TestHooks {
			current = append(current, jen.If(jen.Id("x").Op("!=").Nil().Op("&&").Id("x").Dot("all").Op("!=").Nil()).Block(
				unlock(), jen.Return(jen.Id("x").Dot("all")),
			))
		}
		current = append(current,
			jen.If(jen.Id("s").Op(":=").Id("m").Dot("lookup").Call(jen.Id("x"), jen.Id("args")), jen.Id("s").Op("!=").Nil()).Block(
				unlock(), jen.Return(jen.Id("s")),
			),
			jen.Id("b").Op(":=").Id("m").Dot("builds").Index(jen.Id("args")),
		)
		register = []jen.Code{
			jen.If(jen.Id("m").Dot("builds").Op("==").Nil()).Block(
				jen.Id("m").Dot("builds").Op("=").Make(jen.Map(jen.Id(n.Args)).Op("*").Id(n.Build)),
			),
			jen.Id("m").Dot("builds").Index(jen.Id("args")).Op("=").Id("b"),
		}
	} else {
		published := []jen.Code{unlock()}
		if m.HasConflicts() {
			match := jen.Id("s").Dot("args").Op("==").Id("args")
			if e.installedField() {
				match = jen.Id("s").Dot("installed").Op("||").Add(match)
			}
			published = append(published, jen.If(match).Block(jen.Return(jen.Id("s"))), conflict.Clone())
		} else {
			published = append(published, jen.Return(jen.Id("s")))
		}
		current = []jen.Code{
			jen.If(jen.Id("s").Op(":=").Add(load(n.State, jen.Id("m").Dot("state"))), jen.Id("s").Op("!=").Nil()).Block(published...),
			jen.Id("b").Op(":=").Id("m").Dot("build"),
		}
		register = []jen.Code{jen.Id("m").Dot("build").Op("=").Id("b")}
	}
	loop = append(loop, current...)

	var newBuild []jen.Code
	if m.HasParams() {
		newBuild = append(newBuild, field("args", jen.Id("args")))
	}
	newBuild = append(newBuild, field("done", jen.Make(jen.Chan().Struct())))
	var start []jen.Code
	constructArgs := []jen.Code{jen.Id("b")}
	if hasCtx {
		newBuild = append(newBuild, field("outer", jen.Id("outer")))
		start = append(start, jen.If(jen.Err().Op(":=").Id("ctx").Dot("Err").Call(), jen.Err().Op("!=").Nil()).Block(
			unlock(), jen.Return(e.newState(field("err", jen.Err()))),
		))
		constructArgs = []jen.Code{jen.Id("ctx"), jen.Id("b")}
	}
	start = append(start, jen.Id("b").Op("=").Op("&").Id(n.Build).Values(newBuild...))
	start = append(start, register...)
	start = append(start,
		unlock(),
		jen.If(jen.Id("s").Op(":=").Id("m").Dot("construct").Call(constructArgs...), jen.Id("s").Op("!=").Nil()).Block(jen.Return(jen.Id("s"))),
		jen.Comment("The build was discarded: build again."),
		jen.Continue(),
	)
	loop = append(loop, jen.If(jen.Id("b").Op("==").Nil()).Block(start...), unlock())

	if m.HasConflicts() {
		loop = append(loop, jen.If(jen.Id("b").Dot("args").Op("!=").Id("args")).Block(conflict.Clone()))
	}
	if hasCtx {
		loop = append(loop,
			jen.For(jen.Id("o").Op(":=").Id("outer"), jen.Id("o").Op("!=").Nil(), jen.Id("o").Op("=").Id("o").Dot("outer")).Block(
				jen.If(jen.Id("o").Op("==").Id("b")).Block(
					jen.Return(e.newState(field("err", jen.Qual("errors", "New").Call(jen.Lit(
						e.message("%s constructor asked its own manager for the %s it is building, which would wait for itself", m.Type, m.Type)))))),
				),
			),
			jen.Select().Block(
				jen.Case(jen.Op("<-").Id("b").Dot("done")),
				jen.Case(jen.Op("<-").Id("ctx").Dot("Done").Call()).Block(
					jen.Return(e.newState(field("err", jen.Id("ctx").Dot("Err").Call()))),
				),
			),
		)
	} else {
		loop = append(loop, jen.Op("<-").Id("b").Dot("done"))
	}
	result := []jen.Code{jen.Return(jen.Id("b").Dot("result"))}
	if !m.GetReturnsError() {
		// Nothing to return an error with: the waiters panic as the builder did.
		result = append([]jen.Code{
			jen.If(jen.Id("b").Dot("result").Dot("err").Op("!=").Nil()).Block(jen.Panic(jen.Id("b").Dot("result").Dot("err"))),
		}, result...)
	}
	loop = append(loop,
		jen.If(jen.Id("b").Dot("result").Op("!=").Nil()).Block(result...),
		jen.Comment("The build was discarded: try again."),
	)

	var params []jen.Code
	var body []jen.Code
	if hasCtx {
		params = append(params, jen.Id("ctx").Qual("context", "Context"))
		body = append(body, jen.List(jen.Id("outer"), jen.Id("_")).Op(":=").Id("ctx").Dot("Value").Call(jen.Id(n.BuildKey).Values()).Assert(jen.Op("*").Id(n.Build)))
	}
	if m.HasParams() {
		params = append(params, jen.Id("args").Id(n.Args))
	}
	body = append(body, jen.For().Block(loop...))
	return []jen.Code{
		doc("get is the slow path of Get: it waits for the build in flight, or runs one, and returns what Get returns. It stays out of line so that Get inlines into its callers.").
			Comment("").Line().
			Comment("//go:noinline").Line().
			Func().Add(e.receiver()).Id("get").Params(params...).Op("*").Id(n.State).Block(body...),
	}
}

// construct renders the function that runs the constructor for a build:
//
//	func (m *ClientManager) construct(ctx context.Context, b *clientBuild) *clientState {
//		returned := false
//		defer func() {
//			if returned {
//				return
//			}
//			r := recover()
//			failure := "called runtime.Goexit"
//			if r != nil {
//				failure = "panicked"
//			}
//			m.finish(b, &clientState{err: errors.New("paragon: Client constructor " + failure + " in another goroutine")}, false)
//			if r != nil {
//				panic(r)
//			}
//		}()
//		ctor := m.ctor
//		if ctor == nil {
//			ctor = NewClient
//		}
//		c, err := ctor(context.WithValue(ctx, clientBuildKey{}, b), b.args.apiKey)
//		returned = true
//		if err != nil && ctx.Err() != nil {
//			m.finish(b, nil, false)
//			return &clientState{err: err}
//		}
//		...
//	}
func (e *emitter) construct() []jen.Code {
	m, n := e.m, e.m.Names
	hasCtx := m.Context != ""

	failedState := func(what string) *jen.Statement {
		return e.newState(field("err", jen.Qual("errors", "New").Call(
			jen.Lit(e.message("%s constructor %s in another goroutine", m.Type, what)))))
	}
	onGoexit := []jen.Code{
		jen.If(jen.Op("!").Id("returned").Op("&&").Op("!").Id("failed")).Block(
			jen.Comment("The constructor called runtime.Goexit (as t.FailNow does): keep"),
			jen.Comment("nothing, tell the waiters, and let the Goexit go on."),
			jen.Id("m").Dot("finish").Call(jen.Id("b"), failedState("called runtime.Goexit"), jen.False()),
		),
	}
	onPanic := []jen.Code{
		jen.If(jen.Id("returned")).Block(jen.Return()),
		jen.If(jen.Id("r").Op(":=").Recover(), jen.Id("r").Op("!=").Nil()).Block(
			jen.Comment("The constructor panicked: keep nothing, tell the waiters, and let the"),
			jen.Comment("panic go on, from here, where its stack is still whole."),
			jen.Id("failed").Op("=").True(),
			jen.Id("m").Dot("finish").Call(jen.Id("b"), failedState("panicked"), jen.False()),
			jen.Panic(jen.Id("r")),
		),
		jen.Comment("No panic value: runtime.Goexit, which goes on, or panic(nil) under"),
		jen.Comment("GODEBUG panicnil=1, which recover stopped and which is raised again below."),
	}

	var call []jen.Code
	var ctorArgs []jen.Code
	if hasCtx {
		ctorArgs = append(ctorArgs, jen.Qual("context", "WithValue").Call(jen.Id("ctx"), jen.Id(n.BuildKey).Values(), jen.Id("b")))
	}
	for _, p := range m.Params {
		ctorArgs = append(ctorArgs, jen.Id("b").Dot("args").Dot(p.Name))
	}
	results := jen.Id("c")
	if m.ReturnsError {
		results = jen.List(jen.Id("c"), jen.Err())
	}
	switch {
	case m.Constructor == "":
		call = append(call,
			jen.If(jen.Id("m").Dot("ctor").Op("!=").Nil()).Block(
				jen.Id("c").Op("=").Id("m").Dot("ctor").Call(),
			).Else().Block(
				jen.Id("c").Op("=").New(jen.Id(m.Type)),
			),
		)
	case m.Interface != nil:
		// The default constructor returns *T: a nil one must stay a nil interface.
		fromDefault := jen.Id("t")
		if m.ReturnsError {
			fromDefault = jen.List(jen.Id("t"), jen.Err())
		}
		call = append(call, jen.If(jen.Id("m").Dot("ctor").Op("!=").Nil()).Block(
			results.Clone().Op("=").Id("m").Dot("ctor").Call(ctorArgs...),
		).Else().Block(
			jen.Var().Id("t").Op("*").Id(m.Type),
			fromDefault.Op("=").Id(m.Constructor).Call(ctorArgs...),
			jen.If(jen.Id("t").Op("!=").Nil()).Block(jen.Id("c").Op("=").Id("t")),
		))
	default:
		call = append(call,
			jen.Id("ctor").Op(":=").Id("m").Dot("ctor"),
			jen.If(jen.Id("ctor").Op("==").Nil()).Block(jen.Id("ctor").Op("=").Id(m.Constructor)),
			results.Clone().Op("=").Id("ctor").Call(ctorArgs...),
		)
	}
	call = append(call, jen.Id("returned").Op("=").True())

	var args []jen.Code
	if m.HasConflicts() {
		args = append(args, field("args", jen.Id("b").Dot("args")))
	}
	var outcome []jen.Code
	if m.ReturnsError && hasCtx {
		outcome = append(outcome,
			jen.If(jen.Err().Op("!=").Nil().Op("&&").Id("ctx").Dot("Err").Call().Op("!=").Nil()).Block(
				jen.Comment("This caller's own context ended the build: the error is for it alone,"),
				jen.Comment("never kept, and the waiters build again with their own contexts."),
				jen.Id("m").Dot("finish").Call(jen.Id("b"), jen.Nil(), jen.False()),
				jen.Return(e.newState(field("err", jen.Err()))),
			),
		)
	}
	if m.ReturnsError {
		keep := jen.False()
		what := "A failed build is not kept: the next Get tries again."
		if m.OnError == Cache {
			keep = jen.True()
			what = "The error is kept (onerror=cache) until Reset."
		}
		outcome = append(outcome,
			jen.If(jen.Err().Op("!=").Nil()).Block(
				jen.Comment(what),
				jen.Id("s").Op(":=").Add(e.newState(append(args, field("err", jen.Err()))...)),
				jen.If(jen.Op("!").Id("m").Dot("finish").Call(jen.Id("b"), jen.Id("s"), keep)).Block(jen.Return(jen.Nil())),
				jen.Return(jen.Id("s")),
			),
		)
	}
	nilErr := jen.Qual("errors", "New").Call(jen.Lit(e.message("%s constructor returned a nil %s", m.Type, e.instanceName())))
	var onNil []jen.Code
	if m.GetReturnsError() {
		onNil = []jen.Code{
			jen.Id("s").Op(":=").Add(e.newState(field("err", nilErr))),
			jen.If(jen.Op("!").Id("m").Dot("finish").Call(jen.Id("b"), jen.Id("s"), jen.False())).Block(jen.Return(jen.Nil())),
			jen.Return(jen.Id("s")),
		}
	} else {
		onNil = []jen.Code{
			jen.Id("s").Op(":=").Add(e.newState(field("err", nilErr))),
			jen.Id("m").Dot("finish").Call(jen.Id("b"), jen.Id("s"), jen.False()),
			jen.Panic(jen.Id("s").Dot("err")),
		}
	}
	outcome = append(outcome, jen.If(e.isNilInstance(jen.Id("c"))...).Block(onNil...))
	var discard []jen.Code
	if m.Close != NoClose {
		discard = append(discard, jen.Comment("Nobody will see c: close it."), e.closeInstance(jen.Id("c")))
	}
	discard = append(discard, jen.Return(jen.Nil()))
	outcome = append(outcome,
		jen.Id("s").Op(":=").Add(e.newState(append(args, field("instance", jen.Id("c")))...)),
		jen.If(jen.Op("!").Id("m").Dot("finish").Call(jen.Id("b"), jen.Id("s"), jen.True())).Block(discard...),
		jen.Return(jen.Id("s")),
	)

	body := []jen.Code{
		jen.List(jen.Id("returned"), jen.Id("failed")).Op(":=").List(jen.False(), jen.False()),
		jen.Defer().Func().Params().Block(onGoexit...).Call(),
		jen.Var().Id("c").Add(e.instanceType()),
	}
	if m.ReturnsError {
		body = append(body, jen.Var().Err().Error())
	}
	body = append(body,
		jen.Func().Params().Block(append([]jen.Code{jen.Defer().Func().Params().Block(onPanic...).Call()}, call...)...).Call(),
		jen.If(jen.Op("!").Id("returned")).Block(
			jen.Id("failed").Op("=").True(),
			jen.Id("m").Dot("finish").Call(jen.Id("b"), failedState("panicked"), jen.False()),
			jen.Panic(jen.Nil()),
		),
	)
	body = append(body, outcome...)
	params := []jen.Code{jen.Id("b").Op("*").Id(n.Build)}
	what := "construct runs the constructor for b on the calling goroutine, so that a panic reaches its caller, then ends b."
	if hasCtx {
		params = append([]jen.Code{jen.Id("ctx").Qual("context", "Context")}, params...)
		what = "construct runs the constructor for b on the calling goroutine, with the caller's context marked with b, so that a panic reaches its caller, then ends b."
	}
	return []jen.Code{
		doc(what + " It returns what the caller's Get returns, or nil when b was discarded and the caller must build again.").
			Func().Add(e.receiver()).Id("construct").Params(params...).Op("*").Id(n.State).Block(body...),
	}
}

// finish renders the end of a build. In single mode:
//
//	func (m *ClientManager) finish(b *clientBuild, s *clientState, publish bool) bool {
//		m.mu.Lock()
//		current := m.build == b
//		if current {
//			m.build = nil
//			b.result = s
//			if publish {
//				atomic.StorePointer(&m.state, unsafe.Pointer(s))
//			}
//		}
//		m.mu.Unlock()
//		close(b.done)
//		return current
//	}
//
// In keyed mode the build is the one for its arguments, and publishing adds to dirty.
func (e *emitter) finish() []jen.Code {
	n := e.m.Names
	current := jen.Id("m").Dot("build").Op("==").Id("b")
	end := jen.Id("m").Dot("build").Op("=").Nil()
	publish := jen.Qual("sync/atomic", "StorePointer").Call(jen.Op("&").Id("m").Dot("state"), jen.Qual("unsafe", "Pointer").Call(jen.Id("s")))
	discarders := "Reset or a test hook"
	if e.m.Keyed {
		current = jen.Id("m").Dot("builds").Index(jen.Id("b").Dot("args")).Op("==").Id("b")
		end = jen.Delete(jen.Id("m").Dot("builds"), jen.Id("b").Dot("args"))
		publish = jen.Id("m").Dot("writable").Call().Index(jen.Id("b").Dot("args")).Op("=").Id("s")
		discarders = "Delete, Reset or a test hook"
	}
	return []jen.Code{
		doc(fmt.Sprintf("finish ends build b with s, which it publishes if publish is set, and wakes b's waiters. It reports false, and does nothing else, when %s discarded b.", discarders)).
			Func().Add(e.receiver()).Id("finish").Params(
			jen.Id("b").Op("*").Id(n.Build), jen.Id("s").Op("*").Id(n.State), jen.Id("publish").Bool(),
		).Bool().Block(
			lock(),
			jen.Id("current").Op(":=").Add(current),
			jen.If(jen.Id("current")).Block(
				end,
				jen.Id("b").Dot("result").Op("=").Id("s"),
				jen.If(jen.Id("publish")).Block(publish),
			),
			unlock(),
			jen.Close(jen.Id("b").Dot("done")),
			jen.Return(jen.Id("current")),
		),
	}
}

// isNilInstance renders the condition under which x, an instance, is nil; with iface=,
// also when the interface holds a nil *T, as an injected constructor may return.
func (e *emitter) isNilInstance(x *jen.Statement) []jen.Code {
	if e.m.Interface == nil {
		return []jen.Code{x.Clone().Op("==").Nil()}
	}
	return []jen.Code{
		jen.List(jen.Id("t"), jen.Id("ok")).Op(":=").Add(x.Clone()).Assert(jen.Op("*").Id(e.m.Type)),
		x.Clone().Op("==").Nil().Op("||").Id("ok").Op("&&").Id("t").Op("==").Nil(),
	}
}
