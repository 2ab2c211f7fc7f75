package templates

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/singletongen/singletongen/model"
)

// slowPathArgs renders the arguments of the slow path from the accessors' parameters:
// ctx, clientArgs{apiKey: apiKey}
func (e *emitter) slowPathArgs() []jen.Code {
	var args []jen.Code
	if e.m.Context != "" {
		args = append(args, jen.Id(e.m.Context))
	}
	if e.m.HasParams() {
		args = append(args, e.argsLiteral())
	}
	return args
}

// results renders what an accessor returns from state s: s.instance, and err when the
// accessors return an error.
func (e *emitter) results(err jen.Code) []jen.Code {
	if e.m.GetReturnsError() {
		return []jen.Code{jen.Id("s").Dot("instance"), err}
	}
	return []jen.Code{jen.Id("s").Dot("instance")}
}

// conflict renders the slow path's answer to arguments other than the instance's:
// return &clientState{err: ErrClientConflict}
func (e *emitter) conflict() *jen.Statement {
	return jen.Return(e.newState(field("err", jen.Id(e.m.Names.Conflict))))
}

// slowPath renders the slow path of Get. In single mode, with a context:
//
//	func (m *ClientManager) get(ctx context.Context, args clientArgs) *clientState {
//		outer, _ := ctx.Value(clientBuildKey{}).(*clientBuild)
//		for {
//			m.mu.Lock()
//			if s := (*clientState)(atomic.LoadPointer(&m.state)); s != nil {
//				...
//			}
//			b := m.build
//			if b == nil {
//				... start a build, run it, and return what it returned
//			}
//			m.mu.Unlock()
//			... wait for b
//			if b.result != nil {
//				return b.result
//			}
//		}
//	}
func (e *emitter) slowPath() []jen.Code {
	m, n := e.m, e.m.Names
	loop := append([]jen.Code{lock()}, e.store.current()...)
	loop = append(loop, jen.If(jen.Id("b").Op("==").Nil()).Block(e.startBuild()...), unlock())
	loop = append(loop, e.waitForBuild()...)

	var params, body []jen.Code
	if m.Context != "" {
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

// startBuild renders the slow path's start of a build, with m.mu held:
//
//	if err := ctx.Err(); err != nil {
//		m.mu.Unlock()
//		return &clientState{err: err}
//	}
//	b = &clientBuild{args: args, done: make(chan struct{}), outer: outer}
//	m.build = b
//	m.mu.Unlock()
//	if s := m.construct(ctx, b); s != nil {
//		return s
//	}
//	// The build was discarded: build again.
//	continue
func (e *emitter) startBuild() []jen.Code {
	var fields, start []jen.Code
	if e.m.HasParams() {
		fields = append(fields, field("args", jen.Id("args")))
	}
	fields = append(fields, field("done", jen.Make(jen.Chan().Struct())))
	constructArgs := []jen.Code{jen.Id("b")}
	if e.m.Context != "" {
		fields = append(fields, field("outer", jen.Id("outer")))
		start = append(start, jen.If(jen.Err().Op(":=").Id("ctx").Dot("Err").Call(), jen.Err().Op("!=").Nil()).Block(
			unlock(), jen.Return(e.newState(field("err", jen.Err()))),
		))
		constructArgs = []jen.Code{jen.Id("ctx"), jen.Id("b")}
	}
	start = append(start, jen.Id("b").Op("=").Op("&").Id(e.m.Names.Build).Values(fields...))
	start = append(start, e.store.register()...)
	return append(start,
		unlock(),
		jen.If(jen.Id("s").Op(":=").Id("m").Dot("construct").Call(constructArgs...), jen.Id("s").Op("!=").Nil()).Block(jen.Return(jen.Id("s"))),
		jen.Comment("The build was discarded: build again."),
		jen.Continue(),
	)
}

// waitForBuild renders the slow path's wait for build b, another caller's:
//
//	if b.args != args {
//		return &clientState{err: ErrClientConflict}
//	}
//	for o := outer; o != nil; o = o.outer {
//		if o == b {
//			return &clientState{err: errors.New("...")}
//		}
//	}
//	select {
//	case <-b.done:
//	case <-ctx.Done():
//		return &clientState{err: ctx.Err()}
//	}
//	if b.result != nil {
//		return b.result
//	}
//	// The build was discarded: try again.
func (e *emitter) waitForBuild() []jen.Code {
	m := e.m
	var wait []jen.Code
	if m.HasConflicts() {
		wait = append(wait, jen.If(jen.Id("b").Dot("args").Op("!=").Id("args")).Block(e.conflict()))
	}
	if m.Context != "" {
		wait = append(wait,
			jen.For(jen.Id("o").Op(":=").Id("outer"), jen.Id("o").Op("!=").Nil(), jen.Id("o").Op("=").Id("o").Dot("outer")).Block(
				jen.If(jen.Id("o").Op("==").Id("b")).Block(
					jen.Return(e.newState(field("err", jen.Qual("errors", "New").Call(jen.Lit(
						e.message("%s constructor asked its own manager for the %s it is building, which would wait for itself", m.Stem, m.Stem)))))),
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
		wait = append(wait, jen.Op("<-").Id("b").Dot("done"))
	}
	result := []jen.Code{jen.Return(jen.Id("b").Dot("result"))}
	if !m.GetReturnsError() {
		// Nothing to return an error with: the waiters panic as the builder did.
		result = append([]jen.Code{
			jen.If(jen.Id("b").Dot("result").Dot("err").Op("!=").Nil()).Block(jen.Panic(jen.Id("b").Dot("result").Dot("err"))),
		}, result...)
	}
	return append(wait,
		jen.If(jen.Id("b").Dot("result").Op("!=").Nil()).Block(result...),
		jen.Comment("The build was discarded: try again."),
	)
}

// construct renders the function that runs the constructor for a build:
//
//	func (m *ClientManager) construct(ctx context.Context, b *clientBuild) *clientState {
//		returned, failed := false, false
//		defer func() {
//			if !returned && !failed {
//				// runtime.Goexit: tell the waiters
//			}
//		}()
//		var c *Client
//		var err error
//		func() {
//			defer func() { ... recover, tell the waiters, panic again ... }()
//			... c, err = the constructor
//			returned = true
//		}()
//		... the outcome: end b with an error or the instance
//	}
func (e *emitter) construct() []jen.Code {
	m, n := e.m, e.m.Names
	body := []jen.Code{
		jen.List(jen.Id("returned"), jen.Id("failed")).Op(":=").List(jen.False(), jen.False()),
		jen.Defer().Func().Params().Block(
			jen.If(jen.Op("!").Id("returned").Op("&&").Op("!").Id("failed")).Block(
				jen.Comment("The constructor called runtime.Goexit (as t.FailNow does): keep"),
				jen.Comment("nothing, tell the waiters, and let the Goexit go on."),
				jen.Id("m").Dot("finish").Call(jen.Id("b"), e.failedState("called runtime.Goexit"), jen.False()),
			),
		).Call(),
		jen.Var().Id("c").Add(e.instanceType()),
	}
	if m.ReturnsError {
		body = append(body, jen.Var().Err().Error())
	}
	onPanic := []jen.Code{
		jen.If(jen.Id("returned")).Block(jen.Return()),
		jen.If(jen.Id("r").Op(":=").Recover(), jen.Id("r").Op("!=").Nil()).Block(
			jen.Comment("The constructor panicked: keep nothing, tell the waiters, and let the"),
			jen.Comment("panic go on, from here, where its stack is still whole."),
			jen.Id("failed").Op("=").True(),
			jen.Id("m").Dot("finish").Call(jen.Id("b"), e.failedState("panicked"), jen.False()),
			jen.Panic(jen.Id("r")),
		),
		jen.Comment("No panic value: runtime.Goexit, which goes on, or panic(nil) under"),
		jen.Comment("GODEBUG panicnil=1, which recover stopped and which is raised again below."),
	}
	call := append([]jen.Code{jen.Defer().Func().Params().Block(onPanic...).Call()}, e.callConstructor()...)
	body = append(body,
		jen.Func().Params().Block(append(call, jen.Id("returned").Op("=").True())...).Call(),
		jen.If(jen.Op("!").Id("returned")).Block(
			jen.Id("failed").Op("=").True(),
			jen.Id("m").Dot("finish").Call(jen.Id("b"), e.failedState("panicked"), jen.False()),
			jen.Panic(jen.Nil()),
		),
	)
	body = append(body, e.outcome()...)
	params := []jen.Code{jen.Id("b").Op("*").Id(n.Build)}
	what := "construct runs the constructor for b on the calling goroutine, so that a panic reaches its caller, then ends b."
	if m.Context != "" {
		params = append([]jen.Code{jen.Id("ctx").Qual("context", "Context")}, params...)
		what = "construct runs the constructor for b on the calling goroutine, with the caller's context marked with b, so that a panic reaches its caller, then ends b."
	}
	return []jen.Code{
		doc(what + " It returns what the caller's Get returns, or nil when b was discarded and the caller must build again.").
			Func().Add(e.receiver()).Id("construct").Params(params...).Op("*").Id(n.State).Block(body...),
	}
}

// failedState renders the state that the waiters of a build whose constructor failed
// in another way than returning get.
func (e *emitter) failedState(what string) *jen.Statement {
	return e.newState(field("err", jen.Qual("errors", "New").Call(
		jen.Lit(e.message("%s constructor %s in another goroutine", e.m.Stem, what)))))
}

// callConstructor renders the call of the injected constructor, or of the default one:
//
//	ctor := m.ctor
//	if ctor == nil {
//		ctor = NewClient
//	}
//	c, err = ctor(context.WithValue(ctx, clientBuildKey{}, b), b.args.apiKey)
func (e *emitter) callConstructor() []jen.Code {
	m := e.m
	var args []jen.Code
	if m.Context != "" {
		args = append(args, jen.Qual("context", "WithValue").Call(jen.Id("ctx"), jen.Id(m.Names.BuildKey).Values(), jen.Id("b")))
	}
	for _, p := range m.Params {
		args = append(args, jen.Id("b").Dot("args").Dot(p.Name))
	}
	results := jen.Id("c")
	if m.ReturnsError {
		results = jen.List(jen.Id("c"), jen.Err())
	}
	switch {
	case m.Constructor.Name == "":
		return []jen.Code{
			jen.If(jen.Id("m").Dot("ctor").Op("!=").Nil()).Block(
				jen.Id("c").Op("=").Id("m").Dot("ctor").Call(),
			).Else().Block(
				jen.Id("c").Op("=").New(typ(m.Zero)),
			),
		}
	case m.Interface != nil:
		// The default constructor returns *T: a nil one must stay a nil interface.
		fromDefault := jen.Id("t")
		if m.ReturnsError {
			fromDefault = jen.List(jen.Id("t"), jen.Err())
		}
		return []jen.Code{jen.If(jen.Id("m").Dot("ctor").Op("!=").Nil()).Block(
			results.Clone().Op("=").Id("m").Dot("ctor").Call(args...),
		).Else().Block(
			jen.Var().Id("t").Add(typ(m.Result)),
			fromDefault.Op("=").Add(e.constructor()).Call(args...),
			jen.If(jen.Id("t").Op("!=").Nil()).Block(jen.Id("c").Op("=").Id("t")),
		)}
	}
	return []jen.Code{
		jen.Id("ctor").Op(":=").Id("m").Dot("ctor"),
		jen.If(jen.Id("ctor").Op("==").Nil()).Block(jen.Id("ctor").Op("=").Add(e.constructor())),
		results.Op("=").Id("ctor").Call(args...),
	}
}

// outcome renders the end of construct, once the constructor returned c (and err):
//
//	if err != nil {
//		// A failed build is not kept: the next Get tries again.
//		s := &clientState{args: b.args, err: err}
//		if !m.finish(b, s, false) {
//			return nil
//		}
//		return s
//	}
//	if c == nil { ... }
//	s := &clientState{args: b.args, instance: c}
//	if !m.finish(b, s, true) {
//		// Nobody will see c: close it.
//		_ = c.Close()
//		return nil
//	}
//	return s
func (e *emitter) outcome() []jen.Code {
	m := e.m
	var args, outcome []jen.Code
	if m.HasConflicts() {
		args = append(args, field("args", jen.Id("b").Dot("args")))
	}
	if m.ReturnsError && m.Context != "" {
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
		if m.OnError == model.Cache {
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
	nilErr := jen.Qual("errors", "New").Call(jen.Lit(e.message("%s constructor returned a nil %s", m.Stem, e.instanceName())))
	onNil := []jen.Code{jen.Id("s").Op(":=").Add(e.newState(field("err", nilErr)))}
	if m.GetReturnsError() {
		onNil = append(onNil,
			jen.If(jen.Op("!").Id("m").Dot("finish").Call(jen.Id("b"), jen.Id("s"), jen.False())).Block(jen.Return(jen.Nil())),
			jen.Return(jen.Id("s")),
		)
	} else {
		onNil = append(onNil,
			jen.Id("m").Dot("finish").Call(jen.Id("b"), jen.Id("s"), jen.False()),
			jen.Panic(jen.Id("s").Dot("err")),
		)
	}
	outcome = append(outcome, jen.If(e.isNilInstance(jen.Id("c"))...).Block(onNil...))
	var discard []jen.Code
	if m.Closes() {
		discard = append(discard, jen.Comment("Nobody will see c: close it."))
		discard = append(discard, e.closeDropped(jen.Id("c"), discardError)...)
	}
	discard = append(discard, jen.Return(jen.Nil()))
	return append(outcome,
		jen.Id("s").Op(":=").Add(e.newState(append(args, field("instance", jen.Id("c")))...)),
		jen.If(jen.Op("!").Id("m").Dot("finish").Call(jen.Id("b"), jen.Id("s"), jen.True())).Block(discard...),
		jen.Return(jen.Id("s")),
	)
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
func (e *emitter) finish() []jen.Code {
	current, end, publish := e.store.finishing()
	return []jen.Code{
		doc(fmt.Sprintf("finish ends build b with s, which it publishes if publish is set, and wakes b's waiters. It reports false, and does nothing else, when %s or a test hook discarded b.", e.store.droppers())).
			Func().Add(e.receiver()).Id("finish").Params(
			jen.Id("b").Op("*").Id(e.m.Names.Build), jen.Id("s").Op("*").Id(e.m.Names.State), jen.Id("publish").Bool(),
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
// also when the interface holds a nil result, as an injected constructor may return.
func (e *emitter) isNilInstance(x *jen.Statement) []jen.Code {
	if e.m.Interface == nil {
		return []jen.Code{x.Clone().Op("==").Nil()}
	}
	return []jen.Code{
		jen.List(jen.Id("t"), jen.Id("ok")).Op(":=").Add(x.Clone()).Assert(typ(e.m.Result)),
		x.Clone().Op("==").Nil().Op("||").Id("ok").Op("&&").Id("t").Op("==").Nil(),
	}
}
