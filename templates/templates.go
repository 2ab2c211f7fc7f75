// Package templates renders the generated file of a package from plain data: the
// model.File that the generator resolved. It knows nothing of go/ast or go/types, so
// each emitter can be read and tested on its own.
//
// What a manager's file declares is one list, Declarations: the file, the generator's
// collision check and the identifiers that parameters must not take all derive from it.
// The emitters use github.com/dave/jennifer; each writes, as a comment above its builder
// chain, the code it produces.
package templates

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/singletongen/singletongen/model"
)

// Render returns the generated file for f.
func Render(f *model.File) *jen.File {
	out := jen.NewFilePathName(f.PkgPath, f.PkgName)
	out.HeaderComment(model.Header)
	if f.BuildConstraint != "" {
		out.HeaderComment("//go:build " + f.BuildConstraint)
	}
	if mirrorsOtherPackages(f) {
		out.HeaderComment("//lint:file-ignore SA1019 an interface of iface= mirrors the methods of a type, deprecated types of other packages included")
	}
	importNames := map[string]string{}
	for _, imp := range f.Imports {
		importNames[imp.Path] = imp.Name
		if imp.Aliased {
			out.ImportAlias(imp.Path, imp.Name)
		} else {
			out.ImportName(imp.Path, imp.Name)
		}
	}
	var decls []Decl
	for i := range f.Managers {
		decls = append(decls, newEmitter(&f.Managers[i], f.PkgName, importNames).declarations()...)
	}
	for _, d := range append(decls, Shared(f.Managers)...) {
		for _, code := range d.emit() {
			out.Add(code)
			out.Line()
		}
	}
	return out
}

// mirrorsOtherPackages reports whether an interface of iface= has a method whose
// signature names another package's type: the generated file then uses whatever that
// package deprecated.
func mirrorsOtherPackages(f *model.File) bool {
	for _, m := range f.Managers {
		if m.Interface == nil {
			continue
		}
		for _, method := range m.Interface.Methods {
			for _, p := range append(append([]model.Param{}, method.Params...), method.Results...) {
				for _, part := range p.Type {
					if part.Path != "" {
						return true
					}
				}
			}
		}
	}
	return false
}

// emitter renders the declarations of one manager.
type emitter struct {
	m           *model.Manager
	store       storage           // how the manager holds its instances
	pkg         string            // package name, the prefix of error and panic messages
	importNames map[string]string // by path: how docs spell types of other packages
}

func newEmitter(m *model.Manager, pkg string, importNames map[string]string) *emitter {
	e := &emitter{m: m, pkg: pkg, importNames: importNames}
	e.store = storageOf(e)
	return e
}

// typ renders a type expression.
func typ(t model.Type) *jen.Statement {
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

// spell writes a type expression as docs and messages show it: *Client, *sql.DB.
func (e *emitter) spell(t model.Type) string {
	var b strings.Builder
	for _, part := range t {
		switch {
		case part.Name == "":
			b.WriteString(part.Syntax)
		case part.Path == "":
			b.WriteString(part.Name)
		default:
			b.WriteString(e.importNames[part.Path] + "." + part.Name)
		}
	}
	return b.String()
}

// instanceType renders what the manager stores and returns: the constructor's result,
// or the interface that iface= asks for.
func (e *emitter) instanceType() *jen.Statement {
	if e.m.Interface != nil {
		return jen.Id(e.m.Interface.Name)
	}
	return typ(e.m.Result)
}

// instanceName spells instanceType in messages and docs.
func (e *emitter) instanceName() string {
	if e.m.Interface != nil {
		return e.m.Interface.Name
	}
	return e.spell(e.m.Result)
}

// constructor renders the default constructor: NewClient.
func (e *emitter) constructor() *jen.Statement {
	if e.m.Constructor.Path == "" {
		return jen.Id(e.m.Constructor.Name)
	}
	return jen.Qual(e.m.Constructor.Path, e.m.Constructor.Name)
}

// ctorName says how docs refer to the default constructor.
func (e *emitter) ctorName() string {
	if e.m.Constructor.Name == "" {
		return fmt.Sprintf("new(%s)", e.spell(e.m.Zero))
	}
	return e.m.Constructor.Name
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

// message renders a message with the package prefix of error strings.
func (e *emitter) message(format string, args ...any) string {
	return e.pkg + ": " + fmt.Sprintf(format, args...)
}

// argsType renders what the manager's instances are built with: its arguments type, or
// struct{} when the constructor takes none.
func (e *emitter) argsType() *jen.Statement {
	if !e.m.HasParams() {
		return jen.Struct()
	}
	return jen.Id(e.m.Names.Args)
}

// newState renders &clientState{fields...}.
func (e *emitter) newState(fields ...jen.Code) *jen.Statement {
	return jen.Op("&").Id(e.m.Names.State).Values(fields...)
}

// load renders an atomic load of a manager's published pointer:
// (*clientState)(atomic.LoadPointer(&m.state))
func load(typeName string, ptr *jen.Statement) *jen.Statement {
	return jen.Parens(jen.Op("*").Id(typeName)).Call(jen.Qual("sync/atomic", "LoadPointer").Call(jen.Op("&").Add(ptr)))
}

// indefinite returns word after its indefinite article, "a Client" or "an Entry", as a
// doc comment reads a type's name aloud: by its first letter, save for the vowels said
// as a consonant (a User, a Unit, a OneShot).
func indefinite(word string) string {
	lower := strings.ToLower(word)
	for _, prefix := range []string{"uni", "us", "uti", "eu", "one", "once"} {
		if strings.HasPrefix(lower, prefix) {
			return "a " + word
		}
	}
	if lower != "" && strings.ContainsRune("aeiou", rune(lower[0])) {
		return "an " + word
	}
	return "a " + word
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
