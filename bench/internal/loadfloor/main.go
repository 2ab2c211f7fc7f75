// Command loadfloor loads the packages its arguments name with golang.org/x/tools/go/packages
// and exits: the floor of a code generator that loads packages that way.
//
//	loadfloor -mode=types .   # what stringer loads: syntax and types of the package
//	loadfloor -mode=list .    # the listing alone
package main

import (
	"flag"
	"fmt"
	"os"

	"golang.org/x/tools/go/packages"
)

func main() {
	mode := flag.String("mode", "types", "types (stringer's load) or list (names and files)")
	flag.Parse()
	cfg := &packages.Config{Mode: packages.NeedName | packages.NeedFiles}
	switch *mode {
	case "types":
		cfg.Mode |= packages.NeedSyntax | packages.NeedTypes | packages.NeedTypesInfo
	case "list":
	default:
		fmt.Fprintln(os.Stderr, "loadfloor: -mode must be types or list")
		os.Exit(2)
	}
	pkgs, err := packages.Load(cfg, flag.Args()...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadfloor:", err)
		os.Exit(1)
	}
	if packages.PrintErrors(pkgs) > 0 {
		os.Exit(1)
	}
}
