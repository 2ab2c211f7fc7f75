package singletoncheck

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/ast/edge"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

// checkBypasses reports code that builds a singleton's instance behind its manager's
// back: a composite literal of an annotated type, or a use of a singleton's constructor
// (an annotated type's, or an annotated function). A constructor taken as a value is
// reported like a call, since whoever calls the value builds an instance; only the
// arguments of the singleton's own New<T>Manager may hold it, or functions that call it,
// since what they build is managed.
//
// Only the singleton's package may build its instances, and only in the generated file
// and the constructor (a type's constructor spells the literal). Test files are never
// reported, in any package: tests build the fakes they install with Set<T>ForTest.
// Composite literals of the instance type of an annotated function are never reported:
// that type is often another package's (*sql.DB), and building one is not calling the
// function.
func (c *checker) checkBypasses() {
	for cur := range c.inspector.Root().Preorder((*ast.CompositeLit)(nil), (*ast.Ident)(nil)) {
		switch n := cur.Node().(type) {
		case *ast.CompositeLit:
			obj, s := c.annotatedType(c.pass.TypesInfo.TypeOf(n))
			if s == nil {
				continue
			}
			file := c.fileAt(n.Pos())
			if c.mayBuild(cur, file, obj.Pkg(), s) {
				continue
			}
			c.pass.Reportf(n.Pos(), "%s is a singleton: get it with %s instead of building it", c.qualified(file, obj.Pkg(), s.Decl), c.accessors(file, obj.Pkg(), s))
		case *ast.Ident:
			ctor, ok := c.pass.TypesInfo.Uses[n].(*types.Func)
			if !ok || ctor.Signature().Recv() != nil {
				continue
			}
			s := c.constructedBy(ctor)
			if s == nil {
				continue
			}
			file := c.fileAt(n.Pos())
			if c.mayBuild(cur, file, ctor.Pkg(), s) || c.handedToManager(cur, ctor.Pkg(), s) {
				continue
			}
			expr, called := use(cur)
			how := "builds"
			if !called {
				how = "taken as a value builds"
			}
			c.pass.Reportf(expr.Pos(), "%s %s a %s behind its manager's back: get it with %s",
				c.qualified(file, ctor.Pkg(), ctor.Name()), how, c.instance(file, ctor, s), c.accessors(file, ctor.Pkg(), s))
		}
	}
}

// annotatedType returns the annotated type of a composite literal of type t, seeing
// through a pointer (the elided &T of []*T{{...}}), and its singleton; or nil, nil.
func (c *checker) annotatedType(t types.Type) (*types.TypeName, *singleton) {
	if t == nil {
		return nil, nil
	}
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		t = p.Elem()
	}
	named, ok := types.Unalias(t).(*types.Named)
	if !ok {
		return nil, nil
	}
	obj := named.Obj()
	// A type declared in a function may have the name of a package-level one.
	if obj.Pkg() == nil || obj.Parent() != obj.Pkg().Scope() {
		return nil, nil
	}
	return obj, c.singletons(obj.Pkg())[obj.Name()]
}

// constructedBy returns the singleton whose constructor f is, or nil.
func (c *checker) constructedBy(f *types.Func) *singleton {
	for _, s := range c.singletons(f.Pkg()) {
		if s.Constructor == f.Name() {
			return s
		}
	}
	return nil
}

// mayBuild reports whether the code at cur, in file, may build s of package pkg itself:
// in a test file of any package, and in pkg's generated file and s's constructor.
func (c *checker) mayBuild(cur inspector.Cursor, file *ast.File, pkg *types.Package, s *singleton) bool {
	switch {
	case c.isTestFile(file):
		return true
	case c.pass.Pkg != pkg:
		return false
	case isOurs(file):
		return true
	}
	for fn := range cur.Enclosing((*ast.FuncDecl)(nil)) {
		// The one function declaration around cur: is it the constructor?
		fd := fn.Node().(*ast.FuncDecl)
		return fd.Recv == nil && fd.Name.Name == s.Constructor
	}
	return false // at package level
}

// handedToManager reports whether the use of s's constructor at cur is in the arguments
// of a call of s's New<T>Manager, of package pkg: the constructor handed to a manager,
// or a function that calls it (a closure that adds an option, a decorator), builds what
// that manager manages.
func (c *checker) handedToManager(cur inspector.Cursor, pkg *types.Package, s *singleton) bool {
	for call := range cur.Enclosing((*ast.CallExpr)(nil)) {
		callee := typeutil.StaticCallee(c.pass.TypesInfo, call.Node().(*ast.CallExpr))
		if callee != nil && callee.Pkg() == pkg && callee.Name() == s.NewManager && callee.Signature().Recv() == nil {
			return true
		}
	}
	return false
}

// use returns the expression that names the function at cur (pkg.F, for an F of
// another package) and whether it is called there, as in F(...), pkg.F(...) or
// (F)(...), rather than taken as a value.
func use(cur inspector.Cursor) (expr ast.Node, called bool) {
	if cur.ParentEdgeKind() == edge.SelectorExpr_Sel {
		cur = cur.Parent()
	}
	expr = cur.Node()
	for cur.ParentEdgeKind() == edge.ParenExpr_X {
		cur = cur.Parent()
	}
	return expr, cur.ParentEdgeKind() == edge.CallExpr_Fun
}

// instance spells the instance constructor ctor of s builds, as code in file does: the
// annotated type, or the first result of an annotated function (*sql.DB).
func (c *checker) instance(file *ast.File, ctor *types.Func, s *singleton) string {
	if s.Func {
		return types.TypeString(ctor.Signature().Results().At(0).Type(), c.qualifier(file))
	}
	return c.qualified(file, ctor.Pkg(), s.Decl)
}

// accessors names what to use instead of building s, as code in file spells it: its
// package-level accessor, or a manager of one's own.
func (c *checker) accessors(file *ast.File, pkg *types.Package, s *singleton) string {
	manager := "a " + c.qualified(file, pkg, s.Manager) + " from " + c.qualified(file, pkg, s.NewManager)
	if !s.Global {
		return manager
	}
	return c.qualified(file, pkg, s.Getter) + " (or " + manager + ")"
}
