package generator

import (
	"fmt"
	"go/token"
	"go/types"
	"strconv"
	"strings"
	"unicode"

	"github.com/singletongen/singletongen/model"
)

// whyNotComparable says why arguments of type t cannot be compared reliably, or returns ""
// when they can: == on them never panics and every value equals itself. That excludes
// interfaces (== panics on some dynamic types), floating-point and complex numbers (NaN
// differs from itself), slices, maps and functions, and anything containing them.
// Types of pkg are named without qualifier.
func whyNotComparable(t types.Type, pkg *types.Package) string {
	typeName := func(t types.Type) string { return types.TypeString(t, qualifier(pkg)) }
	seen := map[types.Type]bool{}
	var notComparable func(t types.Type) string
	notComparable = func(t types.Type) string {
		if seen[t] {
			return ""
		}
		seen[t] = true
		switch u := t.Underlying().(type) {
		case *types.Basic:
			switch {
			case u.Info()&types.IsFloat != 0:
				return fmt.Sprintf("%s is a floating-point type (NaN never equals itself)", typeName(t))
			case u.Info()&types.IsComplex != 0:
				return fmt.Sprintf("%s is a complex type (NaN never equals itself)", typeName(t))
			case u.Kind() == types.UnsafePointer, u.Info()&(types.IsBoolean|types.IsInteger|types.IsString) != 0:
				return ""
			}
			return fmt.Sprintf("%s is not comparable", typeName(t))
		case *types.Pointer, *types.Chan:
			return ""
		case *types.Array:
			if why := notComparable(u.Elem()); why != "" {
				return fmt.Sprintf("%s has elements of type %s: %s", typeName(t), typeName(u.Elem()), why)
			}
			return ""
		case *types.Struct:
			for i := range u.NumFields() {
				f := u.Field(i)
				if why := notComparable(f.Type()); why != "" {
					return fmt.Sprintf("%s has field %s: %s", typeName(t), f.Name(), why)
				}
			}
			return ""
		case *types.Interface:
			return fmt.Sprintf("%s is an interface (== panics when the dynamic type is not comparable)", typeName(t))
		case *types.Slice:
			return fmt.Sprintf("%s is a slice, which is not comparable", typeName(t))
		case *types.Map:
			return fmt.Sprintf("%s is a map, which is not comparable", typeName(t))
		case *types.Signature:
			return fmt.Sprintf("%s is a function, which is not comparable", typeName(t))
		}
		return fmt.Sprintf("%s is not comparable", typeName(t))
	}
	return notComparable(t)
}

// typeWriter turns go/types types into the templates' type expressions, collecting the
// imports they need.
type typeWriter struct {
	pkg      *types.Package // the package generated for: its names need no qualifier
	imports  *importSet
	packages map[string]*types.Package // the packages expr has met, by path
}

func newTypeWriter(pkg *types.Package, imports *importSet) *typeWriter {
	return &typeWriter{pkg: pkg, imports: imports, packages: map[string]*types.Package{}}
}

// expr spells t, which may be any type a package can name: types.TypeString writes it,
// with a marker in place of each package qualifier, which expr turns into a qualified
// name for the templates (and an import, once the whole type is spelt).
func (w *typeWriter) expr(t types.Type) (model.Type, error) {
	const mark = "\x00"
	spelled := types.TypeString(t, func(p *types.Package) string {
		if p == w.pkg {
			return ""
		}
		w.packages[p.Path()] = p
		return mark + p.Path() + mark
	})
	var out model.Type
	var imports []*types.Package
	for spelled != "" {
		before, rest, found := strings.Cut(spelled, mark)
		if before != "" {
			out = append(out, model.TypePart{Syntax: before})
		}
		if !found {
			break
		}
		path, rest, _ := strings.Cut(rest, mark)
		rest = strings.TrimPrefix(rest, ".")
		end := strings.IndexFunc(rest, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' })
		if end < 0 {
			end = len(rest)
		}
		name := rest[:end]
		switch {
		case !token.IsExported(name):
			return nil, fmt.Errorf("%s names %s.%s, which is not exported: generated code cannot spell it", types.TypeString(t, qualifier(w.pkg)), path, name)
		case !importable(w.pkg.Path(), path):
			return nil, fmt.Errorf("%s names %s.%s, of an internal package that %s cannot import", types.TypeString(t, qualifier(w.pkg)), path, name, w.pkg.Path())
		}
		imports = append(imports, w.packages[path])
		out = append(out, model.TypePart{Path: path, Name: name})
		spelled = rest[end:]
	}
	for _, p := range imports {
		w.imports.add(p)
	}
	return out, nil
}

// importable reports whether package from may import path: a path with an internal
// element is importable only from below the folder that holds it.
func importable(from, path string) bool {
	elems := strings.Split(path, "/")
	for i := len(elems) - 1; i >= 0; i-- {
		if elems[i] == "internal" {
			parent := strings.Join(elems[:i], "/")
			return parent == "" || from == parent || strings.HasPrefix(from, parent+"/")
		}
	}
	return true
}

// importSet names the packages a generated file imports: each by its own name unless
// that name is taken, by the generated file's own imports, by the package's declarations
// or by another import.
type importSet struct {
	names map[string]string // path -> name, for every import of the file
	taken map[string]bool   // names in use at package level
	added []model.Import    // the imports of parameter types, in the order added
}

func newImportSet(taken map[string]bool) *importSet {
	s := &importSet{names: map[string]string{}, taken: taken}
	for path, name := range model.StdImports {
		s.names[path] = name
		taken[name] = true
	}
	return s
}

func (s *importSet) add(p *types.Package) {
	if _, ok := s.names[p.Path()]; ok {
		return
	}
	name := p.Name()
	for i := 2; s.taken[name]; i++ {
		name = p.Name() + strconv.Itoa(i)
	}
	s.taken[name] = true
	s.names[p.Path()] = name
	s.added = append(s.added, model.Import{Path: p.Path(), Name: name, Aliased: name != p.Name()})
}

// qualifier names packages in messages as their users' code does, and pkg's own types
// without a qualifier.
func qualifier(pkg *types.Package) types.Qualifier {
	return func(p *types.Package) string {
		if p == pkg {
			return ""
		}
		return p.Name()
	}
}
