package directive

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestMisspelled(t *testing.T) {
	tests := []struct {
		comment string
		want    string // the message, or "" when the comment is not a misspelling
	}{
		{"// singleton:generate", "// singleton:generate is not read as a directive: write //singleton:generate, with no space after //"},
		{"//  singleton:generate mode=keyed", "//  singleton:generate is not read as a directive: write //singleton:generate, with no space after //"},
		{"//Singleton:generate", "//Singleton:generate is not read as a directive: write //singleton:generate, in lower case"},
		{"//SINGLETON:GENERATE mode=keyed", "//SINGLETON:GENERATE is not read as a directive: write //singleton:generate, in lower case"},
		{"// Singleton:Generate", "// Singleton:Generate is not read as a directive: write //singleton:generate, in lower case and with no space after //"},
		{"// singleton:generated", "// singleton:generated is not read as a directive: write //singleton:generate, with no space after //"},
		{"// singleton:generate mode=keyed lazy", "// singleton:generate is not read as a directive: write //singleton:generate, with no space after //"},
		{"// singleton:generate // the client", "// singleton:generate is not read as a directive: write //singleton:generate, with no space after //"},
		{"/* singleton:generate */", "/* singleton:generate */ is not read as a directive: write //singleton:generate, a line comment"},
		{"/*singleton:generate*/", "/*singleton:generate*/ is not read as a directive: write //singleton:generate, a line comment"},
		{"/* singleton:generate mode=keyed */", "/* singleton:generate ... */ is not read as a directive: write //singleton:generate, a line comment"},
		{"/*singleton:generate mode=keyed*/", "/* singleton:generate ... */ is not read as a directive: write //singleton:generate, a line comment"},
		{"/*\n\tSingleton:generate\n*/", "/* Singleton:generate ... */ is not read as a directive: write //singleton:generate, a line comment and in lower case"},

		// The directive: Parse reports its mistakes.
		{"//singleton:generate", ""},
		{"//singleton:generate mode=keyed", ""},
		{"//singleton:generated", ""},
		{"//singleton:Generate", ""},
		// Prose that mentions the directive mid-line, as package docs do.
		{"// Package p holds types annotated with //singleton:generate.", ""},
		{"// annotated with singleton:generate", ""},
		// Prose that a line break made start with the directive.
		{"// singleton:generate. It is the loader's filter", ""},
		{"// singleton:generate is the directive", ""},
		{"// singleton:generate, with options", ""},
		{"/* singleton:generate\nis the directive */", ""},
		// Code blocks of doc comments that quote the directive.
		{"//\t//singleton:generate", ""},
		{"//     //singleton:generate mode=keyed", ""},
		{"//\t// singleton:generate", ""},
		// Other comments.
		{"//", ""},
		{"/**/", ""},
		{"// singleton:gen", ""},
		{"// singleton:", ""},
		{"//go:generate singletongen", ""},
		{"// \u212aingleton:generate", ""}, // a Kelvin sign, which strings.EqualFold takes for a k
	}
	for _, tt := range tests {
		got, ok := Misspelled(tt.comment)
		if ok != (tt.want != "") || got != tt.want {
			t.Errorf("Misspelled(%q) = %q, %v; want %q, %v", tt.comment, got, ok, tt.want, tt.want != "")
		}
	}
}

func TestMayHold(t *testing.T) {
	for _, src := range []string{
		"package p\n\n//singleton:generate\ntype T struct{}\n",
		"package p\n\n//singleton:gen\ntype T struct{}\n",
		"package p\n\n// SINGLETON:GENERATE\ntype T struct{}\n",
		"package p\n\n/* Singleton:generate */\ntype T struct{}\n",
		"singleton:generate",
		"//singleton:",
	} {
		if !MayHold([]byte(src)) {
			t.Errorf("MayHold(%q) = false, want true", src)
		}
	}
	for _, src := range []string{
		"",
		":",
		"package p\n\nvar m = map[string]int{\"singleton\": 1}\n",
		"package p\n\n// a singleton: one instance\nfunc f() { x := 1; _ = x }\n",
		"singleton:generat",
		"/singleton:",
	} {
		if MayHold([]byte(src)) {
			t.Errorf("MayHold(%q) = true, want false", src)
		}
	}
}

// FuzzMisspelled checks that Misspelled never panics, never takes the directive for a
// misspelling, and that MayHold, the loader's filter, keeps every file in which Is or
// Misspelled finds something.
func FuzzMisspelled(f *testing.F) {
	for _, seed := range []string{
		"// singleton:generate",
		"//SINGLETON:GENERATE mode=keyed",
		"/* singleton:generate */",
		"/*\nsingleton:generate",
		"//singleton:generate",
		"//\t//singleton:generate",
		"// \u212aingleton:generate",
		"//*singleton:generate",
		"/*",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, comment string) {
		msg, ok := Misspelled(comment)
		if ok && (Is(comment) || !strings.Contains(msg, " is not read as a directive: write "+Name+", ")) {
			t.Errorf("Misspelled(%q) = %q, true", comment, msg)
		}
		if !ok && msg != "" {
			t.Errorf("Misspelled(%q) = %q, false", comment, msg)
		}
		if _, ok := Misspelled(Name + comment); ok {
			t.Errorf("Misspelled(%q) = true for the directive", Name+comment)
		}
		if (ok || Is(comment)) && !MayHold([]byte("package p\n"+comment+"\n")) {
			t.Errorf("MayHold misses %q", comment)
		}
	})
}

// BenchmarkMayHold measures the filter against a search for the exact prefix, over the
// Go files of the standard library's go/types: the loader runs it on every file of
// every package listed.
func BenchmarkMayHold(b *testing.B) {
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		b.Skip("no go command:", err)
	}
	names, _ := filepath.Glob(filepath.Join(strings.TrimSpace(string(goroot)), "src", "go", "types", "*.go"))
	var files [][]byte
	size := 0
	for _, name := range names {
		src, err := os.ReadFile(name)
		if err != nil {
			b.Fatal(err)
		}
		files = append(files, src)
		size += len(src)
	}
	if len(files) == 0 {
		b.Skip("no sources of go/types in GOROOT")
	}
	b.Run("MayHold", func(b *testing.B) {
		b.SetBytes(int64(size))
		for b.Loop() {
			for _, src := range files {
				if MayHold(src) {
					b.Fatal("MayHold: true for go/types")
				}
			}
		}
	})
	b.Run("bytes.Contains", func(b *testing.B) {
		b.SetBytes(int64(size))
		for b.Loop() {
			for _, src := range files {
				if bytes.Contains(src, []byte(Prefix)) {
					b.Fatal("bytes.Contains: true for go/types")
				}
			}
		}
	})
}
