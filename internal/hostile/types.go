// Package hostile holds annotated types for adversarial tests of the generated
// managers: every test injects its own constructor with New<T>Manager, except those
// of the process-wide managers and test hooks, which never run in parallel.
package hostile

//go:generate go tool singletongen

import (
	"context"
	"errors"
	"sync/atomic"
)

// Res is what every type here embeds: an identity, the Close calls and what Close returns.
type Res struct {
	ID       int64
	closes   atomic.Int32
	shutdown atomic.Int32
	ctxNil   atomic.Bool
	CloseErr error
}

var lastID atomic.Int64

// NewRes returns a Res with a fresh ID.
func NewRes() Res { return Res{ID: lastID.Add(1)} }

// Closes reports how many times Close was called.
func (r *Res) Closes() int32 { return r.closes.Load() }

// Shutdowns reports how many times Shutdown was called.
func (r *Res) Shutdowns() int32 { return r.shutdown.Load() }

// Link is single, takes a context and a credential, and closes with an error.
//
//singleton:generate
type Link struct {
	Res
	Secret string
}

// LinkHook, when set, replaces what NewLink does, for the tests of the process-wide
// manager; tests that set it do not run in parallel.
var LinkHook func(ctx context.Context, secret string) (*Link, error)

// NewLink dials with secret.
func NewLink(ctx context.Context, secret string) (*Link, error) {
	if LinkHook != nil {
		return LinkHook(ctx, secret)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &Link{Res: NewRes(), Secret: secret}, nil
}

// Close counts the calls and returns CloseErr.
func (l *Link) Close() error {
	l.closes.Add(1)
	return l.CloseErr
}

// Memo keeps its first error (onerror=cache), takes a context and a credential.
//
//singleton:generate onerror=cache
type Memo struct {
	Res
	Secret string
}

// NewMemo returns a Memo.
func NewMemo(ctx context.Context, secret string) (*Memo, error) {
	return &Memo{Res: NewRes(), Secret: secret}, nil
}

// Close counts the calls.
func (m *Memo) Close() error {
	m.closes.Add(1)
	return m.CloseErr
}

// Plain keeps its first error and has no context.
//
//singleton:generate onerror=cache
type Plain struct {
	Res
	Secret string
}

// NewPlain returns a Plain.
func NewPlain(secret string) (*Plain, error) {
	return &Plain{Res: NewRes(), Secret: secret}, nil
}

// Close counts the calls.
func (p *Plain) Close() { p.closes.Add(1) }

// Unit has neither arguments nor errors: its accessors return *Unit alone.
//
//singleton:generate
type Unit struct {
	Res
}

// NewUnit returns a Unit.
func NewUnit() *Unit { return &Unit{Res: NewRes()} }

// Close counts the calls; it has no error result.
func (u *Unit) Close() { u.closes.Add(1) }

// Tenant is keyed by two credentials and built with a context.
//
//singleton:generate mode=keyed
type Tenant struct {
	Res
	User, Pass string
}

// TenantHook, when set, replaces what NewTenant does, for the tests of the
// process-wide manager; tests that set it do not run in parallel.
var TenantHook func(ctx context.Context, user, pass string) (*Tenant, error)

// NewTenant returns the Tenant of user and pass.
func NewTenant(ctx context.Context, user, pass string) (*Tenant, error) {
	if TenantHook != nil {
		return TenantHook(ctx, user, pass)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &Tenant{Res: NewRes(), User: user, Pass: pass}, nil
}

// Close counts the calls and returns CloseErr.
func (t *Tenant) Close() error {
	t.closes.Add(1)
	return t.CloseErr
}

// Shard is keyed, without context or error: its accessors return *Shard alone.
//
//singleton:generate mode=keyed
type Shard struct {
	Res
	Token string
}

// NewShard returns the Shard of token.
func NewShard(token string) *Shard { return &Shard{Res: NewRes(), Token: token} }

// Close counts the calls.
func (s *Shard) Close() { s.closes.Add(1) }

// Bucket is keyed and bounded to two instances, closing with a context.
//
//singleton:generate mode=keyed max=2
type Bucket struct {
	Res
	Key string
}

// NewBucket returns the Bucket of key.
func NewBucket(key string) (*Bucket, error) { return &Bucket{Res: NewRes(), Key: key}, nil }

// Close counts the calls and records whether it was given a nil context.
func (b *Bucket) Close(ctx context.Context) error {
	if ctx == nil {
		b.ctxNil.Store(true)
	}
	b.closes.Add(1)
	return b.CloseErr
}

// Sealed has a Close that the manager must never call (close=never).
//
//singleton:generate close=never
type Sealed struct {
	Res
}

// NewSealed returns a Sealed.
func NewSealed() (*Sealed, error) { return &Sealed{Res: NewRes()}, nil }

// Close must never be called by the manager.
func (s *Sealed) Close() error {
	s.closes.Add(1)
	return errors.New("close=never called Close")
}

// Valve is closed by its Shutdown method (close=Shutdown), never by its Close.
//
//singleton:generate close=Shutdown mode=keyed
type Valve struct {
	Res
	Name string
}

// NewValve returns the Valve called name.
func NewValve(name string) (*Valve, error) { return &Valve{Res: NewRes(), Name: name}, nil }

// Close must never be called by the manager: close=Shutdown.
func (v *Valve) Close() error {
	v.closes.Add(1)
	return errors.New("close=Shutdown called Close")
}

// Shutdown counts the calls and records whether it was given a nil context.
func (v *Valve) Shutdown(ctx context.Context) {
	if ctx == nil {
		v.ctxNil.Store(true)
	}
	v.shutdown.Add(1)
}

// Remote is handed out as its interface, RemoteAPI.
//
//singleton:generate iface=RemoteAPI
type Remote struct {
	Res
	name string
}

// NewRemote connects to the remote called name.
func NewRemote(name string) (*Remote, error) { return &Remote{Res: NewRes(), name: name}, nil }

// Name returns the remote's name.
func (r *Remote) Name() string { return r.name }

// Close counts the calls.
func (r *Remote) Close() error {
	r.closes.Add(1)
	return nil
}

// Conn is a foreign-looking constructor function with a context and a credential.
type Conn struct {
	Res
	DSN string
}

// Close counts the calls.
func (c *Conn) Close() error {
	c.closes.Add(1)
	return c.CloseErr
}

// NewConn opens dsn.
//
//singleton:generate mode=keyed
func NewConn(ctx context.Context, dsn string) (*Conn, error) {
	return &Conn{Res: NewRes(), DSN: dsn}, nil
}
