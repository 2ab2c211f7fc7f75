package generator

import (
	"fmt"
	"go/ast"
	"go/types"

	"github.com/singletongen/singletongen/directive"
)

// The two front ends of the checker: an annotated struct type, built by its constructor
// or as its zero value, and an annotated function, the constructor of a type of any
// package. Both find the same facts; everything after them is shared.

// typesYouDoNotOwn is where the README explains annotating a constructor function.
const typesYouDoNotOwn = `see "Types you do not own" in the README`

// annotatedType finds the facts of an annotated struct type and of its constructor: the
// one the directive names, else New<T> when the package declares it, else none (the
// zero value).
func (c *checker) annotatedType(f *facts, spec *ast.TypeSpec) []error {
	named, err := c.structType(spec)
	if err != nil {
		return []error{err}
	}
	f.named, f.result = named, types.NewPointer(named)
	f.stem, f.exported, _ = directive.Stem(f.decl, false, f.opts)
	name, explicit := directive.Constructor(f.decl, f.opts)
	obj := c.p.types.Scope().Lookup(name)
	if obj == nil {
		if explicit {
			return []error{errorAt(f.at("constructor"), "constructor %s is not declared in package %s%s", name, c.p.name, c.didYouMean(name))}
		}
		return nil
	}
	fn, _ := obj.(*types.Func)
	if fn == nil {
		if explicit {
			return []error{errorAt(f.at("constructor"), "constructor %s is a %s, not a function", name, objectKind(obj))}
		}
		return []error{errorAt(obj.Pos(), "%s is a %s: singletongen takes a %s declared in the package as the constructor of %s; declare a function, or name another with constructor=", name, objectKind(obj), name, f.decl)}
	}
	sig := fn.Type().(*types.Signature)
	want := fmt.Sprintf("want func(...) *%s or func(...) (*%s, error)", f.decl, f.decl)
	if !explicit {
		want += ", or name another constructor with constructor="
	}
	results := sig.Results()
	switch {
	case sig.TypeParams().Len() > 0:
		return []error{errorAt(fn.Pos(), "constructor %s is generic: %s", name, want)}
	case results.Len() == 1 && types.Identical(results.At(0).Type(), f.result):
	case results.Len() == 2 && types.Identical(results.At(0).Type(), f.result) && isError(results.At(1).Type()):
		f.returnsError = true
	default:
		return []error{errorAt(fn.Pos(), "constructor %s has type %s: %s", name, types.TypeString(sig, qualifier(c.p.types)), want)}
	}
	f.ctor = fn
	return c.parameters(f, sig)
}

// structType returns the struct type that spec declares, or why it cannot be annotated.
func (c *checker) structType(spec *ast.TypeSpec) (*types.Named, error) {
	name := spec.Name.Name
	obj, _ := c.p.types.Scope().Lookup(name).(*types.TypeName)
	switch {
	case spec.TypeParams != nil:
		return nil, errorAt(spec.Name.Pos(), "%s is generic: singletongen manages only non-generic struct types", name)
	case obj == nil:
		return nil, errReported
	case spec.Assign.IsValid():
		target := types.Unalias(obj.Type())
		spelled := types.TypeString(target, qualifier(c.p.types))
		if named, ok := target.(*types.Named); ok && named.Obj().Pkg() != c.p.types {
			return nil, errorAt(spec.Name.Pos(), "%s is an alias of %s, a type of another package: annotate a constructor function that returns *%s instead (%s)",
				name, spelled, spelled, typesYouDoNotOwn)
		}
		return nil, errorAt(spec.Name.Pos(), "%s is an alias of %s: annotate %s, the type it stands for", name, spelled, spelled)
	}
	named, _ := obj.Type().(*types.Named)
	if named == nil {
		return nil, errReported
	}
	switch named.Underlying().(type) {
	case *types.Struct:
		if _, literal := spec.Type.(*ast.StructType); !literal {
			// type DB sql.DB: a new type with the fields of another, and none of its methods.
			from := types.ExprString(spec.Type)
			if _, local := spec.Type.(*ast.Ident); local {
				return nil, errorAt(spec.Name.Pos(), "%s is defined from %s and has none of its methods: annotate %s itself, or a constructor function that returns *%s", name, from, from, from)
			}
			return nil, errorAt(spec.Name.Pos(), "%s is defined from %s and has none of its methods: annotate a constructor function that returns *%s instead (%s)",
				name, from, from, typesYouDoNotOwn)
		}
		return named, nil
	case *types.Interface:
		return nil, errorAt(spec.Name.Pos(), "%s is an interface: annotate a struct type, or a constructor function that returns the interface", name)
	}
	return nil, errorAt(spec.Name.Pos(), "%s is not a struct type (its underlying type is %s)", name, types.TypeString(named.Underlying(), qualifier(c.p.types)))
}

// annotatedFunc finds the facts of an annotated constructor function: a package-level,
// non-generic function whose first result is what its manager shares, a pointer to a
// named type or an interface, of any package.
func (c *checker) annotatedFunc(f *facts, fd *ast.FuncDecl) []error {
	switch {
	case fd.Recv != nil:
		return []error{errorAt(fd.Name.Pos(), "%s is a method: annotate a package-level function, or the type", f.decl)}
	case fd.Type.TypeParams != nil:
		return []error{errorAt(fd.Name.Pos(), "%s is generic: annotate a non-generic function, which may return an instantiated generic type", f.decl)}
	case f.opts.Given("constructor"):
		return []error{errorAt(f.at("constructor"), "constructor= is for annotated types: the annotated function %s is the constructor", f.decl)}
	}
	var ok bool
	if f.stem, f.exported, ok = directive.Stem(f.decl, true, f.opts); !ok {
		return []error{errorAt(fd.Name.Pos(), "%s does not name what it builds the way New<Stem> does (NewDB gives GetDB and DBManager): give the stem of the generated names with name=", f.decl)}
	}
	fn, _ := c.p.types.Scope().Lookup(f.decl).(*types.Func)
	if fn == nil {
		return []error{errReported}
	}
	sig := fn.Type().(*types.Signature)
	results := sig.Results()
	switch {
	case results.Len() == 2 && isError(results.At(1).Type()):
		f.returnsError = true
	case results.Len() != 1:
		return []error{errorAt(fd.Name.Pos(), "%s has type %s: want func(...) T or func(...) (T, error), where T is what its manager shares", f.decl, types.TypeString(sig, qualifier(c.p.types)))}
	}
	f.result = results.At(0).Type()
	if err := c.shareable(f, fd); err != nil {
		return []error{err}
	}
	f.ctor = fn
	return c.parameters(f, sig)
}

// shareable returns why the result of an annotated function cannot be shared, or nil: it
// must be a pointer to a named type or an interface.
func (c *checker) shareable(f *facts, fd *ast.FuncDecl) error {
	result := types.Unalias(f.result)
	if isInvalid(result) {
		return errReported
	}
	if ptr, ok := result.(*types.Pointer); ok {
		if _, named := types.Unalias(ptr.Elem()).(*types.Named); named {
			return nil
		}
	} else if types.IsInterface(result) {
		if _, param := result.(*types.TypeParam); !param {
			return nil
		}
	}
	spelled := types.TypeString(f.result, qualifier(c.p.types))
	if _, named := result.(*types.Named); named {
		return errorAt(fd.Type.Results.Pos(), "%s returns %s, a value: every caller would get a copy, and copies of a client or a pool share nothing safely; return *%s", f.decl, spelled, spelled)
	}
	return errorAt(fd.Type.Results.Pos(), "%s returns %s: a manager shares a pointer to a named type or an interface", f.decl, spelled)
}
