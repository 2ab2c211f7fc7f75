package singletoncheck

import (
	"go/ast"
	"go/types"
	"sort"
	"strings"

	"golang.org/x/tools/go/types/typeutil"
)

// checkCycles works out, for each function of the package, the singletons whose
// accessors it reaches, exports that as a fact for the packages that call it, and
// reports the constructors that reach their own accessor, directly or through other
// constructors: each would wait for its own build.
func (c *checker) checkCycles() {
	funcs := map[*types.Func]*ast.FuncDecl{}
	for _, f := range c.pass.Files {
		if isOurs(f) || c.isTestFile(f) {
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
		inspectRun(fd.Body, func(call *ast.CallExpr) {
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
					for _, k := range fact.Singletons {
						reach[obj][k] = true
					}
				}
			}
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
			c.pass.ExportObjectFact(obj, &reachesFact{Singletons: sortedKeys(set)})
		}
	}

	// Each local constructor, and the cycles through it.
	edges := func(k string) []string {
		pkg, s := c.singletonByKey(k)
		if s == nil || s.Constructor == "" || s.Keyed {
			// A keyed constructor may ask for other keys of its own type, or of others':
			// whether that cycles depends on the keys, which only run time knows.
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
		return fact.Singletons
	}
	local := c.singletons(c.pass.Pkg)
	names := make([]string, 0, len(local))
	for name := range local {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		s := local[name]
		if s.Constructor == "" || s.Keyed {
			continue
		}
		ctor, _ := c.pass.Pkg.Scope().Lookup(s.Constructor).(*types.Func)
		fd := funcs[ctor]
		if fd == nil {
			continue
		}
		start := key(c.pass.Pkg, s.Decl)
		if path := findPath(start, start, edges, map[string]bool{}); path != nil {
			c.pass.Reportf(fd.Name.Pos(), "constructor cycle: %s; the first Get would wait for its own build forever", c.describeCycle(c.fileAt(fd.Pos()), start, path))
		}
	}
}

// accessorCalled returns the key of the singleton whose process-wide instance call asks
// for: its getter, its panicking getter, or Get on the process-wide manager.
func (c *checker) accessorCalled(call *ast.CallExpr) string {
	if callee := typeutil.StaticCallee(c.pass.TypesInfo, call); callee != nil && callee.Signature().Recv() == nil {
		for _, s := range c.singletons(callee.Pkg()) {
			if s.Global && (callee.Name() == s.Getter || callee.Name() == s.MustGetter) {
				return key(callee.Pkg(), s.Decl)
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
			if s.Global && callee.Name() == s.Instance {
				return key(callee.Pkg(), s.Decl)
			}
		}
	}
	return ""
}

// singletonByKey finds the singleton of a key among the package and its dependencies.
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

// describeCycle spells a cycle of constructors, as code in file names them: "NewA reaches
// GetB, and NewB reaches GetA".
func (c *checker) describeCycle(file *ast.File, start string, path []string) string {
	var parts []string
	from := start
	for _, to := range path {
		fromPkg, fromS := c.singletonByKey(from)
		toPkg, toS := c.singletonByKey(to)
		parts = append(parts, c.qualified(file, fromPkg, fromS.Constructor)+" reaches "+c.qualified(file, toPkg, toS.Getter))
		from = to
	}
	return strings.Join(parts, ", and ")
}

// inspectRun calls f for each call in body that runs when body runs: the calls of
// function literals only where the literal is called on the spot, not where it is kept
// for later or started as a goroutine, which do not hold up the function.
func inspectRun(body ast.Node, f func(*ast.CallExpr)) {
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GoStmt:
			// The goroutine's function runs apart; its arguments are evaluated here.
			for _, arg := range n.Call.Args {
				inspectRun(arg, f)
			}
			return false
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			f(n)
			if lit, ok := ast.Unparen(n.Fun).(*ast.FuncLit); ok {
				inspectRun(lit.Body, f)
			}
		}
		return true
	})
}
