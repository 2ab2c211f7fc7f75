package templates

import (
	"fmt"

	"github.com/dave/jennifer/jen"
)

// single is the storage of a manager that holds one instance: a singletonCell, which
// publishes an immutable state, the instance with the arguments it was built with,
// through one pointer.
type single struct{ *emitter }

func (s *single) api() []Decl   { return nil }
func (s *single) types() []Decl { return nil }

func (s *single) describe() (what, sharing string) {
	return fmt.Sprintf("holds one %s, built by %s on first use and shared by all goroutines", s.instanceName(), s.ctorName()),
		"concurrent first callers of Get wait for one build and share its result, and once built, Get costs one atomic load."
}

// fields render:
//
//	state unsafe.Pointer
//	cell  singletonCell[clientArgs, *Client]
func (s *single) fields() []jen.Code {
	return []jen.Code{
		jen.Comment(fmt.Sprintf("state is the published *%s, or nil, read with atomic.LoadPointer.", s.m.Names.State)),
		jen.Id("state").Qual("unsafe", "Pointer"),
		jen.Id("cell").Id(cellName).Types(s.argsType(), s.instanceType()),
	}
}

// storeArgs render &m.state.
func (s *single) storeArgs(manager *jen.Statement) []jen.Code {
	return []jen.Code{jen.Op("&").Add(manager).Dot("state")}
}

func (s *single) argsDoc() string {
	return fmt.Sprintf("%s are the arguments %s is built with, which Get compares.", s.m.Names.Args, indefinite(s.m.Stem))
}

// fastPath renders, with arguments:
//
//	if s := (*clientState)(atomic.LoadPointer(&m.state)); s != nil && s.args == (clientArgs{apiKey: apiKey}) {
//		return s.instance, s.err
//	}
//	s := m.get(clientArgs{apiKey: apiKey})
//	return s.instance, s.err
func (s *single) fastPath(manager *jen.Statement) []jen.Code {
	state := s.m.Names.State
	load := load(state, manager.Clone().Dot("state"))
	if s.m.HasConflicts() {
		// An early return, which compiles to faster code than the shape below; with the
		// comparison, Get is past the inlining budget anyway.
		return []jen.Code{
			jen.If(
				jen.Id("s").Op(":=").Add(load),
				jen.Id("s").Op("!=").Nil().Op("&&").Id("s").Dot("args").Op("==").Parens(s.argsLiteral()),
			).Block(jen.Return(s.results(jen.Id("s").Dot("err"))...)),
			jen.Id("s").Op(":=").Add(manager.Clone()).Dot("get").Call(s.slowPathArgs()...),
			jen.Return(s.results(jen.Id("s").Dot("err"))...),
		}
	}
	// This shape keeps Get within the compiler's inlining budget.
	return []jen.Code{
		jen.Id("s").Op(":=").Add(load),
		jen.If(jen.Id("s").Op("==").Nil()).Block(jen.Id("s").Op("=").Add(manager.Clone()).Dot("get").Call(s.slowPathArgs()...)),
		jen.Return(s.results(jen.Id("s").Dot("err"))...),
	}
}

func (s *single) dropped() string { return "the " + s.m.Stem }

// reset renders return m.cell.reset(&m.state, &clientSpec).
func (s *single) reset() jen.Code {
	return jen.Return(jen.Id("m").Dot("cell").Dot("reset").Call(jen.Op("&").Id("m").Dot("state"), jen.Op("&").Id(s.m.Names.Spec)))
}

// current renders:
//
//	if s := (*clientState)(atomic.LoadPointer(&m.state)); s != nil && (s.installed || s.args == args) {
//		return s
//	}
func (s *single) current() []jen.Code {
	state := jen.Id("s").Op(":=").Add(load(s.m.Names.State, jen.Id("m").Dot("state")))
	answers := jen.Id("s").Op("!=").Nil()
	if s.m.HasParams() {
		answers = answers.Op("&&").Parens(jen.Id("s").Dot("installed").Op("||").Id("s").Dot("args").Op("==").Id("args"))
	}
	return []jen.Code{jen.If(state, answers).Block(jen.Return(jen.Id("s")))}
}

// fake renders &clientState{instance: c, installed: true}.
func (s *single) fake(c *jen.Statement) *jen.Statement {
	return s.newState(field("instance", c), field("installed", jen.True()))
}
