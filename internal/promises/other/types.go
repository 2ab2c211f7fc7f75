// Package other holds the annotated types of a second package, so that the tests of
// package promises can close a cycle of builds across two generated files, each with its
// own copy of the shared code. It cannot import promises: the tests inject constructors
// that reach back (NewPeerManager, NewShelfManager), or set PeerHook.
package other

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

// NewInstance returns an Instance with a fresh ID.
func NewInstance() Instance { return Instance{ID: lastID.Add(1)} }

// Closes reports how many times the instance was closed.
func (i *Instance) Closes() int32 { return i.closes.Load() }

// Peer is one per process, built with a context.
//
//singleton:generate
type Peer struct {
	Instance
}

// PeerHook, when set, replaces what NewPeer does; tests that set it must not run in
// parallel.
var PeerHook func(ctx context.Context) (*Peer, error)

// NewPeer returns a Peer.
func NewPeer(ctx context.Context) (*Peer, error) {
	if PeerHook != nil {
		return PeerHook(ctx)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &Peer{Instance: NewInstance()}, nil
}

// Close counts the calls.
func (p *Peer) Close() error {
	p.closes.Add(1)
	return nil
}

// Shelf is keyed by an int and built with a context.
//
//singleton:generate mode=keyed
type Shelf struct {
	Instance
	Key int
}

// NewShelf returns the Shelf of key.
func NewShelf(ctx context.Context, key int) (*Shelf, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &Shelf{Instance: NewInstance(), Key: key}, nil
}

// Close counts the calls.
func (s *Shelf) Close() {
	s.closes.Add(1)
}
