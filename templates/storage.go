package templates

import (
	"github.com/dave/jennifer/jen"
)

// storage is how a manager holds what it built: one instance (single mode) or one per
// tuple of arguments (keyed mode). The emitters of the declarations that every manager
// has ask their storage for the parts that differ; a storage also adds declarations of
// its own.
type storage interface {
	// Declarations of its own, by where the file has them: after Get (Delete, Len),
	// after the arguments type (the index), after the slow path, and after finish.
	api() []Decl
	types() []Decl
	lookups() []Decl
	publishing() []Decl
	// install renders the one place, other than a build, that replaces what the manager
	// holds: Reset and the test hooks go through it.
	install() []jen.Code

	// describe says what the manager holds, for its doc: what it builds, and how long
	// instances live.
	describe() (what, lifetime string)
	// fields renders the manager type's fields.
	fields() []jen.Code
	// droppers names the methods that drop instances and discard builds: "Reset", or
	// "Delete, Reset".
	droppers() string
	// argsDoc is the doc of the arguments type.
	argsDoc() string
	// getDoc is the first paragraphs of Get's doc: what it returns, and what it costs.
	getDoc() []string
	// fastPath renders the body of Get on manager: one atomic load, and the slow path
	// when that finds nothing.
	fastPath(manager *jen.Statement) []jen.Code
	// current renders the slow path's look at what is published, with m.mu held: it
	// returns what it found, or sets b to the build in flight for the arguments.
	current() []jen.Code
	// register renders the recording of b as the build in flight, with m.mu held.
	register() []jen.Code
	// finishing renders, for finish, the condition that b is still the build in flight,
	// the statement that ends it, and the publication of s.
	finishing() (current, end, publish *jen.Statement)
	// dropped names what Reset drops, for its doc.
	dropped() string
	// resetBody renders Reset's body for a manager that closes what it drops, and says
	// what it returns.
	resetBody() (body []jen.Code, closes string)
	// marksInstalled reports whether states record that a test hook installed them.
	marksInstalled() bool
	// hookValue renders what Set<T>ForTest installs for fake c, and says what it answers.
	hookValue(c *jen.Statement) (installed *jen.Statement, answers string)
	// hookParam names and renders the type of the parameter of the test hooks' helper:
	// what they install.
	hookParam() (name string, t *jen.Statement)
	// hookRestore renders the statement of the hooks' Cleanup: reinstall prev, and close
	// what the test built.
	hookRestore() jen.Code
}

// storageOf returns the storage of e's manager.
func storageOf(e *emitter) storage {
	if e.m.Keyed {
		return &keyed{e}
	}
	return &single{e}
}

// sink says what the code that closes a dropped instance does with the error of its
// Close: returns it, discards it, or appends it to errs.
type sink int

const (
	returnError sink = iota
	discardError
	appendError
)

// closeDropped renders the closing of x, an instance the manager dropped and built
// itself, with its error sent to sink. It renders nothing for a manager that never
// closes.
func (e *emitter) closeDropped(x *jen.Statement, to sink) []jen.Code {
	if !e.m.Closes() {
		return nil
	}
	var args []jen.Code
	if e.m.Close.Context {
		args = append(args, jen.Qual("context", "Background").Call())
	}
	call := x.Dot(e.m.Close.Method).Call(args...)
	if !e.m.Close.ReturnsError {
		if to == returnError {
			return []jen.Code{call, jen.Return(jen.Nil())}
		}
		return []jen.Code{call}
	}
	switch to {
	case returnError:
		return []jen.Code{jen.Return(call)}
	case appendError:
		return []jen.Code{jen.Id("errs").Op("=").Append(jen.Id("errs"), call)}
	}
	return []jen.Code{jen.Id("_").Op("=").Add(call)}
}
