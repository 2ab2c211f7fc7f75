package generator

import (
	"fmt"
	"go/token"
	"strings"
	"unicode"
)

// directivePrefix starts every directive of ours; directiveName is the only one there is.
const (
	directivePrefix = "//singleton:"
	directiveName   = directivePrefix + "generate"
)

// A syntaxError is a mistake in a directive, at a byte offset into its comment.
type syntaxError struct {
	offset int
	msg    string
}

func (e *syntaxError) Error() string { return e.msg }

// option is one key=value of a directive, with the byte offsets of key and value in the
// comment.
type option struct {
	key, value             string
	keyOffset, valueOffset int
}

// isDirective reports whether a comment is meant for singletongen: it starts with
// //singleton: and so is either the directive or a misspelling of it.
func isDirective(comment string) bool {
	return strings.HasPrefix(comment, directivePrefix)
}

// parseDirective splits the text of a //singleton:generate comment into its options. It
// checks the syntax only: which keys and values mean something is for parseOptions.
func parseDirective(comment string) ([]option, error) {
	rest, ok := strings.CutPrefix(comment, directiveName)
	if !ok || (rest != "" && rest[0] != ' ' && rest[0] != '\t') {
		word := comment
		if fields := fieldsWithOffsets(comment); len(fields) > 0 {
			word = fields[0].text
		}
		return nil, &syntaxError{0, fmt.Sprintf("unknown directive %s (want %s)", word, directiveName)}
	}
	var opts []option
	seen := map[string]bool{}
	offset := len(directiveName)
	for _, field := range fieldsWithOffsets(rest) {
		start := offset + field.offset
		key, value, hasValue := strings.Cut(field.text, "=")
		switch {
		case key == "":
			return nil, &syntaxError{start, fmt.Sprintf("option %q has no key (want key=value)", field.text)}
		case !hasValue:
			return nil, &syntaxError{start, fmt.Sprintf("option %s has no value (want %s=value)", key, key)}
		case value == "":
			return nil, &syntaxError{start + len(key) + 1, fmt.Sprintf("option %s has an empty value", key)}
		case seen[key]:
			return nil, &syntaxError{start, fmt.Sprintf("option %s is given twice", key)}
		}
		seen[key] = true
		opts = append(opts, option{key: key, value: value, keyOffset: start, valueOffset: start + len(key) + 1})
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

// Mode, OnError, Close and TestHooks values.
const (
	modeSingle = "single"
	modeKeyed  = "keyed"
)

// options are a directive's options, checked, with the positions of those that later
// checks may need to point at.
type options struct {
	constructor    string
	constructorPos token.Pos
	keyed          bool
	modePos        token.Pos
	cacheErrors    bool
	onErrorPos     token.Pos
	neverClose     bool
	getter         string
	manager        string
	instance       string
	testHooks      bool
	namePos        map[string]token.Pos // of getter, manager and instance values, by option key
}

// optionKeys lists the keys a directive accepts, in the order the error message lists them.
var optionKeys = []string{"constructor", "mode", "onerror", "close", "getter", "manager", "instance", "testhooks"}

// parseOptions checks the keys and values of a directive that starts at pos.
func parseOptions(comment string, pos token.Pos) (*options, []diagnostic) {
	opts, err := parseDirective(comment)
	if err != nil {
		se := err.(*syntaxError)
		return nil, []diagnostic{{pos + token.Pos(se.offset), se.msg}}
	}
	o := &options{testHooks: true, namePos: map[string]token.Pos{}}
	var diags []diagnostic
	bad := func(opt option, format string, args ...any) {
		diags = append(diags, diagnostic{pos + token.Pos(opt.valueOffset), fmt.Sprintf(format, args...)})
	}
	oneOf := func(opt option, values ...string) bool {
		for _, v := range values {
			if opt.value == v {
				return true
			}
		}
		bad(opt, "%s=%s: want %s", opt.key, opt.value, strings.Join(values, " or "))
		return false
	}
	for _, opt := range opts {
		switch opt.key {
		case "constructor":
			if checkIdent(opt, bad) {
				o.constructor = opt.value
				o.constructorPos = pos + token.Pos(opt.valueOffset)
			}
		case "mode":
			if oneOf(opt, modeSingle, modeKeyed) {
				o.keyed = opt.value == modeKeyed
				o.modePos = pos + token.Pos(opt.valueOffset)
			}
		case "onerror":
			if oneOf(opt, "retry", "cache") {
				o.cacheErrors = opt.value == "cache"
				o.onErrorPos = pos + token.Pos(opt.valueOffset)
			}
		case "close":
			if oneOf(opt, "auto", "never") {
				o.neverClose = opt.value == "never"
			}
		case "getter", "manager", "instance":
			if checkIdent(opt, bad) {
				switch opt.key {
				case "getter":
					o.getter = opt.value
				case "manager":
					o.manager = opt.value
				case "instance":
					o.instance = opt.value
				}
				o.namePos[opt.key] = pos + token.Pos(opt.valueOffset)
			}
		case "testhooks":
			if oneOf(opt, "on", "off") {
				o.testHooks = opt.value == "on"
			}
		case "iface":
			bad(opt, "iface= is not supported yet")
		default:
			diags = append(diags, diagnostic{pos + token.Pos(opt.keyOffset),
				fmt.Sprintf("unknown option %s (want one of %s)", opt.key, strings.Join(optionKeys, ", "))})
		}
	}
	if len(diags) > 0 {
		return nil, diags
	}
	return o, nil
}

// checkIdent reports whether an option's value is a Go identifier that can be declared.
func checkIdent(opt option, bad func(option, string, ...any)) bool {
	if !token.IsIdentifier(opt.value) || opt.value == "_" {
		bad(opt, "%s=%s: want a Go identifier", opt.key, opt.value)
		return false
	}
	return true
}
