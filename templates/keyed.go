package templates

import (
	"fmt"

	"github.com/dave/jennifer/jen"
)

// keyed is the storage of a manager that holds one instance per tuple of arguments: a
// singletonMap.
type keyed struct{ *emitter }

func (k *keyed) api() []Decl {
	return []Decl{
		{Name: "Delete", Kind: MethodDecl, Role: RoleMethod, Locals: []string{"m"}, emit: k.deleteMethod},
		{Name: "Len", Kind: MethodDecl, Role: RoleMethod, emit: k.lenMethod},
	}
}

func (k *keyed) types() []Decl {
	return []Decl{{Name: k.m.Names.Index, Kind: TypeDecl, Role: RoleIndex, emit: k.indexAlias}}
}

func (k *keyed) describe() (what, sharing string) {
	return fmt.Sprintf("holds one %s for each distinct tuple of arguments, built by %s on first use and shared by all goroutines", k.instanceName(), k.ctorName()),
		k.sharing()
}

// sharing says how Get shares builds, what it costs, and how long instances live.
func (k *keyed) sharing() string {
	s := "concurrent first callers of Get with the same arguments wait for one build and share its result, other arguments build at the same time, and once built, Get costs one atomic load and a map lookup; a new key, Delete, "
	if k.m.Bounded() {
		return s + "an eviction and an idle drop cost O(1) amortised."
	}
	return s + "and Invalidate cost O(1) amortised. Instances live until Delete or Reset: a manager keyed by data that keeps changing holds every key it has seen; max= and idle= bound it."
}

// fields render keys singletonMap[clientArgs, *Client].
func (k *keyed) fields() []jen.Code {
	return []jen.Code{jen.Id("keys").Id(mapName).Types(k.argsType(), k.instanceType())}
}

// storeArgs render nothing: the map holds its index.
func (k *keyed) storeArgs(*jen.Statement) []jen.Code { return nil }

func (k *keyed) argsDoc() string {
	n := k.m.Names
	return fmt.Sprintf("%s are the arguments %s is built with: the key of %s's instances.", n.Args, indefinite(k.m.Stem), indefinite(n.Manager))
}

// fastPath renders:
//
//	if x := (*clientIndex)(atomic.LoadPointer(&m.keys.index)); x != nil {
//		if s := x.instances[clientArgs{apiKey: apiKey}]; s != nil && s.holds.Load()&singletonDropped == 0 {
//			return s.instance, nil
//		}
//	}
//	s := m.get(clientArgs{apiKey: apiKey})
//	return s.instance, s.err
//
// With max= or idle=, a hit records that a Get returned the instance, with a store
// only when that changes something.
func (k *keyed) fastPath(manager *jen.Statement) []jen.Code {
	return []jen.Code{
		jen.If(jen.Id("x").Op(":=").Add(load(k.m.Names.Index, manager.Clone().Dot("keys").Dot("index"))), jen.Id("x").Op("!=").Nil()).Block(
			jen.If(jen.Id("s").Op(":=").Id("x").Dot("instances").Index(k.argsLiteral()), jen.Id("s").Op("!=").Nil().Op("&&").Add(live(jen.Id("s")))).Block(
				append(k.touch(manager), jen.Return(k.results(jen.Nil())...))...,
			),
		),
		jen.Id("s").Op(":=").Add(manager.Clone()).Dot("get").Call(k.slowPathArgs()...),
		jen.Return(k.results(jen.Id("s").Dot("err"))...),
	}
}

// touch renders what a hit records, with max= (the used bit) and idle= (the epoch).
func (k *keyed) touch(manager *jen.Statement) []jen.Code {
	code := touch(manager.Clone().Dot("keys"))
	var out []jen.Code
	if k.m.Max > 0 {
		out = append(out, code[0])
	}
	if k.m.Idle > 0 {
		out = append(out, code[1])
	}
	return out
}

// current renders:
//
//	if x := (*clientIndex)(atomic.LoadPointer(&m.keys.index)); x != nil {
//		if s := x.instances[args]; s != nil && s.holds.Load()&singletonDropped == 0 {
//			return s
//		}
//	}
func (k *keyed) current() []jen.Code {
	return []jen.Code{
		jen.If(jen.Id("x").Op(":=").Add(load(k.m.Names.Index, jen.Id("m").Dot("keys").Dot("index"))), jen.Id("x").Op("!=").Nil()).Block(
			jen.If(jen.Id("s").Op(":=").Id("x").Dot("instances").Index(jen.Id("args")), jen.Id("s").Op("!=").Nil().Op("&&").Add(live(jen.Id("s")))).Block(
				append(k.touch(jen.Id("m")), jen.Return(jen.Id("s")))...,
			),
		),
	}
}

func (k *keyed) dropped() string { return "every " + k.m.Stem }

// reset renders return m.keys.reset(&clientSpec).
func (k *keyed) reset() jen.Code {
	return jen.Return(jen.Id("m").Dot("keys").Dot("reset").Call(jen.Op("&").Id(k.m.Names.Spec)))
}

// fake renders &clientIndex{all: &clientState{instance: c, installed: true}}.
func (k *keyed) fake(c *jen.Statement) *jen.Statement {
	return jen.Op("&").Id(k.m.Names.Index).Values(field("all", k.newState(field("instance", c), field("installed", jen.True()))))
}

// indexAlias renders the manager's instance of the shared index:
//
//	type clientIndex = singletonIndex[clientArgs, *Client]
func (k *keyed) indexAlias() []jen.Code {
	n := k.m.Names
	return []jen.Code{
		doc(fmt.Sprintf("%s is what %s publishes.", n.Index, indefinite(n.Manager))).
			Type().Id(n.Index).Op("=").Id(indexName).Types(k.argsType(), k.instanceType()),
	}
}

// deleteMethod renders Delete:
//
//	func (m *ClientManager) Delete(apiKey string) error {
//		return m.keys.remove(clientArgs{apiKey: apiKey}, &clientSpec)
//	}
func (k *keyed) deleteMethod() []jen.Code {
	closes := "It returns nil."
	if k.m.Closes() {
		closes = fmt.Sprintf("It closes what it drops and returns %s.", k.closeErrors())
	}
	return []jen.Code{
		doc(fmt.Sprintf("Delete drops the %s built for these arguments, if any, and discards a build in flight for them; the next Get for them builds anew. %s O(1) amortised: the instance dies in place.", k.m.Stem, closes)).
			Func().Add(k.receiver()).Id("Delete").Params(k.keyParams()...).Error().Block(
			jen.Return(jen.Id("m").Dot("keys").Dot("remove").Call(k.argsLiteral(), jen.Op("&").Id(k.m.Names.Spec))),
		),
	}
}

// lenMethod renders Len:
//
//	func (m *ClientManager) Len() int {
//		return m.keys.count()
//	}
func (k *keyed) lenMethod() []jen.Code {
	return []jen.Code{
		doc(fmt.Sprintf("Len returns how many %s instances the manager holds; builds in flight do not count.", k.m.Stem)).
			Func().Add(k.receiver()).Id("Len").Params().Int().Block(jen.Return(jen.Id("m").Dot("keys").Dot("count").Call())),
	}
}
