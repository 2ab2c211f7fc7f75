package cycle // want package:"singletons\\(A, B, C, D, E, Lazy, Node\\)"

//go:generate singletongen

import (
	"strings"

	"example.com/check/helper"
)

// A and B build each other.
//
//singleton:generate
type A struct{}

// NewA reaches B.
func NewA() *A { // want `constructor cycle: NewA reaches GetB, and NewB reaches GetA; the first Get would wait for its own build forever` NewA:"reaches\\(example.com/check/cycle.B\\)"
	GetB()
	return &A{}
}

//singleton:generate
type B struct{}

// NewB reaches A through a helper.
func NewB() *B { // want `constructor cycle: NewB reaches GetA, and NewA reaches GetB` NewB:"reaches\\(example.com/check/cycle.A\\)"
	viaHelper()
	return &B{}
}

func viaHelper() { GetA() }

// C asks for itself.
//
//singleton:generate
type C struct{}

// NewC reaches C.
func NewC() *C { // want `constructor cycle: NewC reaches GetC;` NewC:"reaches\\(example.com/check/cycle.C\\)"
	GetC()
	return &C{}
}

// D reaches E, and E reaches nothing of theirs: no cycle. D also reaches a singleton of
// another package, through a function of a third one.
//
//singleton:generate
type D struct{}

// NewD reaches E and the paragon client.
func NewD() *D { // want NewD:"reaches\\(example.com/check/cycle.E, example.com/check/paragon.Client\\)"
	GetE()
	helper.Warm()
	return &D{}
}

//singleton:generate
type E struct{}

// NewE reaches nothing.
func NewE() *E { return &E{} }

// Lazy looks itself up later, in a closure and a goroutine: that does not wait for its
// own build.
//
//singleton:generate
type Lazy struct{ self func() *Lazy }

// NewLazy keeps a lookup for later.
func NewLazy() *Lazy {
	go func() { GetLazy() }()
	return &Lazy{self: func() *Lazy { return GetLazy() }}
}

// Node is keyed: its constructor asks for its parent's key, which is another build.
//
//singleton:generate mode=keyed
type Node struct{ parent *Node }

// NewNode builds the node of a path, after its parent's.
func NewNode(path string) *Node { // want NewNode:"reaches\\(example.com/check/cycle.Node\\)"
	if i := strings.LastIndex(path, "/"); i > 0 {
		return &Node{parent: GetNode(path[:i])}
	}
	return &Node{}
}
