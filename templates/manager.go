package templates

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"
)

// conflictError renders the sentinel of argument conflicts, when they can happen:
//
//	var ErrClientConflict = errors.New("paragon: Client requested with other arguments than it was built with")
func (e *emitter) conflictError() []jen.Code {
	if !e.m.HasConflicts() {
		return nil
	}
	n := e.m.Names
	return []jen.Code{
		doc(
			fmt.Sprintf("%s is the error, matched with errors.Is, of a Get whose arguments differ from those of the %s already built or being built: a %s holds one %s and never returns one built with other arguments.", n.Conflict, e.m.Type, n.Manager, e.m.Type),
			"Error messages never contain the arguments, which are often credentials.",
		).Var().Id(n.Conflict).Op("=").Qual("errors", "New").Call(
			jen.Lit(e.message("%s requested with other arguments than it was built with", e.m.Type))),
	}
}

// managerType renders the manager. In single mode:
//
//	type ClientManager struct {
//		state unsafe.Pointer
//		ctor  func(apiKey string) (*Client, error)
//
//		mu    sync.Mutex
//		build *clientBuild
//	}
//
// In keyed mode, index replaces state, and dirty, misses and builds replace build.
func (e *emitter) managerType() []jen.Code {
	m, n := e.m, e.m.Names
	what := fmt.Sprintf("builds one %s on first use and shares it among all goroutines", e.instanceName())
	lifetime := fmt.Sprintf("Reset drops the %s while other goroutines may still be using it: it is meant for tests, credential rotation and shutdown.", m.Type)
	fields := []jen.Code{
		jen.Comment(fmt.Sprintf("state points to the published %s, or is nil. It is an unsafe.Pointer", n.State)),
		jen.Comment("read with atomic.LoadPointer, not an atomic.Pointer, because that keeps Get"),
		jen.Comment("within the compiler's inlining budget."),
		jen.Id("state").Qual("unsafe", "Pointer"),
		jen.Id("ctor").Add(e.ctorType()),
		jen.Line(),
		jen.Id("mu").Qual("sync", "Mutex"),
		jen.Id("build").Op("*").Id(n.Build).Comment("the construction in flight, if any; guarded by mu"),
	}
	if m.Keyed {
		what = fmt.Sprintf("builds one %s for each distinct tuple of arguments, on first use, and shares it among all goroutines", e.instanceName())
		lifetime = "Instances live until Delete or Reset: a manager keyed by data that keeps changing holds every key it has seen. Delete and Reset drop instances while other goroutines may still be using them: they are meant for tests, credential rotation and shutdown."
		fields = []jen.Code{
			jen.Comment(fmt.Sprintf("index points to the published %s, or is nil. It is an unsafe.Pointer", n.Index)),
			jen.Comment("read with atomic.LoadPointer, not an atomic.Pointer, to keep Get cheap."),
			jen.Id("index").Qual("unsafe", "Pointer"),
			jen.Id("ctor").Add(e.ctorType()),
			jen.Line(),
			jen.Comment("The rest is guarded by mu."),
			jen.Id("mu").Qual("sync", "Mutex"),
			jen.Id("dirty").Map(jen.Id(n.Args)).Op("*").Id(n.State).Comment("when not nil, every instance, the newest not yet in index"),
			jen.Id("misses").Int().Comment("Gets that found their key in dirty only, since index was published"),
			jen.Id("builds").Map(jen.Id(n.Args)).Op("*").Id(n.Build).Comment("the constructions in flight, by arguments"),
		}
	}
	selfCall := "A constructor must not call Get on its own manager, directly or through another singleton: it would wait for itself forever, as with sync.Once."
	if m.Context != "" {
		selfCall = "A constructor that calls Get on its own manager for the instance it is building, with the context it was given (directly or through other singletons), gets an error instead of waiting for itself; with another context it would wait forever, as with sync.Once."
	}
	return []jen.Code{
		doc(
			fmt.Sprintf("%s %s: see Get. Its zero value is ready to use and builds with %s; %s returns the process-wide one.", n.Manager, what, e.ctorName(), n.Instance),
			lifetime,
			selfCall+" A manager must not be copied after first use.",
		).Type().Id(n.Manager).Struct(fields...),
	}
}

// failureDoc explains what a manager does when a build fails, in the words of its options.
func (e *emitter) failureDoc() string {
	m := e.m
	s := ""
	if m.ReturnsError {
		if m.OnError == Cache {
			s = "A constructor error is kept, as with sync.OnceValues: every later Get with the same arguments returns it, until Reset. "
		} else {
			s = "A constructor error goes to the callers of that build only: the next Get tries again. "
		}
		s += "An instance returned together with an error is ignored, not closed. "
	}
	s += fmt.Sprintf("A constructor that returns a nil %s has failed. One that panics or calls runtime.Goexit does so in the goroutine that called it, and the callers waiting for it ", e.instanceName())
	if m.GetReturnsError() {
		return s + "get an error that says so. Nothing of a failed build is kept."
	}
	return s + "panic with a message that says so. Nothing of a failed build is kept."
}

// contextDoc explains what the context of the accessors does.
func (e *emitter) contextDoc() string {
	if e.m.Context == "" {
		return ""
	}
	return "The build runs on the first caller's goroutine, with its context. A caller that waits for another's build returns ctx.Err() as soon as its own context is done, and the build goes on. When a build fails while its caller's context is done, the error goes to that caller alone, and the callers waiting for it build again with their own contexts. Once built, the instance is returned whatever the context. The constructor must not keep the context it is given."
}

// newManager renders the constructor of managers:
//
//	func NewClientManager(ctor func(apiKey string) (*Client, error)) *ClientManager {
//		return &ClientManager{ctor: ctor}
//	}
func (e *emitter) newManager() []jen.Code {
	n := e.m.Names
	return []jen.Code{
		doc(fmt.Sprintf("%s returns a %s that builds with ctor instead of %s: for dependency injection, and for tests that need no process-wide state. A nil ctor means %s.", n.NewManager, n.Manager, e.ctorName(), e.ctorName())).
			Func().Id(n.NewManager).Params(jen.Id("ctor").Add(e.ctorType())).Op("*").Id(n.Manager).Block(
			jen.Return(jen.Op("&").Id(n.Manager).Values(field("ctor", jen.Id("ctor")))),
		),
	}
}

// instance renders the process-wide manager and its accessor:
//
//	var defaultClientManager ClientManager
//
//	func GetClientManager() *ClientManager { return &defaultClientManager }
func (e *emitter) instance() []jen.Code {
	n := e.m.Names
	return []jen.Code{
		doc(fmt.Sprintf("%s is the process-wide %s.", n.Default, n.Manager)).
			Var().Id(n.Default).Id(n.Manager),
		doc(fmt.Sprintf("%s returns the process-wide %s, the one %s uses.", n.Instance, n.Manager, n.Getter)).
			Func().Id(n.Instance).Params().Op("*").Id(n.Manager).Block(
			jen.Return(jen.Op("&").Id(n.Default)),
		),
	}
}

// argsType renders the struct of the constructor's arguments, the context excluded, when
// there are any:
//
//	type clientArgs struct {
//		apiKey string
//	}
func (e *emitter) argsType() []jen.Code {
	if !e.m.HasParams() {
		return nil
	}
	n := e.m.Names
	what := fmt.Sprintf("%s holds the arguments a %s is built with, which Get compares with those of each call.", n.Args, e.m.Type)
	if e.m.Keyed {
		what = fmt.Sprintf("%s holds the arguments a %s is built with: the key of a %s's instances.", n.Args, e.m.Type, n.Manager)
	}
	return []jen.Code{
		doc(what).
			Type().Id(n.Args).Struct(e.keyParams()...),
	}
}

// stateType renders what a manager publishes and what its slow path returns:
//
//	type clientState struct {
//		args      clientArgs
//		instance  *Client
//		err       error
//		installed bool
//	}
func (e *emitter) stateType() []jen.Code {
	m, n := e.m, e.m.Names
	var fields []jen.Code
	what := fmt.Sprintf("a %s", m.Type)
	if m.HasConflicts() {
		fields = append(fields, jen.Id("args").Id(n.Args))
		what += " and the arguments it was built with"
	}
	fields = append(fields, jen.Id("instance").Add(e.instanceType()), jen.Id("err").Error())
	if e.installedField() {
		fields = append(fields, jen.Id("installed").Bool().Comment("by a test hook: "+e.installedMeaning()))
	}
	return []jen.Code{
		doc(fmt.Sprintf("%s is what a %s publishes, %s, and what Get returns, which may be an error instead. It never changes once made.", n.State, n.Manager, what)).
			Type().Id(n.State).Struct(fields...),
	}
}

func (e *emitter) installedMeaning() string {
	switch {
	case e.m.HasParams() && e.m.Close != NoClose:
		return "returned for any arguments, never closed"
	case e.m.HasParams():
		return "returned for any arguments"
	}
	return "never closed"
}

// buildType renders a construction in flight:
//
//	type clientBuild struct {
//		args   clientArgs
//		done   chan struct{}
//		result *clientState
//		outer  *clientBuild
//	}
func (e *emitter) buildType() []jen.Code {
	n := e.m.Names
	var fields []jen.Code
	if e.m.HasParams() {
		fields = append(fields, jen.Id("args").Id(n.Args))
	}
	fields = append(fields,
		jen.Id("done").Chan().Struct(),
		jen.Id("result").Op("*").Id(n.State),
	)
	if e.m.Context != "" {
		fields = append(fields, jen.Id("outer").Op("*").Id(n.Build).Comment("the build whose constructor asked for this one, if any"))
	}
	discarders := "Reset or a test hook"
	switch {
	case e.m.Keyed && e.m.Context != "":
		discarders = "Delete, Reset, a test hook, or its caller's own context"
	case e.m.Keyed:
		discarders = "Delete, Reset or a test hook"
	case e.m.Context != "":
		discarders = "Reset, a test hook, or its caller's own context"
	}
	return []jen.Code{
		doc(fmt.Sprintf("%s is a construction in flight. Its waiters block on done; result is set before done is closed, and stays nil when %s discarded the build and its waiters must build again.", n.Build, discarders)).
			Type().Id(n.Build).Struct(fields...),
	}
}

// buildKeyType renders the context key under which a build marks the context it gives
// its constructor, when there is a context:
//
//	type clientBuildKey struct{}
func (e *emitter) buildKeyType() []jen.Code {
	if e.m.Context == "" {
		return nil
	}
	n := e.m.Names
	return []jen.Code{
		doc(fmt.Sprintf("%s is the context key of the %s whose constructor received the context: a constructor that asks its own manager for the instance it is building gets an error instead of waiting for itself.", n.BuildKey, n.Build)).
			Type().Id(n.BuildKey).Struct(),
	}
}

// resetMethod renders Reset. In single mode:
//
//	func (m *ClientManager) Reset() error {
//		s := m.install(nil)
//		if s == nil || s.installed {
//			return nil
//		}
//		return s.instance.Close()
//	}
//
// In keyed mode it closes every instance and joins the errors.
func (e *emitter) resetMethod() []jen.Code {
	m, n := e.m, e.m.Names
	dropped := "the " + m.Type
	if m.Keyed {
		dropped = fmt.Sprintf("every %s", m.Type)
	}
	var body []jen.Code
	var closes string
	safety := "Reset is safe while other goroutines call Get, but they may still be using what it closes: it is meant for tests, credential rotation and shutdown."
	switch {
	case m.Close == NoClose:
		body = []jen.Code{jen.Id("m").Dot("install").Call(jen.Nil()), jen.Return(jen.Nil())}
		closes = fmt.Sprintf("It always returns nil: the manager never closes a %s.", m.Type)
		safety = "Reset is safe while other goroutines call Get: it is meant for tests, credential rotation and shutdown."
	case m.Keyed:
		body = []jen.Code{
			jen.Id("x").Op(":=").Id("m").Dot("install").Call(jen.Nil()),
			jen.If(jen.Id("x").Op("==").Nil()).Block(jen.Return(jen.Nil())),
		}
		if m.Close == CloseError {
			body = append(body,
				jen.Var().Id("errs").Index().Error(),
				jen.For(jen.List(jen.Id("_"), jen.Id("s")).Op(":=").Range().Id("x").Dot("instances")).Block(
					jen.Id("errs").Op("=").Append(jen.Id("errs"), jen.Id("s").Dot("instance").Dot("Close").Call()),
				),
				jen.Return(jen.Qual("errors", "Join").Call(jen.Id("errs").Op("..."))),
			)
			closes = fmt.Sprintf("It closes each %s it drops and returns what Close returned, joined.", m.Type)
		} else {
			body = append(body,
				jen.For(jen.List(jen.Id("_"), jen.Id("s")).Op(":=").Range().Id("x").Dot("instances")).Block(
					jen.Id("s").Dot("instance").Dot("Close").Call(),
				),
				jen.Return(jen.Nil()),
			)
			closes = fmt.Sprintf("It closes each %s it drops, and returns nil.", m.Type)
		}
		if m.TestHooks {
			closes += fmt.Sprintf(" It never closes a %s installed by %s.", m.Type, n.SetForTest)
		}
	default:
		body = append(body,
			jen.Id("s").Op(":=").Id("m").Dot("install").Call(jen.Nil()),
			jen.If(e.notOwned(jen.Id("s"))).Block(jen.Return(jen.Nil())),
		)
		if m.Close == CloseError {
			body = append(body, jen.Return(jen.Id("s").Dot("instance").Dot("Close").Call()))
			closes = fmt.Sprintf("It closes the %s it drops and returns what Close returned.", m.Type)
		} else {
			body = append(body, jen.Id("s").Dot("instance").Dot("Close").Call(), jen.Return(jen.Nil()))
			closes = fmt.Sprintf("It closes the %s it drops, and returns nil.", m.Type)
		}
		if m.TestHooks {
			closes += fmt.Sprintf(" It never closes a %s installed by %s.", m.Type, n.SetForTest)
		}
	}
	return []jen.Code{
		doc(
			fmt.Sprintf("Reset drops %s; the next Get builds anew. %s", dropped, closes),
			fmt.Sprintf("Builds in flight are discarded when they finish and their callers build again: no Get that starts after Reset returns sees a %s whose build began before. %s", m.Type, safety),
		).Func().Add(e.receiver()).Id("Reset").Params().Error().Block(body...),
	}
}

// notOwned renders the condition under which the manager must not close the instance of
// single-mode state s: no state, a cached error, or an instance installed by a test hook.
func (e *emitter) notOwned(s *jen.Statement) *jen.Statement {
	cond := s.Clone().Op("==").Nil()
	if e.m.OnError == Cache {
		cond.Op("||").Add(s.Clone()).Dot("instance").Op("==").Nil()
	}
	if e.installedField() {
		cond.Op("||").Add(s.Clone()).Dot("installed")
	}
	return cond
}

// owned renders the negation of notOwned: s holds an instance the manager built.
func (e *emitter) owned(s *jen.Statement) *jen.Statement {
	cond := s.Clone().Op("!=").Nil()
	if e.m.OnError == Cache {
		cond.Op("&&").Add(s.Clone()).Dot("instance").Op("!=").Nil()
	}
	if e.installedField() {
		cond.Op("&&").Op("!").Add(s.Clone()).Dot("installed")
	}
	return cond
}

// install renders the one place, other than a build, that replaces what a manager holds.
// In single mode:
//
//	func (m *ClientManager) install(s *clientState) *clientState {
//		m.mu.Lock()
//		defer m.mu.Unlock()
//		m.build = nil
//		return (*clientState)(atomic.SwapPointer(&m.state, unsafe.Pointer(s)))
//	}
//
// In keyed mode it installs an index, and returns one of every instance it replaced.
func (e *emitter) install() []jen.Code {
	n := e.m.Names
	if e.m.Keyed {
		return []jen.Code{
			doc("install makes x the published index, discarding dirty and every build in flight, and returns an index of the instances it replaced.").
				Func().Add(e.receiver()).Id("install").Params(jen.Id("x").Op("*").Id(n.Index)).Op("*").Id(n.Index).Block(
				lock(),
				jen.Defer().Add(unlock()),
				jen.Id("prev").Op(":=").Parens(jen.Op("*").Id(n.Index)).Call(
					jen.Qual("sync/atomic", "SwapPointer").Call(jen.Op("&").Id("m").Dot("index"), jen.Qual("unsafe", "Pointer").Call(jen.Id("x")))),
				jen.If(jen.Id("m").Dot("dirty").Op("!=").Nil()).Block(
					jen.Comment("dirty holds every instance, the newest too."),
					jen.Id("prev").Op("=").Op("&").Id(n.Index).Values(field("instances", jen.Id("m").Dot("dirty"))),
				),
				jen.List(jen.Id("m").Dot("dirty"), jen.Id("m").Dot("misses"), jen.Id("m").Dot("builds")).Op("=").List(jen.Nil(), jen.Lit(0), jen.Nil()),
				jen.Return(jen.Id("prev")),
			),
		}
	}
	return []jen.Code{
		doc("install makes s the published state, discarding any build in flight, and returns the state it replaced.").
			Func().Add(e.receiver()).Id("install").Params(jen.Id("s").Op("*").Id(n.State)).Op("*").Id(n.State).Block(
			lock(),
			jen.Defer().Add(unlock()),
			jen.Id("m").Dot("build").Op("=").Nil(),
			jen.Return(jen.Parens(jen.Op("*").Id(n.State)).Call(
				jen.Qual("sync/atomic", "SwapPointer").Call(
					jen.Op("&").Id("m").Dot("state"),
					jen.Qual("unsafe", "Pointer").Call(jen.Id("s"))))),
		),
	}
}

// ifaceType renders the interface that iface= asks for, and the assertion that *T
// implements it:
//
//	type ClientAPI interface {
//		// Token returns an access token.
//		Token() (string, error)
//	}
//
//	var _ ClientAPI = (*Client)(nil)
func (e *emitter) ifaceType() []jen.Code {
	iface := e.m.Interface
	if iface == nil {
		return nil
	}
	var methods []jen.Code
	for i, method := range iface.Methods {
		if i > 0 && method.Doc != "" {
			methods = append(methods, jen.Line())
		}
		for _, line := range strings.Split(strings.TrimSuffix(method.Doc, "\n"), "\n") {
			if method.Doc != "" {
				methods = append(methods, jen.Comment(line))
			}
		}
		methods = append(methods, jen.Id(method.Name).Params(signatureParams(method.Params, method.Variadic)...).Params(signatureParams(method.Results, false)...))
	}
	return []jen.Code{
		doc(fmt.Sprintf("%s is the interface of *%s's exported methods. %s stores and returns it, so that a test can install any fake with %s, and mock generators can work from it.",
			iface.Name, e.m.Type, e.m.Names.Manager, e.m.Names.SetForTest)).
			Type().Id(iface.Name).Interface(methods...),
		jen.Var().Id("_").Id(iface.Name).Op("=").Parens(jen.Op("*").Id(e.m.Type)).Parens(jen.Nil()),
	}
}

// signatureParams renders the parameters or results of a method.
func signatureParams(params []Param, variadic bool) []jen.Code {
	var out []jen.Code
	for i, p := range params {
		t := typ(p.Type)
		if variadic && i == len(params)-1 {
			t = jen.Op("...").Add(t)
		}
		if p.Name != "" {
			t = jen.Id(p.Name).Add(t)
		}
		out = append(out, t)
	}
	return out
}
