// Package directive reads //singleton:generate comments: their syntax, their options,
// and the names singletongen derives from them for the annotated type. The generator
// and the singletoncheck analyzer share it, so that both agree on what a directive says.
package directive

import (
	"fmt"
	"go/ast"
	"go/token"
	"strconv"
	"strings"
	"time"
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
		comma := strings.IndexByte(value, ',')
		switch {
		case strings.HasPrefix(field.text, "//") || strings.HasPrefix(field.text, "/*"):
			return nil, &Error{start, "a directive line takes no comment: put the comment on a line of its own"}
		case comma >= 0:
			return nil, &Error{start + len(key) + 1 + comma, fmt.Sprintf("options are separated by spaces, not commas: %s", strings.ReplaceAll(field.text, ",", " "))}
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

// Options are a directive's options, checked, with the offsets of their values in its
// comment for the later checks that need to point at them.
type Options struct {
	Constructor string // constructor=; "" for the default
	Keyed       bool   // mode=keyed
	CacheErrors bool   // onerror=cache
	NeverClose  bool   // close=never
	CloseMethod string // close=METHOD; "" for close=auto and close=never
	Getter      string // getter=; "" for the default
	Manager     string // manager=; "" for the default
	Instance    string // instance=; "" for the default
	Iface       string // iface=; "" for none
	TestHooks   bool   // testhooks=on, the default
	Name        string // name=; "" for the default stem
	Max         int    // max=; 0 for no bound
	Idle        time.Duration
	Global      bool // global=on, the default
	Lifecycle   bool // lifecycle=on

	offsets map[string]int // of the values of the options given, by key
}

// Given reports whether the directive gives option key.
func (o *Options) Given(key string) bool {
	_, ok := o.offsets[key]
	return ok
}

// Offset returns the offset in the comment of the value of option key, which the
// directive gives.
func (o *Options) Offset(key string) int { return o.offsets[key] }

// Keys lists the keys a directive accepts, in the order the error message lists them.
var Keys = []string{"constructor", "mode", "onerror", "close", "getter", "manager", "instance", "iface", "testhooks",
	"name", "max", "idle", "global", "lifecycle"}

// Usage describes each option in a line, for the command's help.
var Usage = []string{
	"constructor=F        the function that builds the instance (default New<T>, else new(T))",
	"mode=single|keyed    one instance, or one per distinct tuple of constructor arguments",
	"onerror=retry|cache  a failed build is retried by the next call, or kept until Reset",
	"close=auto|never|M   on Reset, Delete, eviction: call Close (auto), nothing, or method M",
	"getter=NAME          the package-level accessor (default Get<T>)",
	"manager=NAME         the manager type (default <T>Manager)",
	"instance=NAME        the accessor of the process-wide manager (default Get<T>Manager)",
	"iface=NAME           store and return an interface of the instance's exported methods",
	"testhooks=on|off     Set<T>ForTest and Reset<T>ForTest (default on)",
	"name=STEM            the stem of every generated name (default: the type's name, or the",
	"                     function's without New)",
	"max=N                keyed: hold at most N instances, evicting the least recently used",
	"idle=DURATION        keyed: drop an instance no Get returned for that long (e.g. 10m)",
	"global=on|off        the process-wide manager, package-level accessors and hooks (default on)",
	"lifecycle=on|off     register with package lifecycle for ordered shutdown (default off)",
}

// ParseOptions checks the keys and values of a directive, and reports every mistake.
func ParseOptions(comment string) (*Options, []*Error) {
	opts, err := Parse(comment)
	if err != nil {
		return nil, []*Error{err.(*Error)}
	}
	o := &Options{TestHooks: true, Global: true, offsets: map[string]int{}}
	var errs []*Error
	for _, opt := range opts {
		set, ok := setters[opt.Key]
		if !ok {
			errs = append(errs, &Error{opt.KeyOffset,
				fmt.Sprintf("unknown option %s (want one of %s)", opt.Key, strings.Join(Keys, ", "))})
			continue
		}
		if msg := set(o, opt.Value); msg != "" {
			errs = append(errs, &Error{opt.ValueOffset, fmt.Sprintf("%s=%s: %s", opt.Key, opt.Value, msg)})
			continue
		}
		o.offsets[opt.Key] = opt.ValueOffset
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return o, nil
}

// setters check the value of each option and record it in Options; they return what
// is wrong with a value, or "".
var setters = map[string]func(o *Options, value string) string{
	"constructor": func(o *Options, v string) string { return ident(v, &o.Constructor) },
	"mode":        func(o *Options, v string) string { return oneOf(v, &o.Keyed, "keyed", "single", "keyed") },
	"onerror":     func(o *Options, v string) string { return oneOf(v, &o.CacheErrors, "cache", "retry", "cache") },
	"close": func(o *Options, v string) string {
		switch v {
		case "auto":
			return ""
		case "never":
			o.NeverClose = true
			return ""
		}
		if !token.IsIdentifier(v) || v == "_" {
			return "want auto, never, or the name of a method"
		}
		o.CloseMethod = v
		return ""
	},
	"getter":    func(o *Options, v string) string { return ident(v, &o.Getter) },
	"manager":   func(o *Options, v string) string { return ident(v, &o.Manager) },
	"instance":  func(o *Options, v string) string { return ident(v, &o.Instance) },
	"iface":     func(o *Options, v string) string { return ident(v, &o.Iface) },
	"testhooks": func(o *Options, v string) string { return oneOf(v, &o.TestHooks, "on", "on", "off") },
	"name":      func(o *Options, v string) string { return ident(v, &o.Name) },
	"max": func(o *Options, v string) string {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return "want a whole number of instances, at least 1"
		}
		o.Max = n
		return ""
	},
	"idle": func(o *Options, v string) string {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return "want a positive duration with its unit, such as 30s or 10m"
		}
		o.Idle = d
		return ""
	},
	"global":    func(o *Options, v string) string { return oneOf(v, &o.Global, "on", "on", "off") },
	"lifecycle": func(o *Options, v string) string { return oneOf(v, &o.Lifecycle, "on", "on", "off") },
}

// ident sets *name to v, a Go identifier.
func ident(v string, name *string) string {
	if !token.IsIdentifier(v) || v == "_" {
		return "want a Go identifier"
	}
	*name = v
	return ""
}

// oneOf sets *flag to whether v is yes; v must be one of values, two of them.
func oneOf(v string, flag *bool, yes string, values ...string) string {
	for _, value := range values {
		if v == value {
			*flag = v == yes
			return ""
		}
	}
	return "want " + strings.Join(values, " or ")
}
