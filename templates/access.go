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
//		if s := (*clientState)(atomic.LoadPointer(&defaultClientManager.state)); s != nil && s.args == (clientArgs{apiKey: apiKey}) {
//			return s.instance, s.err
//		}
//		s := defaultClientManager.get(clientArgs{apiKey: apiKey})
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
			Func().Id(n.MustGetter).Params(e.paramList()...).Add(e.instanceType()).Block(
			jen.List(jen.Id("c"), jen.Err()).Op(":=").Id(n.Getter).Call(e.argNames()...),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Panic(jen.Err())),
			jen.Return(jen.Id("c")),
		),
	}
}

// getMethod renders Get, whose body is the fast path.
func (e *emitter) getMethod() []jen.Code {
	m, n := e.m, e.m.Names
	var paragraphs []string
	if m.Keyed {
		paragraphs = append(paragraphs,
			fmt.Sprintf("Get returns the %s for these arguments, building it on first use; concurrent first callers with the same arguments wait for that one build and share its result, while other arguments build at the same time. Once a %s is built, Get costs one atomic load and a map lookup: no lock, no allocation.", m.Type, m.Type),
			"Instances live until Delete or Reset. A new key costs O(1) amortised: it is published for lock-free reads once Gets that found it only under the lock are as many as the instances.")
	} else {
		paragraphs = append(paragraphs, fmt.Sprintf("Get returns the %s, building it on first use; concurrent first callers wait for that one build and share its result. Once the %s is built, Get costs one atomic load: no lock, no allocation.", m.Type, m.Type))
	}
	paragraphs = append(paragraphs, e.failureDoc(), e.contextDoc())
	if m.HasConflicts() {
		paragraphs = append(paragraphs, fmt.Sprintf("Arguments other than those of the %s built or being built get an error that matches %s, never a %s built with other arguments and never another caller's error.", m.Type, n.Conflict, m.Type))
	}
	return []jen.Code{
		doc(paragraphs...).Func().Add(e.receiver()).Id("Get").Params(e.paramList()...).Params(e.getResults()...).Block(e.fastPath(jen.Id("m"))...),
	}
}

// fastPath renders the body of Get on manager. In single mode:
//
//	if s := (*clientState)(atomic.LoadPointer(&m.state)); s != nil && s.args == (clientArgs{apiKey: apiKey}) {
//		return s.instance, s.err
//	}
//	s := m.get(clientArgs{apiKey: apiKey})
//	return s.instance, s.err
//
// In keyed mode:
//
//	if x := (*clientIndex)(atomic.LoadPointer(&m.index)); x != nil {
//		if s := x.instances[clientArgs{apiKey: apiKey}]; s != nil {
//			return s.instance, nil
//		}
//	}
//	s := m.get(clientArgs{apiKey: apiKey})
//	return s.instance, s.err
func (e *emitter) fastPath(manager *jen.Statement) []jen.Code {
	n := e.m.Names
	var args []jen.Code
	if e.m.Context != "" {
		args = append(args, jen.Id(e.m.Context))
	}
	if e.m.HasParams() {
		args = append(args, e.argsLiteral())
	}
	results := func(err jen.Code) []jen.Code {
		if e.m.GetReturnsError() {
			return []jen.Code{jen.Id("s").Dot("instance"), err}
		}
		return []jen.Code{jen.Id("s").Dot("instance")}
	}
	if e.m.Keyed {
		return []jen.Code{
			jen.If(jen.Id("x").Op(":=").Add(load(n.Index, manager.Clone().Dot("index"))), jen.Id("x").Op("!=").Nil()).Block(
				jen.If(jen.Id("s").Op(":=").Id("x").Dot("instances").Index(e.argsLiteral()), jen.Id("s").Op("!=").Nil()).Block(
					jen.Return(results(jen.Nil())...),
				),
			),
			jen.Id("s").Op(":=").Add(manager.Clone()).Dot("get").Call(args...),
			jen.Return(results(jen.Id("s").Dot("err"))...),
		}
	}
	if e.m.HasConflicts() {
		// An early return, which compiles to faster code than the shape below; with the
		// comparison, Get is past the inlining budget anyway.
		return []jen.Code{
			jen.If(
				jen.Id("s").Op(":=").Add(load(n.State, manager.Clone().Dot("state"))),
				jen.Id("s").Op("!=").Nil().Op("&&").Id("s").Dot("args").Op("==").Parens(e.argsLiteral()),
			).Block(jen.Return(results(jen.Id("s").Dot("err"))...)),
			jen.Id("s").Op(":=").Add(manager.Clone()).Dot("get").Call(args...),
			jen.Return(results(jen.Id("s").Dot("err"))...),
		}
	}
	// This shape keeps Get within the compiler's inlining budget.
	return []jen.Code{
		jen.Id("s").Op(":=").Add(load(n.State, manager.Clone().Dot("state"))),
		jen.If(jen.Id("s").Op("==").Nil()).Block(jen.Id("s").Op("=").Add(manager.Clone()).Dot("get").Call(args...)),
		jen.Return(results(jen.Id("s").Dot("err"))...),
	}
}
