package templates

import (
	"fmt"

	"github.com/dave/jennifer/jen"
)

// conflictError renders the sentinel of argument conflicts, when there are arguments:
//
//	var ErrClientConflict = errors.New("paragon: Client requested with other arguments than it was built with")
func (e *emitter) conflictError() []jen.Code {
	if !e.m.HasParams() {
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

// managerType renders the manager:
//
//	type ClientManager struct {
//		state unsafe.Pointer
//		ctor  func(apiKey string) (*Client, error)
//		mu    sync.Mutex
//		build *clientBuild
//	}
func (e *emitter) managerType() []jen.Code {
	m, n := e.m, e.m.Names
	paragraphs := []string{
		fmt.Sprintf("%s builds one *%s on first use and shares it among all goroutines: see Get. Its zero value is ready to use and builds with %s; %s returns the process-wide one.", n.Manager, m.Type, e.ctorName(), n.Instance),
		fmt.Sprintf("Reset drops the %s while other goroutines may still be using it: it is meant for tests, credential rotation and shutdown.", m.Type),
		"A constructor must not call Get on its own manager, directly or through another singleton: it would wait for itself forever, as with sync.Once. A manager must not be copied after first use.",
	}
	return []jen.Code{
		doc(paragraphs...).Type().Id(n.Manager).Struct(
			jen.Comment(fmt.Sprintf("state points to the published %s, or is nil. It is an unsafe.Pointer", n.State)),
			jen.Comment("read with atomic.LoadPointer, not an atomic.Pointer, because that keeps Get"),
			jen.Comment("within the compiler's inlining budget."),
			jen.Id("state").Qual("unsafe", "Pointer"),
			jen.Id("ctor").Add(e.ctorType()),
			jen.Line(),
			jen.Id("mu").Qual("sync", "Mutex"),
			jen.Id("build").Op("*").Id(n.Build).Comment("the construction in flight, if any; guarded by mu"),
		),
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
	}
	s += fmt.Sprintf("A constructor that returns a nil *%s has failed. One that panics or calls runtime.Goexit does so in the goroutine that called it, and the callers waiting for it ", m.Type)
	if m.GetReturnsError() {
		return s + "get an error that says so. Nothing of a failed build is kept."
	}
	return s + "panic with a message that says so. Nothing of a failed build is kept."
}

// newManager renders the constructor of managers:
//
//	func NewClientManager(ctor func(apiKey string) (*Client, error)) *ClientManager {
//		return &ClientManager{ctor: ctor}
//	}
func (e *emitter) newManager() []jen.Code {
	n := e.m.Names
	return []jen.Code{
		doc(fmt.Sprintf("%s returns a %s that builds its %s with ctor instead of %s: for dependency injection, and for tests that need no process-wide state. A nil ctor means %s.", n.NewManager, n.Manager, e.m.Type, e.ctorName(), e.ctorName())).
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

// resetMethod renders Reset:
//
//	func (m *ClientManager) Reset() error {
//		s := m.install(nil)
//		if s == nil || s.installed {
//			return nil
//		}
//		return s.instance.Close()
//	}
func (e *emitter) resetMethod() []jen.Code {
	m, n := e.m, e.m.Names
	var body []jen.Code
	var closes string
	safety := "Reset is safe while other goroutines call Get, but they may still be using what it closes: it is meant for tests, credential rotation and shutdown."
	if m.Close == NoClose {
		safety = "Reset is safe while other goroutines call Get: it is meant for tests, credential rotation and shutdown."
		body = []jen.Code{jen.Id("m").Dot("install").Call(jen.Nil()), jen.Return(jen.Nil())}
		closes = fmt.Sprintf("It always returns nil: the manager never closes a %s.", m.Type)
	} else {
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
			fmt.Sprintf("Reset drops the %s; the next Get builds a new one. %s", m.Type, closes),
			fmt.Sprintf("A build in flight is discarded when it finishes and its callers build again: no Get that starts after Reset returns sees a %s whose build began before. %s", m.Type, safety),
		).Func().Params(jen.Id("m").Op("*").Id(n.Manager)).Id("Reset").Params().Error().Block(body...),
	}
}

// notOwned renders the condition under which the manager must not close the instance of
// state s: no state, a cached error, or an instance installed by a test hook.
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

// argsType renders the struct of the constructor's arguments, when there are any:
//
//	type clientArgs struct {
//		apiKey string
//	}
func (e *emitter) argsType() []jen.Code {
	if !e.m.HasParams() {
		return nil
	}
	n := e.m.Names
	return []jen.Code{
		doc(fmt.Sprintf("%s holds the arguments of a %s's constructor, to compare them.", n.Args, e.m.Type)).
			Type().Id(n.Args).Struct(e.paramList()...),
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
	if m.HasParams() {
		fields = append(fields, jen.Id("args").Id(n.Args))
	}
	fields = append(fields, jen.Id("instance").Add(e.instancePtr()), jen.Id("err").Error())
	if e.installedField() {
		fields = append(fields, jen.Id("installed").Bool().Comment("by a test hook: "+e.installedMeaning()))
	}
	what := fmt.Sprintf("a %s", m.Type)
	if m.HasParams() {
		what += " and the arguments it was built with"
	}
	if m.GetReturnsError() {
		what += ", or an error"
	}
	return []jen.Code{
		doc(fmt.Sprintf("%s is what a %s publishes and what Get returns: %s. It never changes once made.", n.State, n.Manager, what)).
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
	return []jen.Code{
		doc(fmt.Sprintf("%s is a construction in flight. Its waiters block on done; result is set before done is closed, and stays nil when Reset or a test hook discarded the build.", n.Build)).
			Type().Id(n.Build).Struct(fields...),
	}
}

// install renders the one place that replaces a manager's state, other than a build:
//
//	func (m *ClientManager) install(s *clientState) *clientState {
//		m.mu.Lock()
//		defer m.mu.Unlock()
//		m.build = nil
//		return (*clientState)(atomic.SwapPointer(&m.state, unsafe.Pointer(s)))
//	}
func (e *emitter) install() []jen.Code {
	n := e.m.Names
	return []jen.Code{
		doc("install makes s the published state, discarding any build in flight, and returns the state it replaced.").
			Func().Params(jen.Id("m").Op("*").Id(n.Manager)).Id("install").Params(jen.Id("s").Op("*").Id(n.State)).Op("*").Id(n.State).Block(
			jen.Id("m").Dot("mu").Dot("Lock").Call(),
			jen.Defer().Id("m").Dot("mu").Dot("Unlock").Call(),
			jen.Id("m").Dot("build").Op("=").Nil(),
			jen.Return(jen.Parens(jen.Op("*").Id(n.State)).Call(
				jen.Qual("sync/atomic", "SwapPointer").Call(
					jen.Op("&").Id("m").Dot("state"),
					jen.Qual("unsafe", "Pointer").Call(jen.Id("s"))))),
		),
	}
}
