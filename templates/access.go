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
	call := fmt.Sprintf("%s().Get(%s)", n.Instance, strings.Join(e.paramNames(), ", "))
	return []jen.Code{
		doc(fmt.Sprintf("%s returns the process-wide %s, built with %s on first use. It is %s: see (*%s).Get.", n.Getter, e.m.Stem, e.ctorName(), call, n.Manager)).
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
	paragraphs := append(e.store.getDoc(), e.failureDoc(), e.contextDoc())
	if e.m.HasConflicts() {
		paragraphs = append(paragraphs, fmt.Sprintf("Arguments other than those of the %s built or being built get an error that matches %s, never a %s built with other arguments and never another caller's error.", e.m.Stem, e.m.Names.Conflict, e.m.Stem))
	}
	return []jen.Code{
		doc(paragraphs...).Func().Add(e.receiver()).Id("Get").Params(e.paramList()...).Params(e.getResults()...).Block(e.store.fastPath(jen.Id("m"))...),
	}
}
