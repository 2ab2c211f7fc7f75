package templates

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"
)

// getter renders the package-level accessor, with the fast path of Get written out again
// because a call through to the method would not inline:
//
//	func GetClient(apiKey string) (*Client, error) {
//		s := (*clientState)(atomic.LoadPointer(&defaultClientManager.state))
//		if s == nil || s.args != (clientArgs{apiKey: apiKey}) {
//			s = defaultClientManager.get(clientArgs{apiKey: apiKey})
//		}
//		return s.instance, s.err
//	}
func (e *emitter) getter() []jen.Code {
	m, n := e.m, e.m.Names
	call := fmt.Sprintf("%s().Get(%s)", n.Instance, strings.Join(e.paramNames(), ", "))
	return []jen.Code{
		doc(fmt.Sprintf("%s returns the process-wide %s, built with %s on first use. It is %s: see (*%s).Get.", n.Getter, m.Type, e.ctorName(), call, n.Manager)).
			Func().Id(n.Getter).Params(e.paramList()...).Params(e.getResults()...).Block(e.fastPath(jen.Id(n.Default))...),
	}
}

// mustGetter renders the panicking accessor, when the accessor returns an error:
//
//	func MustGetClient(apiKey string) *Client {
//		c, err := GetClient(apiKey)
//		if err != nil {
//			panic(err)
//		}
//		return c
//	}
func (e *emitter) mustGetter() []jen.Code {
	m, n := e.m, e.m.Names
	if !m.GetReturnsError() {
		return nil
	}
	return []jen.Code{
		doc(fmt.Sprintf("%s is like %s but panics where %s returns an error. It is meant for main and package initialisation.", n.MustGetter, n.Getter, n.Getter)).
			Func().Id(n.MustGetter).Params(e.paramList()...).Add(e.instancePtr()).Block(
			jen.List(jen.Id("c"), jen.Err()).Op(":=").Id(n.Getter).Call(e.argNames()...),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Panic(jen.Err())),
			jen.Return(jen.Id("c")),
		),
	}
}

// getMethod renders Get, whose body is the fast path: one atomic load, then the slow path
// only while nothing usable is published.
func (e *emitter) getMethod() []jen.Code {
	m, n := e.m, e.m.Names
	paragraphs := []string{
		fmt.Sprintf("Get returns the %s, building it on first use; concurrent first callers wait for that one build and share its result. Once the %s is built, Get costs one atomic load: no lock, no allocation.", m.Type, m.Type),
		e.failureDoc(),
	}
	if m.HasParams() {
		paragraphs = append(paragraphs, fmt.Sprintf("Arguments other than those of the %s built or being built get an error that matches %s, never a %s built with other arguments and never another caller's error.", m.Type, n.Conflict, m.Type))
	}
	return []jen.Code{
		doc(paragraphs...).Func().Params(jen.Id("m").Op("*").Id(n.Manager)).Id("Get").Params(e.paramList()...).Params(e.getResults()...).Block(e.fastPath(jen.Id("m"))...),
	}
}

// fastPath renders the body of Get on manager:
//
//	s := (*clientState)(atomic.LoadPointer(&m.state))
//	if s == nil || s.args != (clientArgs{apiKey: apiKey}) {
//		s = m.get(clientArgs{apiKey: apiKey})
//	}
//	return s.instance, s.err
func (e *emitter) fastPath(manager *jen.Statement) []jen.Code {
	cond := jen.Id("s").Op("==").Nil()
	var args []jen.Code
	if e.m.HasParams() {
		cond.Op("||").Id("s").Dot("args").Op("!=").Parens(e.argsLiteral())
		args = append(args, e.argsLiteral())
	}
	results := []jen.Code{jen.Id("s").Dot("instance")}
	if e.m.GetReturnsError() {
		results = append(results, jen.Id("s").Dot("err"))
	}
	return []jen.Code{
		jen.Id("s").Op(":=").Add(e.stateLoad(manager.Clone())),
		jen.If(cond).Block(jen.Id("s").Op("=").Add(manager.Clone()).Dot("get").Call(args...)),
		jen.Return(results...),
	}
}

// slowPath renders get, the slow path of Get:
//
//	//go:noinline
//	func (m *ClientManager) get(args clientArgs) *clientState {
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
//				b = &clientBuild{args: args, done: make(chan struct{})}
//				m.build = b
//				m.mu.Unlock()
//				if s := m.construct(b); s != nil {
//					return s
//				}
//				continue
//			}
//			m.mu.Unlock()
//			if b.args != args {
//				return &clientState{err: ErrClientConflict}
//			}
//			<-b.done
//			if b.result != nil {
//				return b.result
//			}
//		}
//	}
func (e *emitter) slowPath() []jen.Code {
	m, n := e.m, e.m.Names
	conflict := jen.Return(jen.Op("&").Id(n.State).Values(field("err", jen.Id(n.Conflict))))

	published := []jen.Code{jen.Id("m").Dot("mu").Dot("Unlock").Call()}
	if m.HasParams() {
		match := jen.Id("s").Dot("args").Op("==").Id("args")
		if e.installedField() {
			match = jen.Id("s").Dot("installed").Op("||").Add(match)
		}
		published = append(published, jen.If(match).Block(jen.Return(jen.Id("s"))), conflict.Clone())
	} else {
		published = append(published, jen.Return(jen.Id("s")))
	}

	var newBuild []jen.Code
	if m.HasParams() {
		newBuild = append(newBuild, field("args", jen.Id("args")))
	}
	newBuild = append(newBuild, field("done", jen.Make(jen.Chan().Struct())))

	wait := []jen.Code{jen.Id("m").Dot("mu").Dot("Unlock").Call()}
	if m.HasParams() {
		wait = append(wait, jen.If(jen.Id("b").Dot("args").Op("!=").Id("args")).Block(conflict.Clone()))
	}
	wait = append(wait, jen.Op("<-").Id("b").Dot("done"))
	result := []jen.Code{jen.Return(jen.Id("b").Dot("result"))}
	if !m.GetReturnsError() {
		// Nothing to return an error with: the waiters panic as the builder did.
		result = append([]jen.Code{
			jen.If(jen.Id("b").Dot("result").Dot("err").Op("!=").Nil()).Block(jen.Panic(jen.Id("b").Dot("result").Dot("err"))),
		}, result...)
	}
	wait = append(wait,
		jen.If(jen.Id("b").Dot("result").Op("!=").Nil()).Block(result...),
		jen.Comment("Reset or a test hook discarded the build: try again."),
	)

	var params []jen.Code
	if m.HasParams() {
		params = append(params, jen.Id("args").Id(n.Args))
	}
	loop := []jen.Code{
		jen.Id("m").Dot("mu").Dot("Lock").Call(),
		jen.If(jen.Id("s").Op(":=").Add(e.stateLoad(jen.Id("m"))), jen.Id("s").Op("!=").Nil()).Block(published...),
		jen.Id("b").Op(":=").Id("m").Dot("build"),
		jen.If(jen.Id("b").Op("==").Nil()).Block(
			jen.Id("b").Op("=").Op("&").Id(n.Build).Values(newBuild...),
			jen.Id("m").Dot("build").Op("=").Id("b"),
			jen.Id("m").Dot("mu").Dot("Unlock").Call(),
			jen.If(jen.Id("s").Op(":=").Id("m").Dot("construct").Call(jen.Id("b")), jen.Id("s").Op("!=").Nil()).Block(jen.Return(jen.Id("s"))),
			jen.Comment("Reset or a test hook discarded the build: build again."),
			jen.Continue(),
		),
	}
	loop = append(loop, wait...)
	return []jen.Code{
		doc("get is the slow path of Get: it waits for the build in flight, or runs one, and returns what Get returns. It stays out of line so that Get inlines into its callers.").
			Comment("").Line().
			Comment("//go:noinline").Line().
			Func().Params(jen.Id("m").Op("*").Id(n.Manager)).Id("get").Params(params...).Op("*").Id(n.State).Block(
			jen.For().Block(loop...),
		),
	}
}

// construct renders the function that runs the constructor for a build:
//
//	func (m *ClientManager) construct(b *clientBuild) *clientState {
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
//		c, err := ctor(b.args.apiKey)
//		returned = true
//		if err != nil {
//			m.finish(b, &clientState{args: b.args, err: err}, false) ...
//		}
//		...
//	}
func (e *emitter) construct() []jen.Code {
	m, n := e.m, e.m.Names
	newState := func(fields ...jen.Code) *jen.Statement { return jen.Op("&").Id(n.State).Values(fields...) }

	onFailure := []jen.Code{
		jen.If(jen.Id("returned")).Block(jen.Return()),
		jen.Comment("The constructor panicked or called runtime.Goexit (as t.FailNow does):"),
		jen.Comment("keep nothing, tell the waiters, and let the panic or Goexit go on."),
		jen.Id("r").Op(":=").Recover(),
		jen.Id("failure").Op(":=").Lit("called runtime.Goexit"),
		jen.If(jen.Id("r").Op("!=").Nil()).Block(jen.Id("failure").Op("=").Lit("panicked")),
		jen.Id("m").Dot("finish").Call(jen.Id("b"), newState(field("err", jen.Qual("errors", "New").Call(
			jen.Lit(e.message("%s constructor ", m.Type)).Op("+").Id("failure").Op("+").Lit(" in another goroutine")))), jen.False()),
		jen.If(jen.Id("r").Op("!=").Nil()).Block(jen.Panic(jen.Id("r"))),
	}

	var call []jen.Code
	ctorArgs := []jen.Code{}
	for _, p := range m.Params {
		ctorArgs = append(ctorArgs, jen.Id("b").Dot("args").Dot(p.Name))
	}
	results := jen.Id("c")
	if m.ReturnsError {
		results = jen.List(jen.Id("c"), jen.Err())
	}
	if m.Constructor == "" {
		call = append(call,
			jen.Var().Id("c").Add(e.instancePtr()),
			jen.If(jen.Id("m").Dot("ctor").Op("!=").Nil()).Block(
				jen.Id("c").Op("=").Id("m").Dot("ctor").Call(),
			).Else().Block(
				jen.Id("c").Op("=").New(jen.Id(m.Type)),
			),
		)
	} else {
		call = append(call,
			jen.Id("ctor").Op(":=").Id("m").Dot("ctor"),
			jen.If(jen.Id("ctor").Op("==").Nil()).Block(jen.Id("ctor").Op("=").Id(m.Constructor)),
			results.Op(":=").Id("ctor").Call(ctorArgs...),
		)
	}
	call = append(call, jen.Id("returned").Op("=").True())

	var outcome []jen.Code
	if m.ReturnsError {
		var errState []jen.Code
		if m.HasParams() {
			errState = append(errState, field("args", jen.Id("b").Dot("args")))
		}
		errState = append(errState, field("err", jen.Err()))
		keep := jen.False()
		what := "A failed build is not kept: the next Get tries again."
		if m.OnError == Cache {
			keep = jen.True()
			what = "The error is kept (onerror=cache) until Reset."
		}
		outcome = append(outcome,
			jen.If(jen.Err().Op("!=").Nil()).Block(
				jen.Comment(what),
				jen.Id("s").Op(":=").Add(newState(errState...)),
				jen.If(jen.Op("!").Id("m").Dot("finish").Call(jen.Id("b"), jen.Id("s"), keep)).Block(jen.Return(jen.Nil())),
				jen.Return(jen.Id("s")),
			),
		)
	}
	nilErr := jen.Qual("errors", "New").Call(jen.Lit(e.message("%s constructor returned a nil *%s", m.Type, m.Type)))
	var onNil []jen.Code
	if m.GetReturnsError() {
		onNil = []jen.Code{
			jen.Id("s").Op(":=").Add(newState(field("err", nilErr))),
			jen.If(jen.Op("!").Id("m").Dot("finish").Call(jen.Id("b"), jen.Id("s"), jen.False())).Block(jen.Return(jen.Nil())),
			jen.Return(jen.Id("s")),
		}
	} else {
		onNil = []jen.Code{
			jen.Id("s").Op(":=").Add(newState(field("err", nilErr))),
			jen.Id("m").Dot("finish").Call(jen.Id("b"), jen.Id("s"), jen.False()),
			jen.Panic(jen.Id("s").Dot("err")),
		}
	}
	outcome = append(outcome, jen.If(jen.Id("c").Op("==").Nil()).Block(onNil...))
	var built []jen.Code
	if m.HasParams() {
		built = append(built, field("args", jen.Id("b").Dot("args")))
	}
	built = append(built, field("instance", jen.Id("c")))
	discard := []jen.Code{}
	if m.Close != NoClose {
		discard = append(discard, jen.Comment("Nobody will see c: close it."), e.closeInstance(jen.Id("c")))
	}
	discard = append(discard, jen.Return(jen.Nil()))
	outcome = append(outcome,
		jen.Id("s").Op(":=").Add(newState(built...)),
		jen.If(jen.Op("!").Id("m").Dot("finish").Call(jen.Id("b"), jen.Id("s"), jen.True())).Block(discard...),
		jen.Return(jen.Id("s")),
	)

	body := []jen.Code{
		jen.Id("returned").Op(":=").False(),
		jen.Defer().Func().Params().Block(onFailure...).Call(),
	}
	body = append(body, call...)
	body = append(body, outcome...)
	return []jen.Code{
		doc("construct runs the constructor for b on the calling goroutine, so that a panic reaches its caller, then ends b. It returns what the caller's Get returns, or nil when Reset or a test hook discarded b and the caller must build again.").
			Func().Params(jen.Id("m").Op("*").Id(n.Manager)).Id("construct").Params(jen.Id("b").Op("*").Id(n.Build)).Op("*").Id(n.State).Block(body...),
	}
}

// finish renders the end of a build:
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
	n := e.m.Names
	return []jen.Code{
		doc("finish ends build b with s, which it publishes if publish is set, and wakes b's waiters. It reports false, and does nothing else, when Reset or a test hook discarded b.").
			Func().Params(jen.Id("m").Op("*").Id(n.Manager)).Id("finish").Params(
			jen.Id("b").Op("*").Id(n.Build), jen.Id("s").Op("*").Id(n.State), jen.Id("publish").Bool(),
		).Bool().Block(
			jen.Id("m").Dot("mu").Dot("Lock").Call(),
			jen.Id("current").Op(":=").Id("m").Dot("build").Op("==").Id("b"),
			jen.If(jen.Id("current")).Block(
				jen.Id("m").Dot("build").Op("=").Nil(),
				jen.Id("b").Dot("result").Op("=").Id("s"),
				jen.If(jen.Id("publish")).Block(
					jen.Qual("sync/atomic", "StorePointer").Call(jen.Op("&").Id("m").Dot("state"), jen.Qual("unsafe", "Pointer").Call(jen.Id("s"))),
				),
			),
			jen.Id("m").Dot("mu").Dot("Unlock").Call(),
			jen.Close(jen.Id("b").Dot("done")),
			jen.Return(jen.Id("current")),
		),
	}
}

func (e *emitter) paramNames() []string {
	var names []string
	for _, p := range e.m.Params {
		names = append(names, p.Name)
	}
	return names
}
