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
	n := e.m.Names
	return []jen.Code{
		doc(fmt.Sprintf("%s is %s().Get(%s), with its fast path inlined.", n.Getter, n.Instance, strings.Join(e.paramNames(), ", "))).
			Func().Id(n.Getter).Params(e.paramList()...).Params(e.getResults()...).Block(e.store.fastPath(jen.Id(n.Default))...),
	}
}

// mustGetter renders the panicking accessor:
//
//	func MustGetClient(apiKey string) *Client {
//		c, err := GetClient(apiKey)
//		if err != nil {
//			panic(err)
//		}
//		return c
//	}
func (e *emitter) mustGetter() []jen.Code {
	n := e.m.Names
	return []jen.Code{
		doc(fmt.Sprintf("%s is %s for main and package initialisation: it panics where %s returns an error.", n.MustGetter, n.Getter, n.Getter)).
			Func().Id(n.MustGetter).Params(e.paramList()...).Add(e.instanceType()).Block(
			jen.List(jen.Id("c"), jen.Err()).Op(":=").Id(n.Getter).Call(e.argNames()...),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Panic(jen.Err())),
			jen.Return(jen.Id("c")),
		),
	}
}

// getMethod renders Get, whose body is the fast path.
func (e *emitter) getMethod() []jen.Code {
	what := fmt.Sprintf("Get returns the %s, built on first use.", e.m.Stem)
	switch {
	case e.m.Keyed:
		what = fmt.Sprintf("Get returns the %s for these arguments, built on first use.", e.m.Stem)
	case e.m.HasParams():
		what = fmt.Sprintf("Get returns the %s, built with these arguments on first use.", e.m.Stem)
	}
	return []jen.Code{
		doc(what).Func().Add(e.receiver()).Id("Get").Params(e.paramList()...).Params(e.getResults()...).Block(e.store.fastPath(jen.Id("m"))...),
	}
}
