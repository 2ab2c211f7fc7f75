// Command singletoncheck reports code that defeats the managers singletongen generates:
// instances of singletons (annotated types and functions) built behind their manager's
// back, test hooks in parallel tests, and constructor cycles. Run it alone,
//
//	singletoncheck ./...
//
// or under go vet:
//
//	go vet -vettool=$(which singletoncheck) ./...
package main

import (
	"golang.org/x/tools/go/analysis/singlechecker"

	"github.com/singletongen/singletongen/singletoncheck"
)

func main() { singlechecker.Main(singletoncheck.Analyzer) }
