package generator

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// store is a package with directives whose own code calls what singletongen generates
// for it, so that the go command cannot build it before it is generated.
const store = `package store

//singleton:generate
type DB struct{}

func NewDB() (*DB, error) { return &DB{}, nil }

// Default is the shared DB.
func Default() *DB { return MustGetDB() }
`

// writeModule writes a module example.com/m of files, by path, into a new folder.
func writeModule(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "go.mod"), "module example.com/m\n\ngo 1.22\n")
	for name, content := range files {
		writeFile(t, filepath.Join(dir, name), content)
	}
	return dir
}

// A package between an annotated package and its annotated dependency, which calls
// the dependency's accessor, is type-checked from source too: on the first run, its
// export data cannot be built.
func TestDependencyThroughAnotherPackage(t *testing.T) {
	dir := writeModule(t, map[string]string{
		"store/store.go": store,
		"util/util.go": `package util

import "example.com/m/store"

func DB() (*store.DB, error) { return store.GetDB() }
`,
		"app/app.go": `package app

import (
	"example.com/m/store"
	"example.com/m/util"
)

//singleton:generate
type Service struct{ db *store.DB }

func NewService(db *store.DB) (*Service, error) {
	if _, err := util.DB(); err != nil {
		return nil, err
	}
	return &Service{db: db}, nil
}
`,
	})
	alone, err := Generate(Config{Dir: filepath.Join(dir, "app")})
	if err != nil {
		t.Fatal(err)
	}
	all, err := Generate(Config{Dir: dir, Patterns: []string{"./..."}})
	if err != nil {
		t.Fatal(err)
	}
	if len(alone) != 1 || alone[0].PkgPath != "example.com/m/app" {
		t.Fatalf("singletongen in app generated %d files, want app's only", len(alone))
	}
	if len(all) != 2 || all[0].PkgPath != "example.com/m/app" || all[1].PkgPath != "example.com/m/store" {
		t.Fatalf("singletongen ./... generated %d files, want app's and store's", len(all))
	}
	if !bytes.Equal(alone[0].Content, all[0].Content) {
		t.Errorf("app's generated file differs between a run in app and a run over ./...:\n%s", diffContent(alone[0].Content, all[0].Content))
	}
	if !bytes.Contains(all[0].Content, []byte("func GetService(db *store.DB) (*Service, error) {")) {
		t.Errorf("GetService is not generated with the parameter's type:\n%s", all[0].Content)
	}
}

// When a dependency cannot be generated, its errors say why, and the packages that
// import it are not checked: their calls of its accessors are not errors of theirs.
// A name that would be generated nowhere is still an error.
func TestDependencyErrors(t *testing.T) {
	const app = `package app

import "example.com/m/store"

//singleton:generate
type Service struct{ db *store.DB }

func NewService() (*Service, error) {
	db, err := store.GetDB()
	return &Service{db: db}, err
}
`
	for _, c := range []struct {
		name         string
		store, app   string
		wantInApp    string // the errors of a run in app
		wantInModule string // of a run over ./...
	}{{
		name:         "dependency with a bad option",
		store:        strings.Replace(store, "//singleton:generate", "//singleton:generate mode=bogus", 1),
		app:          app,
		wantInApp:    "store/store.go:3:27: mode=bogus: want single or keyed",
		wantInModule: "store/store.go:3:27: mode=bogus: want single or keyed",
	}, {
		name:         "misspelt accessor",
		store:        store,
		app:          strings.Replace(app, "store.GetDB()", "store.GetDBB()", 1),
		wantInApp:    "app.go:9:19: undefined: store.GetDBB",
		wantInModule: "app/app.go:9:19: undefined: store.GetDBB",
	}} {
		t.Run(c.name, func(t *testing.T) {
			dir := writeModule(t, map[string]string{"store/store.go": c.store, "app/app.go": c.app})
			_, err := Generate(Config{Dir: filepath.Join(dir, "app")})
			checkDiagnostics(t, err, c.wantInApp, dir)
			_, err = Generate(Config{Dir: dir, Patterns: []string{"./..."}})
			checkDiagnostics(t, err, c.wantInModule, dir)
		})
	}
}

// checkDiagnostics checks that err is the diagnostics want, leaving out dir, the
// module's folder, where the positions of files outside the run's folder spell it.
func checkDiagnostics(t *testing.T, err error, want, dir string) {
	t.Helper()
	var diags Diagnostics
	if !errors.As(err, &diags) {
		t.Fatalf("got %v, want diagnostics", err)
	}
	if got := strings.ReplaceAll(diags.Error(), dir+string(filepath.Separator), ""); got != want {
		t.Errorf("got errors:\n%s\nwant:\n%s", got, want)
	}
}

func diffContent(a, b []byte) string {
	return string(Result{Previous: a, Content: b}.Diff("singleton_gen.go"))
}
