package generator

import (
	"bytes"
	"flag"
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

// Each archive in testdata/golden is one package: its files, and either the generated
// file it must produce (singleton_gen.go.want) or the errors it must report
// (errors.want). Every generated file is then compiled and vetted, in one module whose
// go.mod says go 1.22, and its argument-free accessors must inline.
const (
	wantOutput = "singleton_gen.go.want"
	wantErrors = "errors.want"
	goldenMod  = "example.com/golden"
)

func TestGolden(t *testing.T) {
	archives, err := filepath.Glob("../testdata/golden/*.txtar")
	if err != nil || len(archives) == 0 {
		t.Fatalf("no golden archives: %v", err)
	}
	module := t.TempDir()
	writeFile(t, filepath.Join(module, "go.mod"), "module "+goldenMod+"\n\ngo 1.22\n")
	generated := 0
	for _, name := range archives {
		ar, err := txtar.ParseFile(name)
		if err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(module, strings.TrimSuffix(filepath.Base(name), ".txtar"))
		t.Run(filepath.Base(dir), func(t *testing.T) {
			var want *txtar.File
			for i, f := range ar.Files {
				switch f.Name {
				case wantOutput, wantErrors:
					want = &ar.Files[i]
				default:
					writeFile(t, filepath.Join(dir, f.Name), string(f.Data))
				}
			}
			got, ok := generate(t, dir)
			if ok {
				generated++
			}
			gotName := wantErrors
			if ok {
				gotName = wantOutput
			}
			if *update {
				if want == nil {
					ar.Files = append(ar.Files, txtar.File{})
					want = &ar.Files[len(ar.Files)-1]
				}
				want.Name, want.Data = gotName, got
				if err := os.WriteFile(name, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if want == nil {
				t.Fatalf("%s has neither %s nor %s; run go test ./generator -update", name, wantOutput, wantErrors)
			}
			if want.Name != gotName || !bytes.Equal(want.Data, got) {
				t.Errorf("%s differs from what singletongen produces (go test ./generator -update rewrites it):\n%s",
					want.Name, diff.Diff("want/"+want.Name, want.Data, "got/"+gotName, got))
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

var (
	argumentFreeFunc   = regexp.MustCompile(`(?m)^func (\w+)\(\) (\*\w+|\(\*\w+, error\)) \{`)
	argumentFreeMethod = regexp.MustCompile(`(?m)^func \(m \*(\w+)\) Get\(\) (\*\w+|\(\*\w+, error\)) \{`)
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
