package accessors

// Every benchmark reads an instance that is already built, in a loop that calls the
// accessor directly so that the compiler may inline it, as in real callers. The
// "Parallel" twins read from every P with b.RunParallel.

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/samber/do/v2"
	"go.uber.org/dig"
)

var (
	sinkNoArg     *NoArg
	sinkNoArgErr  *NoArgErr
	sinkStringArg *StringArg
	sinkKeyed     *Keyed
	sinkCtx       *Ctx
	sinkFunc      *FuncClient
	sinkLifecycle *Lifecycle
	sinkAny       any
	sinkErr       error
)

// The approaches users write by hand, each for the shape func() *NoArg.

var globalNoArg = NewNoArg() // the floor: a plain global pointer, built at init

var (
	onceNoArg     sync.Once
	onceNoArgInst *NoArg
)

func handWrittenOnce() *NoArg {
	onceNoArg.Do(func() { onceNoArgInst = NewNoArg() })
	return onceNoArgInst
}

var onceValueNoArg = sync.OnceValue(NewNoArg)

var (
	dclNoArg   atomic.Pointer[NoArg]
	dclNoArgMu sync.Mutex
)

// doubleChecked is double-checked locking done right, with an atomic pointer.
func doubleChecked() *NoArg {
	if c := dclNoArg.Load(); c != nil {
		return c
	}
	dclNoArgMu.Lock()
	defer dclNoArgMu.Unlock()
	if c := dclNoArg.Load(); c != nil {
		return c
	}
	c := NewNoArg()
	dclNoArg.Store(c)
	return c
}

var (
	mutexNoArgMu   sync.Mutex
	mutexNoArgInst *NoArg
)

// mutexEveryCall is the classic pattern: a mutex taken on every call.
func mutexEveryCall() *NoArg {
	mutexNoArgMu.Lock()
	defer mutexNoArgMu.Unlock()
	if mutexNoArgInst == nil {
		mutexNoArgInst = NewNoArg()
	}
	return mutexNoArgInst
}

var (
	rwNoArgMu   sync.RWMutex
	rwNoArgInst *NoArg
)

func readWriteMutex() *NoArg {
	rwNoArgMu.RLock()
	c := rwNoArgInst
	rwNoArgMu.RUnlock()
	if c != nil {
		return c
	}
	rwNoArgMu.Lock()
	defer rwNoArgMu.Unlock()
	if rwNoArgInst == nil {
		rwNoArgInst = NewNoArg()
	}
	return rwNoArgInst
}

var doInjector = func() do.Injector {
	i := do.New()
	do.Provide(i, func(do.Injector) (*NoArg, error) { return NewNoArg(), nil })
	return i
}()

var digContainer = func() *dig.Container {
	c := dig.New()
	if err := c.Provide(NewNoArg); err != nil {
		panic(err)
	}
	return c
}()

func digInvoke() *NoArg {
	var got *NoArg
	if err := digContainer.Invoke(func(c *NoArg) { got = c }); err != nil {
		panic(err)
	}
	return got
}

// The same for func() (*NoArgErr, error).

var ( // the floor: two plain globals, built at init
	globalNoArgErr, globalNoArgErrErr = NewNoArgErr()
)

var (
	onceNoArgErr     sync.Once
	onceNoArgErrInst *NoArgErr
	onceNoArgErrErr  error
)

func handWrittenOnceErr() (*NoArgErr, error) {
	onceNoArgErr.Do(func() { onceNoArgErrInst, onceNoArgErrErr = NewNoArgErr() })
	return onceNoArgErrInst, onceNoArgErrErr
}

var onceValuesNoArgErr = sync.OnceValues(NewNoArgErr)

// And for func(apiKey string) (*StringArg, error): the hand-written equivalent of the
// generated code, an atomic pointer to the instance and its argument, compared on every
// call, with a call to the slow path.

type handStringArgState struct {
	apiKey   string
	instance *StringArg
}

var (
	handStringArg   atomic.Pointer[handStringArgState]
	handStringArgMu sync.Mutex
)

func handWrittenStringArg(apiKey string) (*StringArg, error) {
	if s := handStringArg.Load(); s != nil && s.apiKey == apiKey {
		return s.instance, nil
	}
	return handWrittenStringArgSlow(apiKey)
}

//go:noinline
func handWrittenStringArgSlow(apiKey string) (*StringArg, error) {
	handStringArgMu.Lock()
	defer handStringArgMu.Unlock()
	if s := handStringArg.Load(); s != nil {
		if s.apiKey != apiKey {
			return nil, ErrStringArgConflict
		}
		return s.instance, nil
	}
	c, err := NewStringArg(apiKey)
	if err != nil {
		return nil, err
	}
	handStringArg.Store(&handStringArgState{apiKey, c})
	return c, nil
}

var benchKey = "pk-live-1" // a variable, as in real callers: a constant key would be static data

func BenchmarkNoArg(b *testing.B) {
	handWrittenOnce()
	m := NewNoArgManager(nil)
	m.Get()
	GetNoArg()
	b.Run("approach=generated-GetNoArg", func(b *testing.B) {
		for b.Loop() {
			sinkNoArg = GetNoArg()
		}
	})
	b.Run("approach=generated-manager.Get", func(b *testing.B) {
		for b.Loop() {
			sinkNoArg = m.Get()
		}
	})
	b.Run("approach=global-pointer", func(b *testing.B) {
		for b.Loop() {
			sinkNoArg = globalNoArg
		}
	})
	b.Run("approach=sync.Once", func(b *testing.B) {
		for b.Loop() {
			sinkNoArg = handWrittenOnce()
		}
	})
	b.Run("approach=sync.OnceValue", func(b *testing.B) {
		for b.Loop() {
			sinkNoArg = onceValueNoArg()
		}
	})
	b.Run("approach=atomic.Pointer-DCL", func(b *testing.B) {
		for b.Loop() {
			sinkNoArg = doubleChecked()
		}
	})
	b.Run("approach=mutex-every-call", func(b *testing.B) {
		for b.Loop() {
			sinkNoArg = mutexEveryCall()
		}
	})
	b.Run("approach=sync.RWMutex", func(b *testing.B) {
		for b.Loop() {
			sinkNoArg = readWriteMutex()
		}
	})
	b.Run("approach=samber-do-MustInvoke", func(b *testing.B) {
		for b.Loop() {
			sinkNoArg = do.MustInvoke[*NoArg](doInjector)
		}
	})
	b.Run("approach=dig-Invoke", func(b *testing.B) {
		for b.Loop() {
			sinkNoArg = digInvoke()
		}
	})
}

func BenchmarkNoArgParallel(b *testing.B) {
	m := NewNoArgManager(nil)
	m.Get()
	GetNoArg()
	handWrittenOnce()
	b.Run("approach=generated-GetNoArg", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			reads := 0
			var got *NoArg
			for pb.Next() {
				reads++
				got = GetNoArg()
			}
			check(b, got, reads)
		})
	})
	b.Run("approach=generated-manager.Get", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			reads := 0
			var got *NoArg
			for pb.Next() {
				reads++
				got = m.Get()
			}
			check(b, got, reads)
		})
	})
	b.Run("approach=global-pointer", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			reads := 0
			var got *NoArg
			for pb.Next() {
				reads++
				got = globalNoArg
			}
			check(b, got, reads)
		})
	})
	b.Run("approach=sync.Once", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			reads := 0
			var got *NoArg
			for pb.Next() {
				reads++
				got = handWrittenOnce()
			}
			check(b, got, reads)
		})
	})
	b.Run("approach=sync.OnceValue", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			reads := 0
			var got *NoArg
			for pb.Next() {
				reads++
				got = onceValueNoArg()
			}
			check(b, got, reads)
		})
	})
	b.Run("approach=atomic.Pointer-DCL", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			reads := 0
			var got *NoArg
			for pb.Next() {
				reads++
				got = doubleChecked()
			}
			check(b, got, reads)
		})
	})
	b.Run("approach=mutex-every-call", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			reads := 0
			var got *NoArg
			for pb.Next() {
				reads++
				got = mutexEveryCall()
			}
			check(b, got, reads)
		})
	})
	b.Run("approach=sync.RWMutex", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			reads := 0
			var got *NoArg
			for pb.Next() {
				reads++
				got = readWriteMutex()
			}
			check(b, got, reads)
		})
	})
	b.Run("approach=samber-do-MustInvoke", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			reads := 0
			var got *NoArg
			for pb.Next() {
				reads++
				got = do.MustInvoke[*NoArg](doInjector)
			}
			check(b, got, reads)
		})
	})
	b.Run("approach=dig-Invoke", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			reads := 0
			var got *NoArg
			for pb.Next() {
				reads++
				got = digInvoke()
			}
			check(b, got, reads)
		})
	})
}

// check fails the benchmark if a goroutine that read got nothing.
func check[T any](b *testing.B, got *T, reads int) {
	if reads > 0 && got == nil {
		b.Error("nil instance")
	}
}

func BenchmarkNoArgErr(b *testing.B) {
	GetNoArgErr()
	handWrittenOnceErr()
	b.Run("approach=generated-GetNoArgErr", func(b *testing.B) {
		for b.Loop() {
			sinkNoArgErr, sinkErr = GetNoArgErr()
		}
	})
	b.Run("approach=global-pointer", func(b *testing.B) {
		for b.Loop() {
			sinkNoArgErr, sinkErr = globalNoArgErr, globalNoArgErrErr
		}
	})
	b.Run("approach=sync.Once", func(b *testing.B) {
		for b.Loop() {
			sinkNoArgErr, sinkErr = handWrittenOnceErr()
		}
	})
	b.Run("approach=sync.OnceValues", func(b *testing.B) {
		for b.Loop() {
			sinkNoArgErr, sinkErr = onceValuesNoArgErr()
		}
	})
}

func BenchmarkNoArgErrParallel(b *testing.B) {
	GetNoArgErr()
	handWrittenOnceErr()
	b.Run("approach=generated-GetNoArgErr", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			reads := 0
			var got *NoArgErr
			for pb.Next() {
				reads++
				got, _ = GetNoArgErr()
			}
			check(b, got, reads)
		})
	})
	b.Run("approach=global-pointer", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			reads := 0
			var got *NoArgErr
			for pb.Next() {
				reads++
				got = globalNoArgErr
			}
			check(b, got, reads)
		})
	})
	b.Run("approach=sync.Once", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			reads := 0
			var got *NoArgErr
			for pb.Next() {
				reads++
				got, _ = handWrittenOnceErr()
			}
			check(b, got, reads)
		})
	})
	b.Run("approach=sync.OnceValues", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			reads := 0
			var got *NoArgErr
			for pb.Next() {
				reads++
				got, _ = onceValuesNoArgErr()
			}
			check(b, got, reads)
		})
	})
}

func BenchmarkStringArg(b *testing.B) {
	key := benchKey
	GetStringArg(key)
	handWrittenStringArg(key)
	b.Run("approach=generated-GetStringArg", func(b *testing.B) {
		for b.Loop() {
			sinkStringArg, sinkErr = GetStringArg(key)
		}
	})
	b.Run("approach=hand-written-atomic.Pointer", func(b *testing.B) {
		for b.Loop() {
			sinkStringArg, sinkErr = handWrittenStringArg(key)
		}
	})
}

func BenchmarkStringArgParallel(b *testing.B) {
	key := benchKey
	GetStringArg(key)
	handWrittenStringArg(key)
	b.Run("approach=generated-GetStringArg", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			reads := 0
			var got *StringArg
			for pb.Next() {
				reads++
				got, _ = GetStringArg(key)
			}
			check(b, got, reads)
		})
	})
	b.Run("approach=hand-written-atomic.Pointer", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			reads := 0
			var got *StringArg
			for pb.Next() {
				reads++
				got, _ = handWrittenStringArg(key)
			}
			check(b, got, reads)
		})
	})
}

func BenchmarkContext(b *testing.B) {
	ctx := context.Background()
	GetCtx(ctx)
	b.Run("approach=generated-GetCtx", func(b *testing.B) {
		for b.Loop() {
			sinkCtx, sinkErr = GetCtx(ctx)
		}
	})
}

func BenchmarkContextParallel(b *testing.B) {
	ctx := context.Background()
	GetCtx(ctx)
	b.Run("approach=generated-GetCtx", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			reads := 0
			var got *Ctx
			for pb.Next() {
				reads++
				got, _ = GetCtx(ctx)
			}
			check(b, got, reads)
		})
	})
}

// keys returns n distinct keys.
func keys(n int) []string {
	ks := make([]string, n)
	for i := range ks {
		ks[i] = "pk-live-" + strconv.Itoa(i)
	}
	return ks
}

func BenchmarkKeyed(b *testing.B) {
	for _, n := range []int{1, 1024} {
		ks := keys(n)
		m := NewKeyedManager(nil)
		var syncMap sync.Map
		plain := map[keyedArgs]*Keyed{}
		for range 3 {
			for _, k := range ks {
				c := m.Get(k) // built, then published by the reads that follow
				syncMap.Store(keyedArgs{key: k}, c)
				plain[keyedArgs{key: k}] = c
			}
		}
		b.Run("keys="+strconv.Itoa(n)+"/approach=generated-Get", func(b *testing.B) {
			i := 0
			for b.Loop() {
				sinkKeyed = m.Get(ks[i%n])
				i++
			}
		})
		b.Run("keys="+strconv.Itoa(n)+"/approach=sync.Map.Load", func(b *testing.B) {
			i := 0
			for b.Loop() {
				sinkAny, _ = syncMap.Load(keyedArgs{key: ks[i%n]})
				i++
			}
		})
		b.Run("keys="+strconv.Itoa(n)+"/approach=plain-map", func(b *testing.B) {
			i := 0
			for b.Loop() {
				sinkKeyed = plain[keyedArgs{key: ks[i%n]}]
				i++
			}
		})
	}
}

func BenchmarkKeyedParallel(b *testing.B) {
	for _, n := range []int{1, 1024} {
		ks := keys(n)
		m := NewKeyedManager(nil)
		var syncMap sync.Map
		for range 3 {
			for _, k := range ks {
				syncMap.Store(keyedArgs{key: k}, m.Get(k))
			}
		}
		b.Run("keys="+strconv.Itoa(n)+"/approach=generated-Get", func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				reads := 0
				var got *Keyed
				i := 0
				for pb.Next() {
					reads++
					got = m.Get(ks[i%n])
					i++
				}
				check(b, got, reads)
			})
		})
		b.Run("keys="+strconv.Itoa(n)+"/approach=sync.Map.Load", func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				reads := 0
				var got any
				i := 0
				for pb.Next() {
					reads++
					got, _ = syncMap.Load(keyedArgs{key: ks[i%n]})
					i++
				}
				if reads > 0 && got == nil {
					b.Error("nil instance")
				}
			})
		})
	}
}

// BenchmarkKeyedInsert builds 100,000 distinct keys, each read twice after its build.
func BenchmarkKeyedInsert(b *testing.B) {
	ks := keys(100_000)
	b.Run("keys=100000/approach=generated-Get", func(b *testing.B) {
		for b.Loop() {
			m := NewKeyedManager(nil)
			for _, k := range ks {
				m.Get(k)
				m.Get(k)
			}
		}
	})
	b.Run("keys=100000/approach=sync.Map.LoadOrStore", func(b *testing.B) {
		for b.Loop() {
			var m sync.Map
			for _, k := range ks {
				if _, ok := m.Load(keyedArgs{key: k}); !ok {
					m.LoadOrStore(keyedArgs{key: k}, NewKeyed(k))
				}
				m.Load(keyedArgs{key: k})
			}
		}
	})
}

// BenchmarkFirstCall is the cost of the first call, which builds: a fresh manager (or
// sync.Once) per iteration.
func BenchmarkFirstCall(b *testing.B) {
	b.Run("approach=generated-manager.Get", func(b *testing.B) {
		for b.Loop() {
			sinkNoArg = NewNoArgManager(nil).Get()
		}
	})
	b.Run("approach=sync.Once", func(b *testing.B) {
		for b.Loop() {
			var once sync.Once
			var c *NoArg
			once.Do(func() { c = NewNoArg() })
			sinkNoArg = c
		}
	})
	b.Run("approach=sync.OnceValue", func(b *testing.B) {
		for b.Loop() {
			sinkNoArg = sync.OnceValue(NewNoArg)()
		}
	})
}

// BenchmarkThundering releases 10,000 goroutines together on an unbuilt instance and
// measures the time until all have it; it fails unless the constructor ran exactly once.
func BenchmarkThundering(b *testing.B) {
	const goroutines = 10_000
	run := func(b *testing.B, get func(calls *atomic.Int32) func() *NoArg) {
		for b.Loop() {
			var calls atomic.Int32
			g := get(&calls)
			start := make(chan struct{})
			var wg sync.WaitGroup
			wg.Add(goroutines)
			for range goroutines {
				go func() {
					defer wg.Done()
					<-start
					if g() == nil {
						b.Error("nil instance")
					}
				}()
			}
			close(start)
			wg.Wait()
			if n := calls.Load(); n != 1 {
				b.Fatalf("constructor called %d times, want 1", n)
			}
		}
		b.ReportMetric(1, "constructor-calls/op")
	}
	b.Run("goroutines=10000/approach=generated-manager.Get", func(b *testing.B) {
		run(b, func(calls *atomic.Int32) func() *NoArg {
			return NewNoArgManager(func() *NoArg { calls.Add(1); return NewNoArg() }).Get
		})
	})
	b.Run("goroutines=10000/approach=sync.Once", func(b *testing.B) {
		run(b, func(calls *atomic.Int32) func() *NoArg {
			var once sync.Once
			var c *NoArg
			return func() *NoArg {
				once.Do(func() { calls.Add(1); c = NewNoArg() })
				return c
			}
		})
	})
}

// BenchmarkFunc reads managers of annotated constructor functions beside those of
// annotated types of the same shape: decl=type is GetNoArg (GetNoArgErr), decl=func is
// GetFuncNoArg (GetFuncNoArgErr). They should cost the same.
func BenchmarkFunc(b *testing.B) {
	GetNoArg()
	GetFuncNoArg()
	GetNoArgErr()
	GetFuncNoArgErr()
	mt, mf := GetNoArgManager(), GetFuncNoArgManager()
	b.Run("result=T/accessor=GetT/decl=type", func(b *testing.B) {
		for b.Loop() {
			sinkNoArg = GetNoArg()
		}
	})
	b.Run("result=T/accessor=GetT/decl=func", func(b *testing.B) {
		for b.Loop() {
			sinkFunc = GetFuncNoArg()
		}
	})
	b.Run("result=T/accessor=manager.Get/decl=type", func(b *testing.B) {
		for b.Loop() {
			sinkNoArg = mt.Get()
		}
	})
	b.Run("result=T/accessor=manager.Get/decl=func", func(b *testing.B) {
		for b.Loop() {
			sinkFunc = mf.Get()
		}
	})
	b.Run("result=T,error/accessor=GetT/decl=type", func(b *testing.B) {
		for b.Loop() {
			sinkNoArgErr, sinkErr = GetNoArgErr()
		}
	})
	b.Run("result=T,error/accessor=GetT/decl=func", func(b *testing.B) {
		for b.Loop() {
			sinkFunc, sinkErr = GetFuncNoArgErr()
		}
	})
}

func BenchmarkFuncParallel(b *testing.B) {
	GetNoArg()
	GetFuncNoArg()
	b.Run("result=T/accessor=GetT/decl=type", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			reads := 0
			var got *NoArg
			for pb.Next() {
				reads++
				got = GetNoArg()
			}
			check(b, got, reads)
		})
	})
	b.Run("result=T/accessor=GetT/decl=func", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			reads := 0
			var got *FuncClient
			for pb.Next() {
				reads++
				got = GetFuncNoArg()
			}
			check(b, got, reads)
		})
	})
}

// BenchmarkLifecycle reads a manager with lifecycle=on (registered with package
// lifecycle at its first build) beside the plain NoArg of the same shape.
func BenchmarkLifecycle(b *testing.B) {
	GetNoArg()
	GetLifecycle()
	moff, mon := GetNoArgManager(), GetLifecycleManager()
	b.Run("accessor=GetT/lifecycle=off", func(b *testing.B) {
		for b.Loop() {
			sinkNoArg = GetNoArg()
		}
	})
	b.Run("accessor=GetT/lifecycle=on", func(b *testing.B) {
		for b.Loop() {
			sinkLifecycle = GetLifecycle()
		}
	})
	b.Run("accessor=manager.Get/lifecycle=off", func(b *testing.B) {
		for b.Loop() {
			sinkNoArg = moff.Get()
		}
	})
	b.Run("accessor=manager.Get/lifecycle=on", func(b *testing.B) {
		for b.Loop() {
			sinkLifecycle = mon.Get()
		}
	})
}

func BenchmarkLifecycleParallel(b *testing.B) {
	GetNoArg()
	GetLifecycle()
	b.Run("accessor=GetT/lifecycle=off", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			reads := 0
			var got *NoArg
			for pb.Next() {
				reads++
				got = GetNoArg()
			}
			check(b, got, reads)
		})
	})
	b.Run("accessor=GetT/lifecycle=on", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			reads := 0
			var got *Lifecycle
			for pb.Next() {
				reads++
				got = GetLifecycle()
			}
			check(b, got, reads)
		})
	})
}

// BenchmarkWith calls With on a built instance, beside Get on the same manager: With
// holds the instance (an atomic add, and one to let go) and calls fn.
func BenchmarkWith(b *testing.B) {
	m := NewNoArgManager(nil)
	m.Get()
	useNoArg := func(c *NoArg) error { sinkNoArg = c; return nil }
	b.Run("mode=single/approach=Get", func(b *testing.B) {
		for b.Loop() {
			sinkNoArg = m.Get()
		}
	})
	b.Run("mode=single/approach=With", func(b *testing.B) {
		for b.Loop() {
			sinkErr = m.With(useNoArg)
		}
	})
	k := NewKeyedManager(nil)
	key := benchKey
	for range 3 {
		k.Get(key)
	}
	useKeyed := func(c *Keyed) error { sinkKeyed = c; return nil }
	b.Run("mode=keyed/approach=Get", func(b *testing.B) {
		for b.Loop() {
			sinkKeyed = k.Get(key)
		}
	})
	b.Run("mode=keyed/approach=With", func(b *testing.B) {
		for b.Loop() {
			sinkErr = k.With(key, useKeyed)
		}
	})
}

func BenchmarkWithParallel(b *testing.B) {
	m := NewNoArgManager(nil)
	m.Get()
	b.Run("mode=single/approach=With", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := m.With(func(c *NoArg) error {
					if c == nil {
						return errNil
					}
					return nil
				}); err != nil {
					b.Error(err)
				}
			}
		})
	})
}

var errNil = errors.New("nil instance")
