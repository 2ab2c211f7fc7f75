package bounded

import (
	"sync/atomic"
	"testing"
)

// Run with -benchtime=10000x, 100000x and 1000000x: a flat ns/op across them shows
// that an insert that evicts, and a Delete, cost O(1) amortised; a copy of the index
// per removal would make ns/op grow with b.N (Delete) or with max (Churn).

// BenchmarkChurn gets b.N new keys from a manager with max=1000: from the 1001st on,
// every Get builds, publishes and evicts.
func BenchmarkChurn(b *testing.B) {
	m := NewChurnManager(nil)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		m.Get(i)
	}
	b.StopTimer()
	if l := m.Len(); l != min(b.N, 1000) {
		b.Fatalf("Len = %d", l)
	}
}

// BenchmarkDelete deletes b.N published keys of an unbounded manager, one by one.
func BenchmarkDelete(b *testing.B) {
	m := NewEntryManager(nil)
	for i := range b.N {
		m.Get(i)
	}
	for i := range b.N { // lookups found in the unpublished copy only publish it
		m.Get(i)
	}
	if n := published(&m.keys); n != b.N {
		b.Fatalf("%d of %d keys published", n, b.N)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		_ = m.Delete(i)
	}
	b.StopTimer()
	if l := m.Len(); l != 0 {
		b.Fatalf("Len = %d after deleting every key", l)
	}
}

// published returns, white-box, how many live instances m's published index holds
// when the unpublished copy is empty, or -1.
func published[A comparable, T comparable](m *singletonMap[A, T]) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	x := (*singletonIndex[A, T])(atomic.LoadPointer(&m.index))
	if x == nil || m.dirty != nil {
		return -1
	}
	return len(x.instances)
}

// BenchmarkMapDeleteBaseline deletes b.N keys from a plain map, one by one: the cost
// that a larger map adds by cache misses alone, to compare BenchmarkDelete with.
func BenchmarkMapDeleteBaseline(b *testing.B) {
	m := make(map[entryArgs]*entryState)
	for i := range b.N {
		m[entryArgs{n: i}] = &entryState{instance: NewEntry(i)}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		delete(m, entryArgs{n: i})
	}
}
