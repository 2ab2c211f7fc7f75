package templates

import (
	"github.com/dave/jennifer/jen"
)

// The shared part of keyed managers: an immutable index of the instances, read without a
// lock, and dirty, a copy of it under the lock that takes new instances. Dropped
// instances die in place (the dropped bit of their holds), so that Delete, evictions and
// idle drops cost O(1); the index is published again once the lookups that found a key
// in dirty only are as many as its instances, or once half of it is dead: those pay for
// the copy, so every change costs O(1) amortised.

// mSel renders m, the receiver of the map's methods, followed by the selectors names: m.mu.Lock.
func mSel(names ...string) *jen.Statement {
	s := jen.Id("m")
	for _, name := range names {
		s.Dot(name)
	}
	return s
}

// indexType renders what a keyed manager publishes:
//
//	type singletonIndex[A comparable, T comparable] struct {
//		instances map[A]*singletonState[A, T]
//		all       *singletonState[A, T]
//	}
func indexType(needs) []jen.Code {
	return []jen.Code{
		doc(indexName+" is what a keyed manager publishes: its instances by arguments, the dropped ones among them until the next publication, or a fake that a test hook installed for all. It never changes once published.").
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
//		dead   int
//		live   int
//		builds map[A]*singletonBuild[A, T]
//	}
func mapType(n needs) []jen.Code {
	fields := []jen.Code{
		jen.Id("index").Qual("unsafe", "Pointer").Comment("the published *" + indexName + ", or nil"),
		jen.Id("mu").Qual("sync", "Mutex"),
		jen.Id("dirty").Map(jen.Id("A")).Add(ptrTo(stateName)).Comment("when not nil, every instance held, the newest not yet in index"),
		jen.Id("misses").Int().Comment("lookups that found their key in dirty only, since index was published"),
		jen.Id("dead").Int().Comment("instances of index dropped since it was published"),
		jen.Id("live").Int().Comment("instances held"),
		jen.Id("builds").Map(jen.Id("A")).Add(ptrTo(buildName)).Comment("in flight, by arguments"),
	}
	if n.lifecycle {
		fields = append(fields, jen.Id("lc").Op("*").Qual(lifecyclePath, "Registration").Comment("lifecycle=on: made at the first build"))
	}
	if n.bounded {
		fields = append(fields,
			jen.Line(),
			jen.Id("ring").Index().Add(ptrTo(stateName)).Comment("max=: the clock of the instances held, nil where one was dropped"),
			jen.Id("free").Index().Int().Comment("max=: the slots of ring that are nil"),
			jen.Id("hand").Int().Comment("max=: the slot the clock looks at next"),
			jen.Id("epoch").Qual("sync/atomic", "Uint32").Comment("idle=: advanced by each sweep"),
			jen.Id("sweep").Op("*").Qual("time", "Timer").Comment("idle=: armed while the map holds instances"),
			jen.Id("sweeps").Int().Comment("idle=: how many times it was armed"),
		)
	}
	code := []jen.Code{
		doc(mapName + " holds what a keyed manager built, by arguments. Everything but index is guarded by mu.").
			Type().Id(mapName).Types(typeParams()...).Struct(fields...),
		mapGet(n),
		mapLookup(),
		mapHeld(),
		mapFinish(n),
		mapInsert(n),
		mapKill(n),
		mapWritable(),
		mapPublish(),
		mapRemove(n),
		mapInvalidate(n),
		mapCount(),
	}
	code = append(code, mapInstall(n)...)
	code = append(code, mapReset(n))
	if n.lifecycle {
		code = append(code, mapRegister(), mapHeldCount(), mapShutdown(n), mapReport())
	}
	if n.bounded {
		code = append(code, mapTouch(), mapVictim(), mapPlace())
	}
	if n.idle {
		code = append(code, mapArm(), mapSweep(n), mapSnapshot())
	}
	if n.hooks {
		install := func(what string) *jen.Statement { return mSel("install").Call(jen.Id(what)) }
		if n.bounded {
			install = func(what string) *jen.Statement { return mSel("install").Call(jen.Id(what), jen.Id("spec")) }
		}
		cleanup := jen.Id("_").Op("=").Id("spec").Dot("dropAll").Call(install("prev"))
		var aside []jen.Code
		if n.lifecycle {
			cleanup = mSel("restore").Call(jen.Id("prev"), jen.Id("spec"), jen.Id("relist"))
			aside = setAside(jen.Id("m"))
			code = append(code, mapRestore(install))
		}
		code = append(code, installForTest("m", mapName, "x", indexName, install, aside, cleanup))
	}
	return code
}

// mapRestore renders the end of a test hook's window with lifecycle=on:
//
//	func (m *singletonMap[A, T]) restore(prev *singletonIndex[A, T], spec *singletonSpec[A, T], relist func()) {
//		x := m.install(prev)
//		relist()
//		m.report("test", len(x.instances))
//		_ = spec.dropAll(x)
//	}
func mapRestore(install func(what string) *jen.Statement) jen.Code {
	return doc("restore puts back prev, the instances that a test hook set aside, and closes those that the test built; relist tells package lifecycle that prev is back, for the manager did not count it meanwhile.").
		Add(method("m", mapName, "restore")).Params(jen.Id("prev").Add(ptrTo(indexName)), specParam(), jen.Id("relist").Func().Params()).Block(
		jen.Id("x").Op(":=").Add(install("prev")),
		jen.Id("relist").Call(),
		mSel("report").Call(jen.Lit("test"), jen.Len(jen.Id("x").Dot("instances"))),
		jen.Id("_").Op("=").Id("spec").Dot("dropAll").Call(jen.Id("x")),
	)
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
func mapGet(n needs) jen.Code {
	unlock := mSel("mu", "Unlock").Call()
	var register []jen.Code
	if n.lifecycle {
		register = append(register, mSel("register").Call(jen.Id("spec")))
	}
	register = append(register,
		jen.If(mSel("builds").Op("==").Nil()).Block(
			mSel("builds").Op("=").Make(jen.Map(jen.Id("A")).Add(ptrTo(buildName))),
		),
		mSel("builds").Index(jen.Id("args")).Op("=").Id("b"),
	)
	found := []jen.Code{unlock.Clone(), jen.Return(jen.Id("s"))}
	finishArgs := []jen.Code{jen.Id("b"), jen.Id("s"), jen.Id("publish")}
	if n.bounded {
		found = append([]jen.Code{mSel("touch").Call(jen.Id("s"))}, found...)
		finishArgs = append(finishArgs, jen.Id("spec"))
	}
	return doc("get is the slow path of Get: it waits for the build in flight for args, or runs one.").
		Add(method("m", mapName, "get")).Params(jen.Id("ctx").Qual("context", "Context"), jen.Id("args").Id("A"), specParam(), ctorParam()).Add(ptrTo(stateName)).Block(
		jen.For().Block(
			mSel("mu", "Lock").Call(),
			jen.Id("x").Op(":=").Add(loadAs(indexName, mSel("index"))),
			jen.If(jen.Id("x").Op("!=").Nil().Op("&&").Id("x").Dot("all").Op("!=").Nil()).Block(unlock.Clone(), jen.Return(jen.Id("x").Dot("all"))),
			jen.If(jen.Id("s").Op(":=").Add(mSel("lookup")).Call(jen.Id("x"), jen.Id("args")), jen.Id("s").Op("!=").Nil()).Block(found...),
			jen.Id("b").Op(":=").Add(mSel("builds")).Index(jen.Id("args")),
			jen.If(jen.Id("b").Op("==").Nil()).Block(startBuild(n, "m", mSel("finish").Call(finishArgs...), register...)...),
			unlock.Clone(),
			jen.If(jen.Id("s").Op(":=").Id("b").Dot("wait").Call(jen.Id("ctx"), jen.Id("spec")), jen.Id("s").Op("!=").Nil()).Block(jen.Return(jen.Id("s"))),
		),
	)
}

// live renders the condition that instance s has not been dropped.
func live(s *jen.Statement) *jen.Statement {
	return s.Dot("holds").Dot("Load").Call().Op("&").Id(droppedName).Op("==").Lit(0)
}

// mapLookup renders the slow path's search of the instances:
//
//	func (m *singletonMap[A, T]) lookup(x *singletonIndex[A, T], args A) *singletonState[A, T] {
//		if x != nil {
//			if s := x.instances[args]; s != nil && s.holds.Load()&singletonDropped == 0 {
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
			jen.If(jen.Id("s").Op(":=").Id("x").Dot("instances").Index(jen.Id("args")), jen.Id("s").Op("!=").Nil().Op("&&").Add(live(jen.Id("s")))).Block(jen.Return(jen.Id("s"))),
		),
		jen.Id("s").Op(":=").Add(mSel("dirty")).Index(jen.Id("args")),
		jen.If(jen.Id("s").Op("!=").Nil()).Block(
			mSel("misses").Op("++"),
			jen.If(mSel("misses").Op(">=").Len(mSel("dirty"))).Block(mSel("publish").Call()),
		),
		jen.Return(jen.Id("s")),
	)
}

// mapHeld renders the search of the instance for some arguments that Delete and
// Invalidate need, which counts no miss:
//
//	func (m *singletonMap[A, T]) held(args A) *singletonState[A, T] {
//		if x := (*singletonIndex[A, T])(atomic.LoadPointer(&m.index)); x != nil {
//			if s := x.instances[args]; s != nil && s.holds.Load()&singletonDropped == 0 {
//				return s
//			}
//		}
//		return m.dirty[args]
//	}
func mapHeld() jen.Code {
	return doc("held returns the instance that m holds for args, or nil. m.mu is held.").
		Add(method("m", mapName, "held")).Params(jen.Id("args").Id("A")).Add(ptrTo(stateName)).Block(
		jen.If(jen.Id("x").Op(":=").Add(loadAs(indexName, mSel("index"))), jen.Id("x").Op("!=").Nil()).Block(
			jen.If(jen.Id("s").Op(":=").Id("x").Dot("instances").Index(jen.Id("args")), jen.Id("s").Op("!=").Nil().Op("&&").Add(live(jen.Id("s")))).Block(jen.Return(jen.Id("s"))),
		),
		jen.Return(mSel("dirty").Index(jen.Id("args"))),
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
//			m.insert(s)
//		}
//		b.end(s)
//		return true
//	}
//
// With max=, it also returns the instances it evicted, for the caller to close.
func mapFinish(n needs) jen.Code {
	params := []jen.Code{jen.Id("b").Add(ptrTo(buildName)), jen.Id("s").Add(ptrTo(stateName)), jen.Id("publish").Bool()}
	results := jen.Bool()
	discarded, done := jen.Return(jen.False()), jen.Return(jen.True())
	insert := mSel("insert").Call(jen.Id("s"))
	what := "finish ends build b with s, published if publish is set, and wakes b's waiters. It reports false, and does nothing else, when b was discarded."
	var evicted []jen.Code
	if n.bounded {
		params = append(params, specParam())
		results = jen.Params(jen.Bool(), ptrTo(stateName))
		discarded, done = jen.Return(jen.False(), jen.Nil()), jen.Return(jen.True(), jen.Id("evicted"))
		evicted = []jen.Code{jen.Var().Id("evicted").Add(ptrTo(stateName))}
		insert = jen.Id("evicted").Op("=").Add(mSel("insert").Call(jen.Id("s"), jen.Id("spec")))
		what += " It returns the instance that it evicted for s, if any, for the caller to close."
	}
	body := []jen.Code{
		mSel("mu", "Lock").Call(),
		jen.Defer().Add(mSel("mu", "Unlock")).Call(),
		jen.If(mSel("builds").Index(jen.Id("b").Dot("args")).Op("!=").Id("b")).Block(discarded),
		jen.Delete(mSel("builds"), jen.Id("b").Dot("args")),
	}
	body = append(body, evicted...)
	body = append(body,
		jen.If(jen.Id("publish")).Block(insert),
		jen.Id("b").Dot("end").Call(jen.Id("s")),
		done,
	)
	return doc(what).Add(method("m", mapName, "finish")).Params(params...).Add(results).Block(body...)
}

// mapInsert renders the addition of a new instance:
//
//	func (m *singletonMap[A, T]) insert(s *singletonState[A, T]) {
//		m.writable()[s.args] = s
//		m.live++
//	}
//
// With max=, it first evicts an instance when the map holds max, and returns it for the
// caller to claim and close; with idle=, it arms the sweep.
func mapInsert(n needs) jen.Code {
	add := []jen.Code{
		mSel("writable").Call().Index(jen.Id("s").Dot("args")).Op("=").Id("s"),
		mSel("live").Op("++"),
	}
	if !n.bounded {
		return doc("insert adds s, a new instance. m.mu is held.").
			Add(method("m", mapName, "insert")).Params(jen.Id("s").Add(ptrTo(stateName))).Block(add...)
	}
	body := []jen.Code{
		jen.If(jen.Id("spec").Dot("max").Op(">").Lit(0)).Block(
			jen.If(mSel("live").Op(">=").Id("spec").Dot("max")).Block(
				jen.Id("evicted").Op("=").Add(mSel("victim").Call()),
				mSel("kill").Call(jen.Id("evicted")),
			),
			mSel("place").Call(jen.Id("s")),
		),
	}
	body = append(body, add...)
	if n.idle {
		body = append(body, jen.If(jen.Id("spec").Dot("idle").Op(">").Lit(0)).Block(
			jen.Id("s").Dot("seen").Dot("Store").Call(mSel("epoch", "Load").Call()),
			mSel("arm").Call(jen.Id("spec")),
		))
	}
	body = append(body, jen.Return())
	return doc("insert adds s, a new instance, after evicting one when the map holds max (max=), which it returns for the caller to close unless a With holds it. m.mu is held.").
		Add(method("m", mapName, "insert")).Params(jen.Id("s").Add(ptrTo(stateName)), specParam()).Params(jen.Id("evicted").Add(ptrTo(stateName))).Block(body...)
}

// mapKill renders the dropping of an instance in place:
//
//	func (m *singletonMap[A, T]) kill(s *singletonState[A, T]) {
//		s.holds.Add(singletonDropped)
//		if m.dirty[s.args] == s {
//			delete(m.dirty, s.args)
//		}
//		if x := (*singletonIndex[A, T])(atomic.LoadPointer(&m.index)); x != nil && x.instances[s.args] == s {
//			if m.dead++; m.dead > len(x.instances)/2 {
//				m.writable()
//				m.publish()
//			}
//		}
//		m.live--
//	}
func mapKill(n needs) jen.Code {
	body := []jen.Code{
		jen.Id("s").Dot("holds").Dot("Add").Call(jen.Id(droppedName)).Comment("under m.mu, so that writable copies it no more"),
		jen.If(mSel("dirty").Index(jen.Id("s").Dot("args")).Op("==").Id("s")).Block(jen.Delete(mSel("dirty"), jen.Id("s").Dot("args"))),
		jen.If(
			jen.Id("x").Op(":=").Add(loadAs(indexName, mSel("index"))),
			jen.Id("x").Op("!=").Nil().Op("&&").Id("x").Dot("instances").Index(jen.Id("s").Dot("args")).Op("==").Id("s"),
		).Block(
			jen.Comment("Dead in the index until the next publication, which half of it dead brings."),
			jen.If(mSel("dead").Op("++"), mSel("dead").Op(">").Len(jen.Id("x").Dot("instances")).Op("/").Lit(2)).Block(
				mSel("writable").Call(),
				mSel("publish").Call(),
			),
		),
	}
	if n.bounded {
		body = append(body, jen.If(jen.Id("s").Dot("slot").Op("<").Len(mSel("ring")).Op("&&").Add(mSel("ring")).Index(jen.Id("s").Dot("slot")).Op("==").Id("s")).Block(
			mSel("ring").Index(jen.Id("s").Dot("slot")).Op("=").Nil(),
			mSel("free").Op("=").Append(mSel("free"), jen.Id("s").Dot("slot")),
		))
	}
	body = append(body, mSel("live").Op("--"))
	return doc("kill drops s, an instance that m holds, in place: O(1) amortised. m.mu is held; after it, the caller claims s, to close it unless a With holds it.").
		Add(method("m", mapName, "kill")).Params(jen.Id("s").Add(ptrTo(stateName))).Block(body...)
}

// mapWritable renders the function that makes dirty ready for changes:
//
//	func (m *singletonMap[A, T]) writable() map[A]*singletonState[A, T] {
//		if m.dirty == nil {
//			m.dirty = make(map[A]*singletonState[A, T])
//			if x := (*singletonIndex[A, T])(atomic.LoadPointer(&m.index)); x != nil {
//				for k, s := range x.instances {
//					if s.holds.Load()&singletonDropped == 0 {
//						m.dirty[k] = s
//					}
//				}
//			}
//		}
//		return m.dirty
//	}
func mapWritable() jen.Code {
	return doc("writable returns dirty, copied from the instances of the published index that are not dropped first if it is nil. m.mu is held.").
		Add(method("m", mapName, "writable")).Params().Map(jen.Id("A")).Add(ptrTo(stateName)).Block(
		jen.If(mSel("dirty").Op("==").Nil()).Block(
			mSel("dirty").Op("=").Make(jen.Map(jen.Id("A")).Add(ptrTo(stateName))),
			jen.If(jen.Id("x").Op(":=").Add(loadAs(indexName, mSel("index"))), jen.Id("x").Op("!=").Nil()).Block(
				jen.For(jen.List(jen.Id("k"), jen.Id("s")).Op(":=").Range().Id("x").Dot("instances")).Block(
					jen.If(live(jen.Id("s"))).Block(mSel("dirty").Index(jen.Id("k")).Op("=").Id("s")),
				),
			),
		),
		jen.Return(mSel("dirty")),
	)
}

// mapPublish renders the publication of dirty:
//
//	func (m *singletonMap[A, T]) publish() {
//		atomic.StorePointer(&m.index, unsafe.Pointer(&singletonIndex[A, T]{instances: m.dirty}))
//		m.dirty, m.misses, m.dead = nil, 0, 0
//	}
func mapPublish() jen.Code {
	return doc("publish publishes dirty. m.mu is held, and no test hook's fake is installed.").
		Add(method("m", mapName, "publish")).Params().Block(
		jen.Qual("sync/atomic", "StorePointer").Call(jen.Op("&").Add(mSel("index")),
			jen.Qual("unsafe", "Pointer").Call(newOf(indexName, field("instances", mSel("dirty"))))),
		jen.List(mSel("dirty"), mSel("misses"), mSel("dead")).Op("=").List(jen.Nil(), jen.Lit(0), jen.Lit(0)),
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
//		s := m.held(args)
//		if s != nil {
//			m.kill(s)
//		}
//		m.mu.Unlock()
//		if s == nil || !s.claim() {
//			return nil
//		}
//		return spec.closeOne(context.Background(), s)
//	}
func mapRemove(n needs) jen.Code {
	return doc("remove drops the instance for args, if any, and discards the build in flight for them: O(1) amortised. It returns what closing the instance returned.").
		Add(method("m", mapName, "remove")).Params(jen.Id("args").Id("A"), specParam()).Error().Block(
		append([]jen.Code{
			mSel("mu", "Lock").Call(),
			jen.If(jen.Id("b").Op(":=").Add(mSel("builds")).Index(jen.Id("args")), jen.Id("b").Op("!=").Nil()).Block(
				jen.Id("b").Dot("end").Call(jen.Nil()).Comment("discarded: its waiters build again at once"),
				jen.Delete(mSel("builds"), jen.Id("args")),
			),
			jen.Id("s").Op(":=").Add(mSel("held")).Call(jen.Id("args")),
			jen.If(jen.Id("s").Op("!=").Nil()).Block(mSel("kill").Call(jen.Id("s"))),
			mSel("mu", "Unlock").Call(),
		}, dropped(n, "delete")...)...,
	)
}

// dropped renders the end of Delete and Invalidate, after the lock, when they killed s
// (not nil): with lifecycle=on, the report of the drop, then the closing of s unless a
// With holds it.
func dropped(n needs, reason string) []jen.Code {
	code := []jen.Code{jen.If(jen.Id("s").Op("==").Nil()).Block(jen.Return(jen.Nil()))}
	if n.lifecycle {
		code = append(code, mSel("report").Call(jen.Lit(reason), jen.Lit(1)))
	}
	return append(code,
		jen.If(jen.Op("!").Id("s").Dot("claim").Call()).Block(jen.Return(jen.Nil())),
		jen.Return(jen.Id("spec").Dot("closeOne").Call(jen.Qual("context", "Background").Call(), jen.Id("s"))),
	)
}

// mapInvalidate renders Invalidate's work in keyed mode:
//
//	func (m *singletonMap[A, T]) invalidate(args A, inst T, spec *singletonSpec[A, T]) error {
//		m.mu.Lock()
//		s := m.held(args)
//		if s != nil && s.instance != inst {
//			s = nil
//		}
//		if s != nil {
//			m.kill(s)
//		}
//		m.mu.Unlock()
//		...
//	}
func mapInvalidate(n needs) jen.Code {
	return doc("invalidate drops inst, if it still is the instance for args, and closes it unless a With holds it; it leaves a build in flight alone.").
		Add(method("m", mapName, "invalidate")).Params(jen.Id("args").Id("A"), jen.Id("inst").Id("T"), specParam()).Error().Block(
		append([]jen.Code{
			mSel("mu", "Lock").Call(),
			jen.Id("s").Op(":=").Add(mSel("held")).Call(jen.Id("args")),
			jen.If(jen.Id("s").Op("!=").Nil().Op("&&").Id("s").Dot("instance").Op("!=").Id("inst")).Block(jen.Id("s").Op("=").Nil()),
			jen.If(jen.Id("s").Op("!=").Nil()).Block(mSel("kill").Call(jen.Id("s"))),
			mSel("mu", "Unlock").Call(),
		}, dropped(n, "invalidate")...)...,
	)
}

// mapCount renders Len's work:
//
//	func (m *singletonMap[A, T]) count() int {
//		m.mu.Lock()
//		defer m.mu.Unlock()
//		return m.live
//	}
func mapCount() jen.Code {
	return doc("count returns how many instances m holds.").
		Add(method("m", mapName, "count")).Params().Int().Block(
		mSel("mu", "Lock").Call(),
		jen.Defer().Add(mSel("mu", "Unlock")).Call(),
		jen.Return(mSel("live")),
	)
}

// mapInstall renders the one place, other than a build, that replaces what a keyed
// manager holds, with and without the lock held:
//
//	func (m *singletonMap[A, T]) install(x *singletonIndex[A, T]) *singletonIndex[A, T] {
//		m.mu.Lock()
//		defer m.mu.Unlock()
//		return m.swap(x)
//	}
//
//	func (m *singletonMap[A, T]) swap(x *singletonIndex[A, T]) *singletonIndex[A, T] {
//		prev := (*singletonIndex[A, T])(atomic.LoadPointer(&m.index))
//		if prev == nil || prev.all == nil {
//			prev = &singletonIndex[A, T]{instances: m.writable()}
//		}
//		for _, b := range m.builds {
//			b.end(nil) // discarded: its waiters build again at once
//		}
//		m.dirty, m.misses, m.dead, m.builds, m.live = nil, 0, 0, nil, 0
//		atomic.StorePointer(&m.index, unsafe.Pointer(x))
//		if x != nil {
//			m.live = len(x.instances)
//		}
//		return prev
//	}
func mapInstall(n needs) []jen.Code {
	body := []jen.Code{
		jen.Comment("A test hook's fake is returned as it is, for the cleanup of the hook that"),
		jen.Comment("installed it to put back."),
		jen.Id("prev").Op(":=").Add(loadAs(indexName, mSel("index"))),
		jen.If(jen.Id("prev").Op("==").Nil().Op("||").Id("prev").Dot("all").Op("==").Nil()).Block(
			jen.Id("prev").Op("=").Add(newOf(indexName, field("instances", mSel("writable").Call()))),
		),
		jen.For(jen.List(jen.Id("_"), jen.Id("b")).Op(":=").Range().Add(mSel("builds"))).Block(
			jen.Id("b").Dot("end").Call(jen.Nil()).Comment("discarded: its waiters build again at once"),
		),
		jen.List(mSel("dirty"), mSel("misses"), mSel("dead"), mSel("builds"), mSel("live")).Op("=").List(jen.Nil(), jen.Lit(0), jen.Lit(0), jen.Nil(), jen.Lit(0)),
		jen.Qual("sync/atomic", "StorePointer").Call(jen.Op("&").Add(mSel("index")), jen.Qual("unsafe", "Pointer").Call(jen.Id("x"))),
	}
	params := []jen.Code{jen.Id("x").Add(ptrTo(indexName))}
	restore := []jen.Code{mSel("live").Op("=").Len(jen.Id("x").Dot("instances"))}
	if n.bounded {
		params = append(params, specParam())
		body = append(body, jen.List(mSel("ring"), mSel("free"), mSel("hand")).Op("=").List(jen.Nil(), jen.Nil(), jen.Lit(0)))
		if n.idle {
			body = append(body, jen.If(mSel("sweep").Op("!=").Nil()).Block(
				mSel("sweep", "Stop").Call(),
				mSel("sweep").Op("=").Nil(),
			))
		}
		restore = append(restore,
			jen.For(jen.List(jen.Id("_"), jen.Id("s")).Op(":=").Range().Id("x").Dot("instances")).Block(
				jen.If(jen.Id("spec").Dot("max").Op(">").Lit(0)).Block(mSel("place").Call(jen.Id("s"))),
				jen.Id("s").Dot("seen").Dot("Store").Call(mSel("epoch", "Load").Call()),
			),
		)
		if n.idle {
			restore = append(restore, jen.If(jen.Id("spec").Dot("idle").Op(">").Lit(0)).Block(mSel("arm").Call(jen.Id("spec"))))
		}
	}
	body = append(body, jen.If(jen.Id("x").Op("!=").Nil()).Block(restore...), jen.Return(jen.Id("prev")))
	args := []jen.Code{jen.Id("x")}
	if n.bounded {
		args = append(args, jen.Id("spec"))
	}
	return []jen.Code{
		doc("install publishes x, discards every build in flight, whose waiters build again at once, and returns what it replaced: a test hook's fake as it was, or an index of the instances held. The instances of x are held from then on, none dropped.").
			Add(method("m", mapName, "install")).Params(params...).Add(ptrTo(indexName)).Block(
			mSel("mu", "Lock").Call(),
			jen.Defer().Add(mSel("mu", "Unlock")).Call(),
			jen.Return(mSel("swap").Call(args...)),
		),
		doc("swap is install with m.mu held.").
			Add(method("m", mapName, "swap")).Params(params...).Add(ptrTo(indexName)).Block(body...),
	}
}

// mapReset renders Reset's work:
//
//	func (m *singletonMap[A, T]) reset(spec *singletonSpec[A, T]) error {
//		return spec.dropAll(m.install(nil))
//	}
func mapReset(n needs) jen.Code {
	install := mSel("install").Call(jen.Nil())
	if n.bounded {
		install = mSel("install").Call(jen.Nil(), jen.Id("spec"))
	}
	body := []jen.Code{jen.Return(jen.Id("spec").Dot("dropAll").Call(install))}
	if n.lifecycle {
		body = []jen.Code{
			jen.Id("x").Op(":=").Add(install),
			mSel("report").Call(jen.Lit("reset"), jen.Len(jen.Id("x").Dot("instances"))),
			jen.Return(jen.Id("spec").Dot("dropAll").Call(jen.Id("x"))),
		}
	}
	return doc("reset drops every instance and discards every build in flight; it closes the instances that no With holds, and returns what closing returned, joined.").
		Add(method("m", mapName, "reset")).Params(specParam()).Error().Block(body...)
}

// mapRegister renders the registration of a keyed manager with package lifecycle, at
// its first build:
//
//	func (m *singletonMap[A, T]) register(spec *singletonSpec[A, T]) {
//		if m.lc != nil || spec.lifecycle == "" {
//			return
//		}
//		m.lc = lifecycle.Register(lifecycle.Manager{Name: spec.lifecycle, Keyed: true, Len: m.heldCount, Reset: ...})
//	}
func mapRegister() jen.Code {
	return doc("register registers the manager with package lifecycle, once, if spec asks for it. m.mu is held.").
		Add(method("m", mapName, "register")).Params(specParam()).Block(
		jen.If(mSel("lc").Op("!=").Nil().Op("||").Id("spec").Dot("lifecycle").Op("==").Lit("")).Block(jen.Return()),
		mSel("lc").Op("=").Qual(lifecyclePath, "Register").Call(jen.Qual(lifecyclePath, "Manager").Values(lines([]jen.Code{
			field("Name", jen.Id("spec").Dot("lifecycle")),
			field("Keyed", jen.True()),
			field("Len", mSel("heldCount")),
			field("Reset", jen.Func().Params(jen.Id("ctx").Qual("context", "Context")).Params(jen.Op("<-").Chan().Struct(), jen.Error()).Block(
				jen.Return(jen.Nil(), mSel("shutdown").Call(jen.Id("ctx"), jen.Id("spec"))).Comment("claim reports what With holds"),
			)),
		})...)),
	)
}

// mapHeldCount renders what package lifecycle counts of a keyed manager:
//
//	func (m *singletonMap[A, T]) heldCount() int {
//		m.mu.Lock()
//		defer m.mu.Unlock()
//		return m.live + len(m.builds)
//	}
func mapHeldCount() jen.Code {
	return doc("heldCount counts what Shutdown has to drop: the instances the manager holds, and its builds in flight.").
		Add(method("m", mapName, "heldCount")).Params().Int().Block(
		mSel("mu", "Lock").Call(),
		jen.Defer().Add(mSel("mu", "Unlock")).Call(),
		jen.Return(mSel("live").Op("+").Len(mSel("builds"))),
	)
}

// mapShutdown renders what lifecycle.Shutdown does to a keyed manager: Reset, with its
// context for Close, leaving a test's fake installed, and telling what With still holds.
func mapShutdown(n needs) jen.Code {
	install := mSel("swap").Call(jen.Nil())
	if n.bounded {
		install = mSel("swap").Call(jen.Nil(), jen.Id("spec"))
	}
	return doc("shutdown drops every instance and discards every build in flight, for lifecycle.Shutdown; a fake that a test hook installed stays. It closes with ctx the instances that no With holds, and returns what closing returned, joined; claim reports the others to package lifecycle.").
		Add(method("m", mapName, "shutdown")).Params(jen.Id("ctx").Qual("context", "Context"), specParam()).Error().Block(
		mSel("mu", "Lock").Call(),
		jen.If(jen.Id("fake").Op(":=").Add(loadAs(indexName, mSel("index"))), jen.Id("fake").Op("!=").Nil().Op("&&").Id("fake").Dot("all").Op("!=").Nil()).Block(
			mSel("mu", "Unlock").Call(),
			jen.Return(jen.Nil()),
		),
		jen.Id("x").Op(":=").Add(install),
		mSel("mu", "Unlock").Call(),
		mSel("report").Call(jen.Lit("shutdown"), jen.Len(jen.Id("x").Dot("instances"))),
		jen.Var().Id("errs").Index().Error(),
		jen.For(jen.List(jen.Id("_"), jen.Id("s")).Op(":=").Range().Id("x").Dot("instances")).Block(
			jen.If(jen.Id("s").Dot("drop").Call()).Block(
				jen.Id("errs").Op("=").Append(jen.Id("errs"), jen.Id("spec").Dot("closeOne").Call(jen.Id("ctx"), jen.Id("s"))),
			),
		),
		jen.Return(jen.Qual("errors", "Join").Call(jen.Id("errs").Op("..."))),
	)
}

// mapReport renders the report of drops to package lifecycle:
//
//	func (m *singletonMap[A, T]) report(reason string, n int) {
//		m.mu.Lock()
//		lc := m.lc
//		m.mu.Unlock()
//		lc.Dropped(reason, n)
//	}
func mapReport() jen.Code {
	return doc("report reports to package lifecycle that the manager dropped n instances, for reason. m.mu is not held.").
		Add(method("m", mapName, "report")).Params(jen.Id("reason").String(), jen.Id("n").Int()).Block(
		mSel("mu", "Lock").Call(),
		jen.Id("lc").Op(":=").Add(mSel("lc")),
		mSel("mu", "Unlock").Call(),
		jen.Id("lc").Dot("Dropped").Call(jen.Id("reason"), jen.Id("n")),
	)
}

// mapTouch renders what the slow path records of a Get, as the fast path does:
//
//	func (m *singletonMap[A, T]) touch(s *singletonState[A, T]) {
//		if s.used.Load() == 0 {
//			s.used.Store(1)
//		}
//		if e := m.epoch.Load(); s.seen.Load() != e {
//			s.seen.Store(e)
//		}
//	}
func mapTouch() jen.Code {
	return doc("touch records that a Get returned s, for max= and idle=: a store only when something changed, so that hot reads stay free of stores.").
		Add(method("m", mapName, "touch")).Params(jen.Id("s").Add(ptrTo(stateName))).Block(touch(mSel())...)
}

// touch renders the statements that record that a Get returned s, for max= and idle=,
// with the epoch of map:
//
//	if s.used.Load() == 0 {
//		s.used.Store(1)
//	}
//	if e := m.keys.epoch.Load(); s.seen.Load() != e {
//		s.seen.Store(e)
//	}
func touch(keys *jen.Statement) []jen.Code {
	return []jen.Code{
		jen.If(jen.Id("s").Dot("used").Dot("Load").Call().Op("==").Lit(0)).Block(jen.Id("s").Dot("used").Dot("Store").Call(jen.Lit(1))),
		jen.If(jen.Id("e").Op(":=").Add(keys).Dot("epoch").Dot("Load").Call(), jen.Id("s").Dot("seen").Dot("Load").Call().Op("!=").Id("e")).Block(
			jen.Id("s").Dot("seen").Dot("Store").Call(jen.Id("e")),
		),
	}
}

// mapVictim renders the choice of the instance to evict:
//
//	func (m *singletonMap[A, T]) victim() *singletonState[A, T] {
//		for {
//			if m.hand >= len(m.ring) {
//				m.hand = 0
//			}
//			s := m.ring[m.hand]
//			m.hand++
//			if s.used.Load() == 0 {
//				return s
//			}
//			s.used.Store(0)
//		}
//	}
func mapVictim() jen.Code {
	return doc("victim returns the instance to evict, by second chance: the first, from the hand on, that no Get returned since the hand last passed it; the hand clears what it passes. m.mu is held, and the map holds max instances: the clock is full.").
		Add(method("m", mapName, "victim")).Params().Add(ptrTo(stateName)).Block(
		jen.For().Block(
			jen.If(mSel("hand").Op(">=").Len(mSel("ring"))).Block(mSel("hand").Op("=").Lit(0)),
			jen.Id("s").Op(":=").Add(mSel("ring")).Index(mSel("hand")),
			mSel("hand").Op("++"),
			jen.If(jen.Id("s").Dot("used").Dot("Load").Call().Op("==").Lit(0)).Block(jen.Return(jen.Id("s"))),
			jen.Id("s").Dot("used").Dot("Store").Call(jen.Lit(0)),
		),
	)
}

// mapPlace renders the placing of an instance on the clock:
//
//	func (m *singletonMap[A, T]) place(s *singletonState[A, T]) {
//		if n := len(m.free); n > 0 {
//			s.slot, m.free = m.free[n-1], m.free[:n-1]
//			m.ring[s.slot] = s
//			return
//		}
//		s.slot = len(m.ring)
//		m.ring = append(m.ring, s)
//	}
func mapPlace() jen.Code {
	return doc("place puts s on the clock, in a free slot if there is one. m.mu is held.").
		Add(method("m", mapName, "place")).Params(jen.Id("s").Add(ptrTo(stateName))).Block(
		jen.If(jen.Id("n").Op(":=").Len(mSel("free")), jen.Id("n").Op(">").Lit(0)).Block(
			jen.List(jen.Id("s").Dot("slot"), mSel("free")).Op("=").List(mSel("free").Index(jen.Id("n").Op("-").Lit(1)), mSel("free").Index(jen.Empty(), jen.Id("n").Op("-").Lit(1))),
			mSel("ring").Index(jen.Id("s").Dot("slot")).Op("=").Id("s"),
			jen.Return(),
		),
		jen.Id("s").Dot("slot").Op("=").Len(mSel("ring")),
		mSel("ring").Op("=").Append(mSel("ring"), jen.Id("s")),
	)
}

// mapArm renders the arming of the idle sweep:
//
//	func (m *singletonMap[A, T]) arm(spec *singletonSpec[A, T]) {
//		if m.sweep != nil || m.live == 0 {
//			return
//		}
//		m.sweeps++
//		armed := m.sweeps
//		m.sweep = time.AfterFunc(spec.idle/4, func() { m.sweepIdle(armed, spec) })
//	}
func mapArm() jen.Code {
	return doc("arm arms the sweep of idle instances, unless it is armed or the map holds none: no timer runs for an empty map. m.mu is held.").
		Add(method("m", mapName, "arm")).Params(specParam()).Block(
		jen.If(mSel("sweep").Op("!=").Nil().Op("||").Add(mSel("live")).Op("==").Lit(0)).Block(jen.Return()),
		mSel("sweeps").Op("++"),
		jen.Id("armed").Op(":=").Add(mSel("sweeps")),
		mSel("sweep").Op("=").Qual("time", "AfterFunc").Call(jen.Id("spec").Dot("idle").Op("/").Lit(4), jen.Func().Params().Block(
			mSel("sweepIdle").Call(jen.Id("armed"), jen.Id("spec")),
		)),
	)
}

// mapSweep renders the sweep of idle instances, which runs on its timer's goroutine:
//
//	func (m *singletonMap[A, T]) sweepIdle(armed int, spec *singletonSpec[A, T]) {
//		m.mu.Lock()
//		if armed != m.sweeps || m.sweep == nil {
//			m.mu.Unlock()
//			return
//		}
//		m.sweep = nil
//		e := m.epoch.Add(1)
//		var idle []*singletonState[A, T]
//		for _, s := range m.snapshot() {
//			if e-s.seen.Load() > 4 {
//				m.kill(s)
//				idle = append(idle, s)
//			}
//		}
//		m.arm(spec)
//		m.mu.Unlock()
//		spec.closeIdle(idle)
//	}
func mapSweep(n needs) jen.Code {
	var report []jen.Code
	if n.lifecycle {
		report = append(report, mSel("report").Call(jen.Lit("idle"), jen.Len(jen.Id("idle"))))
	}
	return doc("sweepIdle advances the epoch, in ticks of a quarter of idle, and drops the instances that no Get returned for more than four ticks; it closes those that no With holds, after the lock. A sweep that Reset or a test hook stopped, or that another replaced, does nothing.").
		Add(method("m", mapName, "sweepIdle")).Params(jen.Id("armed").Int(), specParam()).Block(
		mSel("mu", "Lock").Call(),
		jen.If(jen.Id("armed").Op("!=").Add(mSel("sweeps")).Op("||").Add(mSel("sweep")).Op("==").Nil()).Block(
			mSel("mu", "Unlock").Call(),
			jen.Return(),
		),
		mSel("sweep").Op("=").Nil(),
		jen.Id("e").Op(":=").Add(mSel("epoch", "Add")).Call(jen.Lit(1)),
		jen.Var().Id("idle").Index().Add(ptrTo(stateName)),
		jen.For(jen.List(jen.Id("_"), jen.Id("s")).Op(":=").Range().Add(mSel("snapshot")).Call()).Block(
			jen.If(jen.Id("e").Op("-").Id("s").Dot("seen").Dot("Load").Call().Op(">").Lit(4)).Block(
				mSel("kill").Call(jen.Id("s")),
				jen.Id("idle").Op("=").Append(jen.Id("idle"), jen.Id("s")),
			),
		),
		mSel("arm").Call(jen.Id("spec")),
		mSel("mu", "Unlock").Call(),
		jen.Null().Add(report...),
		jen.Id("spec").Dot("closeIdle").Call(jen.Id("idle")),
	)
}

// mapSnapshot renders the list of the instances held, for the sweep:
//
//	func (m *singletonMap[A, T]) snapshot() []*singletonState[A, T] {
//		held := make([]*singletonState[A, T], 0, m.live)
//		for _, s := range m.writable() {
//			held = append(held, s)
//		}
//		return held
//	}
func mapSnapshot() jen.Code {
	return doc("snapshot returns the instances that m holds. m.mu is held.").
		Add(method("m", mapName, "snapshot")).Params().Index().Add(ptrTo(stateName)).Block(
		jen.Id("held").Op(":=").Make(jen.Index().Add(ptrTo(stateName)), jen.Lit(0), mSel("live")),
		jen.For(jen.List(jen.Id("_"), jen.Id("s")).Op(":=").Range().Add(mSel("writable")).Call()).Block(
			jen.Id("held").Op("=").Append(jen.Id("held"), jen.Id("s")),
		),
		jen.Return(jen.Id("held")),
	)
}
