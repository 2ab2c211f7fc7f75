package behavior

import (
	"context"
	"sync"
	"testing"
)

// The fast path of the generated accessors on a built instance, beside the hand-written
// sync.Once and sync.OnceValues of the same shape, in the same run. bench/ compares more.

var (
	sinkCounter *Counter
	sinkSession *Session
	sinkConn    *Conn
	sinkErr     error
)

func BenchmarkGetCounter(b *testing.B) {
	GetCounter()
	b.ReportAllocs()
	for b.Loop() {
		sinkCounter = GetCounter()
	}
}

func BenchmarkCounterManagerGet(b *testing.B) {
	m := NewCounterManager(nil)
	m.Get()
	b.ReportAllocs()
	for b.Loop() {
		sinkCounter = m.Get()
	}
}

func BenchmarkGetSession(b *testing.B) {
	GetSession()
	b.ReportAllocs()
	for b.Loop() {
		sinkSession, sinkErr = GetSession()
	}
}

func BenchmarkGetConn(b *testing.B) {
	GetConn("db.internal", 5432)
	b.ReportAllocs()
	for b.Loop() {
		sinkConn, sinkErr = GetConn("db.internal", 5432)
	}
}

var (
	onceCounter     sync.Once
	onceCounterInst *Counter
	onceSession     = sync.OnceValues(NewSession)
)

func handWrittenOnce() *Counter {
	onceCounter.Do(func() { onceCounterInst = NewCounter() })
	return onceCounterInst
}

func BenchmarkHandWrittenSyncOnce(b *testing.B) {
	handWrittenOnce()
	b.ReportAllocs()
	for b.Loop() {
		sinkCounter = handWrittenOnce()
	}
}

func BenchmarkSyncOnceValues(b *testing.B) {
	onceSession()
	b.ReportAllocs()
	for b.Loop() {
		sinkSession, sinkErr = onceSession()
	}
}

// Keyed Get on a built key, beside sync.Map.Load and a plain map read with the same key
// type (the floor: hashing), in the same run. The keys come from variables, as in real
// callers: a constant key is static data, which hashes faster than a key built on the
// stack and would flatter the map reads.

var (
	sinkShard  *Shard
	sinkTenant *Tenant
	sinkAny    any

	benchTable  = "users"
	benchShard  = 7
	benchAPIKey = "pk-live-1"
)

func BenchmarkKeyedGetShard(b *testing.B) {
	m := NewShardManager(nil)
	table, n := benchTable, benchShard
	for range 3 {
		m.Get(table, n) // built, and published by the reads that follow
	}
	b.ReportAllocs()
	for b.Loop() {
		sinkShard = m.Get(table, n)
	}
}

func BenchmarkKeyedGetTenantContext(b *testing.B) {
	m := NewTenantManager(nil)
	ctx, key := context.Background(), benchAPIKey
	for range 3 {
		m.Get(ctx, key)
	}
	b.ReportAllocs()
	for b.Loop() {
		sinkTenant, sinkErr = m.Get(ctx, key)
	}
}

func BenchmarkSyncMapLoadShardKey(b *testing.B) {
	var m sync.Map
	table, n := benchTable, benchShard
	m.Store(shardArgs{table: table, n: n}, NewShard(table, n))
	b.ReportAllocs()
	for b.Loop() {
		sinkAny, _ = m.Load(shardArgs{table: table, n: n})
	}
}

func BenchmarkPlainMapShardKey(b *testing.B) {
	table, n := benchTable, benchShard
	m := map[shardArgs]*Shard{{table: table, n: n}: NewShard(table, n)}
	b.ReportAllocs()
	for b.Loop() {
		sinkShard = m[shardArgs{table: table, n: n}]
	}
}

func BenchmarkPlainMapTenantKey(b *testing.B) {
	key := benchAPIKey
	m := map[tenantArgs]*Tenant{{apiKey: key}: {APIKey: key}}
	b.ReportAllocs()
	for b.Loop() {
		sinkTenant = m[tenantArgs{apiKey: key}]
	}
}

// BenchmarkKeyedInsert100k builds 100,000 distinct keys, each read twice after its build,
// as traffic would.
func BenchmarkKeyedInsert100k(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		m := NewShardManager(nil)
		for i := range 100_000 {
			m.Get("t", i)
			m.Get("t", i)
		}
	}
}
