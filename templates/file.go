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

func (e *emitter) file(out *jen.File) {
	for _, decl := range [][]jen.Code{
		e.conflictError(),
		e.managerType(),
		e.newManager(),
		e.instance(),
		e.getter(),
		e.mustGetter(),
		e.getMethod(),
		e.resetMethod(),
		e.argsType(),
		e.stateType(),
		e.buildType(),
		e.slowPath(),
		e.construct(),
		e.finish(),
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

// instancePtr renders *T.
func (e *emitter) instancePtr() *jen.Statement { return jen.Op("*").Id(e.m.Type) }

// paramList renders the constructor's parameters as a declaration: apiKey string, ...
func (e *emitter) paramList() []jen.Code {
	var params []jen.Code
	for _, p := range e.m.Params {
		params = append(params, jen.Id(p.Name).Add(typ(p.Type)))
	}
	return params
}

// argNames renders the parameters as arguments of a call: apiKey, ...
func (e *emitter) argNames() []jen.Code {
	var args []jen.Code
	for _, p := range e.m.Params {
		args = append(args, jen.Id(p.Name))
	}
	return args
}

// argsLiteral renders the arguments as the args struct: clientArgs{apiKey: apiKey}
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
		return []jen.Code{e.instancePtr(), jen.Error()}
	}
	return []jen.Code{e.instancePtr()}
}

// ctorType renders the constructor's type: func(apiKey string) (*Client, error)
func (e *emitter) ctorType() *jen.Statement {
	results := []jen.Code{e.instancePtr()}
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

// installedField reports whether states record that a test hook installed them: to
// answer any arguments, and to keep the hook's instance from being closed.
func (e *emitter) installedField() bool {
	return e.m.TestHooks && (e.m.HasParams() || e.m.Close != NoClose)
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

// stateLoad renders the atomic load of a manager's state: (*clientState)(atomic.LoadPointer(&m.state))
func (e *emitter) stateLoad(manager *jen.Statement) *jen.Statement {
	return jen.Parens(jen.Op("*").Id(e.m.Names.State)).Call(
		jen.Qual("sync/atomic", "LoadPointer").Call(jen.Op("&").Add(manager).Dot("state")))
}

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
