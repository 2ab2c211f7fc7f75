package templates

import (
	"github.com/dave/jennifer/jen"
)

// storage is how a manager holds what it built: one instance (single mode) or one per
// tuple of arguments (keyed mode), in a shared singletonCell or singletonMap. The
// emitters of the declarations that every manager has ask their storage for the parts
// that differ; a storage also adds declarations of its own.
type storage interface {
	// api lists the storage's own methods of the manager, which follow Get.
	api() []Decl
	// types lists the storage's own types, which follow the arguments type.
	types() []Decl
	// describe says, for the manager's doc, what it holds, and how Get shares builds
	// and what it costs.
	describe() (what, sharing string)
	// fields render the manager's fields that hold what it built.
	fields() []jen.Code
	// storeArgs render the arguments that the methods of the shared code take first.
	storeArgs(manager *jen.Statement) []jen.Code
	// argsDoc is the doc of the arguments type.
	argsDoc() string
	// fastPath renders the body of Get on manager: one atomic load, and the slow path
	// when that finds nothing.
	fastPath(manager *jen.Statement) []jen.Code
	// dropped names what Reset drops, for its doc.
	dropped() string
	// reset renders Reset's body.
	reset() jen.Code
	// fake renders what Set<T>ForTest installs for fake c.
	fake(c *jen.Statement) *jen.Statement
	// current renders the fast path of current: the published state for args, if it
	// answers them, returned.
	current() []jen.Code
}

// storageOf returns the storage of e's manager.
func storageOf(e *emitter) storage {
	if e.m.Keyed {
		return &keyed{e}
	}
	return &single{e}
}
