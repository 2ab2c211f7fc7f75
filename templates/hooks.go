package templates

import (
	"fmt"

	"github.com/dave/jennifer/jen"
)

// testingTB renders the part of testing.TB the hooks use, written out so that godoc shows
// it and production code need not import testing:
//
//	interface {
//		Helper()
//		Cleanup(func())
//		Setenv(key, value string)
//	}
func testingTB() *jen.Statement {
	return jen.Interface(
		jen.Id("Helper").Params(),
		jen.Id("Cleanup").Params(jen.Func().Params()),
		jen.Id("Setenv").Params(jen.List(jen.Id("key"), jen.Id("value")).String()),
	)
}

// setForTest renders the hook that installs a fake:
//
//	func SetClientForTest(tb interface{...}, c *Client) {
//		tb.Helper()
//		if c == nil {
//			panic("paragon.SetClientForTest: c is nil; use ResetClientForTest for a test without a Client")
//		}
//		defaultClientManager.cell.installForTest(tb, "paragon.SetClientForTest", &clientState{instance: c, installed: true}, &clientSpec)
//	}
func (e *emitter) setForTest() []jen.Code {
	m, n := e.m, e.m.Names
	what := "whatever the arguments"
	if m.Keyed {
		what = "for every key"
	} else if !m.HasParams() {
		what = "instead of its own"
	}
	return []jen.Code{
		doc(fmt.Sprintf("%s makes the process-wide %s return c, %s, until the test ends (see %s). It panics if c is nil.", n.SetForTest, n.Manager, what, n.Manager)).
			Func().Id(n.SetForTest).Params(jen.Id("tb").Add(testingTB()), jen.Id("c").Add(e.instanceType())).Block(
			jen.Id("tb").Dot("Helper").Call(),
			jen.If(e.isNilInstance(jen.Id("c"))...).Block(
				jen.Panic(jen.Lit(fmt.Sprintf("%s.%s: c is nil; use %s for a test without %s", e.pkg, n.SetForTest, n.ResetForTest, indefinite(m.Stem)))),
			),
			e.installForTest(n.SetForTest, e.store.fake(jen.Id("c"))),
		),
	}
}

// resetForTest renders the hook that empties the process-wide manager for a test:
//
//	func ResetClientForTest(tb interface{...}) {
//		tb.Helper()
//		defaultClientManager.cell.installForTest(tb, "paragon.ResetClientForTest", nil, &clientSpec)
//	}
func (e *emitter) resetForTest() []jen.Code {
	n := e.m.Names
	return []jen.Code{
		doc(fmt.Sprintf("%s empties the process-wide %s until the test ends (see %s).", n.ResetForTest, n.Manager, n.Manager)).
			Func().Id(n.ResetForTest).Params(jen.Id("tb").Add(testingTB())).Block(
			jen.Id("tb").Dot("Helper").Call(),
			e.installForTest(n.ResetForTest, jen.Nil()),
		),
	}
}

// installForTest renders the call of the shared code of a test hook, which installs x.
func (e *emitter) installForTest(hook string, x jen.Code) jen.Code {
	args := append(e.store.storeArgs(jen.Id(e.m.Names.Default)), jen.Id("tb"), jen.Lit(e.pkg+"."+hook), x, jen.Op("&").Id(e.m.Names.Spec))
	return jen.Id(e.m.Names.Default).Dot(e.storeField()).Dot("installForTest").Call(args...)
}
