package generator

import (
	"bytes"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/diff"
	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// Each archive in testdata/golden is one package: its files, and what it must produce.
// That is the whole generated file (singleton_gen.go.want) for a few representative
// cases; the declarations a case is about, each extracted by name from the generated
// file (decl:GetClient, decl:(*ClientManager).Get, decl:clientSpec, decl:import) for
// the others, so that an emitter change rewrites only the goldens about it; or the
// errors it must report (errors.want). A file "absent" lists, one per line, names the
// generated file must not declare. Files under mod/ are other modules (mod/<dir>/go.mod
// and their packages), which the golden module requires through a replace: types that
// the package does not own. Every generated file is then compiled and vetted, in one
// module whose go.mod says go 1.22, and its argument-free accessors must inline.
const (
	wantOutput = "singleton_gen.go.want"
	wantErrors = "errors.want"
	declPrefix = "decl:"
	absent     = "absent"
	goldenMod  = "example.com/golden"
)

func TestGolden(t *testing.T) {
	archives, err := filepath.Glob("../testdata/golden/*.txtar")
	if err != nil || len(archives) == 0 {
		t.Fatalf("no golden archives: %v", err)
	}
	root := t.TempDir()
	module := filepath.Join(root, "golden")
	parsed := map[string]*txtar.Archive{}
	lifecycle, err := filepath.Abs("../lifecycle")
	if err != nil {
		t.Fatal(err)
	}
	// Generated files import package lifecycle with lifecycle=on: this checkout's.
	goMod := "module " + goldenMod + "\n\ngo 1.22\n\nrequire github.com/singletongen/singletongen/lifecycle v0.0.0\n\nreplace github.com/singletongen/singletongen/lifecycle => " + lifecycle + "\n"
	for _, name := range archives {
		ar, err := txtar.ParseFile(name)
		if err != nil {
			t.Fatal(err)
		}
		parsed[name] = ar
		for _, f := range ar.Files {
			if rel, ok := strings.CutPrefix(f.Name, "mod/"); ok {
				path := filepath.Join(root, "mod", rel)
				writeFile(t, path, string(f.Data))
				if filepath.Base(rel) == "go.mod" {
					dep := strings.TrimSpace(strings.TrimPrefix(strings.SplitN(string(f.Data), "\n", 2)[0], "module"))
					goMod += fmt.Sprintf("\nrequire %s v0.0.0\n\nreplace %s => %s\n", dep, dep, filepath.Dir(path))
				}
			}
		}
	}
	writeFile(t, filepath.Join(module, "go.mod"), goMod)
	generated := 0
	for _, name := range archives {
		ar := parsed[name]
		dir := filepath.Join(module, strings.TrimSuffix(filepath.Base(name), ".txtar"))
		t.Run(filepath.Base(dir), func(t *testing.T) {
			wants := map[string]*txtar.File{} // by name: what the case must produce
			for i, f := range ar.Files {
				switch {
				case f.Name == wantOutput || f.Name == wantErrors || f.Name == absent || strings.HasPrefix(f.Name, declPrefix):
					wants[f.Name] = &ar.Files[i]
				case strings.HasPrefix(f.Name, "mod/"):
				default:
					writeFile(t, filepath.Join(dir, f.Name), string(f.Data))
				}
			}
			got, ok := generate(t, dir)
			if ok {
				generated++
			}
			if checkGolden(t, name, wants, got, ok) && *update {
				if err := os.WriteFile(name, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
	if generated == 0 || t.Failed() {
		return
	}
	t.Run("generated files vet in a go 1.22 module", func(t *testing.T) {
		goCommand(t, module, "vet", "./...")
	})
	t.Run("accessors without arguments inline", func(t *testing.T) {
		checkInlining(t, module)
	})
}

// checkGolden compares what a case produced, got (the generated file when ok, else the
// errors), with wants, the archive's files of what it must produce. With -update it
// rewrites them instead, and reports whether the archive changed.
func checkGolden(t *testing.T, archive string, wants map[string]*txtar.File, got []byte, ok bool) (changed bool) {
	t.Helper()
	compare := func(want *txtar.File, got []byte) {
		if bytes.Equal(want.Data, got) {
			return
		}
		if *update {
			want.Data, changed = got, true
			return
		}
		t.Errorf("%s: %s differs from what singletongen produces (go test ./generator -update rewrites it):\n%s",
			archive, want.Name, diff.Diff("want/"+want.Name, want.Data, "got/"+want.Name, got))
	}
	if !ok {
		want := wants[wantErrors]
		if want == nil {
			t.Fatalf("%s: singletongen reported errors, and the archive has no %s:\n%s", archive, wantErrors, got)
		}
		compare(want, got)
		return changed
	}
	if want := wants[wantOutput]; want != nil {
		compare(want, got)
	}
	decls, err := declarations(got)
	if err != nil {
		t.Fatal(err)
	}
	asserted := wants[wantOutput] != nil
	for name, want := range wants {
		if name, ok := strings.CutPrefix(name, declPrefix); ok {
			asserted = true
			decl, found := decls[name]
			if !found {
				t.Errorf("%s: the generated file declares no %s", archive, name)
				continue
			}
			compare(want, decl)
		}
	}
	if want := wants[absent]; want != nil {
		for _, name := range strings.Fields(string(want.Data)) {
			if _, found := decls[name]; found {
				t.Errorf("%s: the generated file declares %s", archive, name)
			}
		}
	}
	if !asserted {
		t.Errorf("%s: the case generates a file, and the archive has neither %s nor %s sections", archive, wantOutput, declPrefix)
	}
	return changed
}

// declarations returns the text of each declaration of a generated file, its doc
// comment included, by name: GetClient, clientSpec, (*ClientManager).Get; "import" is
// the import declaration.
func declarations(src []byte) (map[string][]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	text := func(from, to token.Pos) []byte {
		return append(src[fset.Position(from).Offset:fset.Position(to).Offset:fset.Position(to).Offset], '\n')
	}
	decls := map[string][]byte{}
	for _, decl := range f.Decls {
		switch decl := decl.(type) {
		case *ast.FuncDecl:
			start := decl.Pos()
			if decl.Doc != nil {
				start = decl.Doc.Pos()
			}
			name := decl.Name.Name
			if decl.Recv != nil {
				name = "(" + types.ExprString(decl.Recv.List[0].Type) + ")." + name
			}
			decls[name] = text(start, decl.End())
		case *ast.GenDecl:
			start := decl.Pos()
			if decl.Doc != nil {
				start = decl.Doc.Pos()
			}
			if decl.Tok == token.IMPORT {
				decls["import"] = text(start, decl.End())
				continue
			}
			for _, spec := range decl.Specs {
				switch spec := spec.(type) {
				case *ast.TypeSpec:
					decls[spec.Name.Name] = text(start, decl.End())
				case *ast.ValueSpec:
					for _, id := range spec.Names {
						decls[id.Name] = text(start, decl.End())
					}
				}
			}
		}
	}
	return decls, nil
}

// generate runs the generator in dir. It returns the generated file and true, or the
// errors it reported and false; in either case dir holds what the command would leave:
// the generated file, or nothing new.
func generate(t *testing.T, dir string) ([]byte, bool) {
	t.Helper()
	before := listDir(t, dir)
	results, err := Generate(Config{Dir: dir})
	if err != nil {
		diags, ok := err.(Diagnostics)
		if !ok {
			t.Fatalf("Generate: %v", err)
		}
		if after := listDir(t, dir); after != before {
			t.Fatalf("Generate changed %s despite errors", dir)
		}
		// The package has errors: keep it out of the module that is vetted.
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		return []byte(diags.Error() + "\n"), false
	}
	if len(results) != 1 {
		t.Fatalf("Generate returned %d results, want 1", len(results))
	}
	again, err := Generate(Config{Dir: dir})
	if err != nil || !bytes.Equal(again[0].Content, results[0].Content) {
		t.Fatalf("a second run produced different output (%v)", err)
	}
	if err := Commit(results); err != nil {
		t.Fatal(err)
	}
	return results[0].Content, true
}

// The accessors without arguments, a context aside: the package-level ones (not their
// Must variants) and the managers' Get.
var (
	argumentFreeFunc   = regexp.MustCompile(`(?m)^func ((?:[^Mm]|[Mm][^u]|[Mm]u[^s])\w*)\((?:\w+ context\.Context)?\) (\*\w+|\(\*\w+, error\)) \{`)
	argumentFreeMethod = regexp.MustCompile(`(?m)^func \(m \*(\w+)\) Get\((?:\w+ context\.Context)?\) (\*\w+|\(\*\w+, error\)) \{`)
)

// checkInlining builds the module with -gcflags=-m and checks that the compiler inlines
// every accessor without arguments.
func checkInlining(t *testing.T, module string) {
	out := goCommand(t, module, "build", "-gcflags=-m", "./...")
	files, _ := filepath.Glob(filepath.Join(module, "*", DefaultOutput))
	checked := 0
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, m := range argumentFreeFunc.FindAllSubmatch(src, -1) {
			want = append(want, "can inline "+string(m[1]))
		}
		for _, m := range argumentFreeMethod.FindAllSubmatch(src, -1) {
			want = append(want, "can inline (*"+string(m[1])+").Get")
		}
		rel, _ := filepath.Rel(module, file)
		for _, w := range want {
			checked++
			if !regexp.MustCompile(`(?m)^(\./)?` + regexp.QuoteMeta(rel) + `:\d+:\d+: ` + regexp.QuoteMeta(w) + `$`).Match(out) {
				t.Errorf("%s: the compiler does not report %q", rel, w)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no accessor without arguments among the golden outputs")
	}
}

func goCommand(t *testing.T, dir string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func writeFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// listDir describes the files under dir, with their sizes and modification times.
func listDir(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		b.WriteString(path + " " + info.Mode().String() + " " + info.ModTime().String() + "\n")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}
