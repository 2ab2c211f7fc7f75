package templates

import (
	"fmt"

	"github.com/dave/jennifer/jen"
)

// slowPathArgs renders the arguments of the manager's slow path from the accessors'
// parameters: ctx, clientArgs{apiKey: apiKey}
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

// slowPath renders the manager's slow path, which the shared code of its storage runs:
//
//	func (m *ClientManager) get(ctx context.Context, args clientArgs) *clientState {
//		return m.cell.get(ctx, args, &clientSpec, m.build)
//	}
//
// Without an error to return, it panics where Get would return one.
func (e *emitter) slowPath() []jen.Code {
	m, n := e.m, e.m.Names
	var params []jen.Code
	ctx, args := jen.Qual("context", "Background").Call(), jen.Struct().Values()
	if m.Context != "" {
		params = append(params, jen.Id("ctx").Qual("context", "Context"))
		ctx = jen.Id("ctx")
	}
	if m.HasParams() {
		params = append(params, jen.Id("args").Id(n.Args))
		args = jen.Id("args")
	}
	get := e.sharedGet(ctx, args)
	body := []jen.Code{jen.Return(get)}
	what := "get is the slow path of Get, out of line so that Get inlines."
	if !m.GetReturnsError() {
		what = "get is the slow path of Get, out of line so that Get inlines. It panics where Get cannot return an error."
		body = []jen.Code{
			jen.Id("s").Op(":=").Add(get),
			jen.If(jen.Id("s").Dot("err").Op("!=").Nil()).Block(jen.Panic(jen.Id("s").Dot("err"))),
			jen.Return(jen.Id("s")),
		}
	}
	return []jen.Code{
		doc(what).
			Comment("").Line().
			Comment("//go:noinline").Line().
			Func().Add(e.receiver()).Id("get").Params(params...).Op("*").Id(n.State).Block(body...),
	}
}

// sharedGet renders the call of the shared slow path, with ctx and args:
// m.cell.get(ctx, &m.state, args, &clientSpec, m.build)
func (e *emitter) sharedGet(ctx, args jen.Code) *jen.Statement {
	params := append([]jen.Code{ctx}, e.store.storeArgs(jen.Id("m"))...)
	params = append(params, args, jen.Op("&").Id(e.m.Names.Spec), jen.Id("m").Dot("build"))
	return jen.Id("m").Dot(e.storeField()).Dot("get").Call(params...)
}

// storeField names the manager's field that holds what it built.
func (e *emitter) storeField() string {
	if e.m.Keyed {
		return "keys"
	}
	return "cell"
}

// build renders the call of the constructor that the manager was made with, or of the
// default one:
//
//	func (m *ClientManager) build(ctx context.Context, args clientArgs) (*Client, error) {
//		ctor := m.ctor
//		if ctor == nil {
//			ctor = NewClient
//		}
//		return ctor(ctx, args.apiKey)
//	}
func (e *emitter) build() []jen.Code {
	m := e.m
	ctx, args := jen.Id("_"), jen.Id("_")
	var call []jen.Code
	if m.Context != "" {
		ctx = jen.Id("ctx")
		call = append(call, jen.Id("ctx"))
	}
	if m.HasParams() {
		args = jen.Id("args")
	}
	for _, p := range m.Params {
		call = append(call, jen.Id("args").Dot(p.Name))
	}
	return []jen.Code{
		doc(fmt.Sprintf("build builds %s with the constructor m was made with, or %s.", indefinite(m.Stem), e.ctorName())).
			Func().Add(e.receiver()).Id("build").Params(ctx.Qual("context", "Context"), args.Add(e.argsType())).Params(e.instanceType(), jen.Error()).Block(
			e.callConstructor(call)...,
		),
	}
}

// callConstructor renders the body of build: a call of the injected constructor, or of
// the default one, with the arguments call.
func (e *emitter) callConstructor(call []jen.Code) []jen.Code {
	m := e.m
	// returns renders the return of a call's results, with a nil error when the
	// constructor returns none.
	returns := func(c jen.Code) jen.Code {
		if m.ReturnsError {
			return jen.Return(c)
		}
		return jen.Return(c, jen.Nil())
	}
	switch {
	case m.Constructor.Name == "":
		return []jen.Code{
			jen.If(jen.Id("m").Dot("ctor").Op("!=").Nil()).Block(jen.Return(jen.Id("m").Dot("ctor").Call(), jen.Nil())),
			jen.Return(jen.New(typ(m.Zero)), jen.Nil()),
		}
	case m.Interface != nil:
		// The default constructor returns *T: a nil one must stay a nil interface.
		results := []jen.Code{jen.Id("t")}
		err := jen.Nil()
		if m.ReturnsError {
			results = append(results, jen.Err())
			err = jen.Err()
		}
		return []jen.Code{
			jen.If(jen.Id("m").Dot("ctor").Op("!=").Nil()).Block(returns(jen.Id("m").Dot("ctor").Call(call...))),
			jen.List(results...).Op(":=").Add(e.constructor()).Call(call...),
			jen.If(jen.Id("t").Op("==").Nil()).Block(jen.Return(jen.Nil(), err)),
			jen.Return(jen.Id("t"), err.Clone()),
		}
	}
	return []jen.Code{
		jen.Id("ctor").Op(":=").Id("m").Dot("ctor"),
		jen.If(jen.Id("ctor").Op("==").Nil()).Block(jen.Id("ctor").Op("=").Add(e.constructor())),
		returns(jen.Id("ctor").Call(call...)),
	}
}

// isNilInstance renders the condition under which x, an instance, is nil; for an
// interface, also when it holds a nil, as an injected constructor may return.
func (e *emitter) isNilInstance(x *jen.Statement) []jen.Code {
	switch {
	case e.m.ResultInterface:
		v := jen.Qual("reflect", "ValueOf").Call(x.Clone())
		return []jen.Code{x.Clone().Op("==").Nil().Op("||").Add(nilKinds(v))}
	case e.m.Interface != nil:
		return []jen.Code{
			jen.List(jen.Id("t"), jen.Id("ok")).Op(":=").Add(x.Clone()).Assert(typ(e.m.Result)),
			x.Clone().Op("==").Nil().Op("||").Id("ok").Op("&&").Id("t").Op("==").Nil(),
		}
	}
	return []jen.Code{x.Clone().Op("==").Nil()}
}

// nilInside renders the body of the function that reports whether interface c holds a
// nil: the result of iface= as a nil *T; an interface result, whose dynamic types the
// generator does not know, as any nil that reflect sees.
//
//	t, ok := c.(*Client)
//	return ok && t == nil
func (e *emitter) nilInside(c *jen.Statement) []jen.Code {
	if e.m.ResultInterface {
		return []jen.Code{
			jen.Id("v").Op(":=").Qual("reflect", "ValueOf").Call(c),
			jen.Return(nilKinds(jen.Id("v"))),
		}
	}
	return []jen.Code{
		jen.List(jen.Id("t"), jen.Id("ok")).Op(":=").Add(c).Assert(typ(e.m.Result)),
		jen.Return(jen.Id("ok").Op("&&").Id("t").Op("==").Nil()),
	}
}

// nilKinds renders the condition that reflect.Value v is a nil of a kind that can be:
//
//	(v.Kind() == reflect.Pointer || v.Kind() == reflect.Map || ...) && v.IsNil()
func nilKinds(v *jen.Statement) *jen.Statement {
	cond := jen.Null()
	for i, kind := range []string{"Pointer", "Map", "Slice", "Func", "Chan"} {
		if i > 0 {
			cond.Op("||")
		}
		cond.Add(v.Clone()).Dot("Kind").Call().Op("==").Qual("reflect", kind)
	}
	return jen.Parens(cond).Op("&&").Add(v.Clone()).Dot("IsNil").Call()
}
