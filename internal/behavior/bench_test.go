package behavior

import (
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
