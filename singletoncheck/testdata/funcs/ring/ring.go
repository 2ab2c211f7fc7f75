package ring // want package:"singletons\\(NewLeft, Right, NewCatalog\\)"

//go:generate singletongen

import "example.com/funcs/shared"

// Left is what NewLeft builds.
type Left struct{}

// NewLeft and Right's constructor reach each other's accessors: a cycle through a
// function singleton and a type.
//
//singleton:generate
func NewLeft() *Left { // want `^constructor cycle: NewLeft reaches GetRight, and NewRight reaches GetLeft; the first Get would wait for its own build forever$` NewLeft:"reaches\\(example.com/funcs/ring.Right\\)"
	GetRight()
	return &Left{}
}

//singleton:generate
type Right struct{}

// NewRight reaches Left through its manager.
func NewRight() *Right { // want `^constructor cycle: NewRight reaches GetLeft, and NewLeft reaches GetRight;` NewRight:"reaches\\(example.com/funcs/ring.NewLeft\\)"
	GetLeftManager().Get()
	return &Right{}
}

// Catalog is what NewCatalog builds.
type Catalog struct{}

// NewCatalog reaches a function singleton of another package: no cycle.
//
//singleton:generate
func NewCatalog() *Catalog { // want NewCatalog:"reaches\\(example.com/funcs/shared.NewHTTPClient\\)"
	shared.MustGetHTTPClient()
	return &Catalog{}
}
