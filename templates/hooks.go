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

// hookEnv is the environment variable the hooks set through tb.Setenv, for the guard
// against parallel tests that comes with it.
const hookEnv = "SINGLETONGEN_TEST_HOOK"

// setForTest renders the hook that installs a fake:
//
//	func SetClientForTest(tb interface{...}, c *Client) {
//		tb.Helper()
//		if c == nil {
//			panic("paragon.SetClientForTest: c is nil; use ResetClientForTest for a test without a Client")
//		}
//		installClientForTest(tb, "SetClientForTest", &clientState{instance: c, installed: true})
//	}
func (e *emitter) setForTest() []jen.Code {
	m, n := e.m, e.m.Names
	installed, answers := e.store.hookValue(jen.Id("c"))
	return []jen.Code{
		doc(
			fmt.Sprintf("%s makes the process-wide %s, and so %s, return c until the test ends; Cleanup then restores what was there before.", n.SetForTest, n.Manager, n.Getter),
			answers,
			e.hookDoc(),
			fmt.Sprintf("It panics if c is nil: use %s for a test without a %s.", n.ResetForTest, m.Stem),
		).Func().Id(n.SetForTest).Params(jen.Id("tb").Add(testingTB()), jen.Id("c").Add(e.instanceType())).Block(
			jen.Id("tb").Dot("Helper").Call(),
			jen.If(e.isNilInstance(jen.Id("c"))...).Block(
				jen.Panic(jen.Lit(fmt.Sprintf("%s.%s: c is nil; use %s for a test without a %s", e.pkg, n.SetForTest, n.ResetForTest, m.Stem))),
			),
			jen.Id(n.TestHook).Call(jen.Id("tb"), jen.Lit(n.SetForTest), installed),
		),
	}
}

// resetForTest renders the hook that empties the process-wide manager for a test:
//
//	func ResetClientForTest(tb interface{...}) {
//		tb.Helper()
//		installClientForTest(tb, "ResetClientForTest", nil)
//	}
func (e *emitter) resetForTest() []jen.Code {
	n := e.m.Names
	return []jen.Code{
		doc(
			fmt.Sprintf("%s empties the process-wide %s until the test ends, so that %s builds anew; Cleanup then restores what was there before.", n.ResetForTest, n.Manager, n.Getter),
			e.hookDoc(),
		).Func().Id(n.ResetForTest).Params(jen.Id("tb").Add(testingTB())).Block(
			jen.Id("tb").Dot("Helper").Call(),
			jen.Id(n.TestHook).Call(jen.Id("tb"), jen.Lit(n.ResetForTest), jen.Nil()),
		),
	}
}

// hookDoc says what both hooks share.
func (e *emitter) hookDoc() string {
	s := ""
	if e.m.Closes() {
		s = fmt.Sprintf("Cleanup closes any %s built during the test, never one the test installed nor the one it restores. ", e.m.Stem)
	}
	return s + "The hook changes process-wide state, so it refuses a parallel test: it panics when the test or a parent called t.Parallel, and t.Parallel panics after it. tb is the test's *testing.T or *testing.B."
}

// testHook renders what both hooks share:
//
//	func installClientForTest(tb interface{...}, hook string, s *clientState) {
//		tb.Helper()
//		func() {
//			defer func() {
//				if r := recover(); r != nil {
//					panic(fmt.Sprintf("paragon.%s: not in a parallel test: %v", hook, r))
//				}
//			}()
//			tb.Setenv("SINGLETONGEN_TEST_HOOK", "paragon."+hook)
//		}()
//		m := &defaultClientManager
//		prev := m.install(s)
//		tb.Cleanup(func() {
//			if s := m.install(prev); s != nil && !s.installed {
//				_ = s.instance.Close()
//			}
//		})
//	}
func (e *emitter) testHook() []jen.Code {
	n := e.m.Names
	what, installed := e.store.hookParam()
	return []jen.Code{
		doc(fmt.Sprintf("%s installs %s in the process-wide %s until tb's test ends. hook names the caller in panics.", n.TestHook, what, n.Manager)).
			Func().Id(n.TestHook).Params(jen.Id("tb").Add(testingTB()), jen.Id("hook").String(), jen.Id(what).Add(installed)).Block(
			jen.Id("tb").Dot("Helper").Call(),
			jen.Func().Params().Block(
				jen.Comment("Setenv panics in a parallel test, and makes a later t.Parallel panic."),
				jen.Defer().Func().Params().Block(
					jen.If(jen.Id("r").Op(":=").Recover(), jen.Id("r").Op("!=").Nil()).Block(
						jen.Panic(jen.Qual("fmt", "Sprintf").Call(
							jen.Lit(e.pkg+".%s: the hook changes process-wide state and cannot be used in a parallel test: %v"),
							jen.Id("hook"), jen.Id("r"))),
					),
				).Call(),
				jen.Id("tb").Dot("Setenv").Call(jen.Lit(hookEnv), jen.Lit(e.pkg+".").Op("+").Id("hook")),
			).Call(),
			jen.Id("m").Op(":=").Op("&").Id(n.Default),
			jen.Id("prev").Op(":=").Id("m").Dot("install").Call(jen.Id(what)),
			jen.Id("tb").Dot("Cleanup").Call(jen.Func().Params().Block(e.store.hookRestore())),
		),
	}
}
