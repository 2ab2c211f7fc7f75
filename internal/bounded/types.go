// Package bounded holds annotated types for the bounded keyed managers (max=, idle=),
// With, Invalidate and global=off, with their generated managers committed beside
// them, so that the tests of this package exercise the generated code itself under
// the race detector.
package bounded

//go:generate go tool singletongen

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
)

// ErrClose is what Close returns, wrapped, once FailClose was called.
var ErrClose = errors.New("bounded: close failed")

// Instance is what every type here embeds: an identity, its key, and a count of
// Close calls.
type Instance struct {
	ID        int64
	Key       string
	closes    atomic.Int32
	failClose atomic.Bool
}

var lastID atomic.Int64

func newInstance(key string) Instance { return Instance{ID: lastID.Add(1), Key: key} }

// Closes reports how many times the instance was closed.
func (i *Instance) Closes() int32 { return i.closes.Load() }

// FailClose makes every later Close return an error wrapping ErrClose.
func (i *Instance) FailClose() { i.failClose.Store(true) }

// close counts the call and returns the error FailClose asked for.
func (i *Instance) close() error {
	i.closes.Add(1)
	if i.failClose.Load() {
		return fmt.Errorf("instance %d: %w", i.ID, ErrClose)
	}
	return nil
}

// Slot is keyed, at most 4 of them.
//
//singleton:generate mode=keyed max=4
type Slot struct {
	Instance
}

// NewSlot returns the Slot of key.
func NewSlot(key string) (*Slot, error) {
	return &Slot{Instance: newInstance(key)}, nil
}

// Close counts the calls; it fails after FailClose.
func (s *Slot) Close() error { return s.close() }

// Wide is keyed, at most 64 of them, and neither fails nor takes a context.
//
//singleton:generate mode=keyed max=64
type Wide struct {
	Instance
}

// NewWide returns the Wide of key.
func NewWide(key string) *Wide { return &Wide{Instance: newInstance(key)} }

// Close counts the calls.
func (w *Wide) Close() { w.closes.Add(1) }

// Churn is keyed by a number, at most 1000 of them: the benchmarks' churn.
//
//singleton:generate mode=keyed max=1000
type Churn struct {
	N int
}

// NewChurn returns the Churn of n.
func NewChurn(n int) *Churn { return &Churn{N: n} }

// Close does nothing.
func (c *Churn) Close() {}

// Entry is keyed by a number, without bound: the benchmarks' Delete.
//
//singleton:generate mode=keyed
type Entry struct {
	N int
}

// NewEntry returns the Entry of n.
func NewEntry(n int) *Entry { return &Entry{N: n} }

// Close does nothing.
func (e *Entry) Close() {}

// Lease is keyed and dropped after 40ms without a Get.
//
//singleton:generate mode=keyed idle=40ms
type Lease struct {
	Instance
}

// NewLease returns the Lease of key.
func NewLease(key string) (*Lease, error) {
	return &Lease{Instance: newInstance(key)}, nil
}

// Close counts the calls; it fails after FailClose.
func (l *Lease) Close() error { return l.close() }

// Brittle is keyed, dropped after 40ms without a Get, and its Close panics.
//
//singleton:generate mode=keyed idle=40ms
type Brittle struct {
	Instance
}

// NewBrittle returns the Brittle of key.
func NewBrittle(key string) (*Brittle, error) {
	return &Brittle{Instance: newInstance(key)}, nil
}

// Close counts the call, then panics.
func (b *Brittle) Close() error {
	b.closes.Add(1)
	panic(fmt.Sprintf("bounded: Brittle %d: Close panics", b.ID))
}

// Tenant is keyed, built with a context, at most 8 of them, each dropped after
// 40ms without a Get.
//
//singleton:generate mode=keyed max=8 idle=40ms
type Tenant struct {
	Instance
}

// NewTenant returns the Tenant called name.
func NewTenant(ctx context.Context, name string) (*Tenant, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &Tenant{Instance: newInstance(name)}, nil
}

// Close counts the calls; it fails after FailClose.
func (t *Tenant) Close() error { return t.close() }

// Remote is keyed, at most 4 of them, handed out as its interface RemoteAPI.
//
//singleton:generate mode=keyed max=4 iface=RemoteAPI
type Remote struct {
	Instance
}

// NewRemote connects to the remote called name.
func NewRemote(name string) (*Remote, error) {
	return &Remote{Instance: newInstance(name)}, nil
}

// Name returns the remote's name.
func (r *Remote) Name() string { return r.Key }

// Close counts the calls; it fails after FailClose.
func (r *Remote) Close() error { return r.close() }

// Conn is a connection to an address, as a gRPC client connection is: it carries no
// directive, NewConn does.
type Conn struct {
	Instance
	dead atomic.Bool
}

// Kill puts the connection in a state that callers must replace it from.
func (c *Conn) Kill() { c.dead.Store(true) }

// Dead reports whether Kill was called.
func (c *Conn) Dead() bool { return c.dead.Load() }

// Close counts the calls; it fails after FailClose.
func (c *Conn) Close() error { return c.close() }

// NewConn dials addr.
//
//singleton:generate mode=keyed max=8
func NewConn(addr string) (*Conn, error) {
	return &Conn{Instance: newInstance(addr)}, nil
}

// Session is one per manager, and its Close may fail.
//
//singleton:generate
type Session struct {
	Instance
}

// NewSession opens a Session.
func NewSession() (*Session, error) {
	return &Session{Instance: newInstance("")}, nil
}

// Close counts the calls; it fails after FailClose.
func (s *Session) Close() error { return s.close() }

// Store is one per manager, opened with a DSN.
//
//singleton:generate
type Store struct {
	Instance
}

// NewStore opens dsn.
func NewStore(dsn string) (*Store, error) {
	return &Store{Instance: newInstance(dsn)}, nil
}

// Close counts the calls; it fails after FailClose.
func (s *Store) Close() error { return s.close() }

// Local is keyed, at most 4 of them, with no process-wide manager.
//
//singleton:generate mode=keyed max=4 global=off
type Local struct {
	Instance
}

// NewLocal returns the Local of key.
func NewLocal(key string) (*Local, error) {
	return &Local{Instance: newInstance(key)}, nil
}

// Close counts the calls.
func (l *Local) Close() error { return l.close() }

// Solo is one per manager, with no process-wide manager.
//
//singleton:generate global=off
type Solo struct {
	Instance
}

// NewSolo returns a Solo.
func NewSolo() *Solo { return &Solo{Instance: newInstance("")} }

// Close counts the calls.
func (s *Solo) Close() { s.closes.Add(1) }
