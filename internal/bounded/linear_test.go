package bounded

import (
	"runtime"
	"testing"
)

// bytesPerOp returns the bytes that op allocates per call, over n calls after setup.
func bytesPerOp(setup func(n int), op func(i int), n int) float64 {
	setup(n)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := range n {
		op(i)
	}
	runtime.ReadMemStats(&after)
	return float64(after.TotalAlloc-before.TotalAlloc) / float64(n)
}

// TestRemovalsAllocateO1 fails if Delete, or an insert that evicts, copies the index:
// without measuring time (benchmarks do that, see bench_test.go), the bytes allocated
// per operation must not grow with the number of keys (Delete) or with max (eviction).
// A copy per removal would allocate tens of kilobytes per operation here, growing 8x
// from the small size to the large one.
func TestRemovalsAllocateO1(t *testing.T) {
	const small, large = 1_000, 8_000
	var entries *EntryManager
	deleteSetup := func(n int) {
		entries = NewEntryManager(nil)
		for i := range n {
			entries.Get(i)
		}
		for i := range n { // publish them
			entries.Get(i)
		}
		if p := published(&entries.keys); p != n {
			t.Fatalf("%d of %d keys published", p, n)
		}
	}
	deleteOp := func(i int) { _ = entries.Delete(i) }
	ds, dl := bytesPerOp(deleteSetup, deleteOp, small), bytesPerOp(deleteSetup, deleteOp, large)
	t.Logf("Delete of published keys: %.0f B/op for %d keys, %.0f B/op for %d", ds, small, dl, large)
	if dl > 1024 || dl > 3*ds+64 {
		t.Errorf("Delete allocates %.0f B/op for %d keys, %.0f B/op for %d: it grows with the keys", ds, small, dl, large)
	}

	// Eviction: the same stream of new keys through max=4, max=64 and max=1000.
	churn := func(get func(i int)) float64 {
		return bytesPerOp(func(int) {}, get, large)
	}
	slot := NewSlotManager(nil)
	wide := NewWideManager(nil)
	many := NewChurnManager(nil)
	keys := make([]string, large)
	for i := range keys {
		keys[i] = key("k", i)
	}
	c4 := churn(func(i int) { must[*Slot](t)(slot.Get(keys[i])) })
	c64 := churn(func(i int) { wide.Get(keys[i]) })
	c1000 := churn(func(i int) { many.Get(i) })
	t.Logf("inserts that evict: %.0f B/op with max=4, %.0f with max=64, %.0f with max=1000", c4, c64, c1000)
	if c1000 > 2048 || c1000 > 3*c4+256 {
		t.Errorf("an insert that evicts allocates %.0f B/op with max=1000 and %.0f with max=4: it grows with max", c1000, c4)
	}
	_, _, _ = slot.Reset(), wide.Reset(), many.Reset()
}
