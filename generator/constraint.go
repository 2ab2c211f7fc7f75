package generator

import (
	"go/ast"
	"go/build/constraint"
	"path/filepath"
	"strings"
)

// The GOOS and GOARCH values that a file name can end with (x_linux.go, x_arm64.go,
// x_linux_arm64.go), as the go command knows them.
var (
	knownOS   = words("aix android darwin dragonfly freebsd hurd illumos ios js linux nacl netbsd openbsd plan9 solaris wasip1 windows zos")
	knownArch = words("386 amd64 amd64p32 arm armbe arm64 arm64be loong64 mips mipsle mips64 mips64le mips64p32 mips64p32le " +
		"ppc ppc64 ppc64le riscv riscv64 s390 s390x sparc sparc64 wasm")
)

func words(s string) map[string]bool {
	set := map[string]bool{}
	for _, w := range strings.Fields(s) {
		set[w] = true
	}
	return set
}

// buildConstraint returns the build constraint of a file, from its //go:build line and
// its name, as the expression a generated file repeats; "" when it has none.
func buildConstraint(filename string, f *ast.File) string {
	var exprs []constraint.Expr
	if tags := nameTags(filename); len(tags) > 0 {
		for _, tag := range tags {
			exprs = append(exprs, &constraint.TagExpr{Tag: tag})
		}
	}
	for _, group := range f.Comments {
		if group.Pos() >= f.Package {
			break
		}
		for _, c := range group.List {
			if constraint.IsGoBuild(c.Text) {
				if x, err := constraint.Parse(c.Text); err == nil {
					exprs = append(exprs, x)
				}
			}
		}
	}
	if len(exprs) == 0 {
		return ""
	}
	x := exprs[0]
	for _, y := range exprs[1:] {
		x = &constraint.AndExpr{X: x, Y: y}
	}
	return x.String()
}

// nameTags returns the GOOS and GOARCH that a file's name restricts it to, as the go
// command reads them: x_GOOS.go, x_GOARCH.go, x_GOOS_GOARCH.go (and the same before
// _test.go).
func nameTags(filename string) []string {
	name := strings.TrimSuffix(filepath.Base(filename), ".go")
	name = strings.TrimSuffix(name, "_test")
	i := strings.Index(name, "_")
	if i < 0 {
		return nil
	}
	parts := strings.Split(name[i:], "_")
	n := len(parts)
	switch {
	case n >= 2 && knownOS[parts[n-2]] && knownArch[parts[n-1]]:
		return []string{parts[n-2], parts[n-1]}
	case n >= 1 && (knownOS[parts[n-1]] || knownArch[parts[n-1]]):
		return []string{parts[n-1]}
	}
	return nil
}
