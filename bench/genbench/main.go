// Command genbench measures one singletongen run beside a bare go/packages load of the
// same package (the floor) and beside golang.org/x/tools/cmd/stringer, on a small package
// and on a large one (200 files), warm and right after an edit to one of the package's
// files; and singletongen ./... over 100 packages beside go generate ./... running it
// once per package. It prints the medians as Markdown tables.
//
// Run it through bench/run.sh, which builds the tools it times.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	runs := flag.Int("runs", 7, "timed runs of each command; the tables show medians")
	bin := flag.String("bin", "", "folder holding the singletongen, stringer and loadfloor binaries")
	write := flag.String("write", "", "only write the packages measured into this `folder`, to profile by hand")
	flag.Parse()
	if *write != "" {
		if err := writeWorkspace(*write); err != nil {
			fmt.Fprintln(os.Stderr, "genbench:", err)
			os.Exit(1)
		}
		return
	}
	if *bin == "" {
		fmt.Fprintln(os.Stderr, "genbench: -bin is required")
		os.Exit(2)
	}
	if err := run(*runs, *bin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "genbench:", err)
		os.Exit(1)
	}
}

// A sample is one timed run of a command.
type sample struct {
	wall  time.Duration
	maxKB int64 // peak resident memory of the command's own process, not of the go command it starts
}

func run(runs int, bin string, out io.Writer) error {
	work, err := os.MkdirTemp("", "genbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	if err := writeWorkspace(work); err != nil {
		return err
	}
	tool := func(name string) string { return filepath.Join(bin, name) }
	commands := []struct {
		label string
		argv  []string
	}{
		{"singletongen", []string{tool("singletongen")}},
		{"stringer -type=Color", []string{tool("stringer"), "-type=Color"}},
		{"go/packages load, stringer's mode (floor)", []string{tool("loadfloor"), "-mode=types", "."}},
		{"go/packages listing only", []string{tool("loadfloor"), "-mode=list", "."}},
	}

	fmt.Fprintf(out, "Medians of %d runs; peak memory is that of the command's own process (the go command it starts is not counted).\n\n", runs)
	fmt.Fprintln(out, "| package | state | command | wall time | ratio to stringer | peak memory |")
	fmt.Fprintln(out, "|---|---|---|---|---|---|")
	for _, pkg := range []string{"small", "large", "large-unannotated"} {
		dir := filepath.Join(work, pkg)
		for _, state := range []string{"warm", "after an edit"} {
			medians := map[string]sample{}
			for _, c := range commands {
				if pkg == "large-unannotated" && strings.HasPrefix(c.label, "stringer") {
					continue
				}
				var samples []sample
				if _, err := measure(dir, c.argv); err != nil { // prime caches and outputs
					return err
				}
				for i := range runs {
					if state == "after an edit" {
						if err := edit(filepath.Join(dir, "file100.go"), i); err != nil {
							return err
						}
					}
					s, err := measure(dir, c.argv)
					if err != nil {
						return err
					}
					samples = append(samples, s)
				}
				medians[c.label] = median(samples)
			}
			for _, c := range commands {
				m, ok := medians[c.label]
				if !ok {
					continue
				}
				ratio := "—"
				if s, ok := medians["stringer -type=Color"]; ok {
					ratio = fmt.Sprintf("%.2fx", m.wall.Seconds()/s.wall.Seconds())
				}
				fmt.Fprintf(out, "| %s | %s | %s | %s | %s | %d MB |\n", describe(pkg), state, c.label, round(m.wall), ratio, m.maxKB/1024)
			}
		}
	}

	// ./... over 100 packages in one run, beside go generate running one per package.
	hundred := filepath.Join(work, "hundred")
	clean := func() error {
		outputs, _ := filepath.Glob(filepath.Join(hundred, "*", "singleton_gen.go"))
		for _, o := range outputs {
			if err := os.Remove(o); err != nil {
				return err
			}
		}
		return nil
	}
	path := bin + string(os.PathListSeparator) + os.Getenv("PATH")
	var one, many []sample
	for range runs {
		if err := clean(); err != nil {
			return err
		}
		s, err := measure(hundred, []string{tool("singletongen"), "./..."})
		if err != nil {
			return err
		}
		one = append(one, s)
		if err := clean(); err != nil {
			return err
		}
		s, err = measureEnv(hundred, []string{"go", "generate", "./..."}, "PATH="+path)
		if err != nil {
			return err
		}
		many = append(many, s)
	}
	if outputs, _ := filepath.Glob(filepath.Join(hundred, "*", "singleton_gen.go")); len(outputs) != 100 {
		return fmt.Errorf("go generate wrote %d files, want 100", len(outputs))
	}
	o, m := median(one), median(many)
	fmt.Fprintln(out)
	fmt.Fprintln(out, "| 100 annotated packages | wall time | ratio |")
	fmt.Fprintln(out, "|---|---|---|")
	fmt.Fprintf(out, "| `singletongen ./...`, one run | %s | 1x |\n", round(o.wall))
	fmt.Fprintf(out, "| `go generate ./...`, one `singletongen` per package | %s | %.1fx |\n", round(m.wall), m.wall.Seconds()/o.wall.Seconds())
	return nil
}

func describe(pkg string) string {
	switch pkg {
	case "small":
		return "small (2 files)"
	case "large":
		return "large (200 files)"
	}
	return "large, no annotations"
}

func round(d time.Duration) string {
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(10 * time.Millisecond).String()
}

func median(samples []sample) sample {
	walls := make([]time.Duration, len(samples))
	mems := make([]int64, len(samples))
	for i, s := range samples {
		walls[i], mems[i] = s.wall, s.maxKB
	}
	slices.Sort(walls)
	slices.Sort(mems)
	return sample{walls[len(walls)/2], mems[len(mems)/2]}
}

func measure(dir string, argv []string) (sample, error) {
	return measureEnv(dir, argv)
}

func measureEnv(dir string, argv []string, env ...string) (sample, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return sample{}, fmt.Errorf("%s in %s: %v\n%s", strings.Join(argv, " "), dir, err, stderr.String())
	}
	s := sample{wall: time.Since(start)}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		s.maxKB = ru.Maxrss
	}
	return s, nil
}

// edit changes a file's content, as a user's edit does: the go command must compile the
// package again.
func edit(path string, n int) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(f, "\n// edit %d at %d\n", n, time.Now().UnixNano()); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeWorkspace writes the module that the commands run in.
func writeWorkspace(work string) error {
	files := map[string]string{
		"go.mod":         "module example.com/genbench\n\ngo 1.22\n",
		"small/color.go": annotated("small"),
	}
	for i := range 200 {
		name := fmt.Sprintf("file%03d.go", i)
		files["large/"+name] = filler("large", i)
		files["large-unannotated/"+name] = filler("unannotated", i)
	}
	files["large/file000.go"] = annotated("large")
	files["small/file100.go"] = filler("small", 100)
	for i := range 100 {
		pkg := fmt.Sprintf("p%03d", i)
		files["hundred/"+pkg+"/client.go"] = "package " + pkg + "\n\n//go:generate singletongen\n" + annotated("")[len("package x\n"):]
	}
	for name, content := range files {
		path := filepath.Join(work, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// annotated is a file with an annotated type and an enum for stringer.
func annotated(pkg string) string {
	if pkg == "" {
		pkg = "x"
	}
	return `package ` + pkg + `

import (
	"context"
	"net/http"
)

// Client is shared.
//
//singleton:generate
type Client struct {
	http *http.Client
	key  string
}

// NewClient builds a client.
func NewClient(ctx context.Context, apiKey string) (*Client, error) {
	return &Client{http: http.DefaultClient, key: apiKey}, ctx.Err()
}

// Color is an enum for stringer.
type Color int

// The colors.
const (
	Red Color = iota
	Green
	Blue
)
`
}

// filler is file i of a large package: about 250 lines of types, methods and functions
// that import a few packages, like a file of a real service.
func filler(pkg string, i int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "package %s\n\nimport (\n\t\"errors\"\n\t\"fmt\"\n\t\"sort\"\n\t\"strings\"\n)\n", pkg)
	for j := range 6 {
		fmt.Fprintf(&b, `
// Record%[1]d_%[2]d is a record.
type Record%[1]d_%[2]d struct {
	ID     int
	Name   string
	Tags   []string
	Score  float64
	Parent *Record%[1]d_%[2]d
}

// String formats the record.
func (r *Record%[1]d_%[2]d) String() string {
	return fmt.Sprintf("%%d %%s %%v", r.ID, r.Name, strings.Join(r.Tags, ","))
}

// Validate checks the record.
func (r *Record%[1]d_%[2]d) Validate() error {
	switch {
	case r.ID < 0:
		return fmt.Errorf("record %%d: negative id", r.ID)
	case strings.TrimSpace(r.Name) == "":
		return errors.New("record without a name")
	}
	for p, depth := r.Parent, 0; p != nil; p, depth = p.Parent, depth+1 {
		if depth > 100 || p == r {
			return errors.New("record in a cycle")
		}
	}
	return nil
}

// Sort%[1]d_%[2]d sorts records by score, then name.
func Sort%[1]d_%[2]d(rs []*Record%[1]d_%[2]d) {
	sort.Slice(rs, func(i, j int) bool {
		if rs[i].Score != rs[j].Score {
			return rs[i].Score > rs[j].Score
		}
		return rs[i].Name < rs[j].Name
	})
}

// Index%[1]d_%[2]d indexes records by tag.
func Index%[1]d_%[2]d(rs []*Record%[1]d_%[2]d) map[string][]int {
	index := map[string][]int{}
	for i, r := range rs {
		for _, t := range r.Tags {
			key := strings.ToLower(t)
			index[key] = append(index[key], i)
		}
	}
	return index
}
`, i, j)
	}
	return b.String()
}
