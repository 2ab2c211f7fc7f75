package templates

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"
)

// Render returns the generated file for f.
func Render(f *File) *jen.File {
	out := jen.NewFilePathName(f.PkgPath, f.PkgName)
	out.HeaderComment(Header)
	if f.BuildConstraint != "" {
		out.HeaderComment("//go:build " + f.BuildConstraint)
	}
	for _, imp := range f.Imports {
		if imp.Aliased {
			out.ImportAlias(imp.Path, imp.Name)
		} else {
			out.ImportName(imp.Path, imp.Name)
		}
	}
	for i := range f.Managers {
		e := &emitter{m: &f.Managers[i], pkg: f.PkgName}
		e.file(out)
	}
	return out
}

// emitter renders the declarations of one manager.
type emitter struct {
	m   *Manager
	pkg string // package name, the prefix of error and panic messages
}

// file adds the manager's declarations to out: the API first, then its helpers. Each
// emitter returns nothing where its declaration does not apply to the manager.
func (e *emitter) file(out *jen.File) {
	for _, decl := range [][]jen.Code{
		e.ifaceType(),
		e.conflictError(),
		e.managerType(),
		e.newManager(),
		e.instance(),
		e.getter(),
		e.mustGetter(),
		e.getMethod(),
		e.deleteMethod(),
		e.lenMethod(),
		e.resetMethod(),
		e.argsType(),
		e.indexType(),
		e.stateType(),
		e.buildType(),
		e.buildKeyType(),
		e.slowPath(),
		e.lookup(),
		e.construct(),
		e.finish(),
		e.writable(),
		e.publish(),
		e.install(),
		e.setForTest(),
		e.resetForTest(),
		e.testHook(),
	} {
		for _, code := range decl {
			out.Add(code)
			out.Line()
		}
	}
}

// typ renders a type expression.
func typ(t Type) *jen.Statement {
	s := jen.Null()
	for _, part := range t {
		switch {
		case part.Name == "":
			s.Op(part.Syntax)
		case part.Path == "":
			s.Id(part.Name)
		default:
			s.Qual(part.Path, part.Name)
		}
	}
	return s
}

// instanceType renders what the manager stores and returns: *T, or the interface that
// iface= asks for.
func (e *emitter) instanceType() *jen.Statement {
	if e.m.Interface != nil {
		return jen.Id(e.m.Interface.Name)
	}
	return jen.Op("*").Id(e.m.Type)
}

// instanceName spells instanceType in messages and docs.
func (e *emitter) instanceName() string {
	if e.m.Interface != nil {
		return e.m.Interface.Name
	}
	return "*" + e.m.Type
}

// receiver renders (m *ClientManager).
func (e *emitter) receiver() *jen.Statement {
	return jen.Params(jen.Id("m").Op("*").Id(e.m.Names.Manager))
}

// paramList renders the accessors' parameters: ctx context.Context, apiKey string, ...
func (e *emitter) paramList() []jen.Code {
	if e.m.Context == "" {
		return e.keyParams()
	}
	return append([]jen.Code{jen.Id(e.m.Context).Qual("context", "Context")}, e.keyParams()...)
}

// keyParams renders the parameters without the context, as Delete takes them.
func (e *emitter) keyParams() []jen.Code {
	var params []jen.Code
	for _, p := range e.m.Params {
		params = append(params, jen.Id(p.Name).Add(typ(p.Type)))
	}
	return params
}

// argNames renders the accessors' parameters as arguments of a call: ctx, apiKey, ...
func (e *emitter) argNames() []jen.Code {
	var args []jen.Code
	for _, name := range e.paramNames() {
		args = append(args, jen.Id(name))
	}
	return args
}

func (e *emitter) paramNames() []string {
	var names []string
	if e.m.Context != "" {
		names = append(names, e.m.Context)
	}
	for _, p := range e.m.Params {
		names = append(names, p.Name)
	}
	return names
}

// argsLiteral renders the arguments, the context excluded, as the args struct:
// clientArgs{apiKey: apiKey}
func (e *emitter) argsLiteral() *jen.Statement {
	var fields []jen.Code
	for _, p := range e.m.Params {
		fields = append(fields, field(p.Name, jen.Id(p.Name)))
	}
	return jen.Id(e.m.Names.Args).Values(fields...)
}

// field renders one field of a keyed composite literal: name: value. Literals list their
// fields in the order given, on one line, where jen.Dict would sort them and break lines.
func field(name string, value jen.Code) jen.Code {
	return jen.Id(name).Op(":").Add(value)
}

// getResults renders the results of the accessors: (*T, error) or *T.
func (e *emitter) getResults() []jen.Code {
	if e.m.GetReturnsError() {
		return []jen.Code{e.instanceType(), jen.Error()}
	}
	return []jen.Code{e.instanceType()}
}

// ctorType renders the constructor's type: func(apiKey string) (*Client, error)
func (e *emitter) ctorType() *jen.Statement {
	results := []jen.Code{e.instanceType()}
	if e.m.ReturnsError {
		results = append(results, jen.Error())
	}
	return jen.Func().Params(e.paramList()...).Params(results...)
}

// ctorName says how docs refer to the default constructor.
func (e *emitter) ctorName() string {
	if e.m.Constructor == "" {
		return fmt.Sprintf("new(%s)", e.m.Type)
	}
	return e.m.Constructor
}

// message renders a message with the package prefix of error strings.
func (e *emitter) message(format string, args ...any) string {
	return e.pkg + ": " + fmt.Sprintf(format, args...)
}

// newState renders &clientState{fields...}.
func (e *emitter) newState(fields ...jen.Code) *jen.Statement {
	return jen.Op("&").Id(e.m.Names.State).Values(fields...)
}

// installedField reports whether single-mode states record that a test hook installed
// them: to answer any arguments, and to keep the hook's instance from being closed.
// Keyed managers keep a hook's instance apart from their own.
func (e *emitter) installedField() bool {
	return !e.m.Keyed && e.m.TestHooks && (e.m.HasParams() || e.m.Close != NoClose)
}

// closeInstance renders the call that closes x, an instance the manager dropped, and
// discards what it returns.
func (e *emitter) closeInstance(x *jen.Statement) *jen.Statement {
	switch e.m.Close {
	case CloseError:
		return jen.Id("_").Op("=").Add(x).Dot("Close").Call()
	case CloseNoResult:
		return x.Dot("Close").Call()
	}
	return jen.Null()
}

// load renders an atomic load of a manager's published pointer:
// (*clientState)(atomic.LoadPointer(&m.state))
func load(typeName string, ptr *jen.Statement) *jen.Statement {
	return jen.Parens(jen.Op("*").Id(typeName)).Call(jen.Qual("sync/atomic", "LoadPointer").Call(jen.Op("&").Add(ptr)))
}

// lock and unlock render m.mu.Lock() and m.mu.Unlock().
func lock() *jen.Statement   { return jen.Id("m").Dot("mu").Dot("Lock").Call() }
func unlock() *jen.Statement { return jen.Id("m").Dot("mu").Dot("Unlock").Call() }

// doc renders a doc comment from paragraphs; each paragraph is wrapped at about 80 columns.
func doc(paragraphs ...string) *jen.Statement {
	s := jen.Null()
	first := true
	for _, p := range paragraphs {
		if p == "" {
			continue
		}
		if !first {
			s.Comment("").Line()
		}
		first = false
		for _, line := range wrap(p, 76) {
			s.Comment(line).Line()
		}
	}
	return s
}

// wrap splits text into lines of at most width bytes, breaking at spaces.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		switch {
		case line == "":
			line = word
		case len(line)+1+len(word) > width:
			lines = append(lines, line)
			line = word
		default:
			line += " " + word
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}
