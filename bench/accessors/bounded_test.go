package accessors

// Bounded keyed managers (max=, idle=) beside the unbounded one and beside the caches
// users would pick instead, maypok86/otter v2 and hashicorp/golang-lru v2; then the
// churn of new keys through a full manager, and the per-key cost of churn and Delete at
// growing sizes, which stays flat when they are O(1) amortised.

import (
	"context"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/maypok86/otter/v2"
)

var (
	sinkKeyedMax     *KeyedMax
	sinkKeyedIdle    *KeyedIdle
	sinkKeyedMaxIdle *KeyedMaxIdle
	sinkChurn        *Churn
)

// boundedSetup holds, for n keys, every manager and cache of BenchmarkBounded with all n
// keys built (and published, for the generated managers: each key read three times).
type boundedSetup struct {
	ks        []string
	keyed     *KeyedManager
	max       *KeyedMaxManager
	idle      *KeyedIdleManager
	maxIdle   *KeyedMaxIdleManager
	otter     *otter.Cache[string, *Keyed]
	otterIdle *otter.Cache[string, *Keyed]
	lru       *lru.Cache[string, *Keyed]
}

func newBoundedSetup(tb testing.TB, n int) *boundedSetup {
	s := &boundedSetup{
		ks:      keys(n),
		keyed:   NewKeyedManager(nil),
		max:     NewKeyedMaxManager(nil),
		idle:    NewKeyedIdleManager(nil),
		maxIdle: NewKeyedMaxIdleManager(nil),
		otter:   otter.Must(&otter.Options[string, *Keyed]{MaximumSize: 1024}),
		otterIdle: otter.Must(&otter.Options[string, *Keyed]{
			MaximumSize:      1024,
			ExpiryCalculator: otter.ExpiryAccessing[string, *Keyed](10 * time.Minute),
		}),
	}
	var err error
	if s.lru, err = lru.New[string, *Keyed](1024); err != nil {
		tb.Fatal(err)
	}
	for range 3 {
		for _, k := range s.ks {
			c := s.keyed.Get(k)
			s.max.Get(k)
			s.idle.Get(k)
			s.maxIdle.Get(k)
			if _, ok := s.otter.GetIfPresent(k); !ok {
				s.otter.Set(k, c)
			}
			if _, ok := s.otterIdle.GetIfPresent(k); !ok {
				s.otterIdle.Set(k, c)
			}
			if _, ok := s.lru.Get(k); !ok {
				s.lru.Add(k, c)
			}
		}
	}
	s.otter.CleanUp()
	s.otterIdle.CleanUp()
	for name, got := range map[string]int{
		"max=1024": published(&s.max.keys), "idle=10m": published(&s.idle.keys),
		"max=1024 idle=10m": published(&s.maxIdle.keys), "unbounded": published(&s.keyed.keys),
	} {
		if got != n {
			tb.Fatalf("%s: %d of %d keys published", name, got, n)
		}
	}
	if s.otter.EstimatedSize() != n || s.lru.Len() != n {
		tb.Fatalf("otter holds %d keys, lru %d; want %d", s.otter.EstimatedSize(), s.lru.Len(), n)
	}
	return s
}

// close stops the idle managers' sweeps and otter's goroutines.
func (s *boundedSetup) close() {
	_ = s.idle.Reset()
	_ = s.maxIdle.Reset()
	s.otter.StopAllGoroutines()
	s.otterIdle.StopAllGoroutines()
}

// published returns, white-box, how many live instances m's published index holds when
// nothing is left unpublished, or -1.
func published[A comparable, T comparable](m *singletonMap[A, T]) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	x := (*singletonIndex[A, T])(atomic.LoadPointer(&m.index))
	if x == nil || m.dirty != nil {
		return -1
	}
	return len(x.instances)
}

// BenchmarkBounded reads a built key, as BenchmarkKeyed does, from the unbounded keyed
// manager, the bounded ones (max=1024, idle=10m, both) and otter and golang-lru holding
// at most 1024 entries (otter also with an expiry of 10 minutes after the last access,
// what idle=10m does).
func BenchmarkBounded(b *testing.B) {
	for _, n := range []int{1, 1024} {
		s := newBoundedSetup(b, n)
		ks := s.ks
		prefix := "keys=" + strconv.Itoa(n) + "/approach="
		b.Run(prefix+"generated-Get-unbounded", func(b *testing.B) {
			i := 0
			for b.Loop() {
				sinkKeyed = s.keyed.Get(ks[i%n])
				i++
			}
		})
		b.Run(prefix+"generated-Get-max", func(b *testing.B) {
			i := 0
			for b.Loop() {
				sinkKeyedMax = s.max.Get(ks[i%n])
				i++
			}
		})
		b.Run(prefix+"generated-Get-idle", func(b *testing.B) {
			i := 0
			for b.Loop() {
				sinkKeyedIdle = s.idle.Get(ks[i%n])
				i++
			}
		})
		b.Run(prefix+"generated-Get-max-idle", func(b *testing.B) {
			i := 0
			for b.Loop() {
				sinkKeyedMaxIdle = s.maxIdle.Get(ks[i%n])
				i++
			}
		})
		b.Run(prefix+"otter-GetIfPresent", func(b *testing.B) {
			i := 0
			for b.Loop() {
				sinkKeyed, _ = s.otter.GetIfPresent(ks[i%n])
				i++
			}
		})
		b.Run(prefix+"otter-GetIfPresent-expiry", func(b *testing.B) {
			i := 0
			for b.Loop() {
				sinkKeyed, _ = s.otterIdle.GetIfPresent(ks[i%n])
				i++
			}
		})
		b.Run(prefix+"lru-Get", func(b *testing.B) {
			i := 0
			for b.Loop() {
				sinkKeyed, _ = s.lru.Get(ks[i%n])
				i++
			}
		})
		s.close()
	}
}

func BenchmarkBoundedParallel(b *testing.B) {
	for _, n := range []int{1, 1024} {
		s := newBoundedSetup(b, n)
		ks := s.ks
		prefix := "keys=" + strconv.Itoa(n) + "/approach="
		run := func(name string, get func(k string) bool) {
			b.Run(prefix+name, func(b *testing.B) {
				b.RunParallel(func(pb *testing.PB) {
					i := 0
					for pb.Next() {
						if !get(ks[i%n]) {
							b.Error("missing instance")
							return
						}
						i++
					}
				})
			})
		}
		// Through a closure, unlike BenchmarkBounded: the same call for every approach.
		run("generated-Get-unbounded", func(k string) bool { return s.keyed.Get(k) != nil })
		run("generated-Get-max", func(k string) bool { return s.max.Get(k) != nil })
		run("generated-Get-idle", func(k string) bool { return s.idle.Get(k) != nil })
		run("generated-Get-max-idle", func(k string) bool { return s.maxIdle.Get(k) != nil })
		run("otter-GetIfPresent", func(k string) bool { _, ok := s.otter.GetIfPresent(k); return ok })
		run("otter-GetIfPresent-expiry", func(k string) bool { _, ok := s.otterIdle.GetIfPresent(k); return ok })
		run("lru-Get", func(k string) bool { _, ok := s.lru.Get(k); return ok })
		s.close()
	}
}

// BenchmarkChurn gets a stream of new keys from a full cache of capacity 1000: every
// operation misses, builds (NewChurn, for all of them) and evicts one entry. Otter and
// golang-lru are used cache-aside (a lookup, then Set or Add), and otter also through its
// loader, which, like the generated Get, makes concurrent callers of a key share one build.
func BenchmarkChurn(b *testing.B) {
	const capacity = 1000
	b.Run("capacity=1000/approach=generated-Get", func(b *testing.B) {
		m := NewChurnManager(nil)
		for i := range capacity {
			m.Get(i)
		}
		i := capacity
		for b.Loop() {
			sinkChurn = m.Get(i)
			i++
		}
		if m.Len() != capacity {
			b.Fatalf("Len = %d, want %d", m.Len(), capacity)
		}
	})
	b.Run("capacity=1000/approach=otter-GetIfPresent+Set", func(b *testing.B) {
		c := otter.Must(&otter.Options[int, *Churn]{MaximumSize: capacity})
		defer c.StopAllGoroutines()
		get := func(k int) *Churn {
			v, ok := c.GetIfPresent(k)
			if !ok {
				v = NewChurn(k)
				c.Set(k, v)
			}
			return v
		}
		for i := range capacity {
			get(i)
		}
		i := capacity
		for b.Loop() {
			sinkChurn = get(i)
			i++
		}
	})
	b.Run("capacity=1000/approach=otter-Get-loader", func(b *testing.B) {
		c := otter.Must(&otter.Options[int, *Churn]{MaximumSize: capacity})
		defer c.StopAllGoroutines()
		ctx := context.Background()
		loader := otter.LoaderFunc[int, *Churn](func(_ context.Context, k int) (*Churn, error) {
			return NewChurn(k), nil
		})
		for i := range capacity {
			_, _ = c.Get(ctx, i, loader)
		}
		i := capacity
		for b.Loop() {
			sinkChurn, sinkErr = c.Get(ctx, i, loader)
			i++
		}
	})
	b.Run("capacity=1000/approach=lru-Get+Add", func(b *testing.B) {
		c, err := lru.New[int, *Churn](capacity)
		if err != nil {
			b.Fatal(err)
		}
		get := func(k int) *Churn {
			v, ok := c.Get(k)
			if !ok {
				v = NewChurn(k)
				c.Add(k, v)
			}
			return v
		}
		for i := range capacity {
			get(i)
		}
		i := capacity
		for b.Loop() {
			sinkChurn = get(i)
			i++
		}
		if c.Len() != capacity {
			b.Fatalf("Len = %d, want %d", c.Len(), capacity)
		}
	})
}

// reportPerKey reports the time and allocations of one key: the whole loop's divided by
// b.N * n. before is the MemStats read before the loop.
func reportPerKey(b *testing.B, n int, before *runtime.MemStats) {
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	keys := float64(b.N) * float64(n)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/keys, "ns/key")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/keys, "allocs/key")
}

// BenchmarkLinear measures, per key, a churn of n new keys through a manager with
// max=1000 (from the 1001st on, each Get builds and evicts), and the Delete of n
// published keys of an unbounded manager, for growing n: ns/key stays flat if both are
// O(1) amortised, and grows with n if an eviction or a Delete copied the index. Each
// iteration uses a new manager; a Delete iteration's setup (building and publishing
// the n keys) is not timed. allocs/key counts the setup too: for Delete it is 0 plus
// what building takes.
func BenchmarkLinear(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		b.Run("op=churn-max=1000/keys="+strconv.Itoa(n), func(b *testing.B) {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			for b.Loop() {
				m := NewChurnManager(nil)
				for i := range n {
					m.Get(i)
				}
				if m.Len() != 1000 {
					b.Fatalf("Len = %d, want 1000", m.Len())
				}
			}
			reportPerKey(b, n, &ms)
		})
	}
	for _, n := range []int{1_000, 10_000, 100_000} {
		ks := keys(n)
		b.Run("op=delete/keys="+strconv.Itoa(n), func(b *testing.B) {
			var ms runtime.MemStats
			for b.Loop() {
				b.StopTimer()
				m := NewKeyedManager(nil)
				for range 2 { // the second pass publishes what the first built
					for _, k := range ks {
						m.Get(k)
					}
				}
				if got := published(&m.keys); got != n {
					b.Fatalf("%d of %d keys published", got, n)
				}
				runtime.ReadMemStats(&ms)
				b.StartTimer()
				for _, k := range ks {
					_ = m.Delete(k)
				}
				b.StopTimer()
				if m.Len() != 0 {
					b.Fatalf("Len = %d after deleting every key", m.Len())
				}
				b.StartTimer()
			}
			// allocs of the last iteration's deletes only
			var after runtime.MemStats
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/(float64(b.N)*float64(n)), "ns/key")
			b.ReportMetric(float64(after.Mallocs-ms.Mallocs)/float64(n), "allocs/key")
		})
		b.Run("op=delete-sync.Map/keys="+strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				var m sync.Map
				for _, k := range ks {
					m.Store(keyedArgs{key: k}, NewKeyed(k))
				}
				b.StartTimer()
				for _, k := range ks {
					m.Delete(keyedArgs{key: k})
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/(float64(b.N)*float64(n)), "ns/key")
		})
	}
}
