package singletoncheck

import (
	"go/ast"
	"go/types"
	"strings"

	"golang.org/x/tools/go/types/typeutil"
)

// checkCycles works out, for each function of the package, the annotated types whose
// accessors it reaches, exports that as a fact for the packages that call it, and
// reports the constructors that reach their own accessor, directly or through other
// constructors: each would wait for its own build.
func (c *checker) checkCycles() {
	funcs := map[*types.Func]*ast.FuncDecl{}
	for _, f := range c.pass.Files {
		if ast.IsGenerated(f) || c.isTestFile(f) {
			continue
		}
		for _, decl := range f.Decls {
			if fd, ok := decl.(*ast.FuncDecl); ok && fd.Body != nil {
				if obj, ok := c.pass.TypesInfo.Defs[fd.Name].(*types.Func); ok {
					funcs[obj] = fd
				}
			}
		}
	}

	// What each function reaches directly, and which local functions it calls.
	reach := map[*types.Func]map[string]bool{}
	calls := map[*types.Func][]*types.Func{}
	for obj, fd := range funcs {
		reach[obj] = map[string]bool{}
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if k := c.accessorCalled(call); k != "" {
				reach[obj][k] = true
			}
			callee := typeutil.StaticCallee(c.pass.TypesInfo, call)
			switch {
			case callee == nil:
			case funcs[callee] != nil:
				calls[obj] = append(calls[obj], callee)
			default:
				var fact reachesFact
				if c.pass.ImportObjectFact(callee, &fact) {
					for _, k := range fact.Types {
						reach[obj][k] = true
					}
				}
			}
			return true
		})
	}
	// Through the local calls, until nothing changes.
	for changed := true; changed; {
		changed = false
		for caller, callees := range calls {
			for _, callee := range callees {
				for k := range reach[callee] {
					if !reach[caller][k] {
						reach[caller][k] = true
						changed = true
					}
				}
			}
		}
	}
	for obj, set := range reach {
		if len(set) > 0 && obj.Exported() {
			c.pass.ExportObjectFact(obj, &reachesFact{Types: sortedKeys(set)})
		}
	}

	// Each local constructor, and the cycles through it.
	edges := func(k string) []string {
		pkg, s := c.singletonByKey(k)
		if s == nil || s.Constructor == "" {
			return nil
		}
		ctor, _ := pkg.Scope().Lookup(s.Constructor).(*types.Func)
		if ctor == nil {
			return nil
		}
		if set, ok := reach[ctor]; ok {
			return sortedKeys(set)
		}
		var fact reachesFact
		c.pass.ImportObjectFact(ctor, &fact)
		return fact.Types
	}
	for _, s := range c.singletons(c.pass.Pkg) {
		if s.Constructor == "" {
			continue
		}
		ctor, _ := c.pass.Pkg.Scope().Lookup(s.Constructor).(*types.Func)
		fd := funcs[ctor]
		if fd == nil {
			continue
		}
		start := key(c.pass.Pkg, s.Type)
		if path := findPath(start, start, edges, map[string]bool{}); path != nil {
			c.pass.Reportf(fd.Name.Pos(), "constructor cycle: %s; the first Get would wait for its own build forever", c.describeCycle(start, path))
		}
	}
}

// accessorCalled returns the key of the annotated type whose process-wide instance call
// asks for: its getter, its panicking getter, or Get on the process-wide manager.
func (c *checker) accessorCalled(call *ast.CallExpr) string {
	if callee := typeutil.StaticCallee(c.pass.TypesInfo, call); callee != nil && callee.Signature().Recv() == nil {
		for _, s := range c.singletons(callee.Pkg()) {
			if callee.Name() == s.Getter || callee.Name() == s.MustGetter {
				return key(callee.Pkg(), s.Type)
			}
		}
	}
	// GetClientManager().Get(...)
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Get" {
		return ""
	}
	inner, ok := sel.X.(*ast.CallExpr)
	if !ok {
		return ""
	}
	if callee := typeutil.StaticCallee(c.pass.TypesInfo, inner); callee != nil && callee.Signature().Recv() == nil {
		for _, s := range c.singletons(callee.Pkg()) {
			if callee.Name() == s.Instance {
				return key(callee.Pkg(), s.Type)
			}
		}
	}
	return ""
}

// singletonByKey finds the annotated type of a key among the package and its
// dependencies.
func (c *checker) singletonByKey(k string) (*types.Package, *singleton) {
	path := k[:strings.LastIndex(k, ".")]
	seen := map[*types.Package]bool{}
	var find func(pkg *types.Package) *types.Package
	find = func(pkg *types.Package) *types.Package {
		if pkg.Path() == path {
			return pkg
		}
		seen[pkg] = true
		for _, imp := range pkg.Imports() {
			if !seen[imp] {
				if found := find(imp); found != nil {
					return found
				}
			}
		}
		return nil
	}
	pkg := find(c.pass.Pkg)
	if pkg == nil {
		return nil, nil
	}
	return pkg, c.singletons(pkg)[k[len(path)+1:]]
}

// findPath returns a path of keys from `from` back to target, along edges, or nil.
func findPath(from, target string, edges func(string) []string, seen map[string]bool) []string {
	for _, next := range edges(from) {
		if next == target {
			return []string{next}
		}
		if seen[next] {
			continue
		}
		seen[next] = true
		if rest := findPath(next, target, edges, seen); rest != nil {
			return append([]string{next}, rest...)
		}
	}
	return nil
}

// describeCycle spells a cycle of constructors: "NewA reaches GetB, and NewB reaches GetA".
func (c *checker) describeCycle(start string, path []string) string {
	var parts []string
	from := start
	for _, to := range path {
		fromPkg, fromS := c.singletonByKey(from)
		toPkg, toS := c.singletonByKey(to)
		parts = append(parts, c.qualified(fromPkg, fromS.Constructor)+" reaches "+c.qualified(toPkg, toS.Getter))
		from = to
	}
	return strings.Join(parts, ", and ")
}
