// Command singletongen generates thread-safe, lazily built singleton managers for Go
// struct types and constructor functions annotated with //singleton:generate. Run it
// from go generate:
//
//	//go:generate go tool singletongen
//
// See the README of github.com/singletongen/singletongen for the directive and the
// generated API.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/singletongen/singletongen/directive"
	"github.com/singletongen/singletongen/generator"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage: singletongen [flags] [packages]

singletongen writes, beside each struct type or constructor function annotated with
//singleton:generate, a manager that builds one shared instance lazily and safely.
Packages default to "." (the package go generate runs in); ./... handles many.

	//go:generate go tool singletongen

	// Client talks to the Paragon API.
	//
	//singleton:generate mode=keyed
	type Client struct{ ... }

The directive takes options key=value, separated by spaces:

`

// printUsage prints the usage: the directive and its options, and the flags, one line
// each, so that all of it fits on one screen.
func printUsage(w io.Writer, flags *flag.FlagSet) {
	fmt.Fprint(w, usage)
	for _, line := range directive.Usage {
		fmt.Fprintf(w, "  %s\n", line)
	}
	fmt.Fprint(w, "\nFlags:\n")
	flags.VisitAll(func(f *flag.Flag) {
		name, text := flag.UnquoteUsage(f)
		if f.DefValue != "" && f.DefValue != "false" {
			text += fmt.Sprintf(" (default %q)", f.DefValue)
		}
		fmt.Fprintf(w, "  %-14s %s\n", strings.TrimSpace("-"+f.Name+" "+name), text)
	})
}

// run is the whole command: it returns the exit status, 2 for bad usage.
func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("singletongen", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Usage = func() { printUsage(stderr, flags) }
	output := flags.String("output", generator.DefaultOutput, "file `name` of the generated file in each package")
	tags := flags.String("tags", "", "comma-separated `list` of build tags")
	check := flags.Bool("check", false, "write nothing; exit 1 with a diff where a generated file is not current")
	version := flags.Bool("version", false, "print the version and exit")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *version {
		fmt.Fprintln(stdout, "singletongen", buildVersion())
		return 0
	}
	if err := checkOutputName(*output); err != nil {
		fmt.Fprintf(stderr, "singletongen: -output %s\n", err)
		return 2
	}
	cfg := generator.Config{Patterns: flags.Args(), Output: *output}
	if *tags != "" {
		cfg.Tags = strings.Split(*tags, ",")
	}
	results, err := generator.Generate(cfg)
	if err == nil && *check {
		return reportStale(results, stdout, stderr)
	}
	if err == nil {
		err = generator.Commit(results)
	}
	if err == nil {
		reportRemoved(results, "removed", stderr)
	}
	if err != nil {
		var diags generator.Diagnostics
		var goErr *generator.GoCommandError
		if errors.As(err, &goErr) {
			fmt.Fprint(stderr, goErr.Stderr)
		} else if errors.As(err, &diags) {
			for _, d := range diags {
				if d.Pos.Filename == "" {
					fmt.Fprintln(stderr, "singletongen:", d.Message)
				} else {
					fmt.Fprintln(stderr, d)
				}
			}
		} else {
			fmt.Fprintln(stderr, "singletongen:", err)
		}
		return 1
	}
	return 0
}

// reportStale is -check: it prints a diff for every generated file that is not what it
// should be, and returns the exit status.
func reportStale(results []generator.Result, stdout, stderr io.Writer) int {
	stale := 0
	for _, r := range results {
		if d := r.Diff(displayPath(r.Path)); d != nil {
			stdout.Write(d)
			stale++
		}
	}
	reportRemoved(results, "would remove", stderr)
	if stale > 0 {
		fmt.Fprintf(stderr, "singletongen: %d generated %s not current: run go generate\n", stale, plural(stale, "file is", "files are"))
		return 1
	}
	return 0
}

// reportRemoved says which generated files are removed, or would be (done), because
// their packages lost their annotations: a file that disappears without a word looks
// like a bug.
func reportRemoved(results []generator.Result, done string, stderr io.Writer) {
	for _, r := range results {
		if r.Content == nil {
			fmt.Fprintf(stderr, "singletongen: %s %s: the package has no annotated declarations\n", done, displayPath(r.Path))
		}
	}
}

// displayPath spells path relative to the current folder when it is below it.
func displayPath(path string) string {
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, path); err == nil && !strings.HasPrefix(rel, "..") {
			return rel
		}
	}
	return path
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// checkOutputName accepts a file name that the go command compiles into the package
// beside the annotated types.
func checkOutputName(name string) error {
	switch {
	case name == "" || name != filepath.Base(name):
		return fmt.Errorf("%q: want a file name, without a folder", name)
	case !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go"):
		return fmt.Errorf("%q: want a name ending in .go, not _test.go", name)
	case strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_"):
		return fmt.Errorf("%q: the go command ignores files whose name starts with . or _", name)
	}
	return nil
}

// buildVersion is the module version the binary was built from: v1.2.3 after
// go install ...@v1.2.3, "(devel)" in a checkout.
func buildVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		return info.Main.Version
	}
	return "(devel)"
}
