package templates

import (
	"github.com/dave/jennifer/jen"

	"github.com/singletongen/singletongen/model"
)

// Decl is one declaration of a manager's part of the generated file.
type Decl struct {
	Name string   // the declared identifier; for a method, the method's name
	More []string // other identifiers the declaration declares, as a const block does
	Kind Kind
	Role Role
	// Locals are the identifiers the declaration uses where the constructor's parameters
	// are in scope: a parameter must not take one of them.
	Locals []string
	emit   func() []jen.Code
}

// Kind is what sort of declaration a Decl is.
type Kind int

const (
	TypeDecl Kind = iota + 1
	FuncDecl
	VarDecl
	ConstDecl
	MethodDecl // a method of the manager type
)

// Role is what a declaration is for, as messages about it say.
type Role int

// Roles are in the order in which messages list the names of declarations.
const (
	RoleManager Role = iota + 1
	RoleNewManager
	RoleInstance
	RoleGetter
	RoleDefault
	RoleState
	RoleSpec
	RoleMustGetter
	RoleConflict
	RoleArgs
	RoleIndex
	RoleInterface
	RoleSetForTest
	RoleResetForTest
	RoleMethod
	RoleShared
)

var roleNames = map[Role]string{
	RoleInterface:    "the interface",
	RoleConflict:     "the conflict error",
	RoleManager:      "the manager type",
	RoleNewManager:   "the manager constructor",
	RoleDefault:      "the process-wide manager",
	RoleInstance:     "the process-wide manager accessor",
	RoleGetter:       "the accessor",
	RoleMustGetter:   "the panicking accessor",
	RoleArgs:         "the arguments type",
	RoleIndex:        "the index type",
	RoleState:        "the state type",
	RoleSpec:         "the description of its instances",
	RoleSetForTest:   "the test hook",
	RoleResetForTest: "the test hook",
	RoleMethod:       "a method of the manager",
	RoleShared:       "a declaration the managers of the file share",
}

func (r Role) String() string { return roleNames[r] }

// Renamable reports whether the user can rename the declaration with an option of the
// directive (manager=, instance=, getter=).
func (r Role) Renamable() bool {
	return r == RoleManager || r == RoleInstance || r == RoleGetter
}

// Declarations lists, in the order the file has them, what the generated file declares
// for m: the API first, then its helpers.
func Declarations(m *model.Manager) []Decl {
	return newEmitter(m, "", nil).declarations()
}

func (e *emitter) declarations() []Decl {
	m, n := e.m, e.m.Names
	var decls []Decl
	add := func(when bool, d Decl) {
		if when {
			decls = append(decls, d)
		}
	}
	add(m.Interface != nil, Decl{Name: e.interfaceName(), Kind: TypeDecl, Role: RoleInterface, emit: e.ifaceType})
	add(m.HasConflicts(), Decl{Name: n.Conflict, Kind: VarDecl, Role: RoleConflict, emit: e.conflictError})
	add(true, Decl{Name: n.Manager, Kind: TypeDecl, Role: RoleManager, emit: e.managerType})
	add(true, Decl{Name: n.NewManager, Kind: FuncDecl, Role: RoleNewManager, emit: e.newManager})
	add(m.Global, Decl{Name: n.Default, Kind: VarDecl, Role: RoleDefault, emit: e.defaultManager})
	add(m.Global, Decl{Name: n.Instance, Kind: FuncDecl, Role: RoleInstance, emit: e.instance})
	add(m.Global, Decl{Name: n.Getter, Kind: FuncDecl, Role: RoleGetter, Locals: []string{"s", "x", "e", "nil"}, emit: e.getter})
	add(m.Global && m.GetReturnsError(), Decl{Name: n.MustGetter, Kind: FuncDecl, Role: RoleMustGetter, Locals: []string{"c", "err", "nil", "panic"}, emit: e.mustGetter})
	add(true, Decl{Name: "Get", Kind: MethodDecl, Role: RoleMethod, Locals: []string{"m", "s", "x", "e", "nil"}, emit: e.getMethod})
	decls = append(decls, e.store.api()...)
	add(true, Decl{Name: "With", Kind: MethodDecl, Role: RoleMethod, Locals: []string{"m", "fn"}, emit: e.withMethod})
	add(true, Decl{Name: "Invalidate", Kind: MethodDecl, Role: RoleMethod, Locals: []string{"m", "inst"}, emit: e.invalidateMethod})
	add(true, Decl{Name: "Reset", Kind: MethodDecl, Role: RoleMethod, emit: e.resetMethod})
	add(m.HasParams(), Decl{Name: n.Args, Kind: TypeDecl, Role: RoleArgs, emit: e.argsDecl})
	add(true, Decl{Name: n.State, Kind: TypeDecl, Role: RoleState, emit: e.stateAlias})
	decls = append(decls, e.store.types()...)
	add(true, Decl{Name: n.Spec, Kind: VarDecl, Role: RoleSpec, emit: e.specVar})
	add(true, Decl{Name: "current", Kind: MethodDecl, Role: RoleMethod, emit: e.currentMethod})
	add(true, Decl{Name: "get", Kind: MethodDecl, Role: RoleMethod, emit: e.slowPath})
	add(true, Decl{Name: "build", Kind: MethodDecl, Role: RoleMethod, emit: e.build})
	add(m.TestHooks, Decl{Name: n.SetForTest, Kind: FuncDecl, Role: RoleSetForTest, emit: e.setForTest})
	add(m.TestHooks, Decl{Name: n.ResetForTest, Kind: FuncDecl, Role: RoleResetForTest, emit: e.resetForTest})
	return decls
}

// interfaceName is the name of the interface that iface= asks for, or "".
func (e *emitter) interfaceName() string {
	if e.m.Interface == nil {
		return ""
	}
	return e.m.Interface.Name
}
