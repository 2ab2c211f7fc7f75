// Package directive reads //singleton:generate comments: their syntax, their options,
// and the names singletongen derives from them for the annotated type. The generator
// and the singletoncheck analyzer share it, so that both agree on what a directive says.
package directive

import (
	"fmt"
	"go/ast"
	"go/token"
	"strings"
	"unicode"
)

// Prefix starts every directive of ours; Name is the only one there is.
const (
	Prefix = "//singleton:"
	Name   = Prefix + "generate"
)

// Is reports whether a comment is meant for singletongen: it starts with //singleton:
// and so is either the directive or a misspelling of it.
func Is(comment string) bool {
	return strings.HasPrefix(comment, Prefix)
}

// Docs returns the comment groups that carry the doc, and so the directive, of type spec
// ts of declaration gd: its own and, when gd declares it alone, gd's, where the parser
// puts the doc of a declaration that is not parenthesised.
func Docs(gd *ast.GenDecl, ts *ast.TypeSpec) []*ast.CommentGroup {
	var docs []*ast.CommentGroup
	if ts.Doc != nil {
		docs = append(docs, ts.Doc)
	}
	if gd.Doc != nil && len(gd.Specs) == 1 {
		docs = append(docs, gd.Doc)
	}
	return docs
}

// An Error is a mistake in a directive, at a byte offset into its comment.
type Error struct {
	Offset int
	Msg    string
}

func (e *Error) Error() string { return e.Msg }

// Option is one key=value of a directive, with the byte offsets of key and value in the
// comment.
type Option struct {
	Key, Value             string
	KeyOffset, ValueOffset int
}

// Parse splits the text of a //singleton:generate comment into its options. It checks
// the syntax only: which keys and values mean something is for ParseOptions.
func Parse(comment string) ([]Option, error) {
	rest, ok := strings.CutPrefix(comment, Name)
	if !ok || (rest != "" && rest[0] != ' ' && rest[0] != '\t') {
		word := comment
		if fields := fieldsWithOffsets(comment); len(fields) > 0 {
			word = fields[0].text
		}
		return nil, &Error{0, fmt.Sprintf("unknown directive %s (want %s)", word, Name)}
	}
	var opts []Option
	seen := map[string]bool{}
	offset := len(Name)
	for _, field := range fieldsWithOffsets(rest) {
		start := offset + field.offset
		key, value, hasValue := strings.Cut(field.text, "=")
		switch {
		case key == "":
			return nil, &Error{start, fmt.Sprintf("option %q has no key (want key=value)", field.text)}
		case !hasValue:
			return nil, &Error{start, fmt.Sprintf("option %s has no value (want %s=value)", key, key)}
		case value == "":
			return nil, &Error{start + len(key) + 1, fmt.Sprintf("option %s has an empty value", key)}
		case seen[key]:
			return nil, &Error{start, fmt.Sprintf("option %s is given twice", key)}
		}
		seen[key] = true
		opts = append(opts, Option{Key: key, Value: value, KeyOffset: start, ValueOffset: start + len(key) + 1})
	}
	return opts, nil
}

type field struct {
	text   string
	offset int
}

// fieldsWithOffsets is strings.Fields that remembers where each field starts.
func fieldsWithOffsets(s string) []field {
	var fields []field
	start := -1
	for i, r := range s {
		if unicode.IsSpace(r) {
			if start >= 0 {
				fields = append(fields, field{s[start:i], start})
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		fields = append(fields, field{s[start:], start})
	}
	return fields
}

// Options are a directive's options, checked, with the offsets of those that later
// checks may need to point at.
type Options struct {
	Constructor       string // constructor=; "" for the default
	ConstructorOffset int
	Keyed             bool // mode=keyed
	ModeOffset        int
	CacheErrors       bool // onerror=cache
	OnErrorOffset     int
	NeverClose        bool   // close=never
	Getter            string // getter=; "" for the default
	Manager           string // manager=; "" for the default
	Instance          string // instance=; "" for the default
	Iface             string // iface=; "" for none
	IfaceOffset       int
	TestHooks         bool // testhooks=on, the default
}

// Keys lists the keys a directive accepts, in the order the error message lists them.
var Keys = []string{"constructor", "mode", "onerror", "close", "getter", "manager", "instance", "iface", "testhooks"}

// ParseOptions checks the keys and values of a directive, and reports every mistake.
func ParseOptions(comment string) (*Options, []*Error) {
	opts, err := Parse(comment)
	if err != nil {
		return nil, []*Error{err.(*Error)}
	}
	o := &Options{TestHooks: true}
	var errs []*Error
	bad := func(opt Option, format string, args ...any) {
		errs = append(errs, &Error{opt.ValueOffset, fmt.Sprintf(format, args...)})
	}
	oneOf := func(opt Option, values ...string) bool {
		for _, v := range values {
			if opt.Value == v {
				return true
			}
		}
		bad(opt, "%s=%s: want %s", opt.Key, opt.Value, strings.Join(values, " or "))
		return false
	}
	ident := func(opt Option) bool {
		if !token.IsIdentifier(opt.Value) || opt.Value == "_" {
			bad(opt, "%s=%s: want a Go identifier", opt.Key, opt.Value)
			return false
		}
		return true
	}
	for _, opt := range opts {
		switch opt.Key {
		case "constructor":
			if ident(opt) {
				o.Constructor, o.ConstructorOffset = opt.Value, opt.ValueOffset
			}
		case "mode":
			if oneOf(opt, "single", "keyed") {
				o.Keyed, o.ModeOffset = opt.Value == "keyed", opt.ValueOffset
			}
		case "onerror":
			if oneOf(opt, "retry", "cache") {
				o.CacheErrors, o.OnErrorOffset = opt.Value == "cache", opt.ValueOffset
			}
		case "close":
			if oneOf(opt, "auto", "never") {
				o.NeverClose = opt.Value == "never"
			}
		case "getter":
			if ident(opt) {
				o.Getter = opt.Value
			}
		case "manager":
			if ident(opt) {
				o.Manager = opt.Value
			}
		case "instance":
			if ident(opt) {
				o.Instance = opt.Value
			}
		case "iface":
			if ident(opt) {
				o.Iface, o.IfaceOffset = opt.Value, opt.ValueOffset
			}
		case "testhooks":
			if oneOf(opt, "on", "off") {
				o.TestHooks = opt.Value == "on"
			}
		default:
			errs = append(errs, &Error{opt.KeyOffset,
				fmt.Sprintf("unknown option %s (want one of %s)", opt.Key, strings.Join(Keys, ", "))})
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return o, nil
}
