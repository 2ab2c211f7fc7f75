package templates

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/singletongen/singletongen/model"
)

// conflictError renders the sentinel of argument conflicts:
//
//	var ErrClientConflict = errors.New("paragon: Client requested with other arguments than it was built with")
func (e *emitter) conflictError() []jen.Code {
	n, stem := e.m.Names, e.m.Stem
	return []jen.Code{
		doc(
			fmt.Sprintf("%s is the error, matched with errors.Is, of a Get whose arguments differ from those of the %s already built or being built: a %s holds one %s and never returns one built with other arguments.", n.Conflict, stem, n.Manager, stem),
			"Error messages never contain the arguments, which are often credentials.",
		).Var().Id(n.Conflict).Op("=").Qual("errors", "New").Call(
			jen.Lit(e.message("%s requested with other arguments than it was built with", stem))),
	}
}

// managerType renders the manager, with the fields its storage needs:
//
//	type ClientManager struct {
//		state unsafe.Pointer
//		ctor  func(apiKey string) (*Client, error)
//
//		mu    sync.Mutex
//		build *clientBuild
//	}
func (e *emitter) managerType() []jen.Code {
	n := e.m.Names
	what, lifetime := e.store.describe()
	selfCall := "A constructor must not call Get on its own manager, directly or through another singleton: it would wait for itself forever, as with sync.Once."
	if e.m.Context != "" {
		selfCall = "A constructor that calls Get on its own manager for the instance it is building, with the context it was given (directly or through other singletons), gets an error instead of waiting for itself; with another context it would wait forever, as with sync.Once."
	}
	return []jen.Code{
		doc(
			fmt.Sprintf("%s %s: see Get. Its zero value is ready to use and builds with %s; %s returns the process-wide one.", n.Manager, what, e.ctorName(), n.Instance),
			lifetime,
			selfCall+" A manager must not be copied after first use.",
		).Type().Id(n.Manager).Struct(e.store.fields()...),
	}
}

// failureDoc explains what a manager does when a build fails, in the words of its options.
func (e *emitter) failureDoc() string {
	m := e.m
	s := ""
	if m.ReturnsError {
		if m.OnError == model.Cache {
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
		doc(fmt.Sprintf("%s returns the process-wide %s, the one %s uses.", n.Instance, n.Manager, n.Getter)).
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
func (e *emitter) argsType() []jen.Code {
	return []jen.Code{
		doc(e.store.argsDoc()).Type().Id(e.m.Names.Args).Struct(e.keyParams()...),
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
	what := fmt.Sprintf("a %s", m.Stem)
	if m.HasConflicts() {
		fields = append(fields, jen.Id("args").Id(n.Args))
		what += " and the arguments it was built with"
	}
	fields = append(fields, jen.Id("instance").Add(e.instanceType()), jen.Id("err").Error())
	if e.store.marksInstalled() {
		fields = append(fields, jen.Id("installed").Bool().Comment("by a test hook: "+e.installedMeaning()))
	}
	return []jen.Code{
		doc(fmt.Sprintf("%s is what a %s publishes, %s, and what Get returns, which may be an error instead. It never changes once made.", n.State, n.Manager, what)).
			Type().Id(n.State).Struct(fields...),
	}
}

func (e *emitter) installedMeaning() string {
	switch {
	case e.m.HasParams() && e.m.Closes():
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
	discarders := e.store.droppers() + " or a test hook"
	if e.m.Context != "" {
		fields = append(fields, jen.Id("outer").Op("*").Id(n.Build).Comment("the build whose constructor asked for this one, if any"))
		discarders = e.store.droppers() + ", a test hook, or its caller's own context"
	}
	return []jen.Code{
		doc(fmt.Sprintf("%s is a construction in flight. Its waiters block on done; result is set before done is closed, and stays nil when %s discarded the build and its waiters must build again.", n.Build, discarders)).
			Type().Id(n.Build).Struct(fields...),
	}
}

// buildKeyType renders the context key under which a build marks the context it gives
// its constructor:
//
//	type clientBuildKey struct{}
func (e *emitter) buildKeyType() []jen.Code {
	n := e.m.Names
	return []jen.Code{
		doc(fmt.Sprintf("%s is the context key of the %s whose constructor received the context: a constructor that asks its own manager for the instance it is building gets an error instead of waiting for itself.", n.BuildKey, n.Build)).
			Type().Id(n.BuildKey).Struct(),
	}
}

// resetMethod renders Reset, which drops what the manager holds through install and
// closes it. In single mode:
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
	body := []jen.Code{jen.Id("m").Dot("install").Call(jen.Nil()), jen.Return(jen.Nil())}
	closes := fmt.Sprintf("It always returns nil: the manager never closes a %s.", m.Stem)
	safety := "Reset is safe while other goroutines call Get: it is meant for tests, credential rotation and shutdown."
	if m.Closes() {
		body, closes = e.store.resetBody()
		if m.TestHooks {
			closes += fmt.Sprintf(" It never closes a %s installed by %s.", m.Stem, n.SetForTest)
		}
		safety = "Reset is safe while other goroutines call Get, but they may still be using what it closes: it is meant for tests, credential rotation and shutdown."
	}
	return []jen.Code{
		doc(
			fmt.Sprintf("Reset drops %s; the next Get builds anew. %s", e.store.dropped(), closes),
			fmt.Sprintf("Builds in flight are discarded when they finish and their callers build again: no Get that starts after Reset returns sees a %s whose build began before. %s", m.Stem, safety),
		).Func().Add(e.receiver()).Id("Reset").Params().Error().Block(body...),
	}
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
	return []jen.Code{
		doc(fmt.Sprintf("%s is the interface of %s's exported methods. %s stores and returns it, so that a test can install any fake with %s, and mock generators can work from it.",
			iface.Name, e.spell(e.m.Result), e.m.Names.Manager, e.m.Names.SetForTest)).
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
