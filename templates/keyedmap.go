package templates

import (
	"github.com/dave/jennifer/jen"
)

// indexType renders what a keyed manager publishes:
//
//	type singletonIndex[A comparable, T comparable] struct {
//		instances map[A]*singletonState[A, T]
//		all       *singletonState[A, T]
//	}
func indexType(needs) []jen.Code {
	return []jen.Code{
		doc(indexName+" is what a keyed manager publishes: its instances by arguments, or a fake that a test hook installed for all. It never changes once published.").
			Type().Id(indexName).Types(typeParams()...).Struct(
			jen.Id("instances").Map(jen.Id("A")).Add(ptrTo(stateName)),
			jen.Id("all").Add(ptrTo(stateName)),
		),
	}
}

// mapType renders what a keyed manager holds, and its methods:
//
//	type singletonMap[A comparable, T comparable] struct {
//		index  unsafe.Pointer
//		mu     sync.Mutex
//		dirty  map[A]*singletonState[A, T]
//		misses int
//		builds map[A]*singletonBuild[A, T]
//	}
func mapType(n needs) []jen.Code {
	code := []jen.Code{
		doc(
			mapName+" holds what a keyed manager built, by arguments.",
			"It publishes an immutable index of its instances, read without a lock. A new instance goes into dirty, a copy of the index under the lock, and dirty is published once the Gets that found a key in dirty only are as many as its instances: those Gets pay for the copy, so a new key costs O(1) amortised, where publishing each new key at once would copy the whole index each time.",
		).Type().Id(mapName).Types(typeParams()...).Struct(
			jen.Id("index").Qual("unsafe", "Pointer").Comment("the published *"+indexName+", or nil"),
			jen.Id("mu").Qual("sync", "Mutex"),
			jen.Id("dirty").Map(jen.Id("A")).Add(ptrTo(stateName)).Comment("when not nil, every instance, the newest not yet in index"),
			jen.Id("misses").Int().Comment("Gets that found their key in dirty only, since index was published"),
			jen.Id("builds").Map(jen.Id("A")).Add(ptrTo(buildName)).Comment("in flight, by arguments"),
		),
		mapGet(),
		mapLookup(),
		mapFinish(),
		mapWritable(),
		mapPublish(),
		mapRemove(),
		mapCount(),
		mapInstall(),
	}
	if n.hooks {
		code = append(code, installForTest("m", mapName, "x", indexName, "dropAll", false))
	}
	return code
}

// mapGet renders the slow path of a keyed manager:
//
//	func (m *singletonMap[A, T]) get(ctx context.Context, args A, spec *singletonSpec[A, T], ctor func(context.Context, A) (T, error)) *singletonState[A, T] {
//		for {
//			m.mu.Lock()
//			x := (*singletonIndex[A, T])(atomic.LoadPointer(&m.index))
//			if x != nil && x.all != nil {
//				m.mu.Unlock()
//				return x.all
//			}
//			if s := m.lookup(x, args); s != nil {
//				m.mu.Unlock()
//				return s
//			}
//			b := m.builds[args]
//			if b == nil {
//				... start a build and run it
//			}
//			m.mu.Unlock()
//			if s := b.wait(ctx, spec); s != nil {
//				return s
//			}
//		}
//	}
func mapGet() jen.Code {
	unlock := jen.Id("m").Dot("mu").Dot("Unlock").Call()
	register := []jen.Code{
		jen.If(jen.Id("m").Dot("builds").Op("==").Nil()).Block(
			jen.Id("m").Dot("builds").Op("=").Make(jen.Map(jen.Id("A")).Add(ptrTo(buildName))),
		),
		jen.Id("m").Dot("builds").Index(jen.Id("args")).Op("=").Id("b"),
	}
	return doc("get is the slow path of Get: it waits for the build in flight for args, or runs one.").
		Add(method("m", mapName, "get")).Params(jen.Id("ctx").Qual("context", "Context"), jen.Id("args").Id("A"), specParam(), ctorParam()).Add(ptrTo(stateName)).Block(
		jen.For().Block(
			jen.Id("m").Dot("mu").Dot("Lock").Call(),
			jen.Id("x").Op(":=").Add(loadAs(indexName, jen.Id("m").Dot("index"))),
			jen.If(jen.Id("x").Op("!=").Nil().Op("&&").Id("x").Dot("all").Op("!=").Nil()).Block(unlock.Clone(), jen.Return(jen.Id("x").Dot("all"))),
			jen.If(jen.Id("s").Op(":=").Id("m").Dot("lookup").Call(jen.Id("x"), jen.Id("args")), jen.Id("s").Op("!=").Nil()).Block(unlock.Clone(), jen.Return(jen.Id("s"))),
			jen.Id("b").Op(":=").Id("m").Dot("builds").Index(jen.Id("args")),
			jen.If(jen.Id("b").Op("==").Nil()).Block(startBuild("m", jen.Id("m").Dot("finish").Call(jen.Id("b"), jen.Id("s"), jen.Id("publish")), register...)...),
			unlock.Clone(),
			jen.If(jen.Id("s").Op(":=").Id("b").Dot("wait").Call(jen.Id("ctx"), jen.Id("spec")), jen.Id("s").Op("!=").Nil()).Block(jen.Return(jen.Id("s"))),
		),
	)
}

// mapLookup renders the slow path's search of the instances:
//
//	func (m *singletonMap[A, T]) lookup(x *singletonIndex[A, T], args A) *singletonState[A, T] {
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
func mapLookup() jen.Code {
	return doc("lookup returns the instance for args from x, the published index, or from dirty, which it publishes once lookups that found their key there only are as many as its instances. m.mu is held.").
		Add(method("m", mapName, "lookup")).Params(jen.Id("x").Add(ptrTo(indexName)), jen.Id("args").Id("A")).Add(ptrTo(stateName)).Block(
		jen.If(jen.Id("x").Op("!=").Nil()).Block(
			jen.If(jen.Id("s").Op(":=").Id("x").Dot("instances").Index(jen.Id("args")), jen.Id("s").Op("!=").Nil()).Block(jen.Return(jen.Id("s"))),
		),
		jen.Id("s").Op(":=").Id("m").Dot("dirty").Index(jen.Id("args")),
		jen.If(jen.Id("s").Op("!=").Nil()).Block(
			jen.Id("m").Dot("misses").Op("++"),
			jen.If(jen.Id("m").Dot("misses").Op(">=").Len(jen.Id("m").Dot("dirty"))).Block(jen.Id("m").Dot("publish").Call()),
		),
		jen.Return(jen.Id("s")),
	)
}

// mapFinish renders the end of a build of a keyed manager:
//
//	func (m *singletonMap[A, T]) finish(b *singletonBuild[A, T], s *singletonState[A, T], publish bool) bool {
//		m.mu.Lock()
//		defer m.mu.Unlock()
//		if m.builds[b.args] != b {
//			return false
//		}
//		delete(m.builds, b.args)
//		if publish {
//			m.writable()[b.args] = s
//		}
//		b.end(s)
//		return true
//	}
func mapFinish() jen.Code {
	return doc("finish ends build b with s, published if publish is set, and wakes b's waiters. It reports false, and does nothing else, when b was discarded.").
		Add(method("m", mapName, "finish")).Params(jen.Id("b").Add(ptrTo(buildName)), jen.Id("s").Add(ptrTo(stateName)), jen.Id("publish").Bool()).Bool().Block(
		jen.Id("m").Dot("mu").Dot("Lock").Call(),
		jen.Defer().Id("m").Dot("mu").Dot("Unlock").Call(),
		jen.If(jen.Id("m").Dot("builds").Index(jen.Id("b").Dot("args")).Op("!=").Id("b")).Block(jen.Return(jen.False())),
		jen.Delete(jen.Id("m").Dot("builds"), jen.Id("b").Dot("args")),
		jen.If(jen.Id("publish")).Block(jen.Id("m").Dot("writable").Call().Index(jen.Id("b").Dot("args")).Op("=").Id("s")),
		jen.Id("b").Dot("end").Call(jen.Id("s")),
		jen.Return(jen.True()),
	)
}

// mapWritable renders the function that makes dirty ready for changes:
//
//	func (m *singletonMap[A, T]) writable() map[A]*singletonState[A, T] {
//		if m.dirty == nil {
//			m.dirty = make(map[A]*singletonState[A, T])
//			if x := (*singletonIndex[A, T])(atomic.LoadPointer(&m.index)); x != nil {
//				for k, s := range x.instances {
//					m.dirty[k] = s
//				}
//			}
//		}
//		return m.dirty
//	}
func mapWritable() jen.Code {
	return doc("writable returns dirty, copied from the published index first if it is nil. m.mu is held.").
		Add(method("m", mapName, "writable")).Params().Map(jen.Id("A")).Add(ptrTo(stateName)).Block(
		jen.If(jen.Id("m").Dot("dirty").Op("==").Nil()).Block(
			jen.Id("m").Dot("dirty").Op("=").Make(jen.Map(jen.Id("A")).Add(ptrTo(stateName))),
			jen.If(jen.Id("x").Op(":=").Add(loadAs(indexName, jen.Id("m").Dot("index"))), jen.Id("x").Op("!=").Nil()).Block(
				jen.For(jen.List(jen.Id("k"), jen.Id("s")).Op(":=").Range().Id("x").Dot("instances")).Block(
					jen.Id("m").Dot("dirty").Index(jen.Id("k")).Op("=").Id("s"),
				),
			),
		),
		jen.Return(jen.Id("m").Dot("dirty")),
	)
}

// mapPublish renders the publication of dirty:
//
//	func (m *singletonMap[A, T]) publish() {
//		atomic.StorePointer(&m.index, unsafe.Pointer(&singletonIndex[A, T]{instances: m.dirty}))
//		m.dirty = nil
//		m.misses = 0
//	}
func mapPublish() jen.Code {
	return doc("publish publishes dirty. m.mu is held, and no test hook's fake is installed.").
		Add(method("m", mapName, "publish")).Params().Block(
		jen.Qual("sync/atomic", "StorePointer").Call(jen.Op("&").Id("m").Dot("index"),
			jen.Qual("unsafe", "Pointer").Call(newOf(indexName, field("instances", jen.Id("m").Dot("dirty"))))),
		jen.Id("m").Dot("dirty").Op("=").Nil(),
		jen.Id("m").Dot("misses").Op("=").Lit(0),
	)
}

// mapRemove renders Delete's work:
//
//	func (m *singletonMap[A, T]) remove(args A, spec *singletonSpec[A, T]) error {
//		m.mu.Lock()
//		if b := m.builds[args]; b != nil {
//			b.end(nil) // discarded: its waiters build again at once
//			delete(m.builds, args)
//		}
//		var s *singletonState[A, T]
//		if x := (*singletonIndex[A, T])(atomic.LoadPointer(&m.index)); x != nil {
//			s = x.instances[args]
//		}
//		if s != nil {
//			delete(m.writable(), args)
//			m.publish()
//		} else if s = m.dirty[args]; s != nil {
//			delete(m.dirty, args)
//		}
//		m.mu.Unlock()
//		return spec.drop(s)
//	}
func mapRemove() jen.Code {
	return doc("remove drops the instance for args, if any, and discards the build in flight for them; it returns what closing the instance returned. Dropping a published instance copies the index of the others: O(n).").
		Add(method("m", mapName, "remove")).Params(jen.Id("args").Id("A"), specParam()).Error().Block(
		jen.Id("m").Dot("mu").Dot("Lock").Call(),
		jen.If(jen.Id("b").Op(":=").Id("m").Dot("builds").Index(jen.Id("args")), jen.Id("b").Op("!=").Nil()).Block(
			jen.Id("b").Dot("end").Call(jen.Nil()).Comment("discarded: its waiters build again at once"),
			jen.Delete(jen.Id("m").Dot("builds"), jen.Id("args")),
		),
		jen.Var().Id("s").Add(ptrTo(stateName)),
		jen.If(jen.Id("x").Op(":=").Add(loadAs(indexName, jen.Id("m").Dot("index"))), jen.Id("x").Op("!=").Nil()).Block(
			jen.Id("s").Op("=").Id("x").Dot("instances").Index(jen.Id("args")),
		),
		jen.If(jen.Id("s").Op("!=").Nil()).Block(
			jen.Delete(jen.Id("m").Dot("writable").Call(), jen.Id("args")),
			jen.Id("m").Dot("publish").Call(),
		).Else().If(jen.Id("s").Op("=").Id("m").Dot("dirty").Index(jen.Id("args")), jen.Id("s").Op("!=").Nil()).Block(
			jen.Delete(jen.Id("m").Dot("dirty"), jen.Id("args")),
		),
		jen.Id("m").Dot("mu").Dot("Unlock").Call(),
		jen.Return(jen.Id("spec").Dot("drop").Call(jen.Id("s"))),
	)
}

// mapCount renders Len's work:
//
//	func (m *singletonMap[A, T]) count() int {
//		m.mu.Lock()
//		defer m.mu.Unlock()
//		if m.dirty != nil {
//			return len(m.dirty)
//		}
//		if x := (*singletonIndex[A, T])(atomic.LoadPointer(&m.index)); x != nil {
//			return len(x.instances)
//		}
//		return 0
//	}
func mapCount() jen.Code {
	return doc("count returns how many instances m holds.").
		Add(method("m", mapName, "count")).Params().Int().Block(
		jen.Id("m").Dot("mu").Dot("Lock").Call(),
		jen.Defer().Id("m").Dot("mu").Dot("Unlock").Call(),
		jen.If(jen.Id("m").Dot("dirty").Op("!=").Nil()).Block(jen.Return(jen.Len(jen.Id("m").Dot("dirty")))),
		jen.If(jen.Id("x").Op(":=").Add(loadAs(indexName, jen.Id("m").Dot("index"))), jen.Id("x").Op("!=").Nil()).Block(
			jen.Return(jen.Len(jen.Id("x").Dot("instances"))),
		),
		jen.Return(jen.Lit(0)),
	)
}

// mapInstall renders the one place, other than a build, that replaces what a keyed
// manager holds:
//
//	func (m *singletonMap[A, T]) install(x *singletonIndex[A, T]) *singletonIndex[A, T] {
//		m.mu.Lock()
//		defer m.mu.Unlock()
//		prev := (*singletonIndex[A, T])(atomic.SwapPointer(&m.index, unsafe.Pointer(x)))
//		if m.dirty != nil {
//			prev = &singletonIndex[A, T]{instances: m.dirty} // dirty holds every instance
//		}
//		for _, b := range m.builds {
//			b.end(nil) // discarded: its waiters build again at once
//		}
//		m.dirty, m.misses, m.builds = nil, 0, nil
//		return prev
//	}
func mapInstall() jen.Code {
	return doc("install publishes x, discards dirty and every build in flight, whose waiters build again at once, and returns an index of what it replaced.").
		Add(method("m", mapName, "install")).Params(jen.Id("x").Add(ptrTo(indexName))).Add(ptrTo(indexName)).Block(
		jen.Id("m").Dot("mu").Dot("Lock").Call(),
		jen.Defer().Id("m").Dot("mu").Dot("Unlock").Call(),
		jen.Id("prev").Op(":=").Parens(ptrTo(indexName)).Call(
			jen.Qual("sync/atomic", "SwapPointer").Call(jen.Op("&").Id("m").Dot("index"), jen.Qual("unsafe", "Pointer").Call(jen.Id("x")))),
		jen.If(jen.Id("m").Dot("dirty").Op("!=").Nil()).Block(
			jen.Id("prev").Op("=").Add(newOf(indexName, field("instances", jen.Id("m").Dot("dirty")))).Comment("dirty holds every instance"),
		),
		jen.For(jen.List(jen.Id("_"), jen.Id("b")).Op(":=").Range().Id("m").Dot("builds")).Block(
			jen.Id("b").Dot("end").Call(jen.Nil()).Comment("discarded: its waiters build again at once"),
		),
		jen.List(jen.Id("m").Dot("dirty"), jen.Id("m").Dot("misses"), jen.Id("m").Dot("builds")).Op("=").List(jen.Nil(), jen.Lit(0), jen.Nil()),
		jen.Return(jen.Id("prev")),
	)
}
