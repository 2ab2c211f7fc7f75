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

// exportedLike spells prefix+name+suffix exported when like is exported, unexported
// otherwise: ("Client", "get", "Client", "") -> GetClient; ("client", "get", "client", "")
// -> getClient.
func exportedLike(like, prefix, name, suffix string) string {
	if token.IsExported(like) {
		return upperFirst(prefix) + upperFirst(name) + suffix
	}
	return lowerFirst(prefix) + upperFirst(name) + suffix
}

// Names names everything generated for type typeName, as its options say.
func Names(typeName string, o *Options) model.Names {
	n := model.Names{
		Manager: o.Manager,
		Getter:  o.Getter,
	}
	if n.Manager == "" {
		n.Manager = typeName + "Manager"
	}
	n.NewManager = exportedLike(n.Manager, "new", n.Manager, "")
	n.Instance = o.Instance
	if n.Instance == "" {
		n.Instance = exportedLike(n.Manager, "get", n.Manager, "")
	}
	if n.Getter == "" {
		n.Getter = exportedLike(typeName, "get", typeName, "")
	}
	n.MustGetter = exportedLike(n.Getter, "must", n.Getter, "")
	n.SetForTest = exportedLike(typeName, "set", typeName, "ForTest")
	n.ResetForTest = exportedLike(typeName, "reset", typeName, "ForTest")
	n.Conflict = exportedLike(typeName, "err", typeName, "Conflict")

	lower := lowerFirst(typeName)
	n.Args = lower + "Args"
	n.State = lower + "State"
	n.Build = lower + "Build"
	n.BuildKey = lower + "BuildKey"
	n.Index = lower + "Index"
	n.Default = "default" + upperFirst(n.Manager)
	n.TestHook = "install" + upperFirst(typeName) + "ForTest"
	return n
}

// Constructor returns the name of the constructor of type typeName: the one the
// directive names (explicit), else New<T> or new<T>, after the type's exportedness, which
// the package may or may not declare.
func Constructor(typeName string, o *Options) (name string, explicit bool) {
	if o.Constructor != "" {
		return o.Constructor, true
	}
	return exportedLike(typeName, "new", typeName, ""), false
}
