// Package audit has a singleton whose Close asks for another singleton: closing the
// audit log flushes it to the sink, which may not be built yet.
package audit

//go:generate singletongen

import (
	"context"
	"sync/atomic"

	"github.com/singletongen/singletongen/lifecycle/internal/e2e/journal"
)

// Log buffers audit records.
//
//singleton:generate lifecycle=on
type Log struct {
	Journal *journal.Handle // what the journal knows of it
}

// NewLog returns an audit log.
func NewLog() (*Log, error) {
	h, err := journal.Built("audit.Log")
	if err != nil {
		return nil, err
	}
	return &Log{Journal: h}, nil
}

// Close flushes the log to the sink, then closes it.
func (l *Log) Close(ctx context.Context) error {
	sink, err := GetSink(ctx)
	if err != nil {
		return err
	}
	sink.Flushed.Add(1)
	return l.Journal.Close(ctx)
}

// Sink stores audit records.
//
//singleton:generate lifecycle=on
type Sink struct {
	Journal *journal.Handle // what the journal knows of it
	Flushed atomic.Int32    // records flushed by the log
}

// NewSink returns a sink.
func NewSink(ctx context.Context) (*Sink, error) {
	h, err := journal.Built("audit.Sink")
	if err != nil {
		return nil, err
	}
	return &Sink{Journal: h}, nil
}

// Close closes the sink.
func (s *Sink) Close() error { return s.Journal.Close(context.Background()) }
