// Command singletoncheck reports code that defeats the managers singletongen generates:
// instances of singletons (annotated types and functions) built behind their manager's
// back, test hooks in parallel tests, and constructor cycles. As a tool dependency of
// a module (go get -tool github.com/singletongen/singletongen/cmd/singletoncheck), run
// it alone,
//
//	go tool singletoncheck ./...
//
// or under go vet:
//
//	go vet -vettool=$(go tool -n singletoncheck) ./...
package main

import (
	"golang.org/x/tools/go/analysis/singlechecker"

	"github.com/singletongen/singletongen/singletoncheck"
)

func main() { singlechecker.Main(singletoncheck.Analyzer) }
