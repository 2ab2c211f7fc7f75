package templates

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/singletongen/singletongen/model"
)

// single is the storage of a manager that holds one instance: it publishes an immutable
// state, the instance with the arguments it was built with, through one pointer.
type single struct{ *emitter }

func (s *single) api() []Decl        { return nil }
func (s *single) types() []Decl      { return nil }
func (s *single) lookups() []Decl    { return nil }
func (s *single) publishing() []Decl { return nil }

func (s *single) describe() (what, lifetime string) {
	return fmt.Sprintf("builds one %s on first use and shares it among all goroutines", s.instanceName()),
		fmt.Sprintf("Reset drops the %s while other goroutines may still be using it: it is meant for tests, credential rotation and shutdown.", s.m.Stem)
}

// fields renders:
//
//	state unsafe.Pointer
//	ctor  func(apiKey string) (*Client, error)
//
//	mu    sync.Mutex
//	build *clientBuild
func (s *single) fields() []jen.Code {
	n := s.m.Names
	return []jen.Code{
		jen.Comment(fmt.Sprintf("state points to the published %s, or is nil. It is an unsafe.Pointer", n.State)),
		jen.Comment("read with atomic.LoadPointer, not an atomic.Pointer, because that keeps Get"),
		jen.Comment("within the compiler's inlining budget."),
		jen.Id("state").Qual("unsafe", "Pointer"),
		jen.Id("ctor").Add(s.ctorType()),
		jen.Line(),
		jen.Id("mu").Qual("sync", "Mutex"),
		jen.Id("build").Op("*").Id(n.Build).Comment("the construction in flight, if any; guarded by mu"),
	}
}

func (s *single) droppers() string { return "Reset" }

func (s *single) argsDoc() string {
	return fmt.Sprintf("%s holds the arguments a %s is built with, which Get compares with those of each call.", s.m.Names.Args, s.m.Stem)
}

func (s *single) getDoc() []string {
	return []string{fmt.Sprintf("Get returns the %s, building it on first use; concurrent first callers wait for that one build and share its result. Once the %s is built, Get costs one atomic load: no lock, no allocation.", s.m.Stem, s.m.Stem)}
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
	slow := jen.Id("s").Op(":=").Add(manager.Clone()).Dot("get").Call(s.slowPathArgs()...)
	if s.m.HasConflicts() {
		// An early return, which compiles to faster code than the shape below; with the
		// comparison, Get is past the inlining budget anyway.
		return []jen.Code{
			jen.If(
				jen.Id("s").Op(":=").Add(load(state, manager.Clone().Dot("state"))),
				jen.Id("s").Op("!=").Nil().Op("&&").Id("s").Dot("args").Op("==").Parens(s.argsLiteral()),
			).Block(jen.Return(s.results(jen.Id("s").Dot("err"))...)),
			slow,
			jen.Return(s.results(jen.Id("s").Dot("err"))...),
		}
	}
	// This shape keeps Get within the compiler's inlining budget.
	return []jen.Code{
		jen.Id("s").Op(":=").Add(load(state, manager.Clone().Dot("state"))),
		jen.If(jen.Id("s").Op("==").Nil()).Block(jen.Id("s").Op("=").Add(manager.Clone()).Dot("get").Call(s.slowPathArgs()...)),
		jen.Return(s.results(jen.Id("s").Dot("err"))...),
	}
}

// current renders:
//
//	if s := (*clientState)(atomic.LoadPointer(&m.state)); s != nil {
//		m.mu.Unlock()
//		if s.installed || s.args == args {
//			return s
//		}
//		return &clientState{err: ErrClientConflict}
//	}
//	b := m.build
func (s *single) current() []jen.Code {
	published := []jen.Code{unlock()}
	if s.m.HasConflicts() {
		match := jen.Id("s").Dot("args").Op("==").Id("args")
		if s.marksInstalled() {
			match = jen.Id("s").Dot("installed").Op("||").Add(match)
		}
		published = append(published, jen.If(match).Block(jen.Return(jen.Id("s"))), s.conflict())
	} else {
		published = append(published, jen.Return(jen.Id("s")))
	}
	return []jen.Code{
		jen.If(jen.Id("s").Op(":=").Add(load(s.m.Names.State, jen.Id("m").Dot("state"))), jen.Id("s").Op("!=").Nil()).Block(published...),
		jen.Id("b").Op(":=").Id("m").Dot("build"),
	}
}

func (s *single) register() []jen.Code {
	return []jen.Code{jen.Id("m").Dot("build").Op("=").Id("b")}
}

func (s *single) finishing() (current, end, publish *jen.Statement) {
	return jen.Id("m").Dot("build").Op("==").Id("b"),
		jen.Id("m").Dot("build").Op("=").Nil(),
		jen.Qual("sync/atomic", "StorePointer").Call(jen.Op("&").Id("m").Dot("state"), jen.Qual("unsafe", "Pointer").Call(jen.Id("s")))
}

func (s *single) dropped() string { return "the " + s.m.Stem }

// resetBody renders:
//
//	s := m.install(nil)
//	if s == nil || s.installed {
//		return nil
//	}
//	return s.instance.Close()
func (s *single) resetBody() ([]jen.Code, string) {
	closes := fmt.Sprintf("It closes the %s it drops, and returns nil.", s.m.Stem)
	if s.m.Close.ReturnsError {
		closes = fmt.Sprintf("It closes the %s it drops and returns what Close returned.", s.m.Stem)
	}
	body := []jen.Code{
		jen.Id("s").Op(":=").Id("m").Dot("install").Call(jen.Nil()),
		jen.If(s.notOwned(jen.Id("s"))).Block(jen.Return(jen.Nil())),
	}
	return append(body, s.closeDropped(jen.Id("s").Dot("instance"), returnError)...), closes
}

// notOwned renders the condition under which the manager must not close the instance of
// state st: no state, a cached error, or an instance installed by a test hook.
func (s *single) notOwned(st *jen.Statement) *jen.Statement {
	cond := st.Clone().Op("==").Nil()
	if s.m.OnError == model.Cache {
		cond.Op("||").Add(st.Clone()).Dot("instance").Op("==").Nil()
	}
	if s.marksInstalled() {
		cond.Op("||").Add(st.Clone()).Dot("installed")
	}
	return cond
}

// owned renders the negation of notOwned: st holds an instance the manager built.
func (s *single) owned(st *jen.Statement) *jen.Statement {
	cond := st.Clone().Op("!=").Nil()
	if s.m.OnError == model.Cache {
		cond.Op("&&").Add(st.Clone()).Dot("instance").Op("!=").Nil()
	}
	if s.marksInstalled() {
		cond.Op("&&").Op("!").Add(st.Clone()).Dot("installed")
	}
	return cond
}

// marksInstalled reports whether states record that a test hook installed them: to
// answer any arguments, and to keep the hook's instance from being closed.
func (s *single) marksInstalled() bool {
	return s.m.TestHooks && (s.m.HasParams() || s.m.Closes())
}

func (s *single) hookValue(c *jen.Statement) (*jen.Statement, string) {
	fake := []jen.Code{field("instance", c)}
	if s.marksInstalled() {
		fake = append(fake, field("installed", jen.True()))
	}
	answers := ""
	if s.m.HasParams() {
		answers = fmt.Sprintf("c is returned whatever the arguments, so an override hides argument conflicts (%s) in the code under test.", s.m.Names.Conflict)
	}
	return s.newState(fake...), answers
}

func (s *single) hookParam() (string, *jen.Statement) {
	return "s", jen.Op("*").Id(s.m.Names.State)
}

// hookRestore renders:
//
//	if s := m.install(prev); s != nil && !s.installed {
//		// Built during the test.
//		_ = s.instance.Close()
//	}
func (s *single) hookRestore() jen.Code {
	restore := jen.Id("m").Dot("install").Call(jen.Id("prev"))
	if !s.m.Closes() {
		return restore
	}
	return jen.If(jen.Id("s").Op(":=").Add(restore), s.owned(jen.Id("s"))).Block(
		append([]jen.Code{jen.Comment("Built during the test.")}, s.closeDropped(jen.Id("s").Dot("instance"), discardError)...)...,
	)
}

// install renders:
//
//	func (m *ClientManager) install(s *clientState) *clientState {
//		m.mu.Lock()
//		defer m.mu.Unlock()
//		m.build = nil
//		return (*clientState)(atomic.SwapPointer(&m.state, unsafe.Pointer(s)))
//	}
func (s *single) install() []jen.Code {
	state := s.m.Names.State
	return []jen.Code{
		doc("install makes s the published state, discarding any build in flight, and returns the state it replaced.").
			Func().Add(s.receiver()).Id("install").Params(jen.Id("s").Op("*").Id(state)).Op("*").Id(state).Block(
			lock(),
			jen.Defer().Add(unlock()),
			jen.Id("m").Dot("build").Op("=").Nil(),
			jen.Return(jen.Parens(jen.Op("*").Id(state)).Call(
				jen.Qual("sync/atomic", "SwapPointer").Call(
					jen.Op("&").Id("m").Dot("state"),
					jen.Qual("unsafe", "Pointer").Call(jen.Id("s"))))),
		),
	}
}
