package bounded

import (
	"go/ast"
	"go/parser"
	"go/token"
	"testing"
)

// TestGlobalOffManagersOnly uses LocalManager and SoloManager (global=off) through
// their constructors and methods alone, which is all they have.
func TestGlobalOffManagersOnly(t *testing.T) {
	t.Parallel()
	m := NewLocalManager(nil)
	a := must[*Local](t)(m.Get("a"))
	for i := range 4 {
		must[*Local](t)(m.Get(key("k", i)))
	}
	if m.Len() != 4 || a.Closes() != 1 {
		t.Errorf("Len = %d, the first instance closed %d times; want 4 and 1: max=4", m.Len(), a.Closes())
	}
	if err := m.Reset(); err != nil {
		t.Fatal(err)
	}
	s := NewSoloManager(nil)
	x := s.Get()
	if err := s.With(func(y *Solo) error {
		if y != x {
			t.Errorf("With got another Solo than Get")
		}
		return s.Invalidate(y)
	}); err != nil {
		t.Fatal(err)
	}
	if x.Closes() != 1 || s.Get() == x {
		t.Errorf("Invalidate in With: closed %d times; want 1, and a new Solo", x.Closes())
	}
	if err := s.Reset(); err != nil {
		t.Fatal(err)
	}
}

// TestGlobalOffDeclaresNoGlobals parses singleton_gen.go: for the global=off types,
// Local and Solo, it declares no process-wide manager, package-level accessor or test
// hook; for Slot, global=on, it declares all of them (so that the check can fail).
func TestGlobalOffDeclaresNoGlobals(t *testing.T) {
	t.Parallel()
	f, err := parser.ParseFile(token.NewFileSet(), "singleton_gen.go", nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	declared := map[string]bool{}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil {
				declared[d.Name.Name] = true
			}
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				switch spec := spec.(type) {
				case *ast.ValueSpec:
					for _, n := range spec.Names {
						declared[n.Name] = true
					}
				case *ast.TypeSpec:
					declared[spec.Name.Name] = true
				}
			}
		}
	}
	globals := func(stem string) []string {
		return []string{
			"Get" + stem, "MustGet" + stem, "Get" + stem + "Manager", "default" + stem + "Manager",
			"Set" + stem + "ForTest", "Reset" + stem + "ForTest",
		}
	}
	for _, stem := range []string{"Local", "Solo"} {
		for _, name := range globals(stem) {
			if declared[name] {
				t.Errorf("global=off, but singleton_gen.go declares %s", name)
			}
		}
		for _, name := range []string{stem + "Manager", "New" + stem + "Manager"} {
			if !declared[name] {
				t.Errorf("global=off, and singleton_gen.go does not declare %s", name)
			}
		}
	}
	for _, name := range globals("Slot") {
		if !declared[name] {
			t.Errorf("global=on, and singleton_gen.go does not declare %s: the check above proves nothing", name)
		}
	}
}
