// Package promises holds annotated types whose generated managers its tests try to break
// where README.md and DESIGN.md promise most: cycles of builds entered from several
// goroutines, through nested builds, constructors that wait for several builds at once
// and another package (other); builders whose context ends while their constructor runs;
// builds discarded by Reset, Delete and the test hooks while their constructor still
// runs. The generated managers are committed beside the types, so the tests exercise the
// generated code itself under the race detector.
package promises

//go:generate go tool singletongen

import (
	"context"
	"sync/atomic"

	"github.com/singletongen/singletongen/internal/promises/other"
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

// Node is keyed by an int, built with a context, and may fail.
//
//singleton:generate mode=keyed
type Node struct {
	Instance
	Key int
}

// NewNode returns the Node of key.
func NewNode(ctx context.Context, key int) (*Node, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &Node{Instance: newInstance(), Key: key}, nil
}

// Close counts the calls.
func (n *Node) Close() error {
	n.closes.Add(1)
	return nil
}

// Leaf is keyed by an int and built with a context, and its constructor has no error
// result: func(ctx, key) *Leaf.
//
//singleton:generate mode=keyed
type Leaf struct {
	Instance
	Key int
}

// LeafHook, when set, replaces what NewLeaf does, for the tests of the process-wide
// manager; tests that set it must not run in parallel.
var LeafHook func(ctx context.Context, key int) *Leaf

// NewLeaf returns the Leaf of key, or nil when ctx is done.
func NewLeaf(ctx context.Context, key int) *Leaf {
	if LeafHook != nil {
		return LeafHook(ctx, key)
	}
	if ctx.Err() != nil {
		return nil
	}
	return &Leaf{Instance: newInstance(), Key: key}
}

// Close counts the calls.
func (l *Leaf) Close() {
	l.closes.Add(1)
}

// Lamp is one per process, built with a context and an argument, and its constructor has
// no error result: func(ctx, room) *Lamp.
//
//singleton:generate
type Lamp struct {
	Instance
	Room string
}

// LampHook, when set, replaces what NewLamp does, for the tests of the process-wide
// manager; tests that set it must not run in parallel.
var LampHook func(ctx context.Context, room string) *Lamp

// NewLamp returns the Lamp of room, or nil when ctx is done.
func NewLamp(ctx context.Context, room string) *Lamp {
	if LampHook != nil {
		return LampHook(ctx, room)
	}
	if ctx.Err() != nil {
		return nil
	}
	return &Lamp{Instance: newInstance(), Room: room}
}

// Close counts the calls.
func (l *Lamp) Close() {
	l.closes.Add(1)
}

// Alpha is one per process, built with a context; the tests inject constructors that ask
// for Beta and Gamma.
//
//singleton:generate
type Alpha struct {
	Instance
}

// AlphaHook, when set, replaces what NewAlpha does, for the tests of the process-wide
// manager; tests that set it must not run in parallel.
var AlphaHook func(ctx context.Context) (*Alpha, error)

// NewAlpha returns an Alpha.
func NewAlpha(ctx context.Context) (*Alpha, error) {
	if AlphaHook != nil {
		return AlphaHook(ctx)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &Alpha{Instance: newInstance()}, nil
}

// Close counts the calls.
func (a *Alpha) Close() error {
	a.closes.Add(1)
	return nil
}

// Beta is one per process, built with a context; the tests inject constructors that ask
// for Alpha and Gamma.
//
//singleton:generate
type Beta struct {
	Instance
}

// NewBeta returns a Beta.
func NewBeta(ctx context.Context) (*Beta, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &Beta{Instance: newInstance()}, nil
}

// Close counts the calls.
func (b *Beta) Close() error {
	b.closes.Add(1)
	return nil
}

// Gamma is one per process, built with a context: the third singleton, built nested in
// another's constructor or slowly while two others wait for it.
//
//singleton:generate
type Gamma struct {
	Instance
}

// NewGamma returns a Gamma.
func NewGamma(ctx context.Context) (*Gamma, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &Gamma{Instance: newInstance()}, nil
}

// Close counts the calls.
func (g *Gamma) Close() error {
	g.closes.Add(1)
	return nil
}

// Hub is one per process and holds the process-wide other.Peer: its default constructor
// asks package other for it, so promises imports other and a cycle between them crosses
// two generated files.
//
//singleton:generate
type Hub struct {
	Instance
	Peer *other.Peer
}

// NewHub returns a Hub holding the process-wide other.Peer.
func NewHub(ctx context.Context) (*Hub, error) {
	p, err := other.GetPeer(ctx)
	if err != nil {
		return nil, err
	}
	return &Hub{Instance: newInstance(), Peer: p}, nil
}

// Close counts the calls.
func (h *Hub) Close() error {
	h.closes.Add(1)
	return nil
}
