package templates

import (
	"fmt"

	"github.com/dave/jennifer/jen"
)

// keyed is the storage of a manager that holds one instance per tuple of arguments.
//
// It publishes an immutable index of its instances, read without a lock. A new instance
// goes into dirty, a copy of the index under the lock, and dirty is published once the
// Gets that found a key in dirty only are as many as its instances: the copy is paid for
// by those Gets, so a new key costs O(1) amortised, where publishing each new key at once
// would copy the whole index each time (quadratic).
type keyed struct{ *emitter }

func (k *keyed) api() []Decl {
	return []Decl{
		{Name: "Delete", Kind: MethodDecl, Role: RoleMethod, Locals: []string{"m", "args", "s", "x", "delete", "nil"}, emit: k.deleteMethod},
		{Name: "Len", Kind: MethodDecl, Role: RoleMethod, emit: k.lenMethod},
	}
}

func (k *keyed) types() []Decl {
	return []Decl{{Name: k.m.Names.Index, Kind: TypeDecl, Role: RoleIndex, emit: k.indexType}}
}

func (k *keyed) lookups() []Decl {
	return []Decl{{Name: "lookup", Kind: MethodDecl, Role: RoleMethod, emit: k.lookup}}
}

func (k *keyed) publishing() []Decl {
	return []Decl{
		{Name: "writable", Kind: MethodDecl, Role: RoleMethod, emit: k.writable},
		{Name: "publish", Kind: MethodDecl, Role: RoleMethod, emit: k.publish},
	}
}

func (k *keyed) describe() (what, lifetime string) {
	return fmt.Sprintf("builds one %s for each distinct tuple of arguments, on first use, and shares it among all goroutines", k.instanceName()),
		"Instances live until Delete or Reset: a manager keyed by data that keeps changing holds every key it has seen. Delete and Reset drop instances while other goroutines may still be using them: they are meant for tests, credential rotation and shutdown."
}

// fields renders:
//
//	index unsafe.Pointer
//	ctor  func(apiKey string) (*Client, error)
//
//	mu     sync.Mutex
//	dirty  map[clientArgs]*clientState
//	misses int
//	builds map[clientArgs]*clientBuild
func (k *keyed) fields() []jen.Code {
	n := k.m.Names
	return []jen.Code{
		jen.Comment(fmt.Sprintf("index points to the published %s, or is nil. It is an unsafe.Pointer", n.Index)),
		jen.Comment("read with atomic.LoadPointer, not an atomic.Pointer, to keep Get cheap."),
		jen.Id("index").Qual("unsafe", "Pointer"),
		jen.Id("ctor").Add(k.ctorType()),
		jen.Line(),
		jen.Comment("The rest is guarded by mu."),
		jen.Id("mu").Qual("sync", "Mutex"),
		jen.Id("dirty").Map(jen.Id(n.Args)).Op("*").Id(n.State).Comment("when not nil, every instance, the newest not yet in index"),
		jen.Id("misses").Int().Comment("Gets that found their key in dirty only, since index was published"),
		jen.Id("builds").Map(jen.Id(n.Args)).Op("*").Id(n.Build).Comment("the constructions in flight, by arguments"),
	}
}

func (k *keyed) droppers() string { return "Delete, Reset" }

func (k *keyed) argsDoc() string {
	n := k.m.Names
	return fmt.Sprintf("%s holds the arguments a %s is built with: the key of a %s's instances.", n.Args, k.m.Stem, n.Manager)
}

func (k *keyed) getDoc() []string {
	return []string{
		fmt.Sprintf("Get returns the %s for these arguments, building it on first use; concurrent first callers with the same arguments wait for that one build and share its result, while other arguments build at the same time. Once a %s is built, Get costs one atomic load and a map lookup: no lock, no allocation.", k.m.Stem, k.m.Stem),
		"Instances live until Delete or Reset. A new key costs O(1) amortised: it is published for lock-free reads once Gets that found it only under the lock are as many as the instances.",
	}
}

// fastPath renders:
//
//	if x := (*clientIndex)(atomic.LoadPointer(&m.index)); x != nil {
//		if s := x.instances[clientArgs{apiKey: apiKey}]; s != nil {
//			return s.instance, nil
//		}
//	}
//	s := m.get(clientArgs{apiKey: apiKey})
//	return s.instance, s.err
func (k *keyed) fastPath(manager *jen.Statement) []jen.Code {
	return []jen.Code{
		jen.If(jen.Id("x").Op(":=").Add(load(k.m.Names.Index, manager.Clone().Dot("index"))), jen.Id("x").Op("!=").Nil()).Block(
			jen.If(jen.Id("s").Op(":=").Id("x").Dot("instances").Index(k.argsLiteral()), jen.Id("s").Op("!=").Nil()).Block(
				jen.Return(k.results(jen.Nil())...),
			),
		),
		jen.Id("s").Op(":=").Add(manager.Clone()).Dot("get").Call(k.slowPathArgs()...),
		jen.Return(k.results(jen.Id("s").Dot("err"))...),
	}
}

// current renders:
//
//	x := (*clientIndex)(atomic.LoadPointer(&m.index))
//	if x != nil && x.all != nil {
//		m.mu.Unlock()
//		return x.all
//	}
//	if s := m.lookup(x, args); s != nil {
//		m.mu.Unlock()
//		return s
//	}
//	b := m.builds[args]
func (k *keyed) current() []jen.Code {
	current := []jen.Code{jen.Id("x").Op(":=").Add(load(k.m.Names.Index, jen.Id("m").Dot("index")))}
	if k.m.TestHooks {
		current = append(current, jen.If(jen.Id("x").Op("!=").Nil().Op("&&").Id("x").Dot("all").Op("!=").Nil()).Block(
			unlock(), jen.Return(jen.Id("x").Dot("all")),
		))
	}
	return append(current,
		jen.If(jen.Id("s").Op(":=").Id("m").Dot("lookup").Call(jen.Id("x"), jen.Id("args")), jen.Id("s").Op("!=").Nil()).Block(
			unlock(), jen.Return(jen.Id("s")),
		),
		jen.Id("b").Op(":=").Id("m").Dot("builds").Index(jen.Id("args")),
	)
}

// register renders:
//
//	if m.builds == nil {
//		m.builds = make(map[clientArgs]*clientBuild)
//	}
//	m.builds[args] = b
func (k *keyed) register() []jen.Code {
	n := k.m.Names
	return []jen.Code{
		jen.If(jen.Id("m").Dot("builds").Op("==").Nil()).Block(
			jen.Id("m").Dot("builds").Op("=").Make(jen.Map(jen.Id(n.Args)).Op("*").Id(n.Build)),
		),
		jen.Id("m").Dot("builds").Index(jen.Id("args")).Op("=").Id("b"),
	}
}

func (k *keyed) finishing() (current, end, publish *jen.Statement) {
	return jen.Id("m").Dot("builds").Index(jen.Id("b").Dot("args")).Op("==").Id("b"),
		jen.Delete(jen.Id("m").Dot("builds"), jen.Id("b").Dot("args")),
		jen.Id("m").Dot("writable").Call().Index(jen.Id("b").Dot("args")).Op("=").Id("s")
}

func (k *keyed) dropped() string { return "every " + k.m.Stem }

// resetBody renders:
//
//	x := m.install(nil)
//	if x == nil {
//		return nil
//	}
//	var errs []error
//	for _, s := range x.instances {
//		errs = append(errs, s.instance.Close())
//	}
//	return errors.Join(errs...)
func (k *keyed) resetBody() ([]jen.Code, string) {
	body := []jen.Code{
		jen.Id("x").Op(":=").Id("m").Dot("install").Call(jen.Nil()),
		jen.If(jen.Id("x").Op("==").Nil()).Block(jen.Return(jen.Nil())),
	}
	each := jen.For(jen.List(jen.Id("_"), jen.Id("s")).Op(":=").Range().Id("x").Dot("instances")).Block(
		k.closeDropped(jen.Id("s").Dot("instance"), appendError)...,
	)
	if !k.m.Close.ReturnsError {
		return append(body, each, jen.Return(jen.Nil())),
			fmt.Sprintf("It closes each %s it drops, and returns nil.", k.m.Stem)
	}
	return append(body,
			jen.Var().Id("errs").Index().Error(),
			each,
			jen.Return(jen.Qual("errors", "Join").Call(jen.Id("errs").Op("..."))),
		),
		fmt.Sprintf("It closes each %s it drops and returns what Close returned, joined.", k.m.Stem)
}

// marksInstalled is false: keyed managers keep a hook's instance apart from their own.
func (k *keyed) marksInstalled() bool { return false }

func (k *keyed) hookValue(c *jen.Statement) (*jen.Statement, string) {
	return jen.Op("&").Id(k.m.Names.Index).Values(field("all", k.newState(field("instance", c)))),
		"c is returned for every key, and the instances built for keys before the test are set aside until it ends."
}

func (k *keyed) hookParam() (string, *jen.Statement) {
	return "x", jen.Op("*").Id(k.m.Names.Index)
}

// hookRestore renders:
//
//	if x := m.install(prev); x != nil {
//		// Built during the test.
//		for _, s := range x.instances {
//			_ = s.instance.Close()
//		}
//	}
func (k *keyed) hookRestore() jen.Code {
	restore := jen.Id("m").Dot("install").Call(jen.Id("prev"))
	if !k.m.Closes() {
		return restore
	}
	return jen.If(jen.Id("x").Op(":=").Add(restore), jen.Id("x").Op("!=").Nil()).Block(
		jen.Comment("Built during the test."),
		jen.For(jen.List(jen.Id("_"), jen.Id("s")).Op(":=").Range().Id("x").Dot("instances")).Block(
			k.closeDropped(jen.Id("s").Dot("instance"), discardError)...,
		),
	)
}

// install renders:
//
//	func (m *ClientManager) install(x *clientIndex) *clientIndex {
//		m.mu.Lock()
//		defer m.mu.Unlock()
//		prev := (*clientIndex)(atomic.SwapPointer(&m.index, unsafe.Pointer(x)))
//		if m.dirty != nil {
//			// dirty holds every instance, the newest too.
//			prev = &clientIndex{instances: m.dirty}
//		}
//		m.dirty, m.misses, m.builds = nil, 0, nil
//		return prev
//	}
func (k *keyed) install() []jen.Code {
	index := k.m.Names.Index
	return []jen.Code{
		doc("install makes x the published index, discarding dirty and every build in flight, and returns an index of the instances it replaced.").
			Func().Add(k.receiver()).Id("install").Params(jen.Id("x").Op("*").Id(index)).Op("*").Id(index).Block(
			lock(),
			jen.Defer().Add(unlock()),
			jen.Id("prev").Op(":=").Parens(jen.Op("*").Id(index)).Call(
				jen.Qual("sync/atomic", "SwapPointer").Call(jen.Op("&").Id("m").Dot("index"), jen.Qual("unsafe", "Pointer").Call(jen.Id("x")))),
			jen.If(jen.Id("m").Dot("dirty").Op("!=").Nil()).Block(
				jen.Comment("dirty holds every instance, the newest too."),
				jen.Id("prev").Op("=").Op("&").Id(index).Values(field("instances", jen.Id("m").Dot("dirty"))),
			),
			jen.List(jen.Id("m").Dot("dirty"), jen.Id("m").Dot("misses"), jen.Id("m").Dot("builds")).Op("=").List(jen.Nil(), jen.Lit(0), jen.Nil()),
			jen.Return(jen.Id("prev")),
		),
	}
}

// indexType renders what a keyed manager publishes:
//
//	type clientIndex struct {
//		instances map[clientArgs]*clientState
//		all       *clientState
//	}
func (k *keyed) indexType() []jen.Code {
	n := k.m.Names
	fields := []jen.Code{jen.Id("instances").Map(jen.Id(n.Args)).Op("*").Id(n.State)}
	what := fmt.Sprintf("%s is what a %s publishes: its instances by arguments.", n.Index, n.Manager)
	if k.m.TestHooks {
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
func (k *keyed) lookup() []jen.Code {
	n := k.m.Names
	return []jen.Code{
		doc("lookup returns the instance for args, from x, the published index, or from dirty. It counts the lookups that found their key in dirty only, and publishes dirty when they are as many as its instances. m.mu is held.").
			Func().Add(k.receiver()).Id("lookup").Params(jen.Id("x").Op("*").Id(n.Index), jen.Id("args").Id(n.Args)).Op("*").Id(n.State).Block(
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
func (k *keyed) writable() []jen.Code {
	n := k.m.Names
	return []jen.Code{
		doc("writable returns dirty, made first from the published instances if it is nil. m.mu is held.").
			Func().Add(k.receiver()).Id("writable").Params().Map(jen.Id(n.Args)).Op("*").Id(n.State).Block(
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
func (k *keyed) publish() []jen.Code {
	return []jen.Code{
		doc("publish makes dirty the published index. m.mu is held, and no test hook's instance is installed.").
			Func().Add(k.receiver()).Id("publish").Params().Block(
			jen.Qual("sync/atomic", "StorePointer").Call(jen.Op("&").Id("m").Dot("index"),
				jen.Qual("unsafe", "Pointer").Call(jen.Op("&").Id(k.m.Names.Index).Values(field("instances", jen.Id("m").Dot("dirty"))))),
			jen.Id("m").Dot("dirty").Op("=").Nil(),
			jen.Id("m").Dot("misses").Op("=").Lit(0),
		),
	}
}

// deleteMethod renders Delete:
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
func (k *keyed) deleteMethod() []jen.Code {
	m, n := k.m, k.m.Names
	body := []jen.Code{
		jen.Id("args").Op(":=").Add(k.argsLiteral()),
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
	closes := fmt.Sprintf("It returns nil: the manager never closes a %s.", m.Stem)
	switch {
	case m.Close.ReturnsError:
		body = append(body, jen.If(jen.Id("s").Op("==").Nil()).Block(jen.Return(jen.Nil())))
		body = append(body, k.closeDropped(jen.Id("s").Dot("instance"), returnError)...)
		closes = fmt.Sprintf("It closes the %s it drops and returns what Close returned.", m.Stem)
	case m.Closes():
		body = append(body,
			jen.If(jen.Id("s").Op("!=").Nil()).Block(k.closeDropped(jen.Id("s").Dot("instance"), discardError)...),
			jen.Return(jen.Nil()),
		)
		closes = fmt.Sprintf("It closes the %s it drops, and returns nil.", m.Stem)
	default:
		body = append(body, jen.Return(jen.Nil()))
	}
	return []jen.Code{
		doc(
			fmt.Sprintf("Delete drops the %s built for these arguments, if any; the next Get for them builds anew. %s A build in flight for them is discarded when it finishes, and its callers build again.", m.Stem, closes),
			"Dropping a published instance copies the index of the others, so Delete costs O(n). It is safe while other goroutines call Get, but they may still be using what it closes.",
		).Func().Add(k.receiver()).Id("Delete").Params(k.keyParams()...).Error().Block(body...),
	}
}

// lenMethod renders Len:
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
func (k *keyed) lenMethod() []jen.Code {
	return []jen.Code{
		doc(fmt.Sprintf("Len returns how many %s instances the manager holds, one for each tuple of arguments it built for, until Delete or Reset. Builds in flight do not count.", k.m.Stem)).
			Func().Add(k.receiver()).Id("Len").Params().Int().Block(
			lock(),
			jen.Defer().Add(unlock()),
			jen.If(jen.Id("m").Dot("dirty").Op("!=").Nil()).Block(jen.Return(jen.Len(jen.Id("m").Dot("dirty")))),
			jen.If(jen.Id("x").Op(":=").Add(load(k.m.Names.Index, jen.Id("m").Dot("index"))), jen.Id("x").Op("!=").Nil()).Block(
				jen.Return(jen.Len(jen.Id("x").Dot("instances"))),
			),
			jen.Return(jen.Lit(0)),
		),
	}
}
