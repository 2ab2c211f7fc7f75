package singletoncheck

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/types/typeutil"
)

// checkBypasses reports composite literals of annotated types and calls of their
// constructors that build an instance behind its manager's back: anywhere outside the
// type's package, and inside it anywhere but in the constructor and the generated file.
// Test files are never reported, in any package: tests build the fakes they install
// with Set<T>ForTest.
func (c *checker) checkBypasses() {
	filter := []ast.Node{(*ast.File)(nil), (*ast.FuncDecl)(nil), (*ast.CompositeLit)(nil), (*ast.CallExpr)(nil)}
	var file *ast.File
	var fn *ast.FuncDecl
	c.inspector.Nodes(filter, func(n ast.Node, push bool) bool {
		if !push {
			if n == fn {
				fn = nil
			}
			return true
		}
		switch n := n.(type) {
		case *ast.File:
			file, fn = n, nil
		case *ast.FuncDecl:
			fn = n
		case *ast.CompositeLit:
			named := namedOf(c.pass.TypesInfo.TypeOf(n))
			if named == nil {
				return true
			}
			obj := named.Obj()
			if s := c.singletons(obj.Pkg())[obj.Name()]; s != nil && !c.mayBuild(obj.Pkg(), s, file, fn) {
				c.pass.Reportf(n.Pos(), "%s is a singleton: get it with %s instead of building it", c.qualified(file, obj.Pkg(), s.Type), c.accessors(file, obj.Pkg(), s))
			}
		case *ast.CallExpr:
			callee := typeutil.StaticCallee(c.pass.TypesInfo, n)
			if callee == nil || callee.Signature().Recv() != nil {
				return true
			}
			for _, s := range c.singletons(callee.Pkg()) {
				if s.Constructor == callee.Name() && !c.mayBuild(callee.Pkg(), s, file, fn) {
					c.pass.Reportf(n.Pos(), "%s builds a %s behind its manager's back: get it with %s",
						c.qualified(file, callee.Pkg(), s.Constructor), c.qualified(file, callee.Pkg(), s.Type), c.accessors(file, callee.Pkg(), s))
				}
			}
		}
		return true
	})
}

// mayBuild reports whether code in file, inside fn (nil at package level), may build s
// of package pkg itself: in a test file of any package, and in pkg's generated file and
// s's constructor.
func (c *checker) mayBuild(pkg *types.Package, s *singleton, file *ast.File, fn *ast.FuncDecl) bool {
	switch {
	case c.isTestFile(file):
		return true
	case c.pass.Pkg != pkg:
		return false
	}
	return isOurs(file) || fn != nil && fn.Recv == nil && fn.Name.Name == s.Constructor
}

// accessors names what to use instead of building s, as code in file spells it.
func (c *checker) accessors(file *ast.File, pkg *types.Package, s *singleton) string {
	return c.qualified(file, pkg, s.Getter) + " (or a " + c.qualified(file, pkg, s.Manager) + " from " + c.qualified(file, pkg, s.NewManager) + ")"
}

// namedOf returns the named type of a composite literal, seeing through a pointer (the
// elided &T of []*T{{...}}), or nil.
func namedOf(t types.Type) *types.Named {
	if t == nil {
		return nil
	}
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		t = p.Elem()
	}
	named, _ := types.Unalias(t).(*types.Named)
	return named
}
