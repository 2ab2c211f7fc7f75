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
// returns the state rather than the instance, then the slow path. In single mode:
//
//	func (m *ClientManager) current(_ context.Context, args clientArgs) *clientState {
//		if s := (*clientState)(atomic.LoadPointer(&m.state)); s != nil && (s.installed || s.args == args) {
//			return s
//		}
//		return m.get(args)
//	}
func (e *emitter) currentMethod() []jen.Code {
	ctx, args := jen.Id("_"), jen.Id("_")
	var slow []jen.Code
	if e.m.Context != "" {
		ctx = jen.Id("ctx")
		slow = append(slow, jen.Id("ctx"))
	}
	if e.m.HasParams() {
		args = jen.Id("args")
		slow = append(slow, jen.Id("args"))
	}
	body := append(e.store.current(), jen.Return(jen.Id("m").Dot("get").Call(slow...)))
	return []jen.Code{
		doc("current returns the state that Get would return an instance from, for With.").
			Func().Add(e.receiver()).Id("current").Params(ctx.Qual("context", "Context"), args.Add(e.argsType())).Op("*").Id(e.m.Names.State).Block(body...),
	}
}

// argsOrNone renders the arguments as the args struct, or struct{}{} when there are none.
func (e *emitter) argsOrNone() *jen.Statement {
	if !e.m.HasParams() {
		return jen.Struct().Values()
	}
	return e.argsLiteral()
}
