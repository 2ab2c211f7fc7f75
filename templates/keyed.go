package templates

import (
	"fmt"

	"github.com/dave/jennifer/jen"
)

// Keyed managers publish an immutable index of their instances, read without a lock. A
// new instance goes into dirty, a copy of the index under the lock, and dirty is published
// once the Gets that found a key in dirty only are as many as its instances: the copy is
// paid for by those Gets, so a new key costs O(1) amortised, where publishing each new key
// at once would copy the whole index each time (quadratic).

// indexType renders what a keyed manager publishes:
//
//	type clientIndex struct {
//		instances map[clientArgs]*clientState
//		all       *clientState
//	}
func (e *emitter) indexType() []jen.Code {
	m, n := e.m, e.m.Names
	if !m.Keyed {
		return nil
	}
	fields := []jen.Code{jen.Id("instances").Map(jen.Id(n.Args)).Op("*").Id(n.State)}
	what := fmt.Sprintf("%s is what a %s publishes: its instances by arguments.", n.Index, n.Manager)
	if m.TestHooks {
		fields = append(fields, jen.Id("all").Op("*").Id(n.State).Comment(fmt.Sprintf("installed by %s for every key, or nil", n.SetForTest)))
		what = fmt.Sprintf("%s is what a %s publishes: its instances by arguments, or one installed by a test hook for all.", n.Index, n.Manager)
	}
	return []jen.Code{
		doc(what + " It never changes once published.").Type().Id(n.Index).Struct(fields...),
	}
}

// lookup renders the slow path's search of the instances:
//
//	func (m *ClientManager) lookup(x *clientIndex, args clientArgs) *clientState {
//		if x != nil {
//			if s := x.instances[args]; s != nil {
//				return s
//			}
//		}
//		s := m.dirty[args]
//		if s != nil {
//			m.misses++
//			if m.misses >= len(m.dirty) {
//				m.publish()
//			}
//		}
//		return s
//	}
func (e *emitter) lookup() []jen.Code {
	n := e.m.Names
	if !e.m.Keyed {
		return nil
	}
	return []jen.Code{
		doc("lookup returns the instance for args, from x, the published index, or from dirty. It counts the lookups that found their key in dirty only, and publishes dirty when they are as many as its instances. m.mu is held.").
			Func().Add(e.receiver()).Id("lookup").Params(jen.Id("x").Op("*").Id(n.Index), jen.Id("args").Id(n.Args)).Op("*").Id(n.State).Block(
			jen.If(jen.Id("x").Op("!=").Nil()).Block(
				jen.If(jen.Id("s").Op(":=").Id("x").Dot("instances").Index(jen.Id("args")), jen.Id("s").Op("!=").Nil()).Block(jen.Return(jen.Id("s"))),
			),
			jen.Id("s").Op(":=").Id("m").Dot("dirty").Index(jen.Id("args")),
			jen.If(jen.Id("s").Op("!=").Nil()).Block(
				jen.Id("m").Dot("misses").Op("++"),
				jen.If(jen.Id("m").Dot("misses").Op(">=").Len(jen.Id("m").Dot("dirty"))).Block(jen.Id("m").Dot("publish").Call()),
			),
			jen.Return(jen.Id("s")),
		),
	}
}

// writable renders the function that makes dirty ready for changes:
//
//	func (m *ClientManager) writable() map[clientArgs]*clientState {
//		if m.dirty == nil {
//			m.dirty = make(map[clientArgs]*clientState)
//			if x := (*clientIndex)(atomic.LoadPointer(&m.index)); x != nil {
//				for k, s := range x.instances {
//					m.dirty[k] = s
//				}
//			}
//		}
//		return m.dirty
//	}
func (e *emitter) writable() []jen.Code {
	n := e.m.Names
	if !e.m.Keyed {
		return nil
	}
	return []jen.Code{
		doc("writable returns dirty, made first from the published instances if it is nil. m.mu is held.").
			Func().Add(e.receiver()).Id("writable").Params().Map(jen.Id(n.Args)).Op("*").Id(n.State).Block(
			jen.If(jen.Id("m").Dot("dirty").Op("==").Nil()).Block(
				jen.Id("m").Dot("dirty").Op("=").Make(jen.Map(jen.Id(n.Args)).Op("*").Id(n.State)),
				jen.If(jen.Id("x").Op(":=").Add(load(n.Index, jen.Id("m").Dot("index"))), jen.Id("x").Op("!=").Nil()).Block(
					jen.For(jen.List(jen.Id("k"), jen.Id("s")).Op(":=").Range().Id("x").Dot("instances")).Block(
						jen.Id("m").Dot("dirty").Index(jen.Id("k")).Op("=").Id("s"),
					),
				),
			),
			jen.Return(jen.Id("m").Dot("dirty")),
		),
	}
}

// publish renders the publication of dirty:
//
//	func (m *ClientManager) publish() {
//		atomic.StorePointer(&m.index, unsafe.Pointer(&clientIndex{instances: m.dirty}))
//		m.dirty = nil
//		m.misses = 0
//	}
func (e *emitter) publish() []jen.Code {
	n := e.m.Names
	if !e.m.Keyed {
		return nil
	}
	return []jen.Code{
		doc("publish makes dirty the published index. m.mu is held, and no test hook's instance is installed.").
			Func().Add(e.receiver()).Id("publish").Params().Block(
			jen.Qual("sync/atomic", "StorePointer").Call(jen.Op("&").Id("m").Dot("index"),
				jen.Qual("unsafe", "Pointer").Call(jen.Op("&").Id(n.Index).Values(field("instances", jen.Id("m").Dot("dirty"))))),
			jen.Id("m").Dot("dirty").Op("=").Nil(),
			jen.Id("m").Dot("misses").Op("=").Lit(0),
		),
	}
}

// deleteMethod renders Delete, in keyed mode:
//
//	func (m *ClientManager) Delete(apiKey string) error {
//		args := clientArgs{apiKey: apiKey}
//		m.mu.Lock()
//		delete(m.builds, args)
//		var s *clientState
//		if x := (*clientIndex)(atomic.LoadPointer(&m.index)); x != nil {
//			s = x.instances[args]
//		}
//		if s != nil {
//			delete(m.writable(), args)
//			m.publish()
//		} else if s = m.dirty[args]; s != nil {
//			delete(m.dirty, args)
//		}
//		m.mu.Unlock()
//		if s == nil {
//			return nil
//		}
//		return s.instance.Close()
//	}
func (e *emitter) deleteMethod() []jen.Code {
	m, n := e.m, e.m.Names
	if !m.Keyed {
		return nil
	}
	body := []jen.Code{
		jen.Id("args").Op(":=").Add(e.argsLiteral()),
		lock(),
		jen.Delete(jen.Id("m").Dot("builds"), jen.Id("args")),
		jen.Var().Id("s").Op("*").Id(n.State),
		jen.If(jen.Id("x").Op(":=").Add(load(n.Index, jen.Id("m").Dot("index"))), jen.Id("x").Op("!=").Nil()).Block(
			jen.Id("s").Op("=").Id("x").Dot("instances").Index(jen.Id("args")),
		),
		jen.If(jen.Id("s").Op("!=").Nil()).Block(
			jen.Comment("Published: publish the instances again without it."),
			jen.Delete(jen.Id("m").Dot("writable").Call(), jen.Id("args")),
			jen.Id("m").Dot("publish").Call(),
		).Else().If(jen.Id("s").Op("=").Id("m").Dot("dirty").Index(jen.Id("args")), jen.Id("s").Op("!=").Nil()).Block(
			jen.Delete(jen.Id("m").Dot("dirty"), jen.Id("args")),
		),
		unlock(),
	}
	closes := fmt.Sprintf("It returns nil: the manager never closes a %s.", m.Type)
	switch m.Close {
	case CloseError:
		body = append(body,
			jen.If(jen.Id("s").Op("==").Nil()).Block(jen.Return(jen.Nil())),
			jen.Return(jen.Id("s").Dot("instance").Dot("Close").Call()),
		)
		closes = fmt.Sprintf("It closes the %s it drops and returns what Close returned.", m.Type)
	case CloseNoResult:
		body = append(body,
			jen.If(jen.Id("s").Op("!=").Nil()).Block(jen.Id("s").Dot("instance").Dot("Close").Call()),
			jen.Return(jen.Nil()),
		)
		closes = fmt.Sprintf("It closes the %s it drops, and returns nil.", m.Type)
	default:
		body = append(body, jen.Return(jen.Nil()))
	}
	return []jen.Code{
		doc(
			fmt.Sprintf("Delete drops the %s built for these arguments, if any; the next Get for them builds anew. %s A build in flight for them is discarded when it finishes, and its callers build again.", m.Type, closes),
			"Dropping a published instance copies the index of the others, so Delete costs O(n). It is safe while other goroutines call Get, but they may still be using what it closes.",
		).Func().Add(e.receiver()).Id("Delete").Params(e.keyParams()...).Error().Block(body...),
	}
}

// lenMethod renders Len, in keyed mode:
//
//	func (m *ClientManager) Len() int {
//		m.mu.Lock()
//		defer m.mu.Unlock()
//		if m.dirty != nil {
//			return len(m.dirty)
//		}
//		if x := (*clientIndex)(atomic.LoadPointer(&m.index)); x != nil {
//			return len(x.instances)
//		}
//		return 0
//	}
func (e *emitter) lenMethod() []jen.Code {
	m, n := e.m, e.m.Names
	if !m.Keyed {
		return nil
	}
	return []jen.Code{
		doc(fmt.Sprintf("Len returns how many %s instances the manager holds, one for each tuple of arguments it built for, until Delete or Reset. Builds in flight do not count.", m.Type)).
			Func().Add(e.receiver()).Id("Len").Params().Int().Block(
			lock(),
			jen.Defer().Add(unlock()),
			jen.If(jen.Id("m").Dot("dirty").Op("!=").Nil()).Block(jen.Return(jen.Len(jen.Id("m").Dot("dirty")))),
			jen.If(jen.Id("x").Op(":=").Add(load(n.Index, jen.Id("m").Dot("index"))), jen.Id("x").Op("!=").Nil()).Block(
				jen.Return(jen.Len(jen.Id("x").Dot("instances"))),
			),
			jen.Return(jen.Lit(0)),
		),
	}
}
