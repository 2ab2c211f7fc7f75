package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

// TestBadInput runs the command on bad input, one case per archive section of
// testdata/bad.txtar: each must exit with status 1, print exactly the expected
// errors, and change nothing on disk.
//
// A case is a section named "case NAME" holding an archive of its own: the files of a
// module (a go.mod is added when absent; an empty one is left out, for a case outside
// any module), "args" (one per line, default none), and "stderr".
func TestBadInput(t *testing.T) {
	all, err := txtar.ParseFile("testdata/bad.txtar")
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Files) < 25 {
		t.Fatalf("%d cases, want at least 25", len(all.Files))
	}
	for _, c := range all.Files {
		name, ok := strings.CutPrefix(c.Name, "case ")
		if !ok {
			t.Fatalf("section %q is not a case", c.Name)
		}
		t.Run(name, func(t *testing.T) {
			ar := txtar.Parse(bytes.ReplaceAll(append([]byte("\n"), c.Data...), []byte("\n>-- "), []byte("\n-- ")))
			dir := t.TempDir()
			var args []string
			var want string
			hasMod := false
			for _, f := range ar.Files {
				switch f.Name {
				case "args":
					args = strings.Fields(string(f.Data))
				case "stderr":
					want = string(f.Data)
				case "go.mod":
					hasMod = true
					if len(f.Data) > 0 {
						write(t, filepath.Join(dir, f.Name), f.Data)
					}
				default:
					write(t, filepath.Join(dir, f.Name), f.Data)
				}
			}
			if !hasMod {
				write(t, filepath.Join(dir, "go.mod"), []byte("module example.com/bad\n\ngo 1.22\n"))
			}
			if want == "" {
				t.Fatal("the case has no stderr section")
			}
			before := snapshot(t, dir)
			t.Chdir(dir)
			var stdout, stderr bytes.Buffer
			status := run(args, &stdout, &stderr)
			if status != 1 || stderr.String() != want || stdout.Len() > 0 {
				t.Errorf("singletongen %s: status %d, stdout %q, stderr:\n%s\nwant status 1 and stderr:\n%s",
					strings.Join(args, " "), status, stdout.String(), stderr.String(), want)
			}
			if after := snapshot(t, dir); after != before {
				t.Errorf("the run changed the folder:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
}

func write(t *testing.T, name string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// snapshot describes everything under dir: names, kinds, sizes, modes, modification
// times and contents.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		fmt.Fprintf(&b, "%s %v %d %v", rel, info.Mode(), info.Size(), info.ModTime().UnixNano())
		if d.Type().IsRegular() {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, " %x", sha256.Sum256(data))
		}
		b.WriteByte('\n')
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}
