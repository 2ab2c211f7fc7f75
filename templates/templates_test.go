package templates

import (
	"bytes"
	"go/format"
	"strings"
	"testing"

	"github.com/singletongen/singletongen/model"
)

// A file rendered from data alone: no generator, no go/types.
func TestRenderFromData(t *testing.T) {
	f := &model.File{
		PkgPath: "example.com/svc",
		PkgName: "svc",
		Imports: []model.Import{{Path: "example.com/other/errors", Name: "errors2", Aliased: true}},
		Managers: []model.Manager{{
			Stem:         "Service",
			Result:       model.Type{{Syntax: "*"}, {Name: "Service"}},
			Constructor:  model.Func{Name: "NewService"},
			ReturnsError: true,
			Params: []model.Param{
				{Name: "code", Type: model.Type{{Path: "example.com/other/errors", Name: "Code"}}},
				{Name: "events", Type: model.Type{{Syntax: "chan<-"}, {Name: "string"}}},
				{Name: "id", Type: model.Type{{Syntax: "struct{"}, {Syntax: "N"}, {Name: "int"}, {Syntax: "}"}}},
			},
			Close:     model.Close{Method: "Close"},
			TestHooks: true,
			Global:    true,
			Names: model.Names{
				Manager: "ServiceManager", NewManager: "NewServiceManager", Instance: "GetServiceManager",
				Getter: "GetService", MustGetter: "MustGetService", SetForTest: "SetServiceForTest",
				ResetForTest: "ResetServiceForTest", Conflict: "ErrServiceConflict", Args: "serviceArgs",
				State: "serviceState", Spec: "serviceSpec", Default: "defaultServiceManager",
			},
		}},
	}
	var buf bytes.Buffer
	if err := Render(f).Render(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, model.Header+"\n\npackage svc\n") {
		t.Errorf("the file does not start with the header, a blank line and the package clause:\n%s", out[:80])
	}
	if formatted, err := format.Source(buf.Bytes()); err != nil || !bytes.Equal(formatted, buf.Bytes()) {
		t.Errorf("the output is not gofmt'd (%v)", err)
	}
	for _, want := range []string{
		`errors2 "example.com/other/errors"`,
		"func GetService(code errors2.Code, events chan<- string, id struct{ N int }) (*Service, error) {",
		"c.Close()\n\t\treturn nil\n",
		"func SetServiceForTest(tb interface {",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q", want)
		}
	}
}

func TestWrap(t *testing.T) {
	got := wrap("a bb ccc dddd eeeee", 8)
	want := []string{"a bb ccc", "dddd", "eeeee"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("wrap = %q, want %q", got, want)
	}
}

func TestIndefinite(t *testing.T) {
	for word, want := range map[string]string{
		"Client":        "a Client",
		"Entry":         "an Entry",
		"EntryManager":  "an EntryManager",
		"ImageStore":    "an ImageStore",
		"OrderDB":       "an OrderDB",
		"Update":        "an Update",
		"User":          "a User",
		"UniqueIDs":     "a UniqueIDs",
		"OneShot":       "a OneShot",
		"Europe":        "a Europe",
		"HTTPClient":    "a HTTPClient",
		"apiClient":     "an apiClient",
		"ClientManager": "a ClientManager",
	} {
		if got := indefinite(word); got != want {
			t.Errorf("indefinite(%q) = %q, want %q", word, got, want)
		}
	}
}
