// Package golangci registers the singletoncheck analyzer as a golangci-lint v2 module
// plugin named "singletoncheck". golangci-lint custom builds it into a golangci-lint
// binary, from the module and import path github.com/singletongen/singletongen/golangci
// given in .custom-gcl.yml; .golangci.yml then enables it as a custom linter of type
// module. The plugin takes no settings.
//
// It is a module of its own so that the root module, which users add as a tool, does
// not depend on github.com/golangci/plugin-module-register.
package golangci

import (
	"golang.org/x/tools/go/analysis"

	"github.com/golangci/plugin-module-register/register"

	"github.com/singletongen/singletongen/singletoncheck"
)

func init() {
	register.Plugin("singletoncheck", New)
}

// New returns the plugin; golangci-lint calls it with the linter's settings from
// .golangci.yml, which it ignores.
func New(any) (register.LinterPlugin, error) {
	return plugin{}, nil
}

type plugin struct{}

func (plugin) BuildAnalyzers() ([]*analysis.Analyzer, error) {
	return []*analysis.Analyzer{singletoncheck.Analyzer}, nil
}

// GetLoadMode asks for type information: the analyzer reads types and exchanges facts
// between packages.
func (plugin) GetLoadMode() string { return register.LoadModeTypesInfo }
