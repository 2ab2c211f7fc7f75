package singletoncheck

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

// checkParallelHooks reports calls of the test hooks Set<T>ForTest and Reset<T>ForTest
// after t.Parallel() in the same test, or from a subtest of a parallel test: the hooks
// change process-wide state, and panic there at run time.
func (c *checker) checkParallelHooks() {
	for cur := range c.inspector.Root().Preorder((*ast.CallExpr)(nil)) {
		call := cur.Node().(*ast.CallExpr)
		callee := typeutil.StaticCallee(c.pass.TypesInfo, call)
		if callee == nil || callee.Signature().Recv() != nil {
			continue
		}
		s := c.hookOf(callee)
		if s == nil {
			continue
		}
		if parallel := c.parallelBefore(cur); parallel != nil {
			file := c.fileAt(call.Pos())
			c.pass.Reportf(call.Pos(), "%s in a parallel test (t.Parallel at line %d): the hook changes process-wide state and panics there; drop t.Parallel, or give the code under test a manager of its own from %s",
				c.qualified(file, callee.Pkg(), callee.Name()), c.pass.Fset.Position(parallel.Pos()).Line, c.qualified(file, callee.Pkg(), s.NewManager))
		}
	}
}

// hookOf returns the singleton whose test hook f is, or nil.
func (c *checker) hookOf(f *types.Func) *singleton {
	for _, s := range c.singletons(f.Pkg()) {
		if s.Global && s.TestHooks && (f.Name() == s.SetForTest || f.Name() == s.ResetForTest) {
			return s
		}
	}
	return nil
}

// parallelBefore returns the t.Parallel() call that makes the call at cur run in a
// parallel test: in the enclosing test function before the call, or in the test that
// runs it as a subtest, before its t.Run; nil if there is none. A closure that is not a
// test (one for t.Cleanup, say) runs within the test that made it.
func (c *checker) parallelBefore(cur inspector.Cursor) *ast.CallExpr {
	point := cur.Node().Pos()
	for fn := range cur.Enclosing((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		var params *ast.FieldList
		var body *ast.BlockStmt
		switch n := fn.Node().(type) {
		case *ast.FuncDecl:
			params, body = n.Type.Params, n.Body
		case *ast.FuncLit:
			params, body = n.Type.Params, n.Body
		}
		t := c.testingT(params)
		if t == nil {
			if _, isLit := fn.Node().(*ast.FuncLit); isLit {
				point = fn.Node().Pos()
				continue
			}
			return nil
		}
		if body == nil {
			return nil
		}
		if p := c.parallelCall(body, t, point); p != nil {
			return p
		}
		// A subtest: func(t *testing.T) {...} passed to the parent's t.Run.
		run, ok := fn.Parent().Node().(*ast.CallExpr)
		if _, isLit := fn.Node().(*ast.FuncLit); !ok || !isLit || !c.isTestingMethod(run, "Run") {
			return nil
		}
		point = run.Pos()
	}
	return nil
}

// testingT returns the *testing.T parameter of a function, or nil.
func (c *checker) testingT(params *ast.FieldList) types.Object {
	if params == nil {
		return nil
	}
	for _, field := range params.List {
		for _, name := range field.Names {
			obj := c.pass.TypesInfo.Defs[name]
			if obj != nil && isTestingT(obj.Type()) {
				return obj
			}
		}
	}
	return nil
}

func isTestingT(t types.Type) bool {
	ptr, ok := t.(*types.Pointer)
	if !ok {
		return false
	}
	named, ok := ptr.Elem().(*types.Named)
	return ok && named.Obj().Pkg() != nil && named.Obj().Pkg().Path() == "testing" && named.Obj().Name() == "T"
}

// parallelCall returns a call t.Parallel() in body, outside nested functions, before point.
func (c *checker) parallelCall(body *ast.BlockStmt, t types.Object, point token.Pos) *ast.CallExpr {
	var found *ast.CallExpr
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			if found == nil && n.Pos() < point && c.isTestingMethod(n, "Parallel") {
				if sel := n.Fun.(*ast.SelectorExpr); isIdentOf(c.pass.TypesInfo, sel.X, t) {
					found = n
				}
			}
		}
		return found == nil
	})
	return found
}

// isTestingMethod reports whether call calls the method name of *testing.T.
func (c *checker) isTestingMethod(call *ast.CallExpr, name string) bool {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != name {
		return false
	}
	f, ok := c.pass.TypesInfo.Uses[sel.Sel].(*types.Func)
	return ok && f.Signature().Recv() != nil && isTestingT(f.Signature().Recv().Type())
}

func isIdentOf(info *types.Info, e ast.Expr, obj types.Object) bool {
	id, ok := e.(*ast.Ident)
	return ok && info.Uses[id] == obj
}
