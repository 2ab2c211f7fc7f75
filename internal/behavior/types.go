// Package behavior holds annotated types of every shape the generator supports, with
// their generated managers committed beside them, so that the tests of this package
// exercise the generated code itself under the race detector.
package behavior

//go:generate go tool singletongen

import (
	"context"
	"sync/atomic"
)

// Instance is what every type here embeds: an identity and a count of Close calls.
type Instance struct {
	ID     int64
	closes atomic.Int32
}

var lastID atomic.Int64

func newInstance() Instance { return Instance{ID: lastID.Add(1)} }

// Closes reports how many times the instance was closed.
func (i *Instance) Closes() int32 { return i.closes.Load() }

// Conn has arguments, may fail, and closes with an error.
//
//singleton:generate
type Conn struct {
	Instance
	Addr     string
	Port     int
	CloseErr error // what Close returns
}

// ConnHook, when set, replaces what NewConn does, for the tests of the process-wide
// manager; tests that set it must not run in parallel.
var ConnHook func(addr string, port int) (*Conn, error)

// NewConn returns a Conn to addr:port.
func NewConn(addr string, port int) (*Conn, error) {
	if ConnHook != nil {
		return ConnHook(addr, port)
	}
	return &Conn{Instance: newInstance(), Addr: addr, Port: port}, nil
}

// Close counts the calls and returns CloseErr.
func (c *Conn) Close() error {
	c.closes.Add(1)
	return c.CloseErr
}

// Cached keeps its constructor's first error.
//
//singleton:generate onerror=cache
type Cached struct {
	Instance
	Name string
}

// NewCached returns a Cached.
func NewCached(name string) (*Cached, error) {
	return &Cached{Instance: newInstance(), Name: name}, nil
}

// Session has no arguments but may fail.
//
//singleton:generate
type Session struct {
	Instance
}

// NewSession returns a Session.
func NewSession() (*Session, error) {
	return &Session{Instance: newInstance()}, nil
}

// Close counts the calls.
func (s *Session) Close() { s.closes.Add(1) }

// Counter has neither arguments nor errors: its accessors return *Counter alone.
//
//singleton:generate
type Counter struct {
	Instance
}

// NewCounter returns a Counter.
func NewCounter() *Counter { return &Counter{Instance: newInstance()} }

// Close counts the calls.
func (c *Counter) Close() { c.closes.Add(1) }

// Plain has no constructor: its manager builds new(Plain).
//
//singleton:generate
type Plain struct {
	Instance
}

// Quiet renames everything and has no test hooks.
//
//singleton:generate testhooks=off close=never getter=Quietly manager=QuietHolder instance=Holder
type Quiet struct {
	Instance
}

// NewQuiet returns a Quiet.
func NewQuiet(level int) *Quiet { return &Quiet{Instance: newInstance()} }

// Close is never called by the manager: close=never.
func (q *Quiet) Close() error {
	q.closes.Add(1)
	return nil
}

// Tenant is keyed by API key and built with a context: one per tenant.
//
//singleton:generate mode=keyed
type Tenant struct {
	Instance
	APIKey string
}

// NewTenant returns the Tenant of apiKey.
func NewTenant(ctx context.Context, apiKey string) (*Tenant, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &Tenant{Instance: newInstance(), APIKey: apiKey}, nil
}

// Close counts the calls.
func (t *Tenant) Close() error {
	t.closes.Add(1)
	return nil
}

// Shard is keyed, and neither fails nor takes a context: its accessors return *Shard.
//
//singleton:generate mode=keyed
type Shard struct {
	Instance
	Table string
	N     int
}

// NewShard returns shard n of table.
func NewShard(table string, n int) *Shard {
	return &Shard{Instance: newInstance(), Table: table, N: n}
}

// Close counts the calls.
func (s *Shard) Close() { s.closes.Add(1) }

// Link is one per process, built with a context.
//
//singleton:generate
type Link struct {
	Instance
	Addr string
}

// NewLink dials addr.
func NewLink(ctx context.Context, addr string) (*Link, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &Link{Instance: newInstance(), Addr: addr}, nil
}

// Close counts the calls.
func (l *Link) Close() error {
	l.closes.Add(1)
	return nil
}

// Remote is handed out as its interface, RemoteAPI, so that tests can install fakes.
//
//singleton:generate iface=RemoteAPI
type Remote struct {
	Instance
	name string
}

// NewRemote connects to the remote called name; "nil" makes it return a nil *Remote.
func NewRemote(name string) (*Remote, error) {
	if name == "nil" {
		return nil, nil
	}
	return &Remote{Instance: newInstance(), name: name}, nil
}

// Name returns the remote's name.
func (r *Remote) Name() string { return r.name }

// Close counts the calls.
func (r *Remote) Close() error {
	r.closes.Add(1)
	return nil
}
