package generator

import (
	"go/parser"
	"go/token"
	"testing"
)

func TestBuildConstraint(t *testing.T) {
	for _, tt := range []struct{ name, src, want string }{
		{"a.go", "package p", ""},
		{"a_linux.go", "package p", "linux"},
		{"a_arm64.go", "package p", "arm64"},
		{"a_linux_arm64.go", "package p", "linux && arm64"},
		{"linux.go", "package p", ""},
		{"a_unix.go", "package p", ""},
		{"a.go", "//go:build foo || bar\n\npackage p", "foo || bar"},
		{"a_windows.go", "// Copyright\n\n//go:build !race\n\npackage p", "windows && !race"},
		{"a.go", "package p\n\n//go:build late\n", ""},
	} {
		f, err := parser.ParseFile(token.NewFileSet(), tt.name, tt.src, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		if got := buildConstraint(tt.name, f); got != tt.want {
			t.Errorf("buildConstraint(%s, %q) = %q, want %q", tt.name, tt.src, got, tt.want)
		}
	}
}
