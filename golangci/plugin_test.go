package golangci_test

import (
	"testing"

	"github.com/golangci/plugin-module-register/register"

	_ "github.com/singletongen/singletongen/golangci"
	"github.com/singletongen/singletongen/singletoncheck"
)

// TestRegistered checks what golangci-lint finds under the name .golangci.yml enables;
// test.sh runs the plugin inside golangci-lint itself.
func TestRegistered(t *testing.T) {
	newPlugin, err := register.GetPlugin("singletoncheck")
	if err != nil {
		t.Fatal(err)
	}
	p, err := newPlugin(map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	analyzers, err := p.BuildAnalyzers()
	if err != nil {
		t.Fatal(err)
	}
	if len(analyzers) != 1 || analyzers[0] != singletoncheck.Analyzer {
		t.Errorf("BuildAnalyzers() = %v, want the singletoncheck analyzer", analyzers)
	}
	if mode := p.GetLoadMode(); mode != register.LoadModeTypesInfo {
		t.Errorf("GetLoadMode() = %q, want %q: the analyzer needs types", mode, register.LoadModeTypesInfo)
	}
}
