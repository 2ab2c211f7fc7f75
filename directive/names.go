package directive

import (
	"go/token"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/singletongen/singletongen/model"
)

// initialisms are the words Go spells in one case throughout (HTTPClient, userID), as
// the Go wiki's CodeReviewComments lists them.
var initialisms = map[string]bool{
	"ACL": true, "API": true, "ASCII": true, "CPU": true, "CSS": true, "DB": true, "DNS": true,
	"EOF": true, "GRPC": true, "GUID": true, "HTML": true, "HTTP": true, "HTTPS": true, "ID": true,
	"IP": true, "JSON": true, "LHS": true, "QPS": true, "RAM": true, "RHS": true, "RPC": true,
	"SDK": true, "SLA": true, "SMTP": true, "SQL": true, "SSH": true, "TCP": true, "TLS": true,
	"TTL": true, "UDP": true, "UI": true, "UID": true, "URI": true, "URL": true, "UTF8": true,
	"UUID": true, "VM": true, "XML": true, "XMPP": true, "XSRF": true, "XSS": true,
}

// lowerFirst returns name with its first word in lower case, keeping Go's spelling of
// initialisms: Client -> client, HTTPClient -> httpClient, ID -> id.
func lowerFirst(name string) string {
	runes := []rune(name)
	upper := 0
	for upper < len(runes) && unicode.IsUpper(runes[upper]) {
		upper++
	}
	switch {
	case upper == 0:
		return name
	case upper == 1 || upper == len(runes):
		// Client -> client; HTTP -> http.
	case unicode.IsLower(runes[upper]):
		// HTTPClient: the last capital starts the next word.
		upper--
	}
	return strings.ToLower(string(runes[:upper])) + string(runes[upper:])
}

// upperFirst returns name with its first word capitalised, spelling a known initialism in
// capitals: client -> Client, httpClient -> HTTPClient, id -> ID.
func upperFirst(name string) string {
	end := len(name)
	for i, r := range name {
		if i > 0 && !unicode.IsLower(r) {
			end = i
			break
		}
	}
	if word := strings.ToUpper(name[:end]); initialisms[word] {
		return word + name[end:]
	}
	r, size := utf8.DecodeRuneInString(name)
	return string(unicode.ToUpper(r)) + name[size:]
}

// spell writes prefix+name+suffix exported or not: (true, "get", "client", "") ->
// GetClient; (false, "get", "HTTPClient", "") -> getHTTPClient; (false, "", "DB",
// "Manager") -> dbManager.
func spell(exported bool, prefix, name, suffix string) string {
	switch {
	case prefix != "":
		name = upperFirst(name)
	case exported:
		return upperFirst(name) + suffix
	default:
		return lowerFirst(name) + suffix
	}
	if exported {
		return upperFirst(prefix) + name + suffix
	}
	return lowerFirst(prefix) + name + suffix
}

// Stem returns the stem of the names generated for declaration decl, a type or (isFunc)
// a function, and whether they are exported: the name= option, else the type's name,
// else the function's name without its New or new. Exportedness follows the
// declaration. ok is false for a function whose name is not New or new followed by an
// upper-case letter, and which has no name=.
func Stem(decl string, isFunc bool, o *Options) (stem string, exported, ok bool) {
	exported = token.IsExported(decl)
	switch {
	case o.Name != "":
		return o.Name, exported, true
	case !isFunc:
		return decl, exported, true
	}
	for _, prefix := range []string{"New", "new"} {
		if rest, found := strings.CutPrefix(decl, prefix); found {
			if r, _ := utf8.DecodeRuneInString(rest); unicode.IsUpper(r) {
				return rest, exported, true
			}
		}
	}
	return "", exported, false
}

// SameStem reports whether the names generated for stems a and b collide whatever the
// options: the stems are equal but for the case of their first word (Client and
// client, HTTPClient and httpClient), which only the exportedness of some names
// follows, and the unexported ones derive from it in lower case.
func SameStem(a, b string) bool {
	return lowerFirst(a) == lowerFirst(b)
}

// Names names everything generated for the singleton of stem, exported or not, as its
// options say. Names derived from one that an option gives follow that name's
// exportedness: manager=Pool gives NewPool and GetPool.
func Names(stem string, exported bool, o *Options) model.Names {
	n := model.Names{Manager: o.Manager, Getter: o.Getter, Instance: o.Instance}
	if n.Manager == "" {
		n.Manager = spell(exported, "", stem, "Manager")
	}
	managerExported := token.IsExported(n.Manager)
	n.NewManager = spell(managerExported, "new", n.Manager, "")
	if n.Instance == "" {
		n.Instance = spell(managerExported, "get", n.Manager, "")
	}
	if n.Getter == "" {
		n.Getter = spell(exported, "get", stem, "")
	}
	n.MustGetter = spell(token.IsExported(n.Getter), "must", n.Getter, "")
	n.SetForTest = spell(exported, "set", stem, "ForTest")
	n.ResetForTest = spell(exported, "reset", stem, "ForTest")
	n.Conflict = spell(exported, "err", stem, "Conflict")

	lower := lowerFirst(stem)
	n.Args = lower + "Args"
	n.State = lower + "State"
	n.Index = lower + "Index"
	n.Spec = lower + "Spec"
	n.Default = "default" + upperFirst(n.Manager)
	return n
}

// Constructor returns the name of the constructor of type typeName: the one the
// directive names (explicit), else New<T> or new<T>, after the type's exportedness, which
// the package may or may not declare.
func Constructor(typeName string, o *Options) (name string, explicit bool) {
	if o.Constructor != "" {
		return o.Constructor, true
	}
	return spell(token.IsExported(typeName), "new", typeName, ""), false
}
