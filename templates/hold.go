package templates

import (
	"fmt"

	"github.com/dave/jennifer/jen"
)

// withMethod renders With, which runs fn with an instance held against closing:
//
//	func (m *ClientManager) With(apiKey string, fn func(*Client) error) error {
//		return clientSpec.with(context.Background(), m, clientArgs{apiKey: apiKey}, fn)
//	}
func (e *emitter) withMethod() []jen.Code {
	ctx := jen.Qual("context", "Background").Call()
	if e.m.Context != "" {
		ctx = jen.Id(e.m.Context)
	}
	params := append(e.paramList(), jen.Id("fn").Func().Params(e.instanceType()).Error())
	return []jen.Code{
		doc(fmt.Sprintf("With calls fn with the %s that Get returns for these arguments, and keeps it from being closed until fn returns (see %s). It returns fn's error, or the error of getting the %s, joined with what closing it returned if this With ended last after a drop.", e.m.Stem, e.m.Names.Manager, e.m.Stem)).
			Func().Add(e.receiver()).Id("With").Params(params...).Error().Block(
			jen.Return(jen.Id(e.m.Names.Spec).Dot("with").Call(ctx, jen.Id("m"), e.argsOrNone(), jen.Id("fn"))),
		),
	}
}

// invalidateMethod renders Invalidate, which drops an instance only if it is still the
// one for its arguments:
//
//	func (m *ClientManager) Invalidate(apiKey string, inst *Client) error {
//		return m.cell.invalidate(&m.state, clientArgs{apiKey: apiKey}, inst, &clientSpec)
//	}
func (e *emitter) invalidateMethod() []jen.Code {
	params := append(e.keyParams(), jen.Id("inst").Add(e.instanceType()))
	args := append(e.store.storeArgs(jen.Id("m")), e.argsOrNone(), jen.Id("inst"), jen.Op("&").Id(e.m.Names.Spec))
	return []jen.Code{
		doc(fmt.Sprintf("Invalidate drops inst, if it still is the %s for these arguments, so that the next Get builds anew, and closes it unless a With holds it; otherwise it does nothing. Goroutines that all found the same instance broken can each invalidate it: only the first drops it, never the fresh one built since.", e.m.Stem)).
			Func().Add(e.receiver()).Id("Invalidate").Params(params...).Error().Block(
			jen.Return(jen.Id("m").Dot(e.storeField()).Dot("invalidate").Call(args...)),
		),
	}
}

// currentMethod renders what With gets the instance from: the fast path of Get, which
// returns the state rather than the instance, then the shared slow path, whose state
// carries the error where a manager without one to return would panic. In single mode:
//
//	func (m *ClientManager) current(ctx context.Context, args clientArgs) *clientState {
//		if s := (*clientState)(atomic.LoadPointer(&m.state)); s != nil && (s.installed || s.args == args) {
//			return s
//		}
//		return m.cell.get(ctx, &m.state, args, &clientSpec, m.build)
//	}
func (e *emitter) currentMethod() []jen.Code {
	body := append(e.store.current(), jen.Return(e.sharedGet(jen.Id("ctx"), jen.Id("args"))))
	return []jen.Code{
		doc("current returns the state that Get would return an instance from, or the error it would return or panic with, for With.").
			Func().Add(e.receiver()).Id("current").Params(jen.Id("ctx").Qual("context", "Context"), jen.Id("args").Add(e.argsType())).Op("*").Id(e.m.Names.State).Block(body...),
	}
}

// argsOrNone renders the arguments as the args struct, or struct{}{} when there are none.
func (e *emitter) argsOrNone() *jen.Statement {
	if !e.m.HasParams() {
		return jen.Struct().Values()
	}
	return e.argsLiteral()
}
