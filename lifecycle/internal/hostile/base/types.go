// Package base holds the dependency of package hostile's singletons, in a package of its
// own so that ordering is checked across packages.
package base

//go:generate singletongen

import (
	"sync"
	"sync/atomic"
)

// Conn is what the singletons of package hostile are built on.
//
//singleton:generate lifecycle=on
type Conn struct {
	ID     int64
	closed atomic.Bool
}

var (
	ids atomic.Int64

	mu     sync.Mutex
	closes []int64 // the IDs of the Conns closed, in order
)

// NewConn returns a new Conn with a fresh ID.
func NewConn() (*Conn, error) {
	return &Conn{ID: ids.Add(1)}, nil
}

// Close closes the Conn.
func (c *Conn) Close() error {
	c.closed.Store(true)
	mu.Lock()
	closes = append(closes, c.ID)
	mu.Unlock()
	return nil
}

// Closed reports whether c was closed.
func (c *Conn) Closed() bool { return c.closed.Load() }

// TakeCloses returns the IDs of the Conns closed since the last call.
func TakeCloses() []int64 {
	mu.Lock()
	defer mu.Unlock()
	c := closes
	closes = nil
	return c
}
