package templates

import (
	"fmt"
	"strings"
	"time"

	"github.com/dave/jennifer/jen"

	"github.com/singletongen/singletongen/model"
)

// conflictError renders the sentinel of argument conflicts:
//
//	var ErrClientConflict = errors.New("paragon: Client requested with other arguments than it was built with")
func (e *emitter) conflictError() []jen.Code {
	n, stem := e.m.Names, e.m.Stem
	return []jen.Code{
		doc(fmt.Sprintf("%s is the error, matched with errors.Is, of a Get whose arguments differ from those of the %s built or being built.", n.Conflict, stem)).
			Var().Id(n.Conflict).Op("=").Qual("errors", "New").Call(
			jen.Lit(e.message("%s requested with other arguments than it was built with", stem))),
	}
}

// managerType renders the manager, and its doc: the one place that states the
// manager's policies.
//
//	type ClientManager struct {
//		state unsafe.Pointer
//		cell  singletonCell[clientArgs, *Client]
//		ctor  func(apiKey string) (*Client, error)
//	}
func (e *emitter) managerType() []jen.Code {
	return []jen.Code{
		doc(e.policies()...).Type().Id(e.m.Names.Manager).Struct(
			append(e.store.fields(), jen.Id("ctor").Add(e.ctorType()))...,
		),
	}
}

// policies are the paragraphs of the manager's doc: what it holds and what Get costs,
// then what happens to conflicting arguments, failures, contexts, dropped instances and
// test hooks.
func (e *emitter) policies() []string {
	m, n := e.m, e.m.Names
	what, sharing := e.store.describe()
	global := fmt.Sprintf(" %s returns the process-wide one.", n.Instance)
	if !m.Global {
		global = ""
	}
	paragraphs := []string{
		fmt.Sprintf("%s %s: %s Its zero value is ready to use.%s A manager must not be copied after first use.", n.Manager, what, sharing, global),
	}
	if m.HasConflicts() {
		paragraphs = append(paragraphs, fmt.Sprintf("Arguments other than those of the %s built or being built get %s, never another's %s or error; no error message contains arguments.", m.Stem, n.Conflict, m.Stem))
	}
	paragraphs = append(paragraphs, e.failureDoc(), e.contextDoc(), e.boundsDoc(), e.dropDoc(), e.holdDoc(), e.lifecycleDoc())
	if m.TestHooks {
		paragraphs = append(paragraphs, e.hookDoc())
	}
	return paragraphs
}

// failureDoc says what a manager does when a build fails, in the words of its options.
func (e *emitter) failureDoc() string {
	m := e.m
	s := ""
	if m.ReturnsError {
		if m.OnError == model.Cache {
			s = "A constructor error is kept, as with sync.OnceValues: every later Get with the same arguments returns it, until Reset. "
		} else {
			s = "A failed build is not kept: its error goes to the callers of that build, and the next Get builds again. "
		}
		s += "An instance returned with an error is ignored. "
	}
	s += fmt.Sprintf("A nil %s is a failure. A constructor that panics or calls runtime.Goexit does so on its caller's goroutine; the callers waiting for it ", e.instanceName())
	if m.GetReturnsError() {
		s += "get an error."
	} else {
		s += "panic."
	}
	if e.m.Context == "" {
		s += " It must not call Get on its own manager, directly or through another singleton: it would wait for itself, as with sync.Once."
	}
	return s
}

// contextDoc says what the context of the accessors does.
func (e *emitter) contextDoc() string {
	if e.m.Context == "" {
		return ""
	}
	return "A build runs on the goroutine of its first caller, with that caller's context, which the instance must not keep. A caller waiting for another's build returns ctx.Err() once its own context is done, and the build goes on. A build that fails, or returns a nil instance, while its caller's context is done fails for that caller alone: the others build again. Once built, an instance is returned whatever the context. A constructor that, with the context it was given, asks for an instance whose build waits for it (its own, or one of a cycle of singletons of any package, on any goroutine) gets an error instead of waiting forever."
}

// dropDoc says what dropping instances does.
func (e *emitter) dropDoc() string {
	s, they, discard := fmt.Sprintf("Reset drops the %s", e.m.Stem), "it is", "It discards"
	switch {
	case e.m.Keyed && e.m.Closes():
		s, they, discard = "Delete and Reset close and drop instances", "they are", "They discard"
	case e.m.Keyed:
		s, they, discard = "Delete and Reset drop instances", "they are", "They discard"
	case e.m.Closes():
		s = fmt.Sprintf("Reset closes and drops the %s", e.m.Stem)
	}
	s += fmt.Sprintf(" that other goroutines may still be using: %s meant for tests, credential rotation and shutdown. %s a build in flight without waiting for it: its waiters build again at once, so a new build may run beside the discarded one", they, discard)
	if e.m.Closes() {
		s += ", whose instance is closed when its constructor returns"
	}
	return s + ". There is one build in flight per instance otherwise."
}

// boundsDoc says how a bounded keyed manager drops instances by itself.
func (e *emitter) boundsDoc() string {
	m := e.m
	if !m.Bounded() {
		return ""
	}
	s := ""
	if m.Max > 0 {
		s = fmt.Sprintf("It holds at most %d instances: adding one more evicts one that no Get returned recently (a second chance, as a clock does), and closes it before the Get that evicted it returns, unless With holds it. ", m.Max)
	}
	if m.Idle > 0 {
		s += fmt.Sprintf("An instance that no Get returned for about %s is dropped and closed, by a timer that runs only while the manager holds instances. ", time.Duration(m.Idle))
	}
	if m.Lifecycle != "" {
		return s + "Those closes have no caller: what Close returns, or a panic of Close, goes to lifecycle.Observe."
	}
	return s + "Those closes have no caller: what Close returns, or a panic of Close, is dropped."
}

// holdDoc says how a caller keeps an instance from being closed.
func (e *emitter) holdDoc() string {
	drops := "Reset"
	switch {
	case e.m.Bounded():
		drops = "Delete, Reset, an eviction or an idle drop"
	case e.m.Keyed:
		drops = "Delete or Reset"
	}
	return fmt.Sprintf("Get holds nothing: an instance it returned may be closed by %s while its caller still uses it. With holds it: fn runs with the instance, which is not closed before fn returns; a drop meanwhile takes it out of the manager at once, and the last With on it closes it. Invalidate drops an instance only while it still is the current one, so that goroutines that found it broken replace it once.", drops)
}

// lifecycleDoc says what registering with package lifecycle does.
func (e *emitter) lifecycleDoc() string {
	if e.m.Lifecycle == "" {
		return ""
	}
	return fmt.Sprintf("At its first build, the manager registers with package lifecycle as %s: lifecycle.Shutdown closes what it holds, in reverse order of the last builds of all registered managers, lifecycle.Instances lists it, and lifecycle.Observe sees its builds, drops and closes, the closes that have no caller included. A Get after Shutdown builds again.", e.m.Lifecycle)
}

// hookDoc says what the test hooks do.
func (e *emitter) hookDoc() string {
	n := e.m.Names
	s := fmt.Sprintf("%s and %s change the process-wide manager until the test ends, then restore it", n.SetForTest, n.ResetForTest)
	if e.m.Closes() {
		s += ", closing only what the test built"
	}
	s += "; they refuse a parallel test."
	if e.m.HasParams() {
		s += " A fake answers any arguments, which hides conflicts in the code under test."
	}
	return s
}

// newManager renders the constructor of managers:
//
//	func NewClientManager(ctor func(apiKey string) (*Client, error)) *ClientManager {
//		return &ClientManager{ctor: ctor}
//	}
func (e *emitter) newManager() []jen.Code {
	n := e.m.Names
	return []jen.Code{
		doc(fmt.Sprintf("%s returns %s that builds with ctor, or %s when ctor is nil: for dependency injection, and for tests without process-wide state.", n.NewManager, indefinite(n.Manager), e.ctorName())).
			Func().Id(n.NewManager).Params(jen.Id("ctor").Add(e.ctorType())).Op("*").Id(n.Manager).Block(
			jen.Return(jen.Op("&").Id(n.Manager).Values(field("ctor", jen.Id("ctor")))),
		),
	}
}

// defaultManager renders the process-wide manager:
//
//	var defaultClientManager ClientManager
func (e *emitter) defaultManager() []jen.Code {
	n := e.m.Names
	return []jen.Code{
		doc(fmt.Sprintf("%s is the process-wide %s.", n.Default, n.Manager)).
			Var().Id(n.Default).Id(n.Manager),
	}
}

// instance renders the accessor of the process-wide manager:
//
//	func GetClientManager() *ClientManager { return &defaultClientManager }
func (e *emitter) instance() []jen.Code {
	n := e.m.Names
	return []jen.Code{
		doc(fmt.Sprintf("%s returns the process-wide %s.", n.Instance, n.Manager)).
			Func().Id(n.Instance).Params().Op("*").Id(n.Manager).Block(
			jen.Return(jen.Op("&").Id(n.Default)),
		),
	}
}

// argsType renders the struct of the constructor's arguments, the context excluded:
//
//	type clientArgs struct {
//		apiKey string
//	}
func (e *emitter) argsDecl() []jen.Code {
	return []jen.Code{
		doc(e.store.argsDoc()).Type().Id(e.m.Names.Args).Struct(e.keyParams()...),
	}
}

// stateAlias renders the manager's instance of the shared state:
//
//	type clientState = singletonState[clientArgs, *Client]
func (e *emitter) stateAlias() []jen.Code {
	n := e.m.Names
	return []jen.Code{
		doc(fmt.Sprintf("%s is what %s publishes for an instance.", n.State, indefinite(n.Manager))).
			Type().Id(n.State).Op("=").Id(stateName).Types(e.argsType(), e.instanceType()),
	}
}

// specVar renders what the shared code knows of the manager's instances:
//
//	var clientSpec = singletonSpec[clientArgs, *Client]{
//		name:     "paragon: Client",
//		conflict: ErrClientConflict,
//		nilErr:   errors.New("paragon: Client constructor returned a nil *Client"),
//		close:    func(c *Client) error { return c.Close() },
//	}
func (e *emitter) specVar() []jen.Code {
	m, n := e.m, e.m.Names
	fields := []jen.Code{field("name", jen.Lit(e.message("%s", m.Stem)))}
	if m.HasConflicts() {
		fields = append(fields, field("conflict", jen.Id(n.Conflict)))
	}
	fields = append(fields, field("nilErr", jen.Qual("errors", "New").Call(jen.Lit(e.message("%s constructor returned a nil %s", m.Stem, e.instanceName())))))
	if m.OnError == model.Cache {
		fields = append(fields, field("cache", jen.True()))
	}
	if m.Interface != nil || m.ResultInterface {
		// An interface may hold a nil that is no instance either.
		fields = append(fields, field("isNil", jen.Func().Params(jen.Id("c").Add(e.instanceType())).Bool().Block(e.nilInside(jen.Id("c"))...)))
	}
	if m.Closes() {
		ctx := jen.Id("_")
		if m.Close.Context {
			ctx = jen.Id("ctx")
		}
		fields = append(fields, field("close", jen.Func().Params(ctx.Qual("context", "Context"), jen.Id("c").Add(e.instanceType())).Error().Block(e.closeBody(jen.Id("c"))...)))
	}
	if m.Lifecycle != "" {
		fields = append(fields, field("lifecycle", jen.Lit(m.Lifecycle)))
	}
	if m.Max > 0 {
		fields = append(fields, field("max", jen.Lit(m.Max)))
	}
	if m.Idle > 0 {
		fields = append(fields, field("idle", duration(m.Idle)))
	}
	return []jen.Code{
		doc(fmt.Sprintf("%s is what the shared code knows of %s instances.", n.Spec, m.Stem)).
			Var().Id(n.Spec).Op("=").Id(specName).Types(e.argsType(), e.instanceType()).Values(lines(fields)...),
	}
}

// duration renders d nanoseconds in the largest unit that divides it: 10 * time.Minute.
func duration(d int64) *jen.Statement {
	for _, unit := range []struct {
		name string
		ns   int64
	}{{"Hour", 3600e9}, {"Minute", 60e9}, {"Second", 1e9}, {"Millisecond", 1e6}, {"Microsecond", 1e3}} {
		if d%unit.ns == 0 {
			return jen.Lit(int(d/unit.ns)).Op("*").Qual("time", unit.name)
		}
	}
	return jen.Qual("time", "Duration").Call(jen.Lit(int(d)))
}

// lines puts each element of a composite literal on a line of its own.
func lines(elements []jen.Code) []jen.Code {
	var out []jen.Code
	for _, e := range elements {
		out = append(out, jen.Line().Add(e))
	}
	return append(out, jen.Line())
}

// closeBody renders the body of the function that closes instance c:
//
//	return c.Close()
func (e *emitter) closeBody(c *jen.Statement) []jen.Code {
	var args []jen.Code
	if e.m.Close.Context {
		args = append(args, jen.Id("ctx"))
	}
	call := c.Dot(e.m.Close.Method).Call(args...)
	if e.m.Close.ReturnsError {
		return []jen.Code{jen.Return(call)}
	}
	return []jen.Code{call, jen.Return(jen.Nil())}
}

// resetMethod renders Reset:
//
//	func (m *ClientManager) Reset() error {
//		return clientSpec.drop(m.cell.install(nil))
//	}
func (e *emitter) resetMethod() []jen.Code {
	returns := "It returns nil."
	if e.m.Closes() {
		returns = fmt.Sprintf("It closes what it drops and returns %s.", e.closeErrors())
	}
	return []jen.Code{
		doc(fmt.Sprintf("Reset drops %s and discards any build in flight; the next Get builds anew. %s", e.store.dropped(), returns)).
			Func().Add(e.receiver()).Id("Reset").Params().Error().Block(e.store.reset()),
	}
}

// closeErrors says what a method that closes instances returns.
func (e *emitter) closeErrors() string {
	if !e.m.Close.ReturnsError {
		return "nil"
	}
	if e.m.Keyed {
		return fmt.Sprintf("the errors of %s, joined", e.m.Close.Method)
	}
	return fmt.Sprintf("what %s returned", e.m.Close.Method)
}

// ifaceType renders the interface that iface= asks for, and the assertion that the
// constructor's result implements it:
//
//	type ClientAPI interface {
//		// Token returns an access token.
//		Token() (string, error)
//	}
//
//	var _ ClientAPI = (*Client)(nil)
func (e *emitter) ifaceType() []jen.Code {
	iface := e.m.Interface
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
	omitted := ""
	switch len(iface.Omitted) {
	case 0:
	case 1:
		omitted = fmt.Sprintf("It leaves out %s, whose signature needs a type that this package cannot name.", iface.Omitted[0])
	default:
		omitted = fmt.Sprintf("It leaves out %s, whose signatures need types that this package cannot name.", strings.Join(iface.Omitted, ", "))
	}
	return []jen.Code{
		doc(fmt.Sprintf("%s is the interface of %s's exported methods, which %s stores and returns: tests can install any fake, and mock generators can work from it.",
			iface.Name, e.spell(e.m.Result), e.m.Names.Manager), omitted).
			Type().Id(iface.Name).Interface(methods...),
		jen.Var().Id("_").Id(iface.Name).Op("=").Parens(typ(e.m.Result)).Parens(jen.Nil()),
	}
}

// signatureParams renders the parameters or results of a method.
func signatureParams(params []model.Param, variadic bool) []jen.Code {
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
